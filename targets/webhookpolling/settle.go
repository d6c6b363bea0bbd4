package webhookpolling

import (
	"context"
	"sync"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// A settler holds the unseen events the reconciler found too young to call
// missed, and processes each once it is settle old, unless the webhook
// path has brought it in the meantime. It plays a reconciler whose cursor
// stays settle behind the head, without the poller having to know: the
// polling target pages from its own cursor.
//
// Only the events a page finds unseen and young are held (about settle ×
// rate per subscriber at each poll), so a lock and a heap are cheap here.
type settler struct {
	c    *consumer
	mu   sync.Mutex
	heap []heldEvent // min-heap on at
	wake chan struct{}
	idle chan struct{} // poked, without blocking, when the heap shrinks

	cancel context.CancelFunc
	done   chan struct{}
}

// A heldEvent is a reconciler delivery waiting until at, when its event is
// settle old.
type heldEvent struct {
	d  bench.Delivery
	at time.Time
}

func newSettler(c *consumer) *settler {
	ctx, cancel := context.WithCancel(context.Background())
	s := &settler{c: c, wake: make(chan struct{}, 1), idle: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go s.run(ctx)
	return s
}

// hold keeps d until at.
func (s *settler) hold(d bench.Delivery, at time.Time) {
	s.mu.Lock()
	s.heap = append(s.heap, heldEvent{d: d, at: at})
	i := len(s.heap) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !s.heap[i].at.Before(s.heap[p].at) {
			break
		}
		s.heap[i], s.heap[p] = s.heap[p], s.heap[i]
		i = p
	}
	head := i == 0
	s.mu.Unlock()
	if head {
		poke(s.wake)
	}
}

// pop removes and returns the earliest held event if it is due by now.
func (s *settler) pop(now time.Time) (heldEvent, time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.heap) == 0 {
		return heldEvent{}, -1, false
	}
	if wait := s.heap[0].at.Sub(now); wait > 0 {
		return heldEvent{}, wait, false
	}
	top := s.heap[0]
	n := len(s.heap) - 1
	s.heap[0] = s.heap[n]
	s.heap = s.heap[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && s.heap[l].at.Before(s.heap[m].at) {
			m = l
		}
		if r < n && s.heap[r].at.Before(s.heap[m].at) {
			m = r
		}
		if m == i {
			break
		}
		s.heap[i], s.heap[m] = s.heap[m], s.heap[i]
		i = m
	}
	return top, 0, true
}

func (s *settler) run(ctx context.Context) {
	defer close(s.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		ev, wait, ok := s.pop(time.Now())
		if ok {
			ev.d.At = time.Now()
			s.c.reconcile(ev.d)
			poke(s.idle)
			continue
		}
		var fire <-chan time.Time
		if wait >= 0 {
			timer.Reset(wait)
			fire = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-fire:
		}
		timer.Stop()
	}
}

// settled reports whether nothing held is still waiting to be processed:
// the heap is empty, or every event in it has been seen since (it will be
// dropped).
func (s *settler) settled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.heap {
		if !s.c.seen(h.d) {
			return false
		}
	}
	return true
}

// drainPoll bounds how long Drain takes to notice that held events were
// seen by the webhook path (nothing pokes it then).
const drainPoll = 5 * time.Millisecond

// drain returns nil once settled, or ctx.Err() when ctx ends first.
func (s *settler) drain(ctx context.Context) error {
	t := time.NewTicker(drainPoll)
	defer t.Stop()
	for !s.settled() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.idle:
		case <-t.C:
		}
	}
	return nil
}

// close stops the settler, dropping what it holds, and waits for it.
func (s *settler) close() {
	s.cancel()
	<-s.done
}

// poke signals ch without blocking: a signal already pending is enough.
func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
