package websocket

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// The fault tests run the pattern through the engine's Runner, so the
// fault clock starts as in a real run (when publishing starts, after Start
// returns), on real loopback sockets. Streams have constant arrivals where
// a count must be exact: an event is then due every 1/rate, and a fault
// window whose edges fall between two events holds a known number of
// them whatever the scheduling jitter (up to half the spacing).

// quickBackoff makes reconnections take about a millisecond, so that a
// client cut at a moment is back long before the next one.
var quickBackoff = Options{BackoffBase: bench.Duration(time.Millisecond), BackoffCap: bench.Duration(10 * time.Millisecond)}

// with returns o with the backoff of quickBackoff.
func (o Options) with(b Options) Options {
	o.BackoffBase, o.BackoffCap = b.BackoffBase, b.BackoffCap
	return o
}

func ms(n int) bench.Duration { return bench.Duration(time.Duration(n) * time.Millisecond) }

// faultScenario is a run of d at rate events/s, constant arrivals, to
// subs subscribers, under faults.
func faultScenario(d time.Duration, rate float64, subs int, faults ...bench.FaultSpec) *bench.Scenario {
	return &bench.Scenario{
		Name:        "ws-faults",
		Seed:        11,
		Duration:    bench.Duration(d),
		Drain:       bench.Duration(10 * time.Second),
		Subscribers: subs,
		Stream:      bench.StreamSpec{Rate: bench.Rate(rate), Arrival: bench.Constant},
		Patterns:    bench.PatternList{{Name: "websocket"}},
		Faults:      faults,
	}
}

// A spy is the websocket Target that keeps what Start made, so a test can
// read the producer's Stats and watch the run from outside the Runner.
type spy struct {
	*Target
	started chan struct{} // closed when Start has returned the fields below
	p       *Producer
	faults  *bench.FaultTimeline
	meter   *bench.Meter
}

func newSpy(o Options) *spy { return &spy{Target: New(o), started: make(chan struct{})} }

func (s *spy) Start(ctx context.Context, env bench.Env) (bench.Producer, error) {
	p, err := s.start(ctx, env)
	if err != nil {
		return nil, err
	}
	s.p, s.faults, s.meter = p, env.Faults, env.Meter
	close(s.started)
	return p, nil
}

// runScenario runs sc on target and returns its one pattern's result.
func runScenario(t *testing.T, sc *bench.Scenario, target bench.Target) *bench.PatternResult {
	t.Helper()
	sc.Defaults()
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	r := bench.Runner{Logger: testLogger(t)}
	res, err := r.Run(context.Background(), sc, []bench.Target{target})
	if err != nil {
		t.Fatal(err)
	}
	pr := &res.Patterns[0]
	t.Logf("events %+v drain %s latency p50 %.1fms max %.1fms overhead reconnects %d counters %v",
		pr.Events, pr.Drain, pr.Latency.P50, pr.Latency.Max, pr.Overhead.Reconnects, pr.Overhead.Counters)
	return pr
}

// TestOutageFault cuts every client for an outage window, held offline to
// its end: a gap the replay buffer covers costs nothing but one reconnect
// per subscriber; a longer one loses exactly the events that left the
// buffer, reported as one continuity loss per subscriber.
func TestOutageFault(t *testing.T) {
	const (
		subs = 3
		rate = 25 // an event every 40ms, due at 0, 40ms, 80ms...
	)
	// The window [420ms, 820ms) holds the events due at 440..800ms: seq
	// 11..20, 10 events. Each client has 0..10 when it is cut and resumes
	// at 11, when the head is 21. The edges are 20ms from any event.
	outage := bench.FaultSpec{Kind: bench.FaultOutage, At: ms(420), For: ms(400)}
	const inWindow = 10
	tests := []struct {
		name   string
		buffer int
		lost   int64 // per subscriber
	}{
		{name: "gap within buffer", buffer: 15, lost: 0},
		{name: "gap equal to buffer", buffer: inWindow, lost: 0},
		// The ring holds 17..20 at the resume: 11..16 are gone.
		{name: "gap past buffer", buffer: 4, lost: inWindow - 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSpy(Options{ReplayBuffer: tt.buffer}.with(quickBackoff))
			pr := runScenario(t, faultScenario(time.Second, rate, subs, outage), s)
			if pr.Events.Published != 25 || pr.Events.Lost != subs*tt.lost || pr.Events.Duplicates != 0 || pr.Events.Unexpected != 0 {
				t.Errorf("events %+v, want 25 published, exactly %d lost, no duplicate", pr.Events, subs*tt.lost)
			}
			for i, sc := range pr.Subscribers {
				if sc.Lost != tt.lost || sc.OutOfOrder != 0 {
					t.Errorf("subscriber %d: %+v, want %d lost, in order", i, sc, tt.lost)
				}
			}
			if pr.Overhead.Reconnects != subs {
				t.Errorf("reconnects %d, want %d (one per subscriber)", pr.Overhead.Reconnects, subs)
			}
			wantCL := int64(0)
			if tt.lost > 0 {
				wantCL = subs
			}
			if got := pr.Overhead.Counters["continuity_lost"]; got != wantCL {
				t.Errorf("continuity_lost %d, want %d", got, wantCL)
			}
			if pr.Drain != bench.DrainIdle {
				t.Errorf("drain %q, want idle", pr.Drain)
			}
			// Nothing reached a client in the window: the first event
			// it got after the cut (seq 11 + lost, due 40ms apart)
			// waited for the window's end.
			if due := float64(11+tt.lost) * 40; pr.Latency.Max < 820-due-5 {
				t.Errorf("max latency %.1fms, want about %.0fms (held to the window's end)", pr.Latency.Max, 820-due)
			}
		})
	}
}

