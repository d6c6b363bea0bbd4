package webhookpolling

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/internal/chunked"
)

// A recordSink keeps every delivery it gets.
type recordSink struct {
	mu  sync.Mutex
	got []bench.Delivery
}

func (s *recordSink) Deliver(d bench.Delivery) {
	s.mu.Lock()
	s.got = append(s.got, d)
	s.mu.Unlock()
}

func (s *recordSink) deliveries() []bench.Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bench.Delivery(nil), s.got...)
}

// TestConsumerDedupe walks the consumer through every case of its dedupe,
// on a fake clock: what each path forwards, on which path, and how the
// duplicates are told apart.
func TestConsumerDedupe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const settle = 100 * time.Millisecond
		sink := &recordSink{}
		c := newConsumer(sink, 2, settle)
		c.held = newSettler(c)
		defer c.held.close()
		start := time.Now()
		ev := func(seq uint64) bench.Event {
			return bench.Event{Seq: seq, Due: time.Duration(seq) * 10 * time.Millisecond, Size: 100}
		}
		at := func(seq uint64, sub int, path bench.Path) bench.Delivery {
			e := ev(seq)
			return bench.Delivery{Subscriber: sub, Seq: seq, Due: e.Due, At: time.Now(), Path: path}
		}
		for seq := range uint64(5) {
			time.Sleep(time.Until(start.Add(ev(seq).Due)))
			if err := c.published(ev(seq)); err != nil {
				t.Fatal(err)
			}
		}
		wh, rc := webhookSink{c}, reconcileSink{c}

		wh.Deliver(at(0, 0, bench.PathPrimary)) // first delivery
		rc.Deliver(at(0, 0, bench.PathPrimary)) // skipped: seen
		wh.Deliver(at(0, 0, bench.PathPrimary)) // a webhook retry: redelivered
		rc.Deliver(at(1, 1, bench.PathPrimary)) // unseen, 10ms old: held
		rc.Deliver(at(2, 1, bench.PathPrimary)) // held
		wh.Deliver(at(2, 1, bench.PathPrimary)) // the webhook brings it: the held one is dropped
		if c.held.settled() {
			t.Errorf("settled with seq 1 held and unseen")
		}
		time.Sleep(settle) // seq 1 is 110ms old: reconciled
		synctest.Wait()
		wh.Deliver(at(1, 1, bench.PathPrimary))     // late webhook: after reconcile
		rc.Deliver(at(3, 0, bench.PathPrimary))     // old enough: reconciled at once
		rc.Deliver(at(3, 0, bench.PathPrimary))     // a second page with it: skipped
		rc.Deliver(at(1<<30, 0, bench.PathPrimary)) // far beyond what was published: forwarded for the ledger to flag
		if !c.held.settled() {
			t.Errorf("not settled with nothing unseen held")
		}
		if err := c.held.drain(context.Background()); err != nil {
			t.Errorf("drain: %v", err)
		}

		type row struct {
			sub  int
			seq  uint64
			path bench.Path
			age  time.Duration // since start
		}
		want := []row{
			{0, 0, bench.PathPrimary, 40 * time.Millisecond},
			{0, 0, bench.PathPrimary, 40 * time.Millisecond},
			{1, 2, bench.PathPrimary, 40 * time.Millisecond},
			{1, 1, bench.PathReconcile, 110 * time.Millisecond}, // held until 10ms + settle
			{1, 1, bench.PathPrimary, 140 * time.Millisecond},
			{0, 3, bench.PathReconcile, 140 * time.Millisecond},
			{0, 1 << 30, bench.PathReconcile, 140 * time.Millisecond},
		}
		got := sink.deliveries()
		if len(got) != len(want) {
			t.Fatalf("got %d deliveries %+v, want %d", len(got), got, len(want))
		}
		for i, d := range got {
			w := want[i]
			if d.Subscriber != w.sub || d.Seq != w.seq || d.Path != w.path || d.At.Sub(start) != w.age {
				t.Errorf("delivery %d: sub %d seq %d path %v at %v; want sub %d seq %d path %v at %v",
					i, d.Subscriber, d.Seq, d.Path, d.At.Sub(start), w.sub, w.seq, w.path, w.age)
			}
		}
		for name, n := range map[string]struct{ got, want int64 }{
			"redelivered":      {c.redelivered.Load(), 1},
			"afterReconcile":   {c.afterReconcile.Load(), 1},
			"reconciled":       {c.reconciled.Load(), 3},
			"reconcileSkipped": {c.reconcileSkipped.Load(), 3}, // seq 0, the held seq 2, seq 3 again
			"reconcileHeld":    {c.reconcileHeld.Load(), 2},
		} {
			if n.got != n.want {
				t.Errorf("%s = %d, want %d", name, n.got, n.want)
			}
		}
	})
}

// TestSettlerOrder holds events out of order and checks they come out by
// due time, each at its time.
func TestSettlerOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := &recordSink{}
		c := newConsumer(sink, 1, time.Second)
		c.held = newSettler(c)
		defer c.held.close()
		start := time.Now()
		for seq := range uint64(64) {
			if err := c.published(bench.Event{Seq: seq, Due: 0}); err != nil {
				t.Fatal(err)
			}
		}
		for _, seq := range []uint64{5, 3, 9, 1, 7, 2, 8, 4, 6, 0} {
			c.held.hold(bench.Delivery{Seq: seq}, start.Add(time.Duration(seq)*time.Millisecond))
		}
		time.Sleep(20 * time.Millisecond)
		synctest.Wait()
		got := sink.deliveries()
		if len(got) != 10 {
			t.Fatalf("got %d deliveries, want 10", len(got))
		}
		for i, d := range got {
			if d.Seq != uint64(i) || d.At.Sub(start) != time.Duration(i)*time.Millisecond {
				t.Errorf("delivery %d: seq %d at %v, want seq %d at %dms", i, d.Seq, d.At.Sub(start), i, i)
			}
		}
	})
}

// Publishing past the table's capacity is refused, not silently dropped.
func TestConsumerCapacity(t *testing.T) {
	c := newConsumer(&recordSink{}, 1, 0)
	if err := c.published(bench.Event{Seq: chunked.Capacity * 32}); err == nil {
		t.Errorf("published beyond capacity: nil error")
	}
	if _, ok := c.mark(0, 1<<40, seenBit); ok {
		t.Errorf("mark of an unpublished pair reported ok")
	}
}
