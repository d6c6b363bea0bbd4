package websocket

import (
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// TestResume cuts subscriber 1 off, publishes while it is away, and checks
// what it gets back once it reconnects: everything when the gap fits in
// the replay buffer, and otherwise exactly the events that left the
// buffer, counted as lost, with one continuity-lost signal.
func TestResume(t *testing.T) {
	const (
		buffer = 50
		before = 20 // events delivered before the cut
	)
	tests := []struct {
		name   string
		during int   // events published while subscriber 1 is away
		lost   int64 // events subscriber 1 must miss
	}{
		{name: "gap within buffer", during: buffer - 10, lost: 0},
		{name: "gap equal to buffer", during: buffer, lost: 0},
		// The ring keeps the last 50 of 20+130 = 150 events (100..149);
		// subscriber 1 resumes at 20, so 20..99 are gone.
		{name: "gap past buffer", during: 130, lost: 130 - buffer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, Options{ReplayBuffer: buffer}, 2, before+uint64(tt.during), 256)
			r.publish(before)
			r.drain()
			if err := r.p.Disconnect(1, 100*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			r.publish(tt.during)
			r.drain()

			subs := r.ledger.SubscriberCounts()
			if subs[0].Lost != 0 || subs[0].Duplicates != 0 {
				t.Errorf("subscriber 0 (never cut): %+v, want no loss, no duplicate", subs[0])
			}
			if subs[1].Lost != tt.lost || subs[1].Duplicates != 0 || subs[1].OutOfOrder != 0 {
				t.Errorf("subscriber 1: %+v, want exactly %d lost, no duplicate, in order", subs[1], tt.lost)
			}
			if c := r.ledger.Counts(); c.Lost != tt.lost || c.Unexpected != 0 {
				t.Errorf("counts %+v, want lost %d", c, tt.lost)
			}
			wantCL := int64(0)
			if tt.lost > 0 {
				wantCL = 1
			}
			if got := r.meter.Get(bench.ContinuityLost); got != wantCL {
				t.Errorf("continuity_lost %d, want %d", got, wantCL)
			}
			if got := r.meter.Get(bench.Reconnects); got != 1 {
				t.Errorf("reconnects %d, want 1", got)
			}
			if got := r.meter.Get(bench.Requests); got != 3 {
				t.Errorf("requests %d, want 3 (two subscriptions, one resume)", got)
			}
		})
	}
}

// TestDisconnectHold checks that a disconnected client stays offline for
// the hold: nothing reaches it before the hold ends.
func TestDisconnectHold(t *testing.T) {
	const hold = 300 * time.Millisecond
	r := newRig(t, Options{}, 1, 10, 128)
	cut := time.Now()
	if err := r.p.Disconnect(0, hold); err != nil {
		t.Fatal(err)
	}
	r.publish(10)
	r.drain()
	if got := time.Since(cut); got < hold {
		t.Errorf("drained %v after the cut, want >= the %v hold", got, hold)
	}
	if c := r.ledger.Counts(); c.Lost != 0 || c.Duplicates != 0 {
		t.Errorf("counts %+v, want no loss", c)
	}
	if err := r.p.Disconnect(1, 0); err == nil {
		t.Error("Disconnect(1) with one subscriber: want an error")
	}
}

// TestManyCuts cuts the subscribers in turn while events keep flowing, so
// that resumes race with publishes: the seam between replay and live must
// never lose or repeat an event.
func TestManyCuts(t *testing.T) {
	const subs, rounds, per = 4, 20, 25
	r := newRig(t, Options{BackoffBase: bench.Duration(time.Millisecond), BackoffCap: bench.Duration(5 * time.Millisecond)}, subs, rounds*per, 128)
	for i := range rounds {
		if err := r.p.Disconnect(i%subs, 0); err != nil {
			t.Fatal(err)
		}
		for range per {
			r.publish(1)
			time.Sleep(200 * time.Microsecond) // pacing: the client comes back mid-round
		}
	}
	r.drain()
	if c := r.ledger.Counts(); c.Lost != 0 || c.Duplicates != 0 || c.OutOfOrder != 0 || c.Unique != c.Expected {
		t.Errorf("counts %+v, want every event once, in order", c)
	}
	// A cut that finds its client still away from the previous one
	// (backing off or connecting) does not add a reconnection.
	if got := r.meter.Get(bench.Reconnects); got < subs || got > rounds {
		t.Errorf("reconnects %d, want between %d and %d", got, subs, rounds)
	}
	t.Logf("reconnects %d of %d cuts", r.meter.Get(bench.Reconnects), rounds)
}
