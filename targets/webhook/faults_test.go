package webhook

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/targettest"
)

// These tests run the target under bench.Runner, so that the fault clock
// starts as in a real run, on a constant stream (events exactly 1/rate
// apart), and check each fault kind's effect against ground truth computed
// from the stream and the plan.

// faultScenario returns a valid scenario: a constant stream of rate
// events/s for dur, to subs subscribers, under faults.
func faultScenario(t *testing.T, rate float64, dur time.Duration, subs int, faults ...bench.FaultSpec) *bench.Scenario {
	t.Helper()
	sc := &bench.Scenario{
		Name:        "webhook-faults",
		Seed:        testSeed,
		Duration:    bench.Duration(dur),
		Drain:       bench.Duration(10 * time.Second),
		Subscribers: subs,
		Stream:      bench.StreamSpec{Rate: bench.Rate(rate), Arrival: bench.Constant, Payload: 256},
		Patterns:    bench.PatternList{{Name: "webhook"}},
		Faults:      faults,
	}
	sc.Defaults()
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	return sc
}

// runScenario runs tg on sc and returns its result, which must have
// drained.
func runScenario(t *testing.T, sc *bench.Scenario, tg *Target) bench.PatternResult {
	t.Helper()
	res, err := (&bench.Runner{Logger: targettest.Logger(t)}).Run(context.Background(), sc, []bench.Target{tg})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	pr := res.Patterns[0]
	if pr.Drain != bench.DrainIdle {
		t.Fatalf("drain = %s, want idle (events %+v)", pr.Drain, pr.Events)
	}
	if pr.Events.Unexpected != 0 {
		t.Errorf("unexpected = %d, want 0", pr.Events.Unexpected)
	}
	return pr
}

// streamOf returns the events of sc's stream.
func streamOf(sc *bench.Scenario) []bench.Event {
	st := bench.NewStream(sc.Stream, sc.Seed, sc.Duration.D())
	var out []bench.Event
	for ev, ok := st.Next(); ok; ev, ok = st.Next() {
		out = append(out, ev)
	}
	return out
}

// dueIn returns the events due in [from, to).
func dueIn(evs []bench.Event, from, to time.Duration) []bench.Event {
	var out []bench.Event
	for _, ev := range evs {
		if ev.Due >= from && ev.Due < to {
			out = append(out, ev)
		}
	}
	return out
}

// A recorder keeps what the receivers' trace hook sees.
type recorder struct {
	mu  sync.Mutex
	all []traced
}

func (r *recorder) trace(tr traced) {
	r.mu.Lock()
	r.all = append(r.all, tr)
	r.mu.Unlock()
}

func (r *recorder) requests() []traced {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.all)
}

// traceOn returns a Target with opts whose receivers report to a recorder.
func traceOn(opts Options) (*Target, *recorder) {
	tg := New(opts)
	rec := &recorder{}
	tg.trace = rec.trace
	return tg, rec
}

func ms(d time.Duration) bench.Duration { return bench.Duration(d) }

// The outage window [450ms, 1450ms) falls midway between events, which are
// 100ms apart: the delivery of an event due next to a boundary reaches the
// receiver (or is refused) within a millisecond or two, 50ms before the
// boundary could pass it, and the receiver is back on its port well before
// the first event after the window. The loss is then exact; only a stall of
// 50ms between an event's due time and its attempt could make it miss.
const (
	outageRate = 10
	outageAt   = 450 * time.Millisecond
	outageFor  = time.Second
)

func outageScenario(t *testing.T) *bench.Scenario {
	return faultScenario(t, outageRate, 2*time.Second, 2,
		bench.FaultSpec{Kind: bench.FaultOutage, At: ms(outageAt), For: ms(outageFor)})
}

