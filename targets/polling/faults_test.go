package polling

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/targettest"
)

// These tests run the targets under bench.Runner, so that the fault clock
// starts as in a real run, on a constant stream (events exactly 1/rate
// apart), and check each fault kind's effect against ground truth: the
// server's own log of the requests it answered, the deliveries the pollers
// made, and the plan's draws made again here from the same seed.

const faultSeed = 42

func ms(d time.Duration) bench.Duration { return bench.Duration(d) }

// faultScenario returns a valid scenario for pattern: a constant stream of
// rate events/s for dur, to subs subscribers, under faults.
func faultScenario(t *testing.T, pattern string, rate float64, dur time.Duration, subs int, faults ...bench.FaultSpec) *bench.Scenario {
	t.Helper()
	sc := &bench.Scenario{
		Name:        "polling-faults",
		Seed:        faultSeed,
		Duration:    bench.Duration(dur),
		Drain:       bench.Duration(10 * time.Second),
		Subscribers: subs,
		Stream:      bench.StreamSpec{Rate: bench.Rate(rate), Arrival: bench.Constant, Payload: 256},
		Patterns:    bench.PatternList{{Name: pattern}},
		Faults:      faults,
	}
	sc.Defaults()
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	return sc
}

// runScenario runs tg on sc and returns its result, which must have
// drained, with nothing unexpected and nothing lost.
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
	if ev := pr.Events; ev.Unexpected != 0 || ev.Lost != 0 || ev.Unique != ev.Expected {
		t.Errorf("events %+v; want every event delivered (lost 0, unexpected 0)", ev)
	}
	return pr
}

// A probe records, for one run of a Target, the requests its server
// answered (trace), the deliveries its pollers made, and the run's fault
// plan, whose clock turns both into offsets.
type probe struct {
	mu     sync.Mutex
	reqs   []traced
	dels   []bench.Delivery
	faults *bench.FaultTimeline
}

// probed returns tg with a probe attached.
func probed(tg *Target) (*Target, *probe) {
	pb := &probe{}
	tg.trace = func(tr traced) {
		pb.mu.Lock()
		pb.reqs = append(pb.reqs, tr)
		pb.mu.Unlock()
	}
	tg.onStart = func(env *bench.Env) {
		pb.faults = env.Faults
		sink := env.Sink
		env.Sink = bench.SinkFunc(func(d bench.Delivery) {
			pb.mu.Lock()
			pb.dels = append(pb.dels, d)
			pb.mu.Unlock()
			sink.Deliver(d)
		})
	}
	return tg, pb
}

// off returns at as an offset on the run's clock (negative before it
// started).
func (pb *probe) off(at time.Time) time.Duration {
	d, ok := pb.faults.Elapsed(at)
	if !ok {
		panic("the run's clock has not started")
	}
	return d
}

func (pb *probe) requests() []traced {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	return slices.Clone(pb.reqs)
}

func (pb *probe) deliveries() []bench.Delivery {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	return slices.Clone(pb.dels)
}

// arrivals returns the offsets at which the server saw requests, sorted.
func (pb *probe) arrivals() []time.Duration {
	var out []time.Duration
	for _, tr := range pb.requests() {
		out = append(out, pb.off(tr.arrived))
	}
	slices.Sort(out)
	return out
}

// countIn returns how many of the sorted offsets fall in [from, to).
func countIn(offs []time.Duration, from, to time.Duration) int {
	i, _ := slices.BinarySearch(offs, from)
	j, _ := slices.BinarySearch(offs, to)
	return j - i
}

// stall returns the longest the run's publisher was late (its publish
// lag): the machine's own scheduling delay on this run, which timing bounds
// allow for on top of their figures, so that a loaded machine (another
// package's tests on the same two cores) does not fail them.
func stall(pr bench.PatternResult) time.Duration {
	return time.Duration(pr.PublishLag.Max * float64(time.Millisecond))
}

// lastDueBefore returns the seq and due time of the last event of sc's
// stream due before to.
func lastDueBefore(sc *bench.Scenario, to time.Duration) (uint64, time.Duration) {
	st := bench.NewStream(sc.Stream, sc.Seed, sc.Duration.D())
	var seq uint64
	var due time.Duration
	for ev, ok := st.Next(); ok && ev.Due < to; ev, ok = st.Next() {
		seq, due = ev.Seq, ev.Due
	}
	return seq, due
}

