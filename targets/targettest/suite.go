package targettest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/hookbench/hookbench/bench"
)

// shortStream is the length of the streams of the lifecycle subtests.
const shortStream = 300 * time.Millisecond

// Run runs the conformance suite against targets built by newTarget,
// which is called once per run with the subtest's t (it may register
// cleanups or fail the test). Each subtest starts its own target on fresh
// loopback ports:
//
//   - Delivery: every event reaches every subscriber (lost == 0, unique ==
//     expected, unexpected == 0) at 4 subscribers and 200 events/s for
//     1.5s, Drain returns nil and Close returns nil; the start context is
//     cancelled as soon as Start returns and the run must not notice.
//   - Accounting: per-subscriber counts add up, each delivery carries the
//     published key and due time and is neither earlier than its
//     publication nor later than Close, requests and bytes are metered.
//     (It checks the Delivery run; run alone, it makes its own.)
//   - DrainIdle: Drain with nothing published returns nil.
//   - DrainCancelled: with a delivery held in the sink, Drain returns
//     ctx's error promptly after ctx is cancelled.
//   - CloseNoLeak: after a drained stream, Close leaves no goroutine
//     behind (goleak, after a warm-up run).
//   - CancelMidStream: the stream is cut short and Close is called with
//     deliveries in flight: it returns promptly and nil, without a leak.
//   - PublishAfterClose: Publish after Close returns an error or is
//     ignored; a second Close is harmless; neither panics.
//
// Run must not be called from a parallel test.
func Run(t *testing.T, newTarget func(t *testing.T) bench.Target, opts ...Option) {
	t.Helper()
	s := &suite{cfg: defaultConfig(), newTarget: newTarget}
	for _, o := range opts {
		o(&s.cfg)
	}
	t.Run("Delivery", s.testDelivery)
	t.Run("Accounting", s.testAccounting)
	t.Run("DrainIdle", s.testDrainIdle)
	t.Run("DrainCancelled", s.testDrainCancelled)
	t.Run("CloseNoLeak", s.testCloseNoLeak)
	t.Run("CancelMidStream", s.testCancelMidStream)
	t.Run("PublishAfterClose", s.testPublishAfterClose)
}

type suite struct {
	cfg       config
	newTarget func(t *testing.T) bench.Target

	mainOnce sync.Once
	main     *mainRun // nil if the run failed
	warmOnce sync.Once
	warmOK   bool
}

// mainRun is the outcome of the delivery run, shared by Delivery and
// Accounting.
type mainRun struct {
	name       string
	events     int
	published  int
	drainErr   error
	counts     bench.Events // right after Drain
	subs       []bench.SubscriberEvents
	requests   int64
	traffic    bench.Traffic
	closeErr   error
	violations int64
	problems   []string
}

// mainRun runs the delivery stream once per suite.
func (s *suite) mainRun(t *testing.T) *mainRun {
	t.Helper()
	s.mainOnce.Do(func() {
		r := s.start(t, s.cfg.duration, nil)
		res := &mainRun{name: r.name, events: len(r.events)}
		n, err := r.publish(context.Background())
		if err != nil {
			t.Fatalf("%v", err)
		}
		res.published = n
		res.drainErr = r.drain(s.cfg.drainTimeout)
		res.counts = r.ledger.Counts()
		res.subs = r.ledger.SubscriberCounts()
		res.closeErr = r.close()
		res.requests = r.meter.Get(bench.Requests)
		res.traffic = r.meter.Traffic()
		res.violations, res.problems = r.sink.violations()
		s.main = res
		c := res.counts
		t.Logf("%s: published %d, expected %d, delivered %d, unique %d, lost %d, duplicates %d, out of order %d; requests %d, bytes %d, connections %d",
			res.name, c.Published, c.Expected, c.Delivered, c.Unique, c.Lost, c.Duplicates, c.OutOfOrder,
			res.requests, res.traffic.Bytes, res.traffic.Connections)
	})
	if s.main == nil {
		t.Fatal("the delivery run failed (see the first subtest that ran it)")
	}
	return s.main
}

func (s *suite) testDelivery(t *testing.T) {
	res := s.mainRun(t)
	c := res.counts
	if res.drainErr != nil {
		t.Errorf("Drain after the stream: %v; want nil within %v (the start context was cancelled when Start returned: consumers must not depend on it)",
			res.drainErr, s.cfg.drainTimeout)
	}
	if res.published != res.events || c.Published != int64(res.events) {
		t.Errorf("published %d (ledger %d) of %d events", res.published, c.Published, res.events)
	}
	if c.Lost != 0 || c.Unique != c.Expected {
		t.Errorf("lost %d of %d expected deliveries (unique %d); want lost == 0 and unique == expected", c.Lost, c.Expected, c.Unique)
	}
	if c.Unexpected != 0 {
		t.Errorf("unexpected = %d, want 0: deliveries of events never published", c.Unexpected)
	}
	for i, sc := range res.subs {
		if sc.Lost != 0 {
			t.Errorf("subscriber %d lost %d of %d events", i, sc.Lost, c.Published)
		}
	}
	if res.closeErr != nil {
		t.Errorf("Close: %v", res.closeErr)
	}
}

