package websocket

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// The application faults of a run's plan, as this pattern implements them
// (see doc.go, "Faults"): errors and ratelimit act in the server's writer,
// per event record; slow in the client's read loop, per event; outage and
// disconnect are moments at which the producer cuts every client.

// holdForever keeps clients offline for an outage without for: until the
// producer closes.
const holdForever = 100 * 365 * 24 * time.Hour

// A try is a subscriber's last record that an errors fault cut: offset off
// at attempt n (from 1). The session that resumes there draws attempt n+1.
type try struct {
	off uint64
	n   uint64
}

// subFaults is the server's per-message fault state of one subscriber,
// shared by its successive sessions: the bucket of each ratelimit fault,
// kept across reconnections (a resumed connection is the same connection,
// as in Ably), and the last errors cut.
type subFaults struct {
	limits map[bench.FaultSpec]*bench.RateLimiter // read-only once made
	last   try                                    // guarded by server.faultMu
}

// subscriberFaults returns the per-message fault state of a new session of
// subscriber sub, or nil when the plan has no errors nor ratelimit fault.
func (sv *server) subscriberFaults(sub int) *sendFaults {
	if !sv.faults.Has(bench.FaultErrors) && !sv.faults.Has(bench.FaultRateLimit) {
		return nil
	}
	sv.faultMu.Lock()
	defer sv.faultMu.Unlock()
	st := sv.subs[sub]
	if st == nil {
		st = &subFaults{limits: map[bench.FaultSpec]*bench.RateLimiter{}}
		for _, f := range sv.faults.Specs(bench.FaultRateLimit) {
			st.limits[f] = bench.NewRateLimiter(f.RPS, sv.born)
		}
		sv.subs[sub] = st
	}
	return &sendFaults{sv: sv, sub: sub, state: st, retry: st.last, salt: bench.FaultSalt(bench.FaultErrors)}
}

// sendFaults applies the errors and ratelimit faults to the records one
// session sends. Its methods are for the session's writer only.
type sendFaults struct {
	sv    *server
	sub   int
	state *subFaults
	retry try // the subscriber's last errors cut when the session began
	salt  uint64

	gap    bool   // records were dropped since the last one sent
	skipTo uint64 // the offset after the last record dropped
}

// add appends the event record rec to the message b unless a fault takes
// it. A ratelimit fault over its rate drops it: the gap is signalled by a
// continuity-lost record before the next record sent, or by flush. An
// errors fault that hits it cuts the connection instead of sending it: add
// reports cut, and rec and every record after it stay unsent. now is the
// time of the message.
func (f *sendFaults) add(b, rec []byte, now time.Time) (_ []byte, cut bool) {
	ft := f.sv.faults
	off := recordOffset(rec)
	if spec, ok := ft.Active(bench.FaultRateLimit, now); ok && !takes(f.state.limits[spec], now) {
		f.gap, f.skipTo = true, off+1
		f.sv.stats.rateLimited.Add(1)
		return b, false
	}
	if spec, ok := ft.Active(bench.FaultErrors, now); ok {
		attempt := uint64(1)
		if f.retry.n > 0 && f.retry.off == off {
			attempt = f.retry.n + 1
		}
		if ft.Hit(spec.P, f.salt, recordSeq(rec, off), uint64(f.sub), attempt) {
			f.sv.faultMu.Lock()
			f.state.last = try{off: off, n: attempt}
			f.sv.faultMu.Unlock()
			return b, true
		}
	}
	if f.gap {
		b = appendContinuityLost(b, off)
		f.gap = false
	}
	return append(b, rec...), false
}

// flush appends the continuity-lost record of a gap no record has closed
// yet, so that the client learns of dropped records at the tail of what it
// was sent, and Drain does not wait for them.
func (f *sendFaults) flush(b []byte) []byte {
	if f.gap {
		b = appendContinuityLost(b, f.skipTo)
		f.gap = false
	}
	return b
}

// A cut is a moment at which the producer cuts every client's connection:
// a disconnect (no hold), or the start of an outage, which holds the
// clients offline until until (an offset on the run's clock).
type cut struct {
	at    time.Duration
	kind  string
	until time.Duration
}

// cutsOf returns the moments of the plan's outage and disconnect faults,
// in time order.
func cutsOf(ft *bench.FaultTimeline) []cut {
	var out []cut
	for _, m := range ft.Moments(bench.FaultDisconnect) {
		out = append(out, cut{at: m, kind: bench.FaultDisconnect})
	}
	for _, f := range ft.Specs(bench.FaultOutage) {
		c := cut{at: f.At.D(), kind: bench.FaultOutage, until: -1}
		if f.For > 0 {
			c.until = f.At.D() + f.For.D()
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(x, y cut) int { return cmp.Compare(x.at, y.at) })
	return out
}

// scheduler performs the cuts of a plan on the run's clock. It starts
// with the clock (after Start returns) and stops at halt.
type scheduler struct {
	faults  *bench.FaultTimeline
	cuts    []cut
	clients []*client
	halt    <-chan struct{}
	wg      sync.WaitGroup
}

func (sc *scheduler) start() {
	if len(sc.cuts) > 0 {
		sc.wg.Go(sc.run)
	}
}

func (sc *scheduler) wait() { sc.wg.Wait() }

func (sc *scheduler) run() {
	select {
	case <-sc.faults.Started():
	case <-sc.halt:
		return
	}
	now := time.Now()
	off, _ := sc.faults.Elapsed(now)
	zero := now.Add(-off)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for _, c := range sc.cuts {
		if d := time.Until(zero.Add(c.at)); d > 0 {
			timer.Reset(d)
			select {
			case <-sc.halt:
				return
			case <-timer.C:
			}
		}
		hold := time.Duration(0)
		switch {
		case c.kind != bench.FaultOutage:
		case c.until < 0:
			hold = holdForever
		default:
			hold = max(0, time.Until(zero.Add(c.until)))
		}
		for _, cl := range sc.clients {
			cl.disconnect(hold)
		}
	}
}

// takes reports whether l had a token for a message at now.
func takes(l *bench.RateLimiter, now time.Time) bool {
	ok, _ := l.Take(now)
	return ok
}