// Without retries, an outage loses exactly the deliveries due in its
// window, and only those.
func TestOutageWithoutRetries(t *testing.T) {
	sc := outageScenario(t)
	opts := fast()
	opts.Retry.Attempts = 1
	tg, rec := traceOn(opts)
	pr := runScenario(t, sc, tg)

	evs := streamOf(sc)
	in := dueIn(evs, outageAt, outageAt+outageFor)
	want := int64(len(in) * sc.Subscribers)
	if len(in) != 10 {
		t.Fatalf("precondition: %d events due in the window, want 10", len(in))
	}
	// The margin is 50ms; a latency near it would explain a miss.
	t.Logf("delivery latency p99 %vms, max %vms", pr.Latency.P99, pr.Latency.Max)
	if pr.Events.Lost != want || pr.Overhead.Counters["exhausted"] != want {
		t.Errorf("lost = %d, exhausted = %d; want %d each (%d events due in the window × %d subscribers)",
			pr.Events.Lost, pr.Overhead.Counters["exhausted"], want, len(in), sc.Subscribers)
	}
	if pr.Overhead.Requests != pr.Events.Expected || pr.Overhead.Retries != 0 {
		t.Errorf("requests = %d, retries = %d; want %d and 0 (one attempt per delivery)",
			pr.Overhead.Requests, pr.Overhead.Retries, pr.Events.Expected)
	}
	// The deliveries that got through are exactly those due outside it.
	inWindow := map[uint64]bool{}
	for _, ev := range in {
		inWindow[ev.Seq] = true
	}
	got := map[[2]uint64]bool{}
	for _, tr := range rec.requests() {
		if tr.status == 204 {
			got[[2]uint64{uint64(tr.sub), tr.seq}] = true
		}
	}
	for sub := range sc.Subscribers {
		for _, ev := range evs {
			if delivered := got[[2]uint64{uint64(sub), ev.Seq}]; delivered == inWindow[ev.Seq] {
				t.Errorf("subscriber %d, seq %d due at %v: delivered = %v", sub, ev.Seq, ev.Due, delivered)
			}
		}
	}
	wantFaults := []bench.FaultWindow{{Kind: bench.FaultOutage, At: outageAt.Seconds(), For: outageFor.Seconds()}}
	if !slices.Equal(pr.Faults, wantFaults) {
		t.Errorf("faults = %+v, want %+v", pr.Faults, wantFaults)
	}
}

// An outage without For lasts to the end, drain included: everything due
// from At on is lost, and Close copes with receivers that are down.
func TestOutageToTheEnd(t *testing.T) {
	sc := faultScenario(t, outageRate, time.Second, 2, bench.FaultSpec{Kind: bench.FaultOutage, At: ms(outageAt)})
	opts := fast()
	opts.Retry.Attempts = 1
	pr := runScenario(t, sc, New(opts)) // Run fails if Close does
	in := dueIn(streamOf(sc), outageAt, sc.Duration.D())
	if want := int64(len(in) * sc.Subscribers); pr.Events.Lost != want || len(in) == 0 {
		t.Errorf("lost = %d, want %d (%d events due from %v on × %d subscribers)", pr.Events.Lost, want, len(in), outageAt, sc.Subscribers)
	}
}

// With retries whose horizon covers the window, an outage loses nothing:
// every delivery due in it is refused at least once and retried.
func TestOutageWithRetries(t *testing.T) {
	sc := outageScenario(t)
	opts := Options{Retry: Retry{Base: ms(50 * time.Millisecond), Cap: ms(200 * time.Millisecond), Attempts: 30}}.WithDefaults()
	in := dueIn(streamOf(sc), outageAt, outageAt+outageFor)
	// The waits are a function of the seed: check that every delivery due
	// in the window still has an attempt left 100ms after the window ends.
	b := newBackoff(opts.Retry)
	pcg := rand.NewPCG(0, 0)
	rng := rand.New(pcg)
	for sub := range sc.Subscribers {
		for _, ev := range in {
			var horizon time.Duration
			for a := 1; a < b.attempts; a++ {
				horizon += b.wait(pcg, rng, jitterSeed(sc.Seed, sub), ev.Seq, a)
			}
			if need := outageAt + outageFor - ev.Due + 100*time.Millisecond; horizon < need {
				t.Fatalf("precondition: subscriber %d, seq %d: retry horizon %v < %v", sub, ev.Seq, horizon, need)
			}
		}
	}
	pr := runScenario(t, sc, New(opts))
	if pr.Events.Lost != 0 || pr.Overhead.Counters["exhausted"] != 0 {
		t.Errorf("lost = %d, exhausted = %d; want 0", pr.Events.Lost, pr.Overhead.Counters["exhausted"])
	}
	if min := int64(len(in) * sc.Subscribers); pr.Overhead.Retries < min {
		t.Errorf("retries = %d, want >= %d (each delivery due in the window is refused at least once)", pr.Overhead.Retries, min)
	}
}

