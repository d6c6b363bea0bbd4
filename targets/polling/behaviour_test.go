package polling

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/targettest"
)

// run is a target started by a test, with a ledger as its sink.
type run struct {
	prod   *Producer
	meter  *bench.Meter
	ledger *bench.Ledger
	next   uint64 // the next event's seq
}

// startRun starts tg for subs subscribers and at most events events. wrap,
// if not nil, wraps the ledger as the sink.
func startRun(t *testing.T, tg *Target, subs int, events uint64, wrap func(bench.Sink) bench.Sink) *run {
	t.Helper()
	ledger, err := bench.NewLedger(bench.LedgerConfig{Subscribers: subs, Events: events, Keys: 1, Span: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var sink bench.Sink = ledger
	if wrap != nil {
		sink = wrap(ledger)
	}
	meter := bench.NewMeter()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := tg.Start(ctx, bench.Env{Subscribers: subs, Sink: sink, Meter: meter, Seed: 7, Logger: targettest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	ledger.Start(time.Now())
	return &run{prod: p.(*Producer), meter: meter, ledger: ledger}
}

// publish publishes n events at once.
func (r *run) publish(t *testing.T, n int) {
	t.Helper()
	for range n {
		ev := bench.Event{Seq: r.next, Due: time.Since(r.ledger.Started()), Size: 128}
		r.next++
		r.ledger.Publish(ev)
		if err := r.prod.Publish(ev); err != nil {
			t.Fatal(err)
		}
	}
}

func (r *run) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.prod.Drain(ctx); err != nil {
		t.Fatalf("Drain: %v", err)
	}
}

func (r *run) close(t *testing.T) {
	t.Helper()
	if err := r.prod.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// waitFor waits until cond holds, failing the test after 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func fastPolling() *Target {
	return NewPolling(Options{Interval: bench.Duration(10 * time.Millisecond), Jitter: -1})
}

// TestEmptyPollsAre304 checks the conditional-GET accounting exactly: the
// first poll of each subscriber is unconditional (200, empty), and every
// later poll that finds nothing new is a 304.
func TestEmptyPollsAre304(t *testing.T) {
	const subs = 3
	r := startRun(t, fastPolling(), subs, 1, nil)
	waitFor(t, "idle polls", func() bool { return r.meter.Get(bench.NotModified) >= 5*subs })
	r.publish(t, 1)
	r.drain(t)
	n := r.meter.Get(bench.NotModified)
	waitFor(t, "idle polls after the event", func() bool { return r.meter.Get(bench.NotModified) >= n+5*subs })
	r.close(t)

	req, empty, nm := r.meter.Get(bench.Requests), r.meter.Get(bench.EmptyPolls), r.meter.Get(bench.NotModified)
	t.Logf("requests %d, empty polls %d, 304s %d", req, empty, nm)
	// Per subscriber: one unconditional empty 200, one 200 with the event,
	// and the rest 304s.
	if empty != req-subs {
		t.Errorf("empty polls = %d, want requests - subscribers = %d", empty, req-subs)
	}
	if nm != req-2*subs {
		t.Errorf("304s = %d, want requests - 2*subscribers = %d", nm, req-2*subs)
	}
	if c := r.ledger.Counts(); c.Lost != 0 || c.Unique != subs {
		t.Errorf("counts %+v", c)
	}
}

// gateSink holds the first delivery of each subscriber until open is
// closed, and says when each has arrived.
type gateSink struct {
	bench.Sink
	open    chan struct{}
	arrived sync.WaitGroup
	first   []atomic.Bool
}

func (g *gateSink) Deliver(d bench.Delivery) {
	if g.first[d.Subscriber].CompareAndSwap(false, true) {
		g.arrived.Done()
		<-g.open
	}
	g.Sink.Deliver(d)
}

// TestCursorTooOld checks that a poller whose cursor fell out of the
// retention resyncs from the oldest retained event, counts one continuity
// loss, and loses exactly the skipped events, which the ledger reports.
func TestCursorTooOld(t *testing.T) {
	const (
		subs      = 2
		retention = 10
		events    = 50
	)
	tests := []struct {
		name   string
		target *Target
	}{
		{"polling", NewPolling(Options{Interval: bench.Duration(10 * time.Millisecond), Jitter: -1, Retention: retention})},
		{"longpoll", NewLongPoll(LongPollOptions{Retention: retention})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gate := &gateSink{open: make(chan struct{}), first: make([]atomic.Bool, subs)}
			gate.arrived.Add(subs)
			r := startRun(t, tc.target, subs, events, func(s bench.Sink) bench.Sink { gate.Sink = s; return gate })
			// Each poller takes event 0 and is held delivering it while
			// the other 49 are published: its cursor (log seq 1) is then
			// behind the oldest retained event (log seq 41).
			r.publish(t, 1)
			gate.arrived.Wait()
			r.publish(t, events-1)
			close(gate.open)
			r.drain(t)
			r.close(t)

			c := r.ledger.Counts()
			// Kept: event 0 and the retained 40..49; lost: 1..39.
			const lost = events - 1 - retention
			if c.Lost != subs*lost || c.Unique != subs*(1+retention) || c.Unexpected != 0 {
				t.Errorf("lost %d, unique %d, unexpected %d; want lost %d, unique %d", c.Lost, c.Unique, c.Unexpected, subs*lost, subs*(1+retention))
			}
			if got := r.meter.Get(bench.ContinuityLost); got != subs {
				t.Errorf("continuity lost = %d, want %d (one resync per subscriber)", got, subs)
			}
			for i, sc := range r.ledger.SubscriberCounts() {
				if sc.Lost != lost || sc.Duplicates != 0 {
					t.Errorf("subscriber %d: %+v, want %d lost and no duplicates", i, sc, lost)
				}
			}
		})
	}
}

// pushBack answers the second request (the first after the start-up
// poll) with status and headers, and records when each request arrived.
type pushBack struct {
	status int
	header func() (string, string)
	mu     sync.Mutex
	times  []time.Time
}

func (pb *pushBack) wrap(next fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		pb.mu.Lock()
		pb.times = append(pb.times, time.Now())
		n := len(pb.times)
		pb.mu.Unlock()
		if n != 2 {
			next(ctx)
			return
		}
		if pb.header != nil {
			k, v := pb.header()
			ctx.Response.Header.Set(k, v)
		}
		ctx.SetStatusCode(pb.status)
		ctx.SetBodyString(`{"error":"slow_down","reason":"test"}`)
	}
}

func (pb *pushBack) requests() []time.Time {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	return append([]time.Time(nil), pb.times...)
}

// TestRetryAfterHonoured checks that 429 and 503 with Retry-After (either
// form) hold the poller back for that long, instead of its 10ms interval.
func TestRetryAfterHonoured(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header func() (string, string)
		min    time.Duration
	}{
		{"429 seconds", fasthttp.StatusTooManyRequests, func() (string, string) { return "Retry-After", "1" }, time.Second},
		{"503 seconds", fasthttp.StatusServiceUnavailable, func() (string, string) { return "Retry-After", "1" }, time.Second},
		// An HTTP-date 2s ahead, at 1s resolution: between 1s and 2s.
		{"429 date", fasthttp.StatusTooManyRequests, func() (string, string) {
			return "Retry-After", time.Now().Add(2 * time.Second).UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
		}, time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pb := &pushBack{status: tc.status, header: tc.header}
			tg := fastPolling()
			tg.wrap = pb.wrap
			r := startRun(t, tg, 1, 1, nil)
			waitFor(t, "the third request", func() bool { return len(pb.requests()) >= 3 })
			r.publish(t, 1)
			r.drain(t)
			r.close(t)
			times := pb.requests()
			if gap := times[2].Sub(times[1]); gap < tc.min || gap > tc.min+time.Second+200*time.Millisecond {
				t.Errorf("next request %v after the push-back, want at least %v (and not much more)", gap, tc.min)
			}
			if got := r.meter.Get(bench.Requests); got != int64(len(times)) {
				t.Errorf("requests counted %d, server saw %d", got, len(times))
			}
			if c := r.ledger.Counts(); c.Lost != 0 {
				t.Errorf("lost %d", c.Lost)
			}
		})
	}
}

