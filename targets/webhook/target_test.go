package webhook

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
	"go.uber.org/goleak"
)

// testSeed is the run seed of every test.
const testSeed = 42

// fast returns options whose retries wait milliseconds, so that tests with
// failures stay quick.
func fast() Options {
	return Options{Retry: Retry{Base: bench.Duration(time.Millisecond), Cap: bench.Duration(10 * time.Millisecond)}}
}

// events returns the first n events of the test stream.
func events(t testing.TB, n int) []bench.Event {
	t.Helper()
	spec := bench.StreamSpec{Rate: 1000, Arrival: bench.Constant, Payload: 256, Keys: 4}.WithDefaults()
	st := bench.NewStream(spec, testSeed, time.Hour)
	out := make([]bench.Event, n)
	for i := range out {
		ev, ok := st.Next()
		if !ok {
			t.Fatalf("stream ended after %d events", i)
		}
		out[i] = ev
	}
	return out
}

// A run is one started Target with a ledger as its sink.
type run struct {
	t      testing.TB
	subs   int
	ledger *bench.Ledger
	meter  *bench.Meter
	prod   bench.Producer
}

// start starts tg for subs subscribers, sized for n events. The producer is
// closed at the end of the test if the test has not closed it.
func start(t testing.TB, tg *Target, subs, n int) *run {
	t.Helper()
	ledger, err := bench.NewLedger(bench.LedgerConfig{Subscribers: subs, Events: uint64(n), Keys: 4, Span: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	r := &run{t: t, subs: subs, ledger: ledger, meter: bench.NewMeter()}
	prod, err := tg.Start(context.Background(), bench.Env{
		Subscribers: subs, Sink: ledger, Meter: r.meter, Seed: testSeed, Logger: discard(),
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	r.prod = prod
	t.Cleanup(func() {
		if err := prod.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	ledger.Start(time.Now())
	return r
}

// publish publishes evs as fast as Publish returns (saturation).
func (r *run) publish(evs []bench.Event) {
	r.t.Helper()
	for _, ev := range evs {
		r.ledger.Publish(ev)
		if err := r.prod.Publish(ev); err != nil {
			r.t.Fatalf("Publish seq %d: %v", ev.Seq, err)
		}
	}
}

// settle drains within a bound that only a hang exceeds, then closes.
func (r *run) settle() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.prod.Drain(ctx); err != nil {
		r.t.Fatalf("Drain: %v (counts %+v)", err, r.ledger.Counts())
	}
	if err := r.prod.Close(); err != nil {
		r.t.Fatalf("Close: %v", err)
	}
}

// want compares the run's counts with the wanted ones.
type want struct {
	unique, lost                           int64
	requests, retries, rejected, exhausted int64
}

func (r *run) check(w want) {
	r.t.Helper()
	c := r.ledger.Counts()
	got := want{
		unique: c.Unique, lost: c.Lost,
		requests: r.meter.Get(bench.Requests), retries: r.meter.Get(bench.Retries),
		rejected: r.meter.Get(bench.Rejected), exhausted: r.meter.Get(bench.Exhausted),
	}
	if got != w {
		r.t.Errorf("counts:\n got %+v\nwant %+v", got, w)
	}
	if c.Unexpected != 0 || c.Duplicates != 0 {
		r.t.Errorf("unexpected = %d, duplicates = %d; want 0 and 0", c.Unexpected, c.Duplicates)
	}
}

func TestDeliversEverything(t *testing.T) {
	const subs, n = 2, 300
	r := start(t, New(Options{}), subs, n)
	r.publish(events(t, n))
	r.settle()
	exp := int64(subs * n)
	r.check(want{unique: exp, requests: exp})

	tr := r.meter.Traffic()
	maxConns := int64(subs * DefaultConcurrency)
	if tr.Connections < subs || tr.Connections > maxConns || tr.Peak > maxConns {
		t.Errorf("connections = %d (peak %d), want between %d and %d", tr.Connections, tr.Peak, subs, maxConns)
	}
	if tr.Accepted != tr.Connections {
		t.Errorf("accepted = %d, want the %d dialled (both ends metered)", tr.Accepted, tr.Connections)
	}
	// Each request carries at least its 256-byte body and three headers.
	if min := exp * (256 + 100); tr.Bytes < min || tr.BytesRead != tr.Bytes {
		t.Errorf("bytes = %d written, %d read; want equal and >= %d", tr.Bytes, tr.BytesRead, min)
	}
}

// failFirst returns a Respond hook that answers reply to the first attempt
// at every (subscriber, event) and lets later attempts through. It records
// when each attempt arrived.
type failFirst struct {
	reply Reply
	mu    sync.Mutex
	seen  map[[2]uint64][]time.Time
}

func (f *failFirst) respond(sub int, seq uint64) Reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := [2]uint64{uint64(sub), seq}
	f.seen[k] = append(f.seen[k], time.Now())
	if len(f.seen[k]) == 1 {
		return f.reply
	}
	return Reply{}
}

func TestRetriesAfterFailure(t *testing.T) {
	const subs, n = 2, 200
	tg := New(fast())
	ff := &failFirst{reply: Reply{Status: 500}, seen: map[[2]uint64][]time.Time{}}
	tg.Respond = ff.respond
	r := start(t, tg, subs, n)
	r.publish(events(t, n))
	r.settle()
	exp := int64(subs * n)
	r.check(want{unique: exp, requests: 2 * exp, retries: exp})
}

func TestBadSignatureIsRejected(t *testing.T) {
	const subs, n = 2, 50
	opts := fast()
	opts.Retry.Attempts = 2
	tg := New(opts)
	tg.receiverSecret = DeriveSecret(testSeed+1, 0)
	r := start(t, tg, subs, n)
	r.publish(events(t, n))
	r.settle()
	exp := int64(subs * n)
	r.check(want{lost: exp, requests: 2 * exp, retries: exp, rejected: 2 * exp, exhausted: exp})
}

func TestGoneDisablesEndpoint(t *testing.T) {
	const subs, n = 2, 100
	opts := fast()
	// One worker per endpoint: exactly one request reaches subscriber 0
	// before the 410 disables it.
	opts.Concurrency = 1
	tg := New(opts)
	tg.Respond = func(sub int, _ uint64) Reply {
		if sub == 0 {
			return Reply{Status: 410}
		}
		return Reply{}
	}
	r := start(t, tg, subs, n)
	r.publish(events(t, n))
	r.settle()
	r.check(want{unique: n, lost: n, requests: n + 1, exhausted: n})
	if sc := r.ledger.SubscriberCounts(); sc[0].Unique != 0 || sc[1].Unique != n {
		t.Errorf("unique per subscriber = %d, %d; want 0, %d", sc[0].Unique, sc[1].Unique, n)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	const n = 2
	tg := New(fast()) // without Retry-After, retries would wait <= 1ms
	ff := &failFirst{reply: Reply{Status: 429, RetryAfter: time.Second}, seen: map[[2]uint64][]time.Time{}}
	tg.Respond = ff.respond
	r := start(t, tg, 1, n)
	r.publish(events(t, n))
	r.settle()
	r.check(want{unique: n, requests: 2 * n, retries: n})
	for k, at := range ff.seen {
		if len(at) != 2 {
			t.Fatalf("%v: %d attempts, want 2", k, len(at))
		}
		if gap := at[1].Sub(at[0]); gap < time.Second {
			t.Errorf("%v: retried after %v, want >= 1s (Retry-After: 1)", k, gap)
		}
	}
}

func TestOneAttemptGivesUp(t *testing.T) {
	const subs, n = 2, 100
	opts := fast()
	opts.Retry.Attempts = 1
	tg := New(opts)
	tg.Respond = func(int, uint64) Reply { return Reply{Status: 500} }
	r := start(t, tg, subs, n)
	r.publish(events(t, n))
	r.settle()
	exp := int64(subs * n)
	r.check(want{lost: exp, requests: exp, exhausted: exp})
}

func TestRetryScheduleRunsOut(t *testing.T) {
	const n = 20
	opts := fast()
	opts.Retry.Attempts = 4
	tg := New(opts)
	tg.Respond = func(int, uint64) Reply { return Reply{Status: 503} }
	r := start(t, tg, 1, n)
	r.publish(events(t, n))
	r.settle()
	r.check(want{lost: n, requests: 4 * n, retries: 3 * n, exhausted: n})
}

func TestTimeoutIsRetried(t *testing.T) {
	opts := fast()
	opts.Timeout = bench.Duration(50 * time.Millisecond)
	tg := New(opts)
	release := make(chan struct{})
	var calls atomic.Int32
	tg.Respond = func(int, uint64) Reply {
		if calls.Add(1) == 1 {
			<-release // hang past the sender's timeout
			return Reply{Status: 500}
		}
		return Reply{}
	}
	r := start(t, tg, 1, 1)
	t.Cleanup(func() { close(release) }) // before Close, which waits for the handler
	r.publish(events(t, 1))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.prod.Drain(ctx); err != nil {
		t.Fatalf("Drain: %v", err)
	}
	r.check(want{unique: 1, requests: 2, retries: 1})
	// The timed-out connection is not reused.
	if got := r.meter.Traffic().Connections; got != 2 {
		t.Errorf("connections = %d, want 2", got)
	}
}

func TestDrainWaitsForRetries(t *testing.T) {
	opts := Options{Retry: Retry{Base: bench.Duration(time.Hour), Cap: bench.Duration(time.Hour)}}
	tg := New(opts)
	answered := make(chan struct{})
	var once sync.Once
	tg.Respond = func(int, uint64) Reply {
		once.Do(func() { close(answered) })
		return Reply{Status: 500}
	}
	r := start(t, tg, 1, 1)
	r.publish(events(t, 1))
	<-answered
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := r.prod.Drain(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Drain with a retry an hour away = %v, want DeadlineExceeded", err)
	}
	// Close must not wait for the retry, nor count it as given up.
	t0 := time.Now()
	if err := r.prod.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("Close took %v with a retry waiting", d)
	}
	if got := r.meter.Get(bench.Exhausted); got != 0 {
		t.Errorf("exhausted = %d after Close, want 0 (dropped, not given up)", got)
	}
}

func TestDrainWhenIdle(t *testing.T) {
	r := start(t, New(Options{}), 1, 1)
	if err := r.prod.Drain(context.Background()); err != nil {
		t.Fatalf("Drain with nothing published = %v", err)
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	r := start(t, New(Options{}), 2, 10)
	r.publish(events(t, 10))
	r.settle()
	if err := r.prod.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if err := r.prod.Publish(events(t, 1)[0]); !errors.Is(err, ErrClosed) {
		t.Fatalf("Publish after Close = %v, want ErrClosed", err)
	}
}

// Close is safe while deliveries are still in flight and queued.
func TestCloseWhileBusy(t *testing.T) {
	const n = 2000
	var delivered atomic.Int64
	tg := New(Options{})
	tg.Respond = func(int, uint64) Reply { delivered.Add(1); return Reply{} }
	r := start(t, tg, 2, n)
	r.publish(events(t, n))
	if err := r.prod.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	after := delivered.Load()
	if c := r.ledger.Counts(); c.Unique > after {
		t.Errorf("ledger has %d deliveries, receivers answered %d", c.Unique, after)
	}
}

func TestStartFailsCleanly(t *testing.T) {
	defer goleak.VerifyNone(t, leakOptions...)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	env := bench.Env{Subscribers: 3, Sink: bench.SinkFunc(func(bench.Delivery) {}), Meter: bench.NewMeter(), Logger: discard()}
	// The receivers come up, then the cancelled context fails the start:
	// everything started must be stopped again.
	if p, err := New(Options{}).Start(ctx, env); !errors.Is(err, context.Canceled) || p != nil {
		t.Fatalf("Start with a cancelled context = %v, %v; want nil, context.Canceled", p, err)
	}
}

func TestStartRejectsBadInput(t *testing.T) {
	good := bench.Env{Subscribers: 1, Sink: bench.SinkFunc(func(bench.Delivery) {}), Meter: bench.NewMeter()}
	tests := []struct {
		name string
		opts Options
		env  bench.Env
	}{
		{name: "options", opts: Options{Concurrency: -1}, env: good},
		{name: "no subscribers", env: bench.Env{Sink: good.Sink, Meter: good.Meter}},
		{name: "no sink", env: bench.Env{Subscribers: 1, Meter: good.Meter}},
		{name: "no meter", env: bench.Env{Subscribers: 1, Sink: good.Sink}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p, err := New(tt.opts).Start(context.Background(), tt.env); err == nil {
				_ = p.Close()
				t.Fatal("Start succeeded")
			}
		})
	}
}

// The Target runs under the engine's Runner like any other pattern.
func TestRunner(t *testing.T) {
	sc := &bench.Scenario{
		Name:        "webhook-smoke",
		Seed:        testSeed,
		Duration:    bench.Duration(300 * time.Millisecond),
		Subscribers: 2,
		Stream:      bench.StreamSpec{Rate: 500},
		Patterns:    bench.PatternList{{Name: "webhook", Options: DefaultOptions()}},
	}
	sc.Defaults()
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := (&bench.Runner{}).Run(context.Background(), sc, []bench.Target{New(Options{})})
	if err != nil {
		t.Fatal(err)
	}
	pr := res.Patterns[0]
	if !pr.Valid || pr.Events.Lost != 0 || pr.Events.Expected == 0 || pr.Drain != bench.DrainIdle {
		t.Fatalf("result: valid=%v drain=%s events=%+v", pr.Valid, pr.Drain, pr.Events)
	}
	if pr.Overhead.Requests != pr.Events.Expected {
		t.Errorf("requests = %d, want %d (one per delivery)", pr.Overhead.Requests, pr.Events.Expected)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
