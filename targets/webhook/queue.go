package webhook

import (
	"sync"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// A job is one delivery: event ev to one endpoint, after attempts tries.
type job struct {
	ev       bench.Event
	attempts int
}

// A queue holds one endpoint's jobs: a FIFO of jobs ready to send, unbounded
// so that Publish never blocks (the open model), and a heap of jobs waiting
// for a retry. Workers pop ready jobs; runRetries moves waiting jobs to the
// FIFO when they fall due, so no worker ever sleeps through a backoff. It is
// safe for concurrent use.
type queue struct {
	mu       sync.Mutex
	ready    ring
	waiting  retryHeap
	state    queueState
	readyc   chan struct{} // capacity 1: a job became ready
	earliest chan struct{} // capacity 1: the earliest retry moved up
	done     chan struct{} // closed by close
}

// queueState says whether a queue takes jobs.
type queueState uint8

const (
	open     queueState = iota
	disabled            // the endpoint answered 410; jobs are refused
	closed              // the producer is closing; jobs are dropped
)

func newQueue() *queue {
	return &queue{
		readyc:   make(chan struct{}, 1),
		earliest: make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
}

// wake posts a token on c unless one is already there.
func wake(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// push appends j to the ready FIFO. It returns the queue's state: j was
// taken only if that is open.
func (q *queue) push(j job) queueState {
	q.mu.Lock()
	st := q.state
	if st == open {
		q.ready.push(j)
	}
	q.mu.Unlock()
	if st == open {
		wake(q.readyc)
	}
	return st
}

// pop returns the next ready job, waiting for one. It returns false once
// the queue is closed, even if jobs remain.
func (q *queue) pop() (job, bool) {
	for {
		q.mu.Lock()
		if q.state == closed {
			q.mu.Unlock()
			return job{}, false
		}
		if j, ok := q.ready.pop(); ok {
			more := q.ready.len() > 0
			q.mu.Unlock()
			if more {
				// Pass the wake-up on: one token may stand for many pushes.
				wake(q.readyc)
			}
			return j, true
		}
		q.mu.Unlock()
		select {
		case <-q.readyc:
		case <-q.done:
		}
	}
}

// retry puts j on the heap until at. It returns the queue's state: j was
// taken only if that is open.
func (q *queue) retry(j job, at time.Time) queueState {
	q.mu.Lock()
	st := q.state
	if st == open {
		q.waiting.push(retryItem{at: at, job: j})
		if q.waiting[0].at.Equal(at) {
			wake(q.earliest)
		}
	}
	q.mu.Unlock()
	return st
}

// runRetries moves waiting jobs to the ready FIFO as they fall due, until
// the queue is closed. One timer serves the whole heap.
func (q *queue) runRetries() {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		if next, ok := q.promote(time.Now()); ok {
			t.Reset(time.Until(next))
		} else {
			t.Stop()
		}
		select {
		case <-q.done:
			return
		case <-t.C:
		case <-q.earliest:
		}
	}
}

// promote moves the retries due by now to the ready FIFO and returns when
// the next one falls due, if any waits.
func (q *queue) promote(now time.Time) (next time.Time, ok bool) {
	q.mu.Lock()
	moved := false
	for len(q.waiting) > 0 && !q.waiting[0].at.After(now) {
		q.ready.push(q.waiting.pop().job)
		moved = true
	}
	if len(q.waiting) > 0 {
		next, ok = q.waiting[0].at, true
	}
	q.mu.Unlock()
	if moved {
		wake(q.readyc)
	}
	return next, ok
}

// disable refuses every later job and removes the queued and waiting ones.
// It returns how many it removed, and whether this call disabled the queue
// (false if it was already disabled or closed).
func (q *queue) disable() (removed int, first bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.state != open {
		return 0, false
	}
	q.state = disabled
	removed = q.ready.len() + len(q.waiting)
	q.ready = ring{}
	q.waiting = nil
	return removed, true
}

// close drops every job and stops pop and runRetries. It is idempotent.
func (q *queue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.state == closed {
		return
	}
	q.state = closed
	q.ready = ring{}
	q.waiting = nil
	close(q.done)
}

// A ring is an unbounded FIFO of jobs in one growable circular buffer.
type ring struct {
	buf  []job
	head int // index of the oldest job
	n    int
}

func (r *ring) len() int { return r.n }

func (r *ring) push(j job) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)%len(r.buf)] = j
	r.n++
}

func (r *ring) pop() (job, bool) {
	if r.n == 0 {
		return job{}, false
	}
	j := r.buf[r.head]
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	return j, true
}

// grow doubles the buffer, unrolling the jobs to its start.
func (r *ring) grow() {
	buf := make([]job, max(2*len(r.buf), 64))
	k := copy(buf, r.buf[r.head:])
	copy(buf[k:], r.buf[:r.head])
	r.buf, r.head = buf, 0
}
