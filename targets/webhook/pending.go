package webhook

import (
	"context"
	"sync"
	"sync/atomic"
)

// A pending counts the deliveries not yet settled (queued, in flight or
// waiting for a retry) and wakes Drain when the count reaches zero. add and
// done are one atomic operation each, except at a zero crossing.
type pending struct {
	n    atomic.Int64
	mu   sync.Mutex
	idle chan struct{} // closed, and replaced, each time n reaches zero
}

func newPending() *pending { return &pending{idle: make(chan struct{})} }

func (p *pending) add(n int64) { p.n.Add(n) }

// done settles n deliveries.
func (p *pending) done(n int64) {
	if p.n.Add(-n) != 0 {
		return
	}
	p.mu.Lock()
	close(p.idle)
	p.idle = make(chan struct{})
	p.mu.Unlock()
}

// wait returns nil when nothing is pending, or ctx.Err() if ctx ends first.
// Any number of callers may wait.
func (p *pending) wait(ctx context.Context) error {
	for {
		// Take the channel before reading the count: a crossing that
		// happens in between closes this very channel.
		p.mu.Lock()
		idle := p.idle
		p.mu.Unlock()
		if p.n.Load() == 0 {
			return nil
		}
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