// Targets of the fault tests: short intervals and holds, quick backoff.
func faultPolling() *Target {
	return NewPolling(Options{
		Interval:    ms(50 * time.Millisecond),
		Timeout:     ms(250 * time.Millisecond),
		BackoffBase: ms(10 * time.Millisecond), BackoffMax: ms(50 * time.Millisecond),
	})
}

func faultLongPoll() *Target {
	return NewLongPoll(LongPollOptions{
		Hold: ms(300 * time.Millisecond), Timeout: ms(500 * time.Millisecond),
		BackoffBase: ms(10 * time.Millisecond), BackoffMax: ms(50 * time.Millisecond),
	})
}

// both returns the table of the two patterns under test.
func both() []struct {
	name string
	make func() *Target
} {
	return []struct {
		name string
		make func() *Target
	}{
		{NamePolling, faultPolling},
		{NameLongPoll, faultLongPoll},
	}
}

// An outage takes the pollers offline for its window: no request reaches
// the server and no delivery is made in it; at its end every poller
// resumes from its cursor at once (the catch-up burst), and nothing is
// lost, since the retention covers the window.
func TestOutageFault(t *testing.T) {
	t.Parallel()
	const (
		at, dur = 600 * time.Millisecond, 800 * time.Millisecond
		end     = at + dur
		subs    = 2
		// A poller that checked the plan just before the window may
		// still be sending: its request reaches the server a moment
		// later. One per poller is allowed, this close to the start.
		slack = 20 * time.Millisecond
		// The pollers are back at the window's end at once; this is
		// the room a loaded machine gets (the polling interval is 50ms).
		catchUp = 75 * time.Millisecond
	)
	for _, tc := range both() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc := faultScenario(t, tc.name, 50, 2*time.Second, subs,
				bench.FaultSpec{Kind: bench.FaultOutage, At: ms(at), For: ms(dur)})
			tg, pb := probed(tc.make())
			pr := runScenario(t, sc, tg)

			arr := pb.arrivals()
			late := stall(pr)
			if n := countIn(arr, at, at+slack+late); n > subs {
				t.Errorf("%d requests in the window's first %v, want at most one per poller (%d)", n, slack+late, subs)
			}
			if n := countIn(arr, at+slack+late, end); n != 0 {
				t.Errorf("%d requests during the outage [%v, %v), want 0", n, at, end)
			}
			if n := countIn(arr, end, end+catchUp+late); n < subs {
				t.Errorf("%d requests in the %v after the outage, want every poller (%d) back at once", n, catchUp+late, subs)
			}
			lastSeq, lastDue := lastDueBefore(sc, end)
			caught := make([]time.Duration, subs)
			for _, d := range pb.deliveries() {
				off := pb.off(d.At)
				if off >= at && off < end {
					t.Errorf("subscriber %d got seq %d at %v, during the outage", d.Subscriber, d.Seq, off)
				}
				if d.Seq == lastSeq {
					caught[d.Subscriber] = off
				}
			}
			// The last event due in the window (at lastDue) is delivered
			// by the catch-up poll, about at once.
			for sub, off := range caught {
				if off < end || off > end+catchUp+late {
					t.Errorf("subscriber %d: seq %d (due %v) delivered at %v, want within %v after the outage's end %v", sub, lastSeq, lastDue, off, catchUp+late, end)
				}
			}
			if pr.Events.Duplicates != 0 {
				t.Errorf("duplicates = %d, want 0: the cursor is kept across the outage", pr.Events.Duplicates)
			}
			// Going offline closed each poller's connection.
			if pr.Overhead.Reconnects < subs {
				t.Errorf("reconnects = %d, want >= %d (one per poller after the outage)", pr.Overhead.Reconnects, subs)
			}
			t.Logf("%d requests; catch-up of seq %d due %v at %v; latency p50 %vms max %vms; publish lag max %v",
				len(arr), lastSeq, lastDue, caught, pr.Latency.P50, pr.Latency.Max, late)
		})
	}
}