func (s *suite) testAccounting(t *testing.T) {
	res := s.mainRun(t)
	c := res.counts
	var delivered, unique int64
	for _, sc := range res.subs {
		delivered += sc.Delivered
		unique += sc.Unique
		if sc.Duplicates != sc.Delivered-sc.Unique || sc.Duplicates < 0 {
			t.Errorf("subscriber counts inconsistent: %+v", sc)
		}
	}
	if len(res.subs) != s.cfg.subscribers || delivered != c.Delivered || unique != c.Unique {
		t.Errorf("%d subscribers delivered %d (unique %d); totals say %d (unique %d)", len(res.subs), delivered, unique, c.Delivered, c.Unique)
	}
	if c.Duplicates != c.Delivered-c.Unique || c.Lost != c.Expected-c.Unique || c.Expected != c.Published*int64(s.cfg.subscribers) {
		t.Errorf("counts inconsistent: %+v", c)
	}
	if res.violations > 0 {
		t.Errorf("%d deliveries broke the Sink contract; the first ones:", res.violations)
		for _, p := range res.problems {
			t.Errorf("  %s", p)
		}
	}
	if res.requests <= 0 {
		t.Errorf("requests = %d: every HTTP request either side makes must be counted (bench.Requests)", res.requests)
	}
	if res.traffic.Bytes <= 0 || res.traffic.Connections <= 0 {
		t.Errorf("traffic %+v: client connections must be wrapped with Meter.Dialed and listeners with Meter.Listener", res.traffic)
	}
}

func (s *suite) testDrainIdle(t *testing.T) {
	r := s.start(t, shortStream, nil)
	if err := r.drain(s.cfg.drainTimeout); err != nil {
		t.Errorf("Drain with nothing published: %v, want nil", err)
	}
	r.closeWithin(t, s.cfg.closeTimeout)
}

func (s *suite) testDrainCancelled(t *testing.T) {
	gate := make(chan struct{})
	var release sync.Once
	open := func() { release.Do(func() { close(gate) }) }
	r := s.start(t, shortStream, gate)
	t.Cleanup(open) // before the run's own Close cleanup, which is older
	ev := r.events[0]
	r.sink.publish(ev)
	if err := r.prod.Publish(ev); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const after = 100 * time.Millisecond
	stop := time.AfterFunc(after, cancel)
	defer stop.Stop()
	began := time.Now()
	err := r.prod.Drain(ctx)
	took := time.Since(began)
	switch {
	case err == nil:
		t.Errorf("Drain returned nil after %v while the only delivery was held in the sink: it must wait for the consumer", took)
	case !errors.Is(err, context.Canceled):
		t.Errorf("Drain: %v, want ctx's error (context.Canceled)", err)
	case took > after+s.cfg.closeTimeout:
		t.Errorf("Drain returned %v after ctx was cancelled, want promptly", took-after)
	}
	open()
	r.closeWithin(t, s.cfg.closeTimeout)
}

// warmUp starts and closes a target once per suite, so that goroutines a
// library starts once per process are in the leak checks' baseline.
func (s *suite) warmUp(t *testing.T) {
	t.Helper()
	s.warmOnce.Do(func() {
		r := s.start(t, 50*time.Millisecond, nil)
		if _, err := r.publish(context.Background()); err != nil {
			t.Fatalf("warm-up: %v", err)
		}
		if err := r.drain(s.cfg.drainTimeout); err != nil {
			t.Fatalf("warm-up: Drain: %v", err)
		}
		if err := r.close(); err != nil {
			t.Fatalf("warm-up: Close: %v", err)
		}
		s.warmOK = true
	})
	if !s.warmOK {
		t.Fatal("the warm-up run failed")
	}
}

func (s *suite) verifyNoLeak(t *testing.T, base goleak.Option) {
	t.Helper()
	goleak.VerifyNone(t, append([]goleak.Option{base}, s.cfg.leak...)...)
}

func (s *suite) testCloseNoLeak(t *testing.T) {
	s.warmUp(t)
	base := goleak.IgnoreCurrent()
	r := s.start(t, shortStream, nil)
	if _, err := r.publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := r.drain(s.cfg.drainTimeout); err != nil {
		t.Errorf("Drain: %v", err)
	}
	r.closeWithin(t, s.cfg.closeTimeout)
	s.verifyNoLeak(t, base)
}

func (s *suite) testCancelMidStream(t *testing.T) {
	s.warmUp(t)
	base := goleak.IgnoreCurrent()
	r := s.start(t, s.cfg.duration, nil)
	ctx, cancel := context.WithTimeout(context.Background(), min(shortStream, s.cfg.duration/2))
	defer cancel()
	n, err := r.publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n == len(r.events) {
		t.Fatalf("the stream of %d events was not cut short", n)
	}
	// No Drain: deliveries are in flight, as when a run is interrupted.
	r.closeWithin(t, s.cfg.closeTimeout)
	s.verifyNoLeak(t, base)
	if v, problems := r.sink.violations(); v > 0 {
		t.Errorf("%d deliveries broke the Sink contract: %q", v, problems)
	}
}

func (s *suite) testPublishAfterClose(t *testing.T) {
	r := s.start(t, 50*time.Millisecond, nil)
	if _, err := r.publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := r.drain(s.cfg.drainTimeout); err != nil {
		t.Errorf("Drain: %v", err)
	}
	r.closeWithin(t, s.cfg.closeTimeout)
	late := bench.Event{Seq: uint64(len(r.events)), Due: time.Since(r.ledger.Started()), Size: s.cfg.payload}
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("Publish after Close panicked: %v", p)
			}
		}()
		if err := r.prod.Publish(late); err != nil {
			t.Logf("Publish after Close: %v", err)
		} else {
			t.Logf("Publish after Close was ignored")
		}
	}()
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("a second Close panicked: %v", p)
			}
		}()
		if err := r.prod.Close(); err != nil {
			t.Logf("second Close: %v", err)
		}
	}()
	if v, problems := r.sink.violations(); v > 0 {
		t.Errorf("%d deliveries broke the Sink contract: %q", v, problems)
	}
}
