package relay

import (
	"context"
	"math"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/targettest"
	"github.com/hookbench/hookbench/targets/webhook"
	"github.com/hookbench/hookbench/targets/websocket"
)

// scenario returns a valid scenario: a Poisson stream of rate events/s for
// dur to subs subscribers, for the named patterns, under faults.
func scenario(t *testing.T, rate float64, dur time.Duration, subs int, names []string, faults ...bench.FaultSpec) *bench.Scenario {
	t.Helper()
	sc := &bench.Scenario{
		Name:        "relay",
		Seed:        8,
		Duration:    bench.Duration(dur),
		Drain:       bench.Duration(10 * time.Second),
		Subscribers: subs,
		Stream:      bench.StreamSpec{Rate: bench.Rate(rate), Arrival: bench.Poisson, Payload: 512},
		Faults:      faults,
	}
	for _, n := range names {
		sc.Patterns = append(sc.Patterns, bench.PatternSpec{Name: n})
	}
	sc.Defaults()
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	return sc
}

// run runs targets on sc under bench.Runner and returns the results, which
// must have drained with nothing unexpected.
func run(t *testing.T, sc *bench.Scenario, targets ...bench.Target) []bench.PatternResult {
	t.Helper()
	res, err := (&bench.Runner{Logger: targettest.Logger(t)}).Run(context.Background(), sc, targets)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for _, pr := range res.Patterns {
		t.Logf("%s: %+v; latency p50 %vms p99 %vms max %vms; hops %+v; reconnects %d; counters %v",
			pr.Name, pr.Events, pr.Latency.P50, pr.Latency.P99, pr.Latency.Max, pr.Hops, pr.Overhead.Reconnects, pr.Overhead.Counters)
		if pr.Drain != bench.DrainIdle || pr.Events.Unexpected != 0 {
			t.Errorf("%s: drain %s, unexpected %d; want idle and 0", pr.Name, pr.Drain, pr.Events.Unexpected)
		}
	}
	return res.Patterns
}

// The relay's end-to-end latency is the webhook hop's plus the WebSocket
// hop's: run all three patterns on one stream and compare the medians.
//
// The sum counts twice what every pattern pays once per event whatever its
// hops (the publisher's timer waking late, the scheduler), and the relay's
// webhook hop serves one endpoint where webhook alone serves four, so on
// loopback the relay's median comes out below the sum, by about a
// millisecond (a little more under -race). The tolerance is 3ms, or half
// the sum on a machine slow enough to make the medians large.
func TestLatencyAddsUp(t *testing.T) {
	sc := scenario(t, 200, 2*time.Second, 4, []string{"webhook", "websocket", Name})
	prs := run(t, sc, webhook.New(webhook.Options{}), websocket.New(websocket.Options{}), New(Options{}))
	wh, ws, rl := prs[0], prs[1], prs[2]
	sum := wh.Latency.P50 + ws.Latency.P50
	t.Logf("p50: webhook %.3fms + websocket %.3fms = %.3fms; webhook+websocket %.3fms", wh.Latency.P50, ws.Latency.P50, sum, rl.Latency.P50)
	if tol := max(3, sum/2); math.Abs(rl.Latency.P50-sum) > tol {
		t.Errorf("webhook+websocket p50 %.3fms, want within %.1fms of webhook's + websocket's (%.3fms)", rl.Latency.P50, tol, sum)
	}
	for _, pr := range prs {
		if pr.Events.Lost != 0 {
			t.Errorf("%s lost %d, want 0", pr.Name, pr.Events.Lost)
		}
	}
	pub := rl.Events.Published
	want := []bench.Hop{
		{Name: HopIngest, Expected: pub, Unique: pub},
		{Name: HopFanout, Expected: pub * 4, Unique: pub * 4},
	}
	if !slices.Equal(rl.Hops, want) {
		t.Errorf("hops %+v, want %+v", rl.Hops, want)
	}
	if c := rl.Overhead.Counters; c["ingest_requests"] != pub || c["fanout_requests"] != 4 ||
		c["ingest_requests"]+c["fanout_requests"] != rl.Overhead.Requests {
		t.Errorf("ingest_requests %d, fanout_requests %d, requests %d; want %d POSTs + 4 upgrades",
			c["ingest_requests"], c["fanout_requests"], rl.Overhead.Requests, pub)
	}
}

// A disconnector cuts WebSocket clients of a relay at moments of the run's
// clock, through Producer.Disconnect: a consumer-side fault that works
// whether or not the websocket target applies the plan's disconnects.
type disconnector struct {
	*Target
	cuts []cut
}

type cut struct {
	at, hold time.Duration
	sub      int
}

type disconnecting struct {
	*Producer
	stop context.CancelFunc
	done chan struct{}
}

func (d *disconnector) Start(ctx context.Context, env bench.Env) (bench.Producer, error) {
	p, err := d.Target.Start(ctx, env)
	if err != nil {
		return nil, err
	}
	cctx, stop := context.WithCancel(context.Background())
	dp := &disconnecting{Producer: p.(*Producer), stop: stop, done: make(chan struct{})}
	go func() {
		defer close(dp.done)
		select {
		case <-env.Faults.Started():
		case <-cctx.Done():
			return
		}
		off, _ := env.Faults.Elapsed(time.Now())
		start := time.Now().Add(-off)
		for _, c := range d.cuts {
			select {
			case <-cctx.Done():
				return
			case <-time.After(time.Until(start.Add(c.at))):
			}
			if err := dp.Disconnect(c.sub, c.hold); err != nil {
				env.Logger.Error("disconnect", "err", err)
			}
		}
	}()
	return dp, nil
}

