package webhook

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

func jobOf(seq uint64) job { return job{ev: bench.Event{Seq: seq}} }

// The ring keeps FIFO order across growth and wrap-around.
func TestRingFIFO(t *testing.T) {
	var r ring
	next, want := uint64(0), uint64(0)
	for round := range 50 {
		for range round * 7 {
			r.push(jobOf(next))
			next++
		}
		for range round * 5 {
			j, ok := r.pop()
			if !ok || j.ev.Seq != want {
				t.Fatalf("pop = %d, %v; want %d", j.ev.Seq, ok, want)
			}
			want++
		}
	}
	if r.len() != int(next-want) {
		t.Fatalf("len = %d, want %d", r.len(), next-want)
	}
}

func TestRetryHeapOrder(t *testing.T) {
	var h retryHeap
	base := time.Now()
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 500 {
		h.push(retryItem{at: base.Add(time.Duration(rng.IntN(1000)) * time.Millisecond), job: jobOf(uint64(i))})
	}
	prev := base
	for len(h) > 0 {
		it := h.pop()
		if it.at.Before(prev) {
			t.Fatalf("popped %v after %v", it.at, prev)
		}
		prev = it.at
	}
}

func TestQueueDisable(t *testing.T) {
	q := newQueue()
	for i := range 3 {
		q.push(jobOf(uint64(i)))
	}
	q.retry(jobOf(9), time.Now().Add(time.Hour))
	if removed, first := q.disable(); removed != 4 || !first {
		t.Fatalf("disable = %d, %v; want 4, true", removed, first)
	}
	if removed, first := q.disable(); removed != 0 || first {
		t.Fatalf("second disable = %d, %v; want 0, false", removed, first)
	}
	if st := q.push(jobOf(10)); st != disabled {
		t.Fatalf("push after disable = %d, want disabled", st)
	}
	q.close()
	if _, ok := q.pop(); ok {
		t.Fatal("pop after close returned a job")
	}
}

// A retry moves to the ready FIFO when due, through runRetries' timer.
func TestQueueRetryFallsDue(t *testing.T) {
	q := newQueue()
	done := make(chan struct{})
	go func() { defer close(done); q.runRetries() }()
	defer func() { q.close(); <-done }()
	q.retry(jobOf(2), time.Now().Add(20*time.Millisecond))
	q.retry(jobOf(1), time.Now().Add(time.Millisecond))
	for _, want := range []uint64{1, 2} {
		j, ok := q.pop()
		if !ok || j.ev.Seq != want {
			t.Fatalf("pop = %d, %v; want %d", j.ev.Seq, ok, want)
		}
	}
}
