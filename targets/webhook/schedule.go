package webhook

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// A turn is a moment on the run's clock at which the receivers' network
// state changes: an outage window starts or ends, or a disconnect strikes.
type turn struct {
	at         time.Duration
	disconnect bool
}

// turnsOf returns the plan's turns in time order.
func turnsOf(ft *bench.FaultTimeline) []turn {
	var out []turn
	for _, f := range ft.Specs(bench.FaultOutage) {
		out = append(out, turn{at: f.At.D()})
		if f.For > 0 {
			out = append(out, turn{at: f.At.D() + f.For.D()})
		}
	}
	for _, m := range ft.Moments(bench.FaultDisconnect) {
		out = append(out, turn{at: m, disconnect: true})
	}
	slices.SortStableFunc(out, func(x, y turn) int { return cmp.Compare(x.at, y.at) })
	return out
}

// runTurns waits for the run's clock to start, then takes every receiver
// down or up at each turn, as the outage faults say at that moment, and
// drops their connections at each disconnect, until ctx ends. A turn
// reached late (a busy machine) is still taken, in order, at once.
func (p *producer) runTurns(ctx context.Context, ft *bench.FaultTimeline, turns []turn) {
	at := make([]time.Duration, len(turns))
	for i, tn := range turns {
		at[i] = tn.at
	}
	ft.Schedule(ctx, at, func(i int) {
		tn := turns[i]
		_, out := ft.ActiveAt(bench.FaultOutage, tn.at)
		for _, rcv := range p.rcvs {
			rcv.turn(ctx, out, tn.disconnect)
		}
	})
}
