package targettest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// A run is one target started by the suite, with the ground truth its
// deliveries are checked against.
type run struct {
	name    string
	prod    bench.Producer
	ledger  *bench.Ledger
	sink    *checkSink
	meter   *bench.Meter
	events  []bench.Event
	closing atomic.Bool
}

// streamEvents returns the events of a Poisson stream at the suite's rate
// and payload, over duration.
func (c *config) streamEvents(duration time.Duration) []bench.Event {
	spec := bench.StreamSpec{Rate: bench.Rate(c.rate), Arrival: bench.Poisson, Payload: bench.Size(c.payload)}.WithDefaults()
	st := bench.NewStream(spec, c.seed, duration)
	var evs []bench.Event
	for ev, ok := st.Next(); ok; ev, ok = st.Next() {
		evs = append(evs, ev)
	}
	return evs
}

// start builds a target with newTarget and starts it for a stream of
// duration. gate, if not nil, holds every delivery in the sink until it is
// closed. The start context is cancelled as soon as Start returns: it
// bounds the start-up only, and the run must go on without it. The target
// is closed at the end of the test if the test did not close it.
func (s *suite) start(t *testing.T, duration time.Duration, gate <-chan struct{}) *run {
	t.Helper()
	events := s.cfg.streamEvents(duration)
	ledger, err := bench.NewLedger(bench.LedgerConfig{
		Subscribers: s.cfg.subscribers,
		Events:      uint64(len(events)),
		Keys:        8,
		Span:        duration + s.cfg.drainTimeout + 5*time.Second,
	})
	if err != nil {
		t.Fatalf("ledger: %v", err)
	}
	r := &run{ledger: ledger, sink: newCheckSink(ledger, events), meter: bench.NewMeter(), events: events}
	r.sink.gate = gate
	target := s.newTarget(t)
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.startTimeout)
	prod, err := target.Start(ctx, bench.Env{
		Subscribers: s.cfg.subscribers,
		Sink:        r.sink,
		Meter:       r.meter,
		Seed:        s.cfg.seed,
		Logger:      Logger(t),
	})
	cancel()
	if err != nil {
		t.Fatalf("%s: Start: %v", target.Name(), err)
	}
	r.prod, r.name = prod, target.Name()
	t.Cleanup(func() {
		if err := r.close(); err != nil {
			t.Errorf("Close at the end of the test: %v", err)
		}
	})
	ledger.Start(time.Now())
	return r
}

// publish publishes the run's events at their due times, as bench.Runner
// does (open model: it never waits for deliveries), until they are all
// published or ctx ends. It returns how many were published.
func (r *run) publish(ctx context.Context) (int, error) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	start := r.ledger.Started()
	for i, ev := range r.events {
		if wait := time.Until(start.Add(ev.Due)); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return i, nil
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			return i, nil
		}
		r.sink.publish(ev)
		if err := r.prod.Publish(ev); err != nil {
			return i, fmt.Errorf("Publish seq %d: %v", ev.Seq, err)
		}
	}
	return len(r.events), nil
}

// drain calls Drain with the suite's drain timeout.
func (r *run) drain(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return r.prod.Drain(ctx)
}

// close closes the producer once; later calls return nil at once, without
// waiting for the first (a Close that hangs must not hang the cleanup).
// From its return on, any delivery is a violation.
func (r *run) close() error {
	if !r.closing.CompareAndSwap(false, true) {
		return nil
	}
	err := r.prod.Close()
	r.sink.closed.Store(true)
	return err
}

// closeWithin closes the producer and fails the test if Close takes longer
// than d.
func (r *run) closeWithin(t *testing.T, d time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	began := time.Now()
	go func() { done <- r.close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
		t.Logf("Close took %v", time.Since(began).Round(time.Millisecond))
	case <-time.After(d):
		t.Fatalf("Close did not return within %v", d)
	}
}
