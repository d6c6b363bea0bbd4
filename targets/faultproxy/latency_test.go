package faultproxy

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// TestLatencyRoundTrip: the delay applies in each direction, so a
// request-response round trip costs at least twice the delay, and far
// less than ten times that.
func TestLatencyRoundTrip(t *testing.T) {
	const delay = 50 * time.Millisecond
	srv := newServer(t, echo)
	p, tl := startProxy(t, srv.addr(), bench.FaultSpec{Kind: bench.FaultLatency, Delay: bench.Duration(delay)})
	c := dial(t, p)
	// Before the run's clock starts (a target's Start), nothing is delayed.
	if err := roundTrip(c, "setup", time.Second); err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st.BytesDelayed != 0 {
		t.Errorf("BytesDelayed = %d before the clock started", st.BytesDelayed)
	}
	tl.Start(time.Now())
	for i := range 3 {
		t0 := time.Now()
		if err := roundTrip(c, fmt.Sprintf("ping %d", i), 5*time.Second); err != nil {
			t.Fatal(err)
		}
		d := time.Since(t0)
		if d < 2*delay || d >= 10*2*delay {
			t.Errorf("round trip %d took %v, want in [%v, %v)", i, d, 2*delay, 10*2*delay)
		}
	}
	if st := p.Stats(); st.BytesDelayed != 2*3*uint64(len("ping 0")) {
		t.Errorf("BytesDelayed = %d, want %d", st.BytesDelayed, 2*3*len("ping 0"))
	}
}

// TestJitter sends numbered messages faster than the jitter spread: each
// arrives within delay ± jitter of its sending (plus scheduling slack),
// in order, although later chunks often draw an earlier due time.
func TestJitter(t *testing.T) {
	const (
		delay, jitter = 30 * time.Millisecond, 20 * time.Millisecond
		msgs          = 40
		slack         = 40 * time.Millisecond // scheduling on a loaded 2-core machine
	)
	var (
		mu      sync.Mutex
		arrived [msgs]time.Time
	)
	order := make(chan error, 1)
	srv := newServer(t, func(c net.Conn) error {
		var b [8]byte
		for want := uint64(0); want < msgs; want++ {
			if _, err := io.ReadFull(c, b[:]); err != nil {
				return err
			}
			now := time.Now()
			if got := binary.BigEndian.Uint64(b[:]); got != want {
				order <- fmt.Errorf("message %d arrived in place of %d", got, want)
				return nil
			}
			mu.Lock()
			arrived[want] = now
			mu.Unlock()
		}
		order <- nil
		return nil
	})
	p, tl := startProxy(t, srv.addr(), bench.FaultSpec{Kind: bench.FaultLatency, Delay: bench.Duration(delay), Jitter: bench.Duration(jitter)})
	tl.Start(time.Now())
	c := dial(t, p)
	var sent [msgs]time.Time
	for i := range msgs {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(i))
		sent[i] = time.Now()
		if _, err := c.Write(b[:]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // spacing, so most messages are chunks of their own
	}
	select {
	case err := <-order:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("messages did not all arrive")
	}
	mu.Lock()
	defer mu.Unlock()
	lo, hi := time.Hour, time.Duration(0)
	for i := range msgs {
		d := arrived[i].Sub(sent[i])
		lo, hi = min(lo, d), max(hi, d)
		if d < delay-jitter || d > delay+jitter+slack {
			t.Errorf("message %d took %v, want in [%v, %v]", i, d, delay-jitter, delay+jitter+slack)
		}
	}
	if hi-lo < jitter/4 {
		t.Errorf("delays span only %v..%v: no jitter seen", lo, hi)
	}
}

// TestDelayForSeeded: the jitter draws are a function of the seed and the
// keys only, stay within bounds, and spread over them.
func TestDelayForSeeded(t *testing.T) {
	f := bench.FaultSpec{Kind: bench.FaultLatency, Delay: ms(50), Jitter: ms(10)}
	draws := func(seed uint64) []time.Duration {
		tl := bench.NewFaultTimeline([]bench.FaultSpec{f}, seed, time.Second)
		var out []time.Duration
		for conn := range uint64(4) {
			for dir := range 2 {
				for chunk := range uint64(250) {
					out = append(out, delayFor(tl, f, conn, dir, chunk))
				}
			}
		}
		return out
	}
	a, b, other := draws(7), draws(7), draws(8)
	var sum time.Duration
	same := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("draw %d: %v then %v with the same seed", i, a[i], b[i])
		}
		if a[i] < 40*time.Millisecond || a[i] >= 60*time.Millisecond {
			t.Errorf("draw %d = %v, outside 50ms ± 10ms", i, a[i])
		}
		if a[i] == other[i] {
			same++
		}
		sum += a[i]
	}
	if same > len(a)/100 {
		t.Errorf("%d of %d draws equal under another seed", same, len(a))
	}
	if mean := sum / time.Duration(len(a)); mean < 49*time.Millisecond || mean > 51*time.Millisecond {
		t.Errorf("mean delay %v, want 50ms ± 1ms", mean)
	}
	// A jitter above the delay never makes a delay negative.
	f.Jitter = ms(80)
	tl := bench.NewFaultTimeline([]bench.FaultSpec{f}, 7, time.Second)
	for chunk := range uint64(1000) {
		if d := delayFor(tl, f, 0, dirUp, chunk); d < 0 {
			t.Fatalf("chunk %d: delay %v", chunk, d)
		}
	}
}