// An outage without for keeps the pollers offline to the end of the run,
// drain included: the drain runs to its deadline, exactly the deliveries
// due from the outage's start on are lost (a long poller has everything
// before it), and Close still ends everything at once.
func TestOutageToTheEnd(t *testing.T) {
	t.Parallel()
	const (
		// Events every 20ms; the outage 10ms after one and 10ms before
		// the next.
		at   = 510 * time.Millisecond
		subs = 2
	)
	sc := faultScenario(t, NameLongPoll, 50, time.Second, subs,
		bench.FaultSpec{Kind: bench.FaultOutage, At: ms(at)})
	sc.Drain = ms(300 * time.Millisecond)
	res, err := (&bench.Runner{Logger: targettest.Logger(t)}).Run(context.Background(), sc, []bench.Target{faultLongPoll()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	pr := res.Patterns[0]
	var due int64 // events due from the outage's start on
	st := bench.NewStream(sc.Stream, sc.Seed, sc.Duration.D())
	for ev, ok := st.Next(); ok; ev, ok = st.Next() {
		if ev.Due >= at {
			due++
		}
	}
	if pr.Drain != bench.DrainDeadline || pr.Events.Lost != subs*due {
		t.Errorf("drain %s, lost %d; want %s and %d (%d events due after the outage's start × %d subscribers)",
			pr.Drain, pr.Events.Lost, bench.DrainDeadline, subs*due, due, subs)
	}
}

// errors p=0.2 fails exactly the polls the plan's draws hit, keyed by
// (subscriber, request number): within a binomial tolerance of 0.2 × the
// polls; the pollers back off, keep their cursors and lose nothing.
func TestErrorsFault(t *testing.T) {
	t.Parallel()
	const p = 0.2
	for _, tc := range both() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc := faultScenario(t, tc.name, 100, 1500*time.Millisecond, 2, bench.FaultSpec{Kind: bench.FaultErrors, P: p})
			tg, pb := probed(tc.make())
			pr := runScenario(t, sc, tg)

			plan := bench.NewFaultTimeline(sc.Faults, sc.Seed, sc.Duration.D())
			salt := bench.FaultSalt(bench.FaultErrors)
			reqs := pb.requests()
			var polls, failed int
			for _, tr := range reqs {
				if !tr.named {
					t.Fatalf("a request without %s and %s", HeaderSubscriber, HeaderRequest)
				}
				if off := pb.off(tr.arrived); off < 5*time.Millisecond {
					continue // start-up polls, and the clock's first instant
				}
				polls++
				hit := plan.Hit(p, salt, tr.sub, tr.req)
				if (tr.status == 503) != hit {
					t.Errorf("subscriber %d request %d: status %d, draw %v", tr.sub, tr.req, tr.status, hit)
				}
				if tr.status == 503 {
					failed++
				}
			}
			if d, sd := math.Abs(float64(failed)-p*float64(polls)), math.Sqrt(float64(polls)*p*(1-p)); d > 5*sd {
				t.Errorf("%d of %d polls failed: %.1f sd from %v", failed, polls, d/sd, p*float64(polls))
			}
			// Every poll is counted; the server answers all but, at most,
			// the last one of each poller, which Close may cut before the
			// server has read it.
			if got := pr.Overhead.Requests; got < int64(len(reqs)) || got > int64(len(reqs)+sc.Subscribers) {
				t.Errorf("requests counted %d, server answered %d", got, len(reqs))
			}
			if pr.Events.Duplicates != 0 {
				t.Errorf("duplicates = %d, want 0: a failed poll leaves the cursor where it was", pr.Events.Duplicates)
			}
			t.Logf("%d of %d polls failed (%.3f); latency p50 %vms p99 %vms", failed, polls, float64(failed)/float64(polls), pr.Latency.P50, pr.Latency.P99)
		})
	}
}

