package faultproxy

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
	"go.uber.org/goleak"
)

func TestNeedsProxy(t *testing.T) {
	tests := []struct {
		name  string
		kinds []string
		want  bool
	}{
		{"no plan", nil, false},
		{"application faults only", []string{bench.FaultErrors, bench.FaultOutage, bench.FaultDisconnect, bench.FaultSlow, bench.FaultRateLimit}, false},
		{"latency", []string{bench.FaultErrors, bench.FaultLatency}, true},
		{"bandwidth", []string{bench.FaultBandwidth}, true},
		{"reset", []string{bench.FaultReset}, true},
		{"blackhole", []string{bench.FaultBlackhole}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tl *bench.FaultTimeline
			if tt.kinds != nil {
				var specs []bench.FaultSpec
				for _, k := range tt.kinds {
					specs = append(specs, bench.FaultSpec{Kind: k})
				}
				tl = bench.NewFaultTimeline(specs, 1, time.Second)
			}
			if got := NeedsProxy(tl); got != tt.want {
				t.Errorf("NeedsProxy = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPassthrough sends a large random payload through the proxy to an
// echo server and back: without network faults the bytes are unchanged.
func TestPassthrough(t *testing.T) {
	tests := []struct {
		name    string
		specs   []bench.FaultSpec
		delayed bool
	}{
		{"no plan", nil, false},
		// Application faults are the targets' business: the proxy ignores them.
		{"application faults", []bench.FaultSpec{{Kind: bench.FaultErrors, P: 1}, {Kind: bench.FaultOutage}}, false},
		// A window that has not begun yet changes nothing.
		{"later latency", []bench.FaultSpec{{Kind: bench.FaultLatency, At: ms(9000), Delay: ms(500)}}, false},
		// Jitter as large as the delay and a bucket: every chunk waits, none overtakes.
		{"jitter and bandwidth", []bench.FaultSpec{
			{Kind: bench.FaultLatency, Delay: ms(2), Jitter: ms(2)},
			{Kind: bench.FaultBandwidth, Rate: 200 << 20},
		}, true},
	}
	const size = 8 << 20
	payload := make([]byte, size)
	rand.Read(payload)
	want := sha256.Sum256(payload)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, echo)
			p, tl := startProxy(t, srv.addr(), tt.specs...)
			tl.Start(time.Now())
			c := dial(t, p)
			werr := make(chan error, 1)
			go func() {
				_, err := c.Write(payload)
				if err == nil {
					err = c.CloseWrite()
				}
				werr <- err
			}()
			got, err := io.ReadAll(c)
			if err != nil {
				t.Fatal(err)
			}
			if err := <-werr; err != nil {
				t.Fatal(err)
			}
			if len(got) != size || sha256.Sum256(got) != want {
				t.Fatalf("got %d bytes, checksum differs: %v", len(got), sha256.Sum256(got) != want)
			}
			st := p.Stats()
			if st.Connections != 1 || st.BytesUp != size || st.BytesDown != size {
				t.Errorf("Stats = %+v, want %d bytes each way on 1 connection", st, size)
			}
			if want := map[bool]uint64{true: 2 * size}[tt.delayed]; st.BytesDelayed != want {
				t.Errorf("BytesDelayed = %d, want %d", st.BytesDelayed, want)
			}
			// Both ends half-closed: the link ends by itself.
			eventually(t, "the link to end", func() bool { return p.Stats().Live == 0 })
		})
	}
}

// TestDialError: when the upstream refuses, the accepted connection is
// reset, which a client sees as the nearest thing to a refusal.
func TestDialError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p, _ := startProxy(t, addr)
	// The reset may beat the client's connect itself.
	c, err := net.Dial("tcp", p.Addr())
	if err == nil {
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, err = c.Read(make([]byte, 1))
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("dial and read = %v, want ECONNRESET", err)
	}
	eventually(t, "DialErrors to be 1", func() bool { return p.Stats().DialErrors == 1 })
}

// TestCloseStuckLinks closes proxies whose links are stalled, delayed or
// throttled: Close returns promptly, the clients see their connection
// end, and no goroutine is left.
func TestCloseStuckLinks(t *testing.T) {
	tests := []struct {
		name    string
		spec    bench.FaultSpec
		payload int
		stuck   func(Stats) bool
	}{
		{"delayed", bench.FaultSpec{Kind: bench.FaultLatency, Delay: ms(10_000)}, 1 << 10,
			func(s Stats) bool { return s.BytesDelayed > 0 }},
		{"stalled", bench.FaultSpec{Kind: bench.FaultBlackhole}, 1 << 10,
			func(s Stats) bool { return s.Blackholed > 0 && s.BytesDiscarded > 0 }},
		{"throttled", bench.FaultSpec{Kind: bench.FaultBandwidth, Rate: 100}, 1 << 20,
			func(s Stats) bool { return s.BytesThrottled > 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			srv := newServer(t, echo)
			defer srv.close()
			tl := bench.NewFaultTimeline([]bench.FaultSpec{tt.spec}, 1, 10*time.Second)
			p, err := New(srv.addr(), tl, nil)
			if err != nil {
				t.Fatal(err)
			}
			tl.Start(time.Now())
			c, err := net.Dial("tcp", p.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			go c.Write(make([]byte, tt.payload)) // ends when c closes
			eventually(t, "bytes to be stuck", func() bool { return tt.stuck(p.Stats()) })

			t0 := time.Now()
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(t0); d > 500*time.Millisecond {
				t.Errorf("Close took %v", d)
			}
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			if _, err := io.ReadAll(c); errors.Is(err, syscall.ETIMEDOUT) || isTimeout(err) {
				t.Errorf("client read after Close: %v, want its connection ended", err)
			}
			if err := p.Close(); err != nil {
				t.Errorf("second Close = %v", err)
			}
		})
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