func (d *disconnecting) Close() error {
	d.stop()
	<-d.done
	return d.Producer.Close()
}

// Clients cut off for less than the replay buffer holds resume and lose
// nothing.
func TestDisconnectWithinReplayBuffer(t *testing.T) {
	const subs = 4
	sc := scenario(t, 200, 1500*time.Millisecond, subs, []string{Name})
	tg := &disconnector{Target: New(Options{})}
	for sub := range subs {
		// 300ms offline is about 60 events, well within 10000.
		tg.cuts = append(tg.cuts, cut{at: 500 * time.Millisecond, hold: 300 * time.Millisecond, sub: sub})
	}
	pr := run(t, sc, tg)[0]
	if pr.Events.Lost != 0 || pr.Overhead.Reconnects < subs {
		t.Errorf("lost %d, reconnects %d; want 0 and >= %d", pr.Events.Lost, pr.Overhead.Reconnects, subs)
	}
	for _, h := range pr.Hops {
		if h.Lost != 0 {
			t.Errorf("hop %+v lost deliveries", h)
		}
	}
}

// Under the plan's disconnect faults (every 400ms), which act on the
// WebSocket clients, the relay delivers every event to every subscriber:
// each cut is well within the replay buffer.
func TestDisconnectFault(t *testing.T) {
	const subs = 4
	sc := scenario(t, 200, 1500*time.Millisecond, subs, []string{"websocket", Name},
		bench.FaultSpec{Kind: bench.FaultDisconnect, At: bench.Duration(300 * time.Millisecond), Every: bench.Duration(400 * time.Millisecond)})
	prs := run(t, sc, websocket.New(websocket.Options{}), New(Options{}))
	ws, rl := prs[0], prs[1]
	if ws.Overhead.Reconnects == 0 {
		t.Skip("the websocket target does not honour disconnect faults yet: its clients never reconnected")
	}
	if rl.Events.Lost != 0 || rl.Overhead.Reconnects < subs {
		t.Errorf("webhook+websocket: lost %d, reconnects %d; want 0 and >= %d", rl.Events.Lost, rl.Overhead.Reconnects, subs)
	}
	if ws.Events.Lost != 0 {
		t.Errorf("websocket: lost %d, want 0", ws.Events.Lost)
	}
}

// Loss is attributed to the hop where it happens: webhooks the relay
// refuses (and the sender gives up on) to producer->relay; events a client
// missed past the replay buffer to relay->clients. The run's lost is the
// first hop's × subscribers plus the second's.
func TestHopLoss(t *testing.T) {
	const subs = 3
	sc := scenario(t, 200, 1500*time.Millisecond, subs, []string{Name})
	opts := Options{
		Webhook:   webhook.Options{Retry: webhook.Retry{Attempts: 1}},
		Websocket: websocket.Options{ReplayBuffer: 20},
	}
	tg := &disconnector{Target: New(opts), cuts: []cut{{at: 400 * time.Millisecond, hold: 500 * time.Millisecond, sub: 1}}}
	var refused atomic.Int64
	tg.respond = func(_ int, seq uint64) webhook.Reply {
		if seq%10 == 3 {
			refused.Add(1)
			return webhook.Reply{Status: 400}
		}
		return webhook.Reply{}
	}
	pr := run(t, sc, tg)[0]
	if len(pr.Hops) != 2 {
		t.Fatalf("hops %+v, want 2", pr.Hops)
	}
	in, out := pr.Hops[0], pr.Hops[1]
	pub := pr.Events.Published
	if in.Expected != pub || in.Lost != refused.Load() || in.Lost == 0 || in.Unique != pub-in.Lost {
		t.Errorf("hop %+v; want expected %d, lost %d (the refused webhooks)", in, pub, refused.Load())
	}
	if pr.Overhead.Counters["exhausted"] != in.Lost {
		t.Errorf("exhausted %d, want the first hop's lost %d", pr.Overhead.Counters["exhausted"], in.Lost)
	}
	// 500ms offline is about 100 events, past the 20 the buffer holds.
	if out.Expected != in.Unique*subs || out.Lost <= 0 || pr.Overhead.Counters["continuity_lost"] == 0 {
		t.Errorf("hop %+v, continuity lost %d; want expected %d and some loss", out, pr.Overhead.Counters["continuity_lost"], in.Unique*subs)
	}
	if pr.Events.Lost != in.Lost*subs+out.Lost {
		t.Errorf("lost %d, want %d × %d + %d", pr.Events.Lost, in.Lost, subs, out.Lost)
	}
	if pr.Subscribers[0].Lost != in.Lost || pr.Subscribers[2].Lost != in.Lost || pr.Subscribers[1].Lost != in.Lost+out.Lost {
		t.Errorf("per subscriber %+v; the cut one (1) must hold all of the second hop's loss", pr.Subscribers)
	}
}