// Above the ratelimit's rate, counted across the API, the server answers
// 429 with a Retry-After; every poller waits at least that long before it
// polls again, and nothing is lost.
func TestRateLimitFault(t *testing.T) {
	t.Parallel()
	const rps = 40
	for _, tc := range both() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// 4 pollers every 50ms, or long polls at 50 events/s each:
			// about 80 and 200 polls/s, against 40 allowed, for the
			// first second (not the drain, which would be throttled
			// too).
			sc := faultScenario(t, tc.name, 50, 1500*time.Millisecond, 4,
				bench.FaultSpec{Kind: bench.FaultRateLimit, RPS: rps, For: ms(time.Second)})
			tg, pb := probed(tc.make())
			pr := runScenario(t, sc, tg)

			reqs := pb.requests()
			slices.SortFunc(reqs, func(a, b traced) int { return a.arrived.Compare(b.arrived) })
			refused := map[uint64]traced{} // subscriber -> its last 429
			var admitted []time.Time
			n429 := 0
			for _, tr := range reqs {
				if last, ok := refused[tr.sub]; ok {
					if gap := tr.arrived.Sub(last.done); gap < time.Second {
						t.Errorf("subscriber %d polled %v after a 429 with Retry-After: %s", tr.sub, gap, last.retryAfter)
					}
					delete(refused, tr.sub)
				}
				if tr.status != 429 {
					if off := pb.off(tr.arrived); off >= 0 && off < time.Second {
						admitted = append(admitted, tr.arrived) // in the window
					}
					continue
				}
				n429++
				if tr.retryAfter != "1" {
					t.Errorf("Retry-After %q, want 1 (a token is due within a second)", tr.retryAfter)
				}
				refused[tr.sub] = tr
			}
			if n429 == 0 {
				t.Error("no 429: the rate limit did not act")
			}
			// In any second of the window, at most rps plus the bucket
			// (100ms worth) get through.
			for i, at := range admitted {
				j, _ := slices.BinarySearchFunc(admitted, at.Add(time.Second), func(a, b time.Time) int { return a.Compare(b) })
				if n := j - i; n > rps+rps/10+1 {
					t.Fatalf("%d polls admitted in the second from %v, want <= %d", n, pb.off(at), rps+rps/10+1)
				}
			}
			if pr.Events.Duplicates != 0 {
				t.Errorf("duplicates = %d, want 0", pr.Events.Duplicates)
			}
			t.Logf("%d polls, %d refused with 429; latency p50 %vms max %vms", len(reqs), n429, pr.Latency.P50, pr.Latency.Max)
		})
	}
}

// latency 50ms on the proxy (each way) raises the p50 of both patterns by
// at least 50ms (a parked long poll's answer pays one way, a fresh poll
// the round trip) and by far less than 10 times that, against a run
// without faults on the same seed.
func TestLatencyFault(t *testing.T) {
	t.Parallel()
	const delay = 50 * time.Millisecond
	for _, tc := range both() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := runScenario(t, faultScenario(t, tc.name, 100, time.Second, 1), tc.make())
			sc := faultScenario(t, tc.name, 100, time.Second, 1, bench.FaultSpec{Kind: bench.FaultLatency, Delay: ms(delay)})
			pr := runScenario(t, sc, tc.make())
			rise := time.Duration((pr.Latency.P50 - base.Latency.P50) * float64(time.Millisecond))
			t.Logf("p50 %vms -> %vms (+%v), p99 %vms -> %vms", base.Latency.P50, pr.Latency.P50, rise, base.Latency.P99, pr.Latency.P99)
			if rise < delay || rise >= 10*delay {
				t.Errorf("p50 %vms -> %vms: rose by %v, want within [%v, %v)", base.Latency.P50, pr.Latency.P50, rise, delay, 10*delay)
			}
		})
	}
}

// A blackhole shorter than the run stalls every connection through it; the
// poller's request timeout (the client timeout, hold + margin, for long
// polls) detects it, the poller reconnects, and once the window is over
// every event is delivered.
func TestBlackholeFault(t *testing.T) {
	t.Parallel()
	const (
		at, dur = 500 * time.Millisecond, 500 * time.Millisecond
		end     = at + dur
		subs    = 2
	)
	for _, tc := range both() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc := faultScenario(t, tc.name, 50, 2*time.Second, subs,
				bench.FaultSpec{Kind: bench.FaultBlackhole, At: ms(at), For: ms(dur)})
			target := tc.make()
			timeout := target.cfg.timeout
			tg, pb := probed(target)
			pr := runScenario(t, sc, tg)

			// Nothing gets through the window; the first connection made
			// after it does. A poller stalled at the window's end times
			// out within timeout, backs off (< 50ms) and reconnects.
			lastSeq, _ := lastDueBefore(sc, end)
			var worst time.Duration
			for _, d := range pb.deliveries() {
				off := pb.off(d.At)
				if d.Due >= at+20*time.Millisecond && d.Due < end && off < end {
					t.Errorf("subscriber %d got seq %d (due %v) at %v, through the blackhole", d.Subscriber, d.Seq, d.Due, off)
				}
				if d.Seq == lastSeq {
					worst = max(worst, off)
				}
			}
			if bound := end + timeout + 50*time.Millisecond + 50*time.Millisecond + stall(pr); worst > bound {
				t.Errorf("the last event due in the window was delivered at %v, want by %v (end + timeout + backoff + slack)", worst, bound)
			}
			if pr.Overhead.Reconnects < subs {
				t.Errorf("reconnects = %d, want >= %d (each poller timed out and reconnected)", pr.Overhead.Reconnects, subs)
			}
			if pr.Latency.Max < float64((dur/2)/time.Millisecond) {
				t.Errorf("max latency %vms, want >= %v: events due in the window waited for it", pr.Latency.Max, dur/2)
			}
			t.Logf("last event due in the window delivered by %v; %d reconnects; latency p50 %vms max %vms",
				worst, pr.Overhead.Reconnects, pr.Latency.P50, pr.Latency.Max)
		})
	}
}

