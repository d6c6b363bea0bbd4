package faultproxy

import (
	"errors"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// TestReset: at the moment, both peers of every live link read
// ECONNRESET; a connection made afterwards works.
func TestReset(t *testing.T) {
	const at = 150 * time.Millisecond
	srv := newServer(t, echo)
	p, tl := startProxy(t, srv.addr(), bench.FaultSpec{Kind: bench.FaultReset, At: bench.Duration(at)})
	// One link made before the clock starts (as in a target's Start), one after.
	early := dial(t, p)
	if err := roundTrip(early, "early", time.Second); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	tl.Start(start)
	late := dial(t, p)
	if err := roundTrip(late, "late", time.Second); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]interface {
		SetReadDeadline(time.Time) error
		Read([]byte) (int, error)
	}{"early": early, "late": late} {
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		_, err := c.Read(make([]byte, 1))
		if !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("%s: read = %v, want ECONNRESET", name, err)
		}
		if d := time.Since(start); d < at {
			t.Errorf("%s: reset after %v, before the moment %v", name, d, at)
		}
	}
	for range 2 {
		select {
		case err := <-srv.errs:
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("upstream side: %v, want ECONNRESET", err)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("the upstream side saw no reset")
		}
	}
	after := dial(t, p)
	if err := roundTrip(after, "after", time.Second); err != nil {
		t.Errorf("connection after the reset: %v", err)
	}
	// The peers may see the second RST before the counter does.
	eventually(t, "2 resets", func() bool { return p.Stats().Resets == 2 })
	if st := p.Stats(); st.Connections != 3 {
		t.Errorf("Stats = %+v, want 3 connections", st)
	}
}

// TestScheduleOf: resets of several faults and blackhole starts come out
// in time order, each blackhole with its end.
func TestScheduleOf(t *testing.T) {
	tl := bench.NewFaultTimeline([]bench.FaultSpec{
		{Kind: bench.FaultReset, At: ms(100), Every: ms(200), For: ms(500)}, // 100, 300, 500 (the window ends at 600)
		{Kind: bench.FaultBlackhole, At: ms(250), For: ms(50)},
		{Kind: bench.FaultReset, At: ms(200)},
		{Kind: bench.FaultLatency, At: ms(0), Delay: ms(5)}, // not scheduled
		{Kind: bench.FaultBlackhole, At: ms(400)},
	}, 1, time.Second)
	got := scheduleOf(tl)
	want := []action{
		{at: 100 * time.Millisecond, kind: bench.FaultReset},
		{at: 200 * time.Millisecond, kind: bench.FaultReset},
		{at: 250 * time.Millisecond, kind: bench.FaultBlackhole, end: 300 * time.Millisecond},
		{at: 300 * time.Millisecond, kind: bench.FaultReset},
		{at: 400 * time.Millisecond, kind: bench.FaultBlackhole},
		{at: 500 * time.Millisecond, kind: bench.FaultReset},
	}
	if !slices.Equal(got, want) {
		t.Errorf("scheduleOf = %+v\nwant %+v", got, want)
	}
	if got := scheduleOf(nil); len(got) != 0 {
		t.Errorf("scheduleOf(nil) = %v", got)
	}
}