// errors p=0.2 fails each attempt by its own draw: the retries are exactly
// the attempts the plan's draws hit, within binomial bounds of 0.2 × the
// attempts, and nothing is lost.
func TestErrorsFault(t *testing.T) {
	t.Parallel()
	const p = 0.2
	fault := bench.FaultSpec{Kind: bench.FaultErrors, P: p}
	sc := faultScenario(t, 200, 1500*time.Millisecond, 2, fault)
	opts := fast().WithDefaults()
	tg, rec := traceOn(opts)
	pr := runScenario(t, sc, tg)

	// Ground truth: the plan's draws, made here from the same seed.
	plan := bench.NewFaultTimeline(sc.Faults, sc.Seed, sc.Duration.D())
	salt := bench.FaultSalt(bench.FaultErrors)
	var wantRetries int64
	for sub := range sc.Subscribers {
		for _, ev := range streamOf(sc) {
			for a := uint64(1); a < uint64(opts.Retry.Attempts) && plan.Hit(p, salt, ev.Seq, uint64(sub), a); a++ {
				wantRetries++
			}
		}
	}
	if pr.Events.Lost != 0 || pr.Overhead.Retries != wantRetries ||
		pr.Overhead.Requests != pr.Events.Expected+wantRetries {
		t.Errorf("lost = %d, retries = %d, requests = %d; want 0, %d, %d",
			pr.Events.Lost, pr.Overhead.Retries, pr.Overhead.Requests, wantRetries, pr.Events.Expected+wantRetries)
	}
	// Failures minus p × attempts is a martingale with variance
	// p(1-p) per attempt: 5 standard deviations.
	attempts := float64(pr.Overhead.Requests)
	if d, sd := math.Abs(float64(pr.Overhead.Retries)-p*attempts), math.Sqrt(attempts*p*(1-p)); d > 5*sd {
		t.Errorf("retries = %d over %v attempts: %.1f sd from %v", pr.Overhead.Retries, attempts, d/sd, p*attempts)
	}
	t.Logf("%d retries over %v attempts (%.3f), as drawn", pr.Overhead.Retries, attempts, float64(pr.Overhead.Retries)/attempts)
	var answered503 int64
	for _, tr := range rec.requests() {
		if tr.status == 503 {
			answered503++
		}
	}
	if answered503 != wantRetries {
		t.Errorf("503 answers = %d, want %d", answered503, wantRetries)
	}
}

// A slow consumer beyond the sender's timeout has every event, but every
// attempt times out: with two attempts, each event is delivered exactly
// twice and given up. The ledger's duplicates are also checked against the
// deliveries the receivers made, which holds however the attempts went;
// "exactly twice" needs each attempt to reach its receiver within the
// 400ms timeout, which only a machine stalled for that long would miss.
func TestSlowFaultDuplicates(t *testing.T) {
	sc := faultScenario(t, 50, time.Second, 2,
		bench.FaultSpec{Kind: bench.FaultSlow, Delay: ms(600 * time.Millisecond)})
	opts := fast()
	opts.Timeout = ms(400 * time.Millisecond)
	// Each attempt holds a connection for the timeout: 48 per endpoint
	// carry 120 attempts/s, above the 2 × 50 needed.
	opts.Concurrency = 48
	opts.Retry.Attempts = 2
	tg, rec := traceOn(opts)
	pr := runScenario(t, sc, tg)
	ev := pr.Events
	var recorded int64
	for _, tr := range rec.requests() {
		if tr.status == 204 {
			recorded++
		}
	}
	if ev.Delivered != recorded || ev.Duplicates != recorded-ev.Unique {
		t.Errorf("ledger: delivered %d, duplicates %d; the receivers recorded %d deliveries of %d events",
			ev.Delivered, ev.Duplicates, recorded, ev.Unique)
	}
	exp := ev.Expected
	if ev.Unique != exp || ev.Lost != 0 || ev.Delivered != 2*exp || ev.Duplicates != exp {
		t.Errorf("events %+v; want unique %d, lost 0, delivered %d, duplicates %d", ev, exp, 2*exp, exp)
	}
	if got := pr.Overhead.Counters["exhausted"]; pr.Overhead.Retries != exp || got != exp {
		t.Errorf("retries = %d, exhausted = %d; want %d each", pr.Overhead.Retries, got, exp)
	}
}

