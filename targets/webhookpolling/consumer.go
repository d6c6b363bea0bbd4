package webhookpolling

import (
	"sync/atomic"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/internal/chunked"
)

// The consumer keeps two bits per (subscriber, event): seen by any path,
// and delivered by the webhook path. 32 pairs share a word.
const (
	seenBit    = 1
	webhookBit = 2
	pairsShift = 5 // log2 of the pairs per word
)

// A consumer is the subscribers' application side of a run: the dedupe
// store both paths consult before processing (an atomic bitset with a bit
// per subscriber and event, like the ledger's), and the counts that split
// the pattern's duplicates by cause. Its methods are safe for concurrent
// use, take no locks and do not allocate (the reconciler's held events
// aside, see settler).
type consumer struct {
	sink   bench.Sink
	subs   int
	bits   chunked.Table[uint64]
	settle time.Duration // 0: none
	held   *settler

	// base is a monotonic time origin; epoch, in ns since base, is the
	// earliest publish time minus due seen: the run's time zero as the
	// producer side saw it, so that an event's age is known from its due
	// time, the way a real consumer reads an event's created_at.
	base  time.Time
	epoch atomic.Int64

	redelivered      atomic.Int64 // webhook deliveries the webhook path had already made
	afterReconcile   atomic.Int64 // webhook deliveries of events the reconciler delivered first
	reconciled       atomic.Int64 // first deliveries made by the reconciler
	reconcileSkipped atomic.Int64 // events the reconciler found already delivered
	reconcileHeld    atomic.Int64 // unseen events the reconciler held back for settle
}

func newConsumer(sink bench.Sink, subs int, settle time.Duration) *consumer {
	c := &consumer{sink: sink, subs: subs, settle: max(settle, 0), base: time.Now()}
	c.epoch.Store(1<<63 - 1)
	return c
}

// published prepares the consumer's state for ev before it is handed to
// either path, and notes the run's time zero.
func (c *consumer) published(ev bench.Event) error {
	first := ev.Seq * uint64(c.subs) >> pairsShift
	last := (ev.Seq*uint64(c.subs) + uint64(c.subs) - 1) >> pairsShift
	if err := c.bits.Ensure(first); err != nil {
		return err
	}
	if err := c.bits.Ensure(last); err != nil {
		return err
	}
	zero := int64(time.Since(c.base) - ev.Due)
	for {
		e := c.epoch.Load()
		if zero >= e || c.epoch.CompareAndSwap(e, zero) {
			return nil
		}
	}
}

// mark sets bits for (sub, seq) and returns the pair's bits as they were
// before. It reports false for a subscriber out of range or a seq beyond
// the table grown so far (far from any published event): the delivery is
// then forwarded, for the ledger to count as unexpected.
func (c *consumer) mark(sub int, seq uint64, bits uint64) (uint64, bool) {
	w, shift, ok := c.word(sub, seq)
	if !ok {
		return 0, false
	}
	return atomic.OrUint64(w, bits<<shift) >> shift & (seenBit | webhookBit), true
}

// load returns the bits of (sub, seq), or false as mark does.
func (c *consumer) load(sub int, seq uint64) (uint64, bool) {
	w, shift, ok := c.word(sub, seq)
	if !ok {
		return 0, false
	}
	return atomic.LoadUint64(w) >> shift & (seenBit | webhookBit), true
}

func (c *consumer) word(sub int, seq uint64) (*uint64, uint, bool) {
	if sub < 0 || sub >= c.subs {
		return nil, 0, false
	}
	pair := seq*uint64(c.subs) + uint64(sub)
	w := c.bits.At(pair >> pairsShift)
	if w == nil {
		return nil, 0, false
	}
	return w, uint(pair&(1<<pairsShift-1)) * 2, true
}

// A webhookSink is the webhook path's consumer: every delivery is
// processed as it comes (transport duplicates included, as a consumer
// whose dedupe is keyed on the same id would see them before dropping
// them), and marked seen, so that the reconciler skips it.
type webhookSink struct{ c *consumer }

// Deliver marks d's event seen and forwards d.
func (s webhookSink) Deliver(d bench.Delivery) {
	c := s.c
	old, ok := c.mark(d.Subscriber, d.Seq, seenBit|webhookBit)
	switch {
	case !ok:
		// Not an event of ours: forward it, for the ledger to count as
		// unexpected.
	case old&webhookBit != 0:
		c.redelivered.Add(1)
	case old&seenBit != 0:
		c.afterReconcile.Add(1)
	}
	c.sink.Deliver(d)
}

// A reconcileSink is the reconciler's consumer: it dedupes by event id
// before processing, so only events the webhook path has not delivered go
// on, on bench.PathReconcile. An unseen event younger than the settle time
// is held until it is that old (the webhook may still bring it).
type reconcileSink struct{ c *consumer }

// Deliver processes d if its event was not seen yet.
func (s reconcileSink) Deliver(d bench.Delivery) {
	c := s.c
	old, ok := c.load(d.Subscriber, d.Seq)
	if ok && old&seenBit != 0 {
		c.reconcileSkipped.Add(1)
		return
	}
	if ok && c.settle > 0 {
		if due := c.settledAt(d.Due); d.At.Before(due) {
			c.reconcileHeld.Add(1)
			c.held.hold(d, due)
			return
		}
	}
	c.reconcile(d)
}

// settledAt returns when an event due at due is settle old.
func (c *consumer) settledAt(due time.Duration) time.Time {
	return c.base.Add(time.Duration(c.epoch.Load()) + due + c.settle)
}

// reconcile processes d on the reconcile path unless its event is seen
// by now. d.At is when the consumer processes it.
func (c *consumer) reconcile(d bench.Delivery) {
	old, ok := c.mark(d.Subscriber, d.Seq, seenBit)
	if ok && old&seenBit != 0 {
		c.reconcileSkipped.Add(1)
		return
	}
	d.Path = bench.PathReconcile
	c.reconciled.Add(1)
	c.sink.Deliver(d)
}

// seen reports whether d's event is seen (true as well for a pair mark
// refuses: nothing will ever be waited for there).
func (c *consumer) seen(d bench.Delivery) bool {
	old, ok := c.load(d.Subscriber, d.Seq)
	return !ok || old&seenBit != 0
}