// TestErrorsBackOffAndRecover checks that failed polls (5xx and a broken
// connection) are counted as requests, backed off, and recovered from.
func TestErrorsBackOffAndRecover(t *testing.T) {
	const failures = 6
	var n atomic.Int64
	tg := NewPolling(Options{
		Interval: bench.Duration(10 * time.Millisecond), Jitter: -1,
		BackoffBase: bench.Duration(time.Millisecond), BackoffMax: bench.Duration(20 * time.Millisecond),
	})
	tg.wrap = func(next fasthttp.RequestHandler) fasthttp.RequestHandler {
		return func(ctx *fasthttp.RequestCtx) {
			switch i := n.Add(1); {
			case i == 1 || i > failures+1:
				next(ctx)
			case i%2 == 0:
				ctx.Error("boom", fasthttp.StatusInternalServerError)
			default:
				ctx.Conn().Close() // a reset, from the client's side
			}
		}
	}
	r := startRun(t, tg, 1, 1, nil)
	r.publish(t, 1)
	r.drain(t)
	r.close(t)
	if got := r.meter.Get(bench.Requests); got != n.Load() || got < failures+2 {
		t.Errorf("requests counted %d, server saw %d (want at least %d)", got, n.Load(), failures+2)
	}
	if c := r.ledger.Counts(); c.Lost != 0 {
		t.Errorf("lost %d", c.Lost)
	}
}