// Beyond the ratelimit's rate the receiver answers 429 with a Retry-After;
// the sender waits at least that long, and nothing is lost.
func TestRateLimitFault(t *testing.T) {
	t.Parallel()
	const rps = 80
	sc := faultScenario(t, 100, time.Second, 1, bench.FaultSpec{Kind: bench.FaultRateLimit, RPS: rps})
	tg, rec := traceOn(fast()) // without Retry-After, retries would wait <= 10ms
	pr := runScenario(t, sc, tg)
	if pr.Events.Lost != 0 || pr.Overhead.Retries == 0 {
		t.Errorf("lost = %d, retries = %d; want 0 and > 0", pr.Events.Lost, pr.Overhead.Retries)
	}
	reqs := rec.requests()
	slices.SortFunc(reqs, func(a, b traced) int { return a.arrived.Compare(b.arrived) })
	refused := map[uint64]time.Time{} // seq -> when its last 429 went out
	var admitted []time.Time
	var n429 int64
	for _, tr := range reqs {
		if at, ok := refused[tr.seq]; ok {
			if gap := tr.arrived.Sub(at); gap < time.Second {
				t.Errorf("seq %d: attempt %d came %v after a 429 with Retry-After: 1", tr.seq, tr.attempt, gap)
			}
			delete(refused, tr.seq)
		}
		switch tr.status {
		case 429:
			n429++
			if tr.retryAfter != "1" {
				t.Errorf("seq %d: Retry-After %q, want 1", tr.seq, tr.retryAfter)
			}
			refused[tr.seq] = tr.done
		default:
			admitted = append(admitted, tr.arrived)
		}
	}
	t.Logf("%d answers 429 of %d requests", n429, len(reqs))
	if n429 != pr.Overhead.Retries {
		t.Errorf("429 answers = %d, retries = %d; want equal", n429, pr.Overhead.Retries)
	}
	// In any second, at most rps plus the bucket (100ms worth) get through.
	for i, at := range admitted {
		j, _ := slices.BinarySearchFunc(admitted, at.Add(time.Second), func(a, b time.Time) int { return a.Compare(b) })
		if n := j - i; n > rps+rps/10+1 {
			t.Fatalf("%d requests admitted in the second from %v, want <= %d", n, at, rps+rps/10+1)
		}
	}
}

// latency 50ms on the proxy adds 50ms to each delivery (the POST's one
// way), and far less than 10 times that, at a rate the sender carries (32
// connections at a 100ms round trip: 320/s). The fault starts at 1s, so
// that the deliveries of the first second, through the same proxy in the
// same run, are the baseline.
func TestLatencyFault(t *testing.T) {
	const delay = 50 * time.Millisecond
	sc := faultScenario(t, 100, 2*time.Second, 1, bench.FaultSpec{Kind: bench.FaultLatency, Delay: ms(delay), At: ms(time.Second)})
	pr := runScenario(t, sc, New(Options{Concurrency: 32}))
	if pr.Events.Lost != 0 {
		t.Errorf("lost = %d, want 0", pr.Events.Lost)
	}
	if len(pr.Windows) < 2 {
		t.Fatalf("%d windows, want 2 at least", len(pr.Windows))
	}
	before, after := pr.Windows[0], pr.Windows[1]
	rise := time.Duration((after.P50 - before.P50) * float64(time.Millisecond))
	t.Logf("p50 %vms before, %vms in the fault", before.P50, after.P50)
	if rise < delay || rise >= 10*delay {
		t.Errorf("p50 %vms before the fault, %vms in it: rose by %v, want within [%v, %v)",
			before.P50, after.P50, rise, delay, 10*delay)
	}
}

