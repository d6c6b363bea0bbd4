package websocket

import (
	"sync"
	"sync/atomic"
	"time"
)

// A gate holds a reader back until a time, or until it is reopened: the
// client passes it before each message, so a closed gate makes a consumer
// that stops reading while its connection stays open. The zero value is
// open; use newGate for one that can be reopened early.
type gate struct {
	shut atomic.Bool // fast path: the gate may be closed
	mu   sync.Mutex
	open time.Time     // when the gate opens; guarded by mu
	wake chan struct{} // pokes a waiting reader when open changes
}

func newGate() *gate { return &gate{wake: make(chan struct{}, 1)} }

// hold closes the gate for d from now; d <= 0 opens it at once.
func (g *gate) hold(d time.Duration) {
	g.mu.Lock()
	g.open = time.Now().Add(d)
	g.shut.Store(true) // pass clears it once open is due
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// pass returns once the gate is open, or false when done is closed first.
// An open gate costs one atomic load.
func (g *gate) pass(done <-chan struct{}) bool {
	for g.shut.Load() {
		g.mu.Lock()
		d := time.Until(g.open)
		if d <= 0 {
			g.shut.Store(false)
		}
		g.mu.Unlock()
		if d <= 0 {
			return true
		}
		t := time.NewTimer(d)
		select {
		case <-done:
			t.Stop()
			return false
		case <-g.wake:
		case <-t.C:
		}
		t.Stop()
	}
	return true
}
