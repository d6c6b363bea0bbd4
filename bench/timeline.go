package bench

import (
	"context"
	"math"
	"sync/atomic"
	"time"
)

// A FaultTimeline is a run's fault plan placed on the run's clock. Every
// pattern of a run gets a timeline built from the same specs and seed, so
// every pattern sees the same faults at the same moments, and the same
// per-event decisions (Hit) for the same events.
//
// The methods are safe for concurrent use. A nil *FaultTimeline is a plan
// with no faults, so targets may call it unconditionally.
type FaultTimeline struct {
	specs   []FaultSpec
	seed    uint64
	run     time.Duration
	start   atomic.Pointer[time.Time]
	started chan struct{}
}

// NewFaultTimeline places specs on a run that publishes for run.
func NewFaultTimeline(specs []FaultSpec, seed uint64, run time.Duration) *FaultTimeline {
	return &FaultTimeline{specs: specs, seed: seed, run: run, started: make(chan struct{})}
}

// Start sets the run's time zero; before it, no fault is active. Only the
// first call counts.
func (t *FaultTimeline) Start(at time.Time) {
	if t != nil && t.start.CompareAndSwap(nil, &at) {
		close(t.started)
	}
}

// Started returns a channel closed when the run's clock starts. For a nil
// timeline it is nil (it never fires).
func (t *FaultTimeline) Started() <-chan struct{} {
	if t == nil {
		return nil
	}
	return t.started
}

// Elapsed returns at as an offset on the run's clock, and false before
// Start.
func (t *FaultTimeline) Elapsed(at time.Time) (time.Duration, bool) {
	if t == nil {
		return 0, false
	}
	s := t.start.Load()
	if s == nil {
		return 0, false
	}
	return at.Sub(*s), true
}

// Has reports whether the plan holds a fault of kind.
func (t *FaultTimeline) Has(kind string) bool {
	if t == nil {
		return false
	}
	for _, f := range t.specs {
		if f.Kind == kind {
			return true
		}
	}
	return false
}

// Specs returns the faults of kind, in plan order.
func (t *FaultTimeline) Specs(kind string) []FaultSpec {
	if t == nil {
		return nil
	}
	var out []FaultSpec
	for _, f := range t.specs {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// Active returns the first fault of kind whose window holds at.
func (t *FaultTimeline) Active(kind string, at time.Time) (FaultSpec, bool) {
	off, ok := t.Elapsed(at)
	if !ok {
		return FaultSpec{}, false
	}
	return t.ActiveAt(kind, off)
}

// ActiveAt is Active for an offset on the run's clock. A fault without
// For lasts until the end of the run, drain included.
func (t *FaultTimeline) ActiveAt(kind string, off time.Duration) (FaultSpec, bool) {
	if t == nil {
		return FaultSpec{}, false
	}
	for _, f := range t.specs {
		if f.Kind != kind || off < f.At.D() {
			continue
		}
		if f.For == 0 || off < f.At.D()+f.For.D() {
			return f, true
		}
	}
	return FaultSpec{}, false
}

// Until returns when the fault of kind active at off ends (an offset on
// the run's clock), or false if none is active or it lasts to the end.
func (t *FaultTimeline) Until(kind string, off time.Duration) (time.Duration, bool) {
	f, ok := t.ActiveAt(kind, off)
	if !ok || f.For == 0 {
		return 0, false
	}
	return f.At.D() + f.For.D(), true
}

// Moments returns the offsets at which the instantaneous faults of kind
// (disconnect, reset) strike: at At, then every Every within the fault's
// window (to the end of publishing when For is zero), in time order per
// fault.
func (t *FaultTimeline) Moments(kind string) []time.Duration {
	if t == nil {
		return nil
	}
	var out []time.Duration
	for _, f := range t.specs {
		if f.Kind != kind {
			continue
		}
		from, to := f.Window(t.run)
		if f.Every == 0 {
			out = append(out, from)
			continue
		}
		for m := from; m < to; m += f.Every.D() {
			out = append(out, m)
		}
	}
	return out
}

// Hit draws a deterministic Bernoulli(p) decision for the given keys (for
// instance event seq, subscriber, attempt). The same seed and keys always
// give the same answer, whichever pattern asks. Callers that draw for
// several purposes put a distinct salt first among the keys, so the draws
// are independent.
func (t *FaultTimeline) Hit(p float64, keys ...uint64) bool {
	if t == nil || p <= 0 {
		return false
	}
	if p >= 1 {
		return true
	}
	h := t.seed ^ 0x6a09e667f3bcc909
	for _, k := range keys {
		h = splitmix(h ^ k)
	}
	return float64(h>>11)/(1<<53) < p
}

// Uniform draws a deterministic number in [0, 1) for the given keys, for
// decisions that need more than a coin (jitter).
func (t *FaultTimeline) Uniform(keys ...uint64) float64 {
	if t == nil {
		return 0
	}
	h := t.seed ^ 0xbb67ae8584caa73b
	for _, k := range keys {
		h = splitmix(h ^ k)
	}
	return float64(h>>11) / (1 << 53)
}

// splitmix is the SplitMix64 finaliser: a fast, well-mixed 64-bit hash.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Windows returns the plan as it applies to a run whose nominal length is
// total (publishing plus the drain deadline), in seconds, for results.json. A fault without
// For lasts to total, except a single disconnect or reset, which is a
// moment (For 0).
func (t *FaultTimeline) Windows(total time.Duration) []FaultWindow {
	out := []FaultWindow{}
	if t == nil {
		return out
	}
	for _, f := range t.specs {
		from, to := f.At.D(), total
		switch {
		case f.For != 0:
			to = f.At.D() + f.For.D()
		case (f.Kind == FaultDisconnect || f.Kind == FaultReset) && f.Every == 0:
			to = from // a single moment
		case f.Kind == FaultDisconnect || f.Kind == FaultReset:
			to = t.run // repeats strike while publishing (see Moments)
		}
		w := FaultWindow{Kind: f.Kind, At: from.Seconds(), For: math.Max(0, (to - from).Seconds())}
		out = append(out, w)
	}
	return out
}

// FaultSalt is the first key of a fault kind's Hit draws: the FNV-1a hash
// of the kind's name. Every pattern salts its draws this way and keys them
// (seq, subscriber, attempt from 1), so all patterns draw the same
// decisions for the same deliveries.
func FaultSalt(kind string) uint64 {
	h := uint64(14695981039346656037)
	for i := range len(kind) {
		h ^= uint64(kind[i])
		h *= 1099511628211
	}
	return h
}

// Schedule waits for the run's clock to start, then calls act(i) at each
// offset at[i] on the run's clock, in order, until ctx ends. at must be
// sorted. An offset reached late (a busy machine) is still acted on, in
// order, at once. Targets use it for the moments their faults strike
// (outage starts and ends, disconnects).
func (t *FaultTimeline) Schedule(ctx context.Context, at []time.Duration, act func(i int)) {
	if t == nil || len(at) == 0 {
		return
	}
	select {
	case <-t.Started():
	case <-ctx.Done():
		return
	}
	now := time.Now()
	off, _ := t.Elapsed(now)
	start := now.Add(-off)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for i, a := range at {
		if d := time.Until(start.Add(a)); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		}
		if ctx.Err() != nil {
			return
		}
		act(i)
	}
}