// TestDisconnectFault is the mobile-clients scenario: every connection is
// cut at each moment of a repeated disconnect, and each client comes back
// and resumes: no loss, one reconnect per subscriber and moment.
func TestDisconnectFault(t *testing.T) {
	const subs = 3
	dis := bench.FaultSpec{Kind: bench.FaultDisconnect, At: ms(200), Every: ms(250), For: ms(800)}
	sc := faultScenario(1200*time.Millisecond, 200, subs, dis)
	moments := bench.NewFaultTimeline(sc.Faults, sc.Seed, sc.Duration.D()).Moments(bench.FaultDisconnect)
	if len(moments) != 4 { // 200, 450, 700, 950ms
		t.Fatalf("moments %v, want 4", moments)
	}
	pr := runScenario(t, sc, newSpy(quickBackoff))
	if ev := pr.Events; ev.Lost != 0 || ev.Duplicates != 0 || ev.OutOfOrder != 0 || ev.Unique != ev.Expected {
		t.Errorf("events %+v, want every event once, in order", ev)
	}
	if want := int64(subs * len(moments)); pr.Overhead.Reconnects != want {
		t.Errorf("reconnects %d, want %d (subscribers x moments)", pr.Overhead.Reconnects, want)
	}
	if got := pr.Overhead.Counters["continuity_lost"]; got != 0 {
		t.Errorf("continuity_lost %d, want 0", got)
	}
}

// TestErrorsFault fails a drawn share of the server's sends: each one is a
// 1011 close instead of the event, and the client resumes at that event,
// which the next connection draws again (next attempt). The number of
// closes is known from the draws alone.
func TestErrorsFault(t *testing.T) {
	const (
		subs   = 2
		events = 200
		p      = 0.02
	)
	sc := faultScenario(time.Second, events, subs, bench.FaultSpec{Kind: bench.FaultErrors, P: p})
	ft := bench.NewFaultTimeline(sc.Faults, sc.Seed, sc.Duration.D())
	salt := bench.FaultSalt(bench.FaultErrors)
	var want int64
	for seq := range uint64(events) {
		for sub := range uint64(subs) {
			for attempt := uint64(1); ft.Hit(p, salt, seq, sub, attempt); attempt++ {
				want++
			}
		}
	}
	if want == 0 {
		t.Fatal("no draw hits: the test would prove nothing; change the seed")
	}
	s := newSpy(quickBackoff)
	pr := runScenario(t, sc, s)
	if ev := pr.Events; ev.Published != events || ev.Lost != 0 || ev.Duplicates != 0 || ev.OutOfOrder != 0 {
		t.Errorf("events %+v, want no loss, no duplicate, in order", ev)
	}
	if got := s.p.Stats().Errors; got != want {
		t.Errorf("1011 closes %d, want %d (from the draws)", got, want)
	}
	if pr.Overhead.Reconnects != want {
		t.Errorf("reconnects %d, want %d (one per close)", pr.Overhead.Reconnects, want)
	}
}