// A disconnect drops every live connection at each moment: a long poll
// held at that moment is cut and re-issued at once, a short poller finds
// its kept-alive connection closed at its next poll and sends it again at
// once on a new one. Cursors make the re-polls safe: nothing is lost and
// nothing is delivered twice.
func TestDisconnectFault(t *testing.T) {
	t.Parallel()
	const subs = 2
	// Events every 100ms (at 0, 100ms, ...); disconnects at 125ms, 375ms,
	// ...: 25ms after an event and 75ms before the next, so that the
	// requests right after a moment are the re-polls it caused.
	fault := bench.FaultSpec{Kind: bench.FaultDisconnect, At: ms(125 * time.Millisecond), Every: ms(250 * time.Millisecond)}
	for _, tc := range both() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc := faultScenario(t, tc.name, 10, 1500*time.Millisecond, subs, fault)
			target := tc.make()
			if tc.name == NameLongPoll {
				target = NewLongPoll(LongPollOptions{Hold: ms(time.Second)})
			}
			tg, pb := probed(target)
			pr := runScenario(t, sc, tg)
			moments := pb.faults.Moments(bench.FaultDisconnect)
			if pr.Events.Duplicates != 0 {
				t.Errorf("duplicates = %d, want 0: a cut poll is sent again with the same cursor", pr.Events.Duplicates)
			}
			if min := int64(subs * (len(moments) - 1)); pr.Overhead.Reconnects < min {
				t.Errorf("reconnects = %d, want >= %d (%d disconnects × %d pollers, give or take one)", pr.Overhead.Reconnects, min, len(moments), subs)
			}
			reqs := pb.requests()
			failed := pr.Overhead.Requests - int64(len(reqs))
			switch tc.name {
			case NameLongPoll:
				// Each moment cuts every held poll; each is sent again
				// at once (a backed-off one would wait up to 100ms). The
				// next event is 75ms away; 40ms is room for a loaded
				// machine.
				arr := pb.arrivals()
				soon := 40*time.Millisecond + stall(pr)
				for _, m := range moments {
					if n := countIn(arr, m, m+soon); n < subs {
						t.Errorf("%d polls in the %v after the disconnect at %v, want every poller's (%d)", n, soon, m, subs)
					}
				}
			case NamePolling:
				// The poll after each moment fails on the closed
				// connection without reaching the server, and is sent
				// again.
				if min, most := int64(subs*(len(moments)-1)), int64(subs*(len(moments)+1)); failed < min || failed > most {
					t.Errorf("%d polls failed (counted %d, server answered %d), want one per disconnect and poller, %d to %d",
						failed, pr.Overhead.Requests, len(reqs), min, most)
				}
			}
			t.Logf("%d disconnects: %d requests counted, %d answered, %d reconnects; latency p50 %vms max %vms",
				len(moments), pr.Overhead.Requests, len(reqs), pr.Overhead.Reconnects, pr.Latency.P50, pr.Latency.Max)
		})
	}
}

// Resets on the proxy cut every connection with an RST: a poll cut on a
// kept-alive connection is sent again at once on a new one, with the same
// cursor, so nothing is lost or delivered twice.
func TestResetFault(t *testing.T) {
	t.Parallel()
	const subs = 2
	fault := bench.FaultSpec{Kind: bench.FaultReset, At: ms(125 * time.Millisecond), Every: ms(250 * time.Millisecond)}
	for _, tc := range both() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc := faultScenario(t, tc.name, 50, 1500*time.Millisecond, subs, fault)
			pr := runScenario(t, sc, tc.make())
			moments := bench.NewFaultTimeline(sc.Faults, sc.Seed, sc.Duration.D()).Moments(bench.FaultReset)
			if pr.Events.Duplicates != 0 {
				t.Errorf("duplicates = %d, want 0", pr.Events.Duplicates)
			}
			if min := int64(subs * (len(moments) - 1)); pr.Overhead.Reconnects < min {
				t.Errorf("reconnects = %d, want >= %d (%d resets × %d pollers, give or take one)", pr.Overhead.Reconnects, min, len(moments), subs)
			}
			t.Logf("%d resets: %d requests, %d reconnects; latency p50 %vms max %vms",
				len(moments), pr.Overhead.Requests, pr.Overhead.Reconnects, pr.Latency.P50, pr.Latency.Max)
		})
	}
}

