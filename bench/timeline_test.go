package bench

import (
	"math"
	"testing"
	"time"
)

func TestFaultTimeline(t *testing.T) {
	specs := []FaultSpec{
		{Kind: FaultOutage, At: Duration(2 * time.Second), For: Duration(3 * time.Second)},
		{Kind: FaultErrors, P: 0.2},
		{Kind: FaultDisconnect, At: Duration(time.Second), For: Duration(4 * time.Second), Every: Duration(2 * time.Second)},
		{Kind: FaultReset, At: Duration(7 * time.Second)},
	}
	tl := NewFaultTimeline(specs, 9, 10*time.Second)
	start := time.Now()
	if _, ok := tl.Active(FaultErrors, start); ok {
		t.Fatal("a fault is active before Start")
	}
	tl.Start(start)
	tests := []struct {
		kind string
		at   time.Duration
		want bool
	}{
		{FaultOutage, 1999 * time.Millisecond, false},
		{FaultOutage, 2 * time.Second, true},
		{FaultOutage, 4999 * time.Millisecond, true},
		{FaultOutage, 5 * time.Second, false},
		{FaultErrors, 0, true},
		{FaultErrors, 20 * time.Second, true}, // no window: the whole run, drain included
		{FaultSlow, time.Second, false},
	}
	for _, tt := range tests {
		if _, got := tl.Active(tt.kind, start.Add(tt.at)); got != tt.want {
			t.Errorf("Active(%s, %v) = %v, want %v", tt.kind, tt.at, got, tt.want)
		}
	}
	if end, ok := tl.Until(FaultOutage, 3*time.Second); !ok || end != 5*time.Second {
		t.Errorf("Until = %v %v, want 5s", end, ok)
	}
	got := tl.Moments(FaultDisconnect)
	want := []time.Duration{time.Second, 3 * time.Second}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Moments(disconnect) = %v, want %v", got, want)
	}
	if m := tl.Moments(FaultReset); len(m) != 1 || m[0] != 7*time.Second {
		t.Errorf("Moments(reset) = %v", m)
	}
	w := tl.Windows(12 * time.Second)
	if len(w) != 4 || w[0].At != 2 || w[0].For != 3 || w[1].For != 12 {
		t.Errorf("Windows = %+v", w)
	}
	var nilTL *FaultTimeline
	if _, ok := nilTL.Active(FaultOutage, start); ok || nilTL.Hit(1, 1) || nilTL.Has(FaultOutage) {
		t.Error("a nil timeline has faults")
	}
}

func TestFaultHitDeterministic(t *testing.T) {
	a, b := NewFaultTimeline(nil, 5, time.Second), NewFaultTimeline(nil, 5, time.Second)
	other := NewFaultTimeline(nil, 6, time.Second)
	const n = 200_000
	hits, same, differ := 0, 0, 0
	for i := uint64(0); i < n; i++ {
		ha := a.Hit(0.2, i, 3)
		if ha {
			hits++
		}
		if ha == b.Hit(0.2, i, 3) {
			same++
		}
		if ha != other.Hit(0.2, i, 3) {
			differ++
		}
	}
	if same != n {
		t.Fatalf("same seed and keys gave different decisions %d times", n-same)
	}
	// Binomial(200000, 0.2): sd = 179; 5 sd = 0.45%.
	if frac := float64(hits) / n; math.Abs(frac-0.2) > 0.0045 {
		t.Errorf("hit fraction %.4f, want 0.2", frac)
	}
	if differ == 0 {
		t.Error("another seed gave the same decisions")
	}
}

func TestMarkFaults(t *testing.T) {
	ws := []Window{{T: 0}, {T: 1}, {T: 2}, {T: 3}}
	markFaults(ws, []FaultWindow{{Kind: "outage", At: 1.5, For: 1}}, 1)
	if ws[0].Faults != nil || len(ws[1].Faults) != 1 || len(ws[2].Faults) != 1 || ws[3].Faults != nil {
		t.Fatalf("windows %+v", ws)
	}
}

func TestFaultTimelineStarted(t *testing.T) {
	tl := NewFaultTimeline(nil, 1, time.Second)
	select {
	case <-tl.Started():
		t.Fatal("Started fired before Start")
	default:
	}
	tl.Start(time.Now())
	tl.Start(time.Now().Add(time.Hour)) // ignored
	<-tl.Started()
	if off, ok := tl.Elapsed(time.Now()); !ok || off > time.Minute {
		t.Fatalf("Elapsed = %v %v: the second Start moved the clock", off, ok)
	}
}