// TestRateLimitFault limits what the server sends each subscriber, as
// Ably's per-connection outbound limit does: the events over the rate are
// dropped and the gap is signalled as continuity lost, so every drop is a
// loss and no more than the rate (plus the burst) gets through.
func TestRateLimitFault(t *testing.T) {
	const (
		subs = 2
		rate = 400
	)
	tests := []struct {
		name string
		rps  float64
		drop bool
	}{
		{name: "under the rate", rps: 1000, drop: false},
		{name: "over the rate", rps: 100, drop: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSpy(quickBackoff)
			pr := runScenario(t, faultScenario(time.Second, rate, subs, bench.FaultSpec{Kind: bench.FaultRateLimit, RPS: tt.rps}), s)
			st := s.p.Stats()
			ev := pr.Events
			if ev.Lost != st.RateLimited || ev.Duplicates != 0 || ev.OutOfOrder != 0 || ev.Unexpected != 0 {
				t.Errorf("events %+v, rate-limited %d: want lost == dropped, no duplicate", ev, st.RateLimited)
			}
			if pr.Drain != bench.DrainIdle {
				t.Errorf("drain %q, want idle: the client must learn of drops at the tail", pr.Drain)
			}
			cl := pr.Overhead.Counters["continuity_lost"]
			if !tt.drop {
				if st.RateLimited != 0 || cl != 0 {
					t.Errorf("dropped %d, continuity_lost %d, want none under the rate", st.RateLimited, cl)
				}
				return
			}
			// A second of sending at 100/s, plus the bucket's 10 events
			// and some slack for the publisher's lag.
			for i, sc := range pr.Subscribers {
				if sc.Unique < 90 || sc.Unique > 10+110 {
					t.Errorf("subscriber %d received %d events, want about 100-110", i, sc.Unique)
				}
			}
			if cl < subs {
				t.Errorf("continuity_lost %d, want at least one per subscriber", cl)
			}
			if pr.Overhead.Reconnects != 0 {
				t.Errorf("reconnects %d, want 0: the connection stays up", pr.Overhead.Reconnects)
			}
		})
	}
}

// TestSlowFault makes the consumer take 20ms per event for 800ms while
// 1000 events/s of 16KiB arrive: the socket buffers and the send queue
// fill, the server disconnects the slow consumer, and the client resumes
// from the replay buffer without loss.
func TestSlowFault(t *testing.T) {
	sc := faultScenario(time.Second, 1000, 1, bench.FaultSpec{Kind: bench.FaultSlow, Delay: ms(20), For: ms(800)})
	sc.Stream.Payload = 16 << 10
	s := newSpy(Options{SendQueue: 8}.with(quickBackoff))
	pr := runScenario(t, sc, s)
	if ev := pr.Events; ev.Lost != 0 || ev.Duplicates != 0 || ev.OutOfOrder != 0 || ev.Unique != ev.Expected {
		t.Errorf("events %+v, want every event once, in order", ev)
	}
	if got := pr.Overhead.Counters["slow_consumers"]; got < 1 {
		t.Errorf("slow_consumers %d, want >= 1", got)
	}
	if pr.Overhead.Reconnects < 1 {
		t.Errorf("reconnects %d, want >= 1", pr.Overhead.Reconnects)
	}
	if got := pr.Overhead.Counters["continuity_lost"]; got != 0 {
		t.Errorf("continuity_lost %d, want 0 (the buffer holds the run)", got)
	}
}

// TestLatencyFault puts the fault proxy between the clients and the
// server with 50ms each way: every push pays one way, so p50 rises by at
// least 50ms, and by far less than ten times that.
func TestLatencyFault(t *testing.T) {
	const delay = 50
	base := runScenario(t, faultScenario(time.Second, 200, 2), New(Options{}))
	slow := runScenario(t, faultScenario(time.Second, 200, 2, bench.FaultSpec{Kind: bench.FaultLatency, Delay: ms(delay)}), New(Options{}))
	rise := slow.Latency.P50 - base.Latency.P50
	if rise < delay || rise >= 10*delay {
		t.Errorf("p50 %.1fms with latency, %.1fms without: a rise of %.1fms, want [%d, %d)ms", slow.Latency.P50, base.Latency.P50, rise, delay, 10*delay)
	}
	if ev := slow.Events; ev.Lost != 0 || ev.Duplicates != 0 || slow.Overhead.Reconnects != 0 {
		t.Errorf("events %+v reconnects %d, want no loss and no reconnect", ev, slow.Overhead.Reconnects)
	}
}