// Resets every 250ms cut every connection: the sender reconnects and
// retries, and nothing is lost.
func TestResetFault(t *testing.T) {
	t.Parallel()
	fault := bench.FaultSpec{Kind: bench.FaultReset, Every: ms(250 * time.Millisecond)}
	sc := faultScenario(t, 100, 1500*time.Millisecond, 2, fault)
	pr := runScenario(t, sc, New(fast()))
	if pr.Events.Lost != 0 || pr.Overhead.Retries == 0 {
		t.Errorf("lost = %d, retries = %d; want 0 and > 0", pr.Events.Lost, pr.Overhead.Retries)
	}
	// Each reset but the one at 0 (which may come before the first
	// connection) cuts at least one live connection per subscriber, and
	// 25 events follow before the next: one new connection at least.
	moments := bench.NewFaultTimeline(sc.Faults, sc.Seed, sc.Duration.D()).Moments(bench.FaultReset)
	if min := int64(sc.Subscribers * len(moments)); pr.Overhead.Connections < min {
		t.Errorf("connections = %d, want >= %d (%d resets)", pr.Overhead.Connections, min, len(moments))
	}
}

// A blackhole stalls every attempt in its window; the sender's per-attempt
// timeout detects each and retries. Each stalled attempt costs a timeout,
// so 19 retries at 200ms outlast the 500ms window whatever the jitter, and
// nothing is lost.
func TestBlackholeFault(t *testing.T) {
	const at, dur = 500 * time.Millisecond, 500 * time.Millisecond
	fault := bench.FaultSpec{Kind: bench.FaultBlackhole, At: ms(at), For: ms(dur)}
	sc := faultScenario(t, 100, 1500*time.Millisecond, 1, fault)
	opts := Options{
		Timeout:     ms(200 * time.Millisecond),
		Concurrency: 32,
		Retry:       Retry{Base: ms(20 * time.Millisecond), Cap: ms(100 * time.Millisecond), Attempts: 20},
	}
	pr := runScenario(t, sc, New(opts))
	in := dueIn(streamOf(sc), at, at+dur)
	if pr.Events.Lost != 0 || pr.Overhead.Counters["exhausted"] != 0 {
		t.Errorf("lost = %d, exhausted = %d; want 0", pr.Events.Lost, pr.Overhead.Counters["exhausted"])
	}
	t.Logf("%d retries for %d deliveries due in the window; max latency %vms", pr.Overhead.Retries, len(in)*sc.Subscribers, pr.Latency.Max)
	if min := int64(len(in) * sc.Subscribers); pr.Overhead.Retries < min {
		t.Errorf("retries = %d, want >= %d (every attempt in the window times out)", pr.Overhead.Retries, min)
	}
	if pr.Latency.Max < 200 {
		t.Errorf("max latency %vms, want >= the 200ms timeout", pr.Latency.Max)
	}
}

// 8 KiB/s per connection and direction: a request of about 600 bytes waits
// for the bytes beyond the 20ms bucket (164 bytes), about 50ms; nothing is
// lost.
func TestBandwidthFault(t *testing.T) {
	t.Parallel()
	fault := bench.FaultSpec{Kind: bench.FaultBandwidth, Rate: 8 << 10}
	sc := faultScenario(t, 100, 1500*time.Millisecond, 1, fault)
	pr := runScenario(t, sc, New(Options{}))
	if pr.Events.Lost != 0 {
		t.Errorf("lost = %d, want 0", pr.Events.Lost)
	}
	perReq := float64(pr.Overhead.Bytes) / float64(pr.Overhead.Requests) // request and answer
	t.Logf("p50 %vms, %.0f bytes per exchange", pr.Latency.P50, perReq)
	if pr.Latency.P50 < 20 {
		t.Errorf("p50 = %vms with %.0f bytes per exchange at 8KiB/s, want >= 20ms", pr.Latency.P50, perReq)
	}
}

