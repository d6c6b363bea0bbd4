package faultproxy

import (
	"cmp"
	"slices"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// An action is a moment at which the proxy acts on every live link: a
// reset, or the start of a blackhole window (which stalls the links that
// carry no data in it, and so are not caught by the readers' check).
type action struct {
	at   time.Duration // offset on the run's clock
	kind string        // bench.FaultReset or bench.FaultBlackhole
	end  time.Duration // a blackhole's end; 0: the end of the run
}

// scheduleOf returns the plan's actions in time order.
func scheduleOf(t *bench.FaultTimeline) []action {
	var out []action
	for _, m := range t.Moments(bench.FaultReset) {
		out = append(out, action{at: m, kind: bench.FaultReset})
	}
	for _, f := range t.Specs(bench.FaultBlackhole) {
		a := action{at: f.At.D(), kind: bench.FaultBlackhole}
		if f.For > 0 {
			a.end = f.At.D() + f.For.D()
		}
		out = append(out, a)
	}
	// Moments are in order per fault only; several faults interleave.
	slices.SortStableFunc(out, func(x, y action) int { return cmp.Compare(x.at, y.at) })
	return out
}

// schedule waits for the run's clock to start, then performs each action
// at its moment, until the Proxy closes.
func (p *Proxy) schedule(acts []action) {
	start, ok := p.waitStart()
	if !ok {
		return
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for _, a := range acts {
		if d := time.Until(start.Add(a.at)); d > 0 {
			timer.Reset(d)
			select {
			case <-p.ctx.Done():
				return
			case <-timer.C:
			}
		}
		p.act(a, time.Since(start))
	}
}

// waitStart returns the run clock's time zero once it has started, or
// false when the Proxy closes first.
func (p *Proxy) waitStart() (time.Time, bool) {
	select {
	case <-p.ctx.Done():
		return time.Time{}, false
	case <-p.faults.Started():
	}
	now := time.Now()
	off, ok := p.faults.Elapsed(now)
	if !ok {
		return time.Time{}, false
	}
	return now.Add(-off), true
}

// act performs a at offset now on the run's clock.
func (p *Proxy) act(a action, now time.Duration) {
	links := p.live()
	switch a.kind {
	case bench.FaultReset:
		n := 0
		for _, l := range links {
			if l.abort(true) {
				p.stats.resets.Add(1)
				n++
			}
		}
		p.log.Debug("faultproxy: reset", "at", a.at, "links", n)
	case bench.FaultBlackhole:
		if a.end > 0 && now >= a.end {
			return // the window passed before the clock was seen to start
		}
		for _, l := range links {
			l.stall()
		}
		p.log.Debug("faultproxy: blackhole", "at", a.at, "links", len(links))
	}
}