// A slow consumer takes the fault's delay over every page of events before
// it polls again: it falls behind by at most the delay and catches up with
// bigger pages, so the pull patterns gain latency, never duplicates or
// loss, and make no more than one poll with events per delay.
func TestSlowFault(t *testing.T) {
	t.Parallel()
	const (
		delay = 100 * time.Millisecond
		dur   = 1500 * time.Millisecond
	)
	for _, tc := range both() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc := faultScenario(t, tc.name, 100, dur, 1, bench.FaultSpec{Kind: bench.FaultSlow, Delay: ms(delay)})
			tg, pb := probed(tc.make())
			pr := runScenario(t, sc, tg)
			if pr.Events.Duplicates != 0 {
				t.Errorf("duplicates = %d, want 0", pr.Events.Duplicates)
			}
			// Polls that delivered: distinct arrival times of deliveries.
			var pages []time.Time
			for _, d := range pb.deliveries() {
				if len(pages) == 0 || !d.At.Equal(pages[len(pages)-1]) {
					pages = append(pages, d.At)
				}
			}
			for i := 1; i < len(pages); i++ {
				if gap := pages[i].Sub(pages[i-1]); gap < delay {
					t.Errorf("pages %v apart (at %v and %v), want >= the slow delay %v", gap, pb.off(pages[i-1]), pb.off(pages[i]), delay)
				}
			}
			if most := int(dur/delay) + 2; len(pages) > most {
				t.Errorf("%d pages of events, want at most %d (one per delay)", len(pages), most)
			}
			if lo := float64(delay / 4 / time.Millisecond); pr.Latency.P50 < lo {
				t.Errorf("p50 %vms, want >= %vms: events published while the consumer is busy wait for it", pr.Latency.P50, lo)
			}
			t.Logf("%d pages; latency p50 %vms p99 %vms max %vms", len(pages), pr.Latency.P50, pr.Latency.P99, pr.Latency.Max)
		})
	}
}

// The same seed and faults give the same fault timeline, the same event
// counts and the same error draws, whatever the timing.
func TestFaultsAreDeterministic(t *testing.T) {
	t.Parallel()
	faults := []bench.FaultSpec{
		// Without For: to the end of the run, drain included; its
		// window in the results ends at the nominal end.
		{Kind: bench.FaultErrors, P: 0.2, Status: 500},
		{Kind: bench.FaultOutage, At: ms(505 * time.Millisecond), For: ms(300 * time.Millisecond)},
		{Kind: bench.FaultDisconnect, At: ms(time.Second)},
		{Kind: bench.FaultLatency, Delay: ms(5 * time.Millisecond), At: ms(1200 * time.Millisecond), For: ms(100 * time.Millisecond)},
	}
	sc := faultScenario(t, NamePolling, 100, 1500*time.Millisecond, 2, faults...)
	plan := bench.NewFaultTimeline(sc.Faults, sc.Seed, sc.Duration.D())
	salt := bench.FaultSalt(bench.FaultErrors)
	var first bench.PatternResult
	for i := range 2 {
		tg, pb := probed(faultPolling())
		pr := runScenario(t, sc, tg)
		for _, tr := range pb.requests() {
			if pb.off(tr.arrived) < 5*time.Millisecond {
				continue // start-up polls, and the clock's first instant
			}
			if hit := plan.Hit(0.2, salt, tr.sub, tr.req); (tr.status == 500) != hit {
				t.Errorf("run %d: subscriber %d request %d: status %d, draw %v", i, tr.sub, tr.req, tr.status, hit)
			}
		}
		if i == 0 {
			first = pr
			continue
		}
		if !slices.Equal(pr.Faults, first.Faults) {
			t.Errorf("fault timelines differ:\n%+v\n%+v", first.Faults, pr.Faults)
		}
		a, b := first.Events, pr.Events
		if a.Published != b.Published || a.Expected != b.Expected || a.Unique != b.Unique || a.Lost != b.Lost || a.Duplicates != b.Duplicates {
			t.Errorf("event counts differ:\n%+v\n%+v", a, b)
		}
	}
}
