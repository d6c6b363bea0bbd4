package polling

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// A turn is a moment on the run's clock at which connections are cut: an
// outage starts (the pollers go offline: their own connections close,
// cutting any request in flight) or a disconnect strikes (the server drops
// every live connection).
type turn struct {
	at         time.Duration
	disconnect bool // else an outage starts
}

// turnsOf returns the plan's turns in time order.
func turnsOf(ft *bench.FaultTimeline) []turn {
	var out []turn
	for _, f := range ft.Specs(bench.FaultOutage) {
		out = append(out, turn{at: f.At.D()})
	}
	for _, m := range ft.Moments(bench.FaultDisconnect) {
		out = append(out, turn{at: m, disconnect: true})
	}
	slices.SortStableFunc(out, func(x, y turn) int { return cmp.Compare(x.at, y.at) })
	return out
}

// runTurns waits for the run's clock to start, then takes each turn at its
// moment, until ctx ends. A turn reached late (a busy machine) is still
// taken, in order, at once. The schedule only cuts connections: a poller
// itself keeps off the network for an outage's window (poller.offline) and
// drops an answer that reaches it during one, so that a late timer here
// cannot let a request or a delivery into the window.
func (p *Producer) runTurns(ctx context.Context, ft *bench.FaultTimeline, turns []turn) {
	at := make([]time.Duration, len(turns))
	for i, tn := range turns {
		at[i] = tn.at
	}
	ft.Schedule(ctx, at, func(i int) {
		tn := turns[i]
		if tn.disconnect {
			n := p.srv.dropConns()
			p.logger.Debug("disconnect: the server dropped its connections", "at", tn.at, "conns", n)
			return
		}
		for _, pl := range p.pollers {
			pl.client.cut()
		}
		p.logger.Debug("outage: the pollers went offline", "at", tn.at)
	})
}