// TestBlackholeFault stalls every link of the proxy for 300ms: nothing is
// closed, so only the pings find out. Both ends of every connection must
// detect it within PingInterval + PongTimeout of the blackhole's start
// (the server by a missing pong, the client by a missing ping), and the
// client must reconnect and resume without loss.
func TestBlackholeFault(t *testing.T) {
	const (
		subs   = 2
		ping   = 150 * time.Millisecond
		pong   = 150 * time.Millisecond
		margin = 100 * time.Millisecond // timers and scheduling on a loaded machine
	)
	bh := bench.FaultSpec{Kind: bench.FaultBlackhole, At: ms(400), For: ms(300)}
	o := Options{PingInterval: bench.Duration(ping), PongTimeout: bench.Duration(pong), WriteTimeout: bench.Duration(500 * time.Millisecond)}
	s := newSpy(o.with(quickBackoff))

	// Watch the dead-peer count on the run's clock.
	var first, all atomic.Int64 // offsets of the first and of the last detection
	first.Store(-1)
	all.Store(-1)
	watch := make(chan struct{})
	stop := make(chan struct{})
	go func() {
		defer close(watch)
		select {
		case <-s.started:
		case <-stop:
			return
		}
		for {
			now := time.Now()
			n := s.meter.Get(bench.DeadPeers)
			if off, ok := s.faults.Elapsed(now); ok {
				if n > 0 && first.Load() < 0 {
					first.Store(int64(off))
				}
				if n >= 2*subs && all.Load() < 0 {
					all.Store(int64(off))
					return
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	pr := runScenario(t, faultScenario(1500*time.Millisecond, 100, subs, bh), s)
	close(stop)
	<-watch

	from, bound := bh.At.D(), bh.At.D()+ping+pong
	t.Logf("detections from %v to %v after the run's start; blackhole at %v, bound %v", time.Duration(first.Load()), time.Duration(all.Load()), from, bound)
	if f := time.Duration(first.Load()); f < from {
		t.Errorf("first dead peer at %v, before the blackhole (%v)", f, from)
	}
	if a := time.Duration(all.Load()); a < 0 || a > bound+margin {
		t.Errorf("all %d dead peers detected at %v, want by %v (+%v)", 2*subs, a, bound, margin)
	}
	st := s.p.Stats()
	if st.PeerTimeouts != subs || st.ServerTimeouts != subs || pr.Overhead.Counters["dead_peers"] != 2*subs {
		t.Errorf("stats %+v dead_peers %d, want each end of each connection to detect it once", st, pr.Overhead.Counters["dead_peers"])
	}
	if ev := pr.Events; ev.Lost != 0 || ev.Duplicates != 0 || ev.Unique != ev.Expected {
		t.Errorf("events %+v, want every event once", ev)
	}
	if pr.Overhead.Reconnects != subs {
		t.Errorf("reconnects %d, want %d", pr.Overhead.Reconnects, subs)
	}
}

// TestFaultsSameSeed runs the same seed and faults twice: the fault
// timelines and the event counts must be identical, loss included.
func TestFaultsSameSeed(t *testing.T) {
	faults := []bench.FaultSpec{
		{Kind: bench.FaultOutage, At: ms(420), For: ms(400)},                     // as in TestOutageFault: 6 lost per subscriber
		{Kind: bench.FaultDisconnect, At: ms(100), Every: ms(120), For: ms(150)}, // at 100 and 220ms
		{Kind: bench.FaultErrors, P: 0.03, For: bench.Duration(time.Hour)},       // a window that ends after the run, so it does not depend on the run's length
	}
	type outcome struct {
		faults []bench.FaultWindow
		events bench.Events
		errors int64
		cl     int64
	}
	run := func() outcome {
		s := newSpy(Options{ReplayBuffer: 4}.with(quickBackoff))
		pr := runScenario(t, faultScenario(time.Second, 25, 2, faults...), s)
		return outcome{faults: pr.Faults, events: pr.Events, errors: s.p.Stats().Errors, cl: pr.Overhead.Counters["continuity_lost"]}
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two runs of one seed differ:\n%+v\n%+v", a, b)
	}
	if a.events.Lost != 2*6 || a.cl != 2 {
		t.Errorf("lost %d, continuity_lost %d, want 12 and 2", a.events.Lost, a.cl)
	}
}

// TestResetFault resets every proxied connection at each moment: both
// ends read ECONNRESET, and the client reconnects and resumes.
func TestResetFault(t *testing.T) {
	const subs = 2
	sc := faultScenario(time.Second, 200, subs, bench.FaultSpec{Kind: bench.FaultReset, At: ms(200), Every: ms(300)})
	moments := bench.NewFaultTimeline(sc.Faults, sc.Seed, sc.Duration.D()).Moments(bench.FaultReset) // 200, 500, 800ms
	pr := runScenario(t, sc, newSpy(quickBackoff))
	if ev := pr.Events; ev.Lost != 0 || ev.Duplicates != 0 || ev.OutOfOrder != 0 || ev.Unique != ev.Expected {
		t.Errorf("events %+v, want every event once, in order", ev)
	}
	if want := int64(subs * len(moments)); pr.Overhead.Reconnects != want {
		t.Errorf("reconnects %d, want %d (subscribers x moments)", pr.Overhead.Reconnects, want)
	}
}
