package faultproxy

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// TestBlackhole: in the window a live link and a new connection stall
// (reads time out, nothing is closed, the upstream never sees the new
// one); after it, new connections work and the stalled link stays
// stalled.
func TestBlackhole(t *testing.T) {
	const at, dur = 200 * time.Millisecond, 300 * time.Millisecond
	const wait = 100 * time.Millisecond
	srv := newServer(t, echo)
	p, tl := startProxy(t, srv.addr(), bench.FaultSpec{Kind: bench.FaultBlackhole, At: bench.Duration(at), For: bench.Duration(dur)})
	start := time.Now()
	tl.Start(start)
	live := dial(t, p)
	if err := roundTrip(live, "before", time.Second); err != nil {
		t.Fatal(err)
	}
	stalled := func(name string, c interface {
		SetDeadline(time.Time) error
		Write([]byte) (int, error)
		Read([]byte) (int, error)
	}) {
		t.Helper()
		c.SetDeadline(time.Now().Add(wait))
		if _, err := c.Write([]byte("ping")); err != nil {
			t.Errorf("%s: write = %v, want it accepted", name, err)
		}
		if _, err := c.Read(make([]byte, 4)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s: read = %v, want a timeout", name, err)
		}
	}

	sleepUntil(start, at+10*time.Millisecond)
	inside := dial(t, p)
	stalled("new connection in the window", inside)
	stalled("live link in the window", live)
	if off := time.Since(start); off >= at+dur {
		t.Fatalf("the checks ran past the window (%v): the machine is too slow for this test", off)
	}
	if n := srv.accepted.Load(); n != 1 {
		t.Errorf("upstream accepted %d connections, want 1 (none in the window)", n)
	}

	sleepUntil(start, at+dur+10*time.Millisecond)
	after := dial(t, p)
	if err := roundTrip(after, "after", time.Second); err != nil {
		t.Errorf("connection after the window: %v", err)
	}
	stalled("live link after the window", live)
	stalled("connection made in the window, after it", inside)
	if st := p.Stats(); st.Blackholed != 2 || st.Live != 3 || st.BytesDiscarded == 0 {
		t.Errorf("Stats = %+v, want 2 blackholed of 3 live links", st)
	}

	// A peer that gives up frees its side; the other peer is not told.
	inside.Close()
	eventually(t, "the stalled link to end", func() bool { return p.Stats().Live == 2 })
}

// TestBlackholeIdleLink: a link idle when the window opens is stalled by
// the scheduler, so a server push in the window never arrives (what a
// WebSocket client must detect by ping/pong) and the server's write
// succeeds.
func TestBlackholeIdleLink(t *testing.T) {
	const at = 100 * time.Millisecond
	push := make(chan struct{})
	pushed := make(chan error, 1)
	srv := newServer(t, func(c net.Conn) error {
		select {
		case <-push:
		case <-time.After(5 * time.Second): // the test failed early
			return nil
		}
		_, err := c.Write([]byte("push"))
		pushed <- err
		_, err = c.Read(make([]byte, 1)) // until the test ends
		return err
	})
	p, tl := startProxy(t, srv.addr(), bench.FaultSpec{Kind: bench.FaultBlackhole, At: bench.Duration(at)})
	c := dial(t, p)
	eventually(t, "the upstream connection", func() bool { return srv.accepted.Load() == 1 })
	start := time.Now()
	tl.Start(start)
	eventually(t, "the idle link to stall", func() bool { return p.Stats().Blackholed == 1 })
	if d := time.Since(start); d < at {
		t.Errorf("stalled after %v, before the window at %v", d, at)
	}
	close(push)
	if err := <-pushed; err != nil {
		t.Errorf("server write = %v, want it accepted", err)
	}
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := c.Read(make([]byte, 4)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("client read = %v, want a timeout", err)
	}
	eventually(t, "the push to be discarded", func() bool { return p.Stats().BytesDiscarded == 4 })
}