// Disconnects every 200ms close the receivers' connections; the sender
// reconnects, and nothing is lost.
func TestDisconnectFault(t *testing.T) {
	t.Parallel()
	fault := bench.FaultSpec{Kind: bench.FaultDisconnect, Every: ms(200 * time.Millisecond)}
	sc := faultScenario(t, 100, 1500*time.Millisecond, 2, fault)
	pr := runScenario(t, sc, New(fast()))
	if pr.Events.Lost != 0 {
		t.Errorf("lost = %d, want 0", pr.Events.Lost)
	}
	// As for resets: each disconnect after the first forces one new
	// connection per subscriber at least.
	moments := bench.NewFaultTimeline(sc.Faults, sc.Seed, sc.Duration.D()).Moments(bench.FaultDisconnect)
	if min := int64(sc.Subscribers * len(moments)); pr.Overhead.Connections < min {
		t.Errorf("connections = %d, want >= %d (%d disconnects)", pr.Overhead.Connections, min, len(moments))
	}
}

// The same seed and faults give the same fault timeline, the same event
// counts, and the same decisions for the same (event, subscriber,
// attempt), whatever the timing.
func TestFaultsAreDeterministic(t *testing.T) {
	t.Parallel()
	faults := []bench.FaultSpec{
		{Kind: bench.FaultErrors, P: 0.2, Status: 500, For: ms(1500 * time.Millisecond)},
		{Kind: bench.FaultOutage, At: ms(505 * time.Millisecond), For: ms(300 * time.Millisecond)},
		{Kind: bench.FaultDisconnect, At: ms(time.Second)},
		{Kind: bench.FaultLatency, Delay: ms(5 * time.Millisecond), At: ms(1200 * time.Millisecond), For: ms(100 * time.Millisecond)},
		// The whole run, drain included: its window ends at the run's
		// nominal end, not the measured one. It never bites at 100/s.
		{Kind: bench.FaultRateLimit, RPS: 1000},
	}
	sc := faultScenario(t, 100, 1500*time.Millisecond, 2, faults...)
	plan := bench.NewFaultTimeline(sc.Faults, sc.Seed, sc.Duration.D())
	salt := bench.FaultSalt(bench.FaultErrors)
	// Retries outlast the outage (see TestOutageWithRetries), so that
	// nothing is lost.
	opts := Options{Retry: Retry{Base: ms(50 * time.Millisecond), Cap: ms(200 * time.Millisecond), Attempts: 30}}
	var first bench.PatternResult
	for i := range 2 {
		tg, rec := traceOn(opts)
		pr := runScenario(t, sc, tg)
		if pr.Events.Lost != 0 {
			t.Errorf("run %d: lost = %d, want 0", i, pr.Events.Lost)
		}
		checkDraws(t, rec.requests(), 1500*time.Millisecond, func(tr traced) bool {
			return plan.Hit(0.2, salt, tr.seq, uint64(tr.sub), tr.attempt)
		})
		if i == 0 {
			first = pr
			continue
		}
		if len(pr.Faults) != len(faults) {
			t.Errorf("run %d: %d fault windows, want %d", i, len(pr.Faults), len(faults))
		}
		if !slices.Equal(pr.Faults, first.Faults) {
			t.Errorf("fault timelines differ:\n%+v\n%+v", first.Faults, pr.Faults)
		}
		a, b := first.Events, pr.Events
		if a.Published != b.Published || a.Expected != b.Expected || a.Unique != b.Unique || a.Lost != b.Lost {
			t.Errorf("event counts differ:\n%+v\n%+v", a, b)
		}
	}
}

// checkDraws checks that the requests answered 500 are exactly those that
// arrived before end on the run's clock and whose draw hits.
func checkDraws(t *testing.T, reqs []traced, end time.Duration, hit func(traced) bool) {
	t.Helper()
	checked := 0
	for _, tr := range reqs {
		if tr.status == 0 {
			continue // closed by an outage
		}
		if want := tr.off < end && hit(tr); (tr.status == 500) != want {
			t.Errorf("sub %d seq %d attempt %d at %v: status %d, want 500: %v", tr.sub, tr.seq, tr.attempt, tr.off, tr.status, want)
		}
		checked++
	}
	if checked == 0 {
		t.Error("no request checked")
	}
}