func TestStartRejectsBadOptions(t *testing.T) {
	env := bench.Env{Subscribers: 0, Meter: bench.NewMeter()}
	_, err := NewPolling(Options{Interval: -1}).Start(context.Background(), env)
	if err == nil {
		t.Fatal("Start with bad options and env: nil error")
	}
	for _, want := range []string{"polling: ", "interval", "Subscribers must be > 0", "Sink must be set"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q, want it to mention %q", err, want)
		}
	}
	if _, err := NewLongPoll(LongPollOptions{Hold: -1}).Start(context.Background(), env); err == nil || !strings.Contains(err.Error(), "longpoll: ") {
		t.Errorf("longpoll Start with bad options: %v", err)
	}
}

func TestNames(t *testing.T) {
	if n := NewPolling(Options{}).Name(); n != "polling" {
		t.Errorf("polling name %q", n)
	}
	if n := NewLongPoll(LongPollOptions{}).Name(); n != "longpoll" {
		t.Errorf("longpoll name %q", n)
	}
}

// TestLongPollWithoutHoldDoesNotSpin checks that a long poller facing a
// server that answers at once, empty, backs off instead of re-polling in
// a busy loop.
func TestLongPollWithoutHoldDoesNotSpin(t *testing.T) {
	tg := NewLongPoll(LongPollOptions{
		Hold:        bench.Duration(time.Second),
		BackoffBase: bench.Duration(10 * time.Millisecond), BackoffMax: bench.Duration(50 * time.Millisecond),
	})
	tg.wrap = func(next fasthttp.RequestHandler) fasthttp.RequestHandler {
		return func(ctx *fasthttp.RequestCtx) {
			ctx.QueryArgs().Del("wait")
			next(ctx)
		}
	}
	r := startRun(t, tg, 1, 1, nil)
	began := time.Now()
	waitFor(t, "20 requests", func() bool { return r.meter.Get(bench.Requests) >= 20 })
	// Back to back, 20 loopback polls take a few ms; backed off, the 19
	// waits average 5, 10, 20, then 25ms: 435ms, give or take 60.
	if took := time.Since(began); took < 200*time.Millisecond {
		t.Errorf("20 polls in %v: the poller spins on empty answers", took)
	}
	r.publish(t, 1)
	r.drain(t)
}
