package targettest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// maxProblems is how many contract violations a checkSink keeps the text
// of; it counts them all.
const maxProblems = 10

// A checkSink is the Sink the suite hands to targets: it records every
// delivery in a Ledger and checks it against ground truth, the events the
// suite published and when. Deliver is safe for concurrent use.
type checkSink struct {
	ledger *bench.Ledger
	events []bench.Event   // the stream, by seq
	pubAt  []atomic.Int64  // publish time since the ledger's start + 1ns; 0 = not yet
	closed atomic.Bool     // Close has returned: no delivery may follow
	gate   <-chan struct{} // if set, Deliver waits for it to close
	first  chan struct{}   // closed at the first delivery
	once   sync.Once

	n        atomic.Int64
	mu       sync.Mutex
	problems []string
}

func newCheckSink(ledger *bench.Ledger, events []bench.Event) *checkSink {
	return &checkSink{
		ledger: ledger,
		events: events,
		pubAt:  make([]atomic.Int64, len(events)),
		first:  make(chan struct{}),
	}
}

// publish records that ev is about to be handed to the producer; call it
// before the producer's Publish.
func (s *checkSink) publish(ev bench.Event) {
	s.ledger.Publish(ev)
	if ev.Seq < uint64(len(s.pubAt)) {
		s.pubAt[ev.Seq].Store(int64(time.Since(s.ledger.Started())) + 1)
	}
}

// Deliver checks d and records it in the ledger. It implements bench.Sink.
func (s *checkSink) Deliver(d bench.Delivery) {
	s.once.Do(func() { close(s.first) })
	if s.gate != nil {
		<-s.gate
	}
	s.check(d)
	s.ledger.Deliver(d)
}

func (s *checkSink) check(d bench.Delivery) {
	if s.closed.Load() {
		s.problem("subscriber %d delivered seq %d after Close returned: Close must wait for the consumer side", d.Subscriber, d.Seq)
	}
	if d.Seq >= uint64(len(s.events)) {
		return // the ledger counts it as unexpected
	}
	ev := s.events[d.Seq]
	if d.Key != ev.Key || d.Due != ev.Due {
		s.problem("subscriber %d: seq %d delivered with key %d due %v, published with key %d due %v",
			d.Subscriber, d.Seq, d.Key, d.Due, ev.Key, ev.Due)
	}
	pub := s.pubAt[d.Seq].Load()
	switch {
	case pub == 0:
		s.problem("subscriber %d: seq %d delivered before it was published", d.Subscriber, d.Seq)
	case d.At.Sub(s.ledger.Started()) < time.Duration(pub-1):
		s.problem("subscriber %d: seq %d delivered at %v, before its publication at %v (Delivery.At must be the arrival time, time.Now())",
			d.Subscriber, d.Seq, d.At.Sub(s.ledger.Started()), time.Duration(pub-1))
	}
	if d.Path != bench.PathPrimary && d.Path != bench.PathReconcile {
		s.problem("subscriber %d: seq %d delivered on unknown path %d", d.Subscriber, d.Seq, d.Path)
	}
}

func (s *checkSink) problem(format string, args ...any) {
	if s.n.Add(1) > maxProblems {
		return
	}
	s.mu.Lock()
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

// violations returns the number of contract violations seen and the text
// of the first ones.
func (s *checkSink) violations() (int64, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n.Load(), append([]string(nil), s.problems...)
}
