package polling

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/hookbench/hookbench/bench"
)

// ErrClosed is returned by Publish after Close.
var ErrClosed = errors.New("producer closed")

// An eventLog is the server's append-only event log. Seq numbers its
// entries from 1 in commit order: they are assigned under the append's
// lock, so a reader that has seen seq s has seen every entry before it,
// which makes the seq a safe cursor (no timestamp race). It keeps the
// latest retention entries in a ring allocated once, so an append is O(1)
// and does not allocate.
//
// All methods are safe for concurrent use.
type eventLog struct {
	mu      sync.RWMutex
	ring    []bench.Event // entry seq s lives at ring[(s-1) % len(ring)]
	last    uint64        // seq of the newest entry; 0 when empty
	changed chan struct{} // closed at the next append; nil if nobody waits
	closed  bool

	head atomic.Uint64 // == last, readable without the lock
	done chan struct{} // closed by close
}

func newEventLog(retention int) *eventLog {
	return &eventLog{ring: make([]bench.Event, retention), done: make(chan struct{})}
}

// append commits ev as the next entry and wakes every long poll waiting on
// the log. It never blocks on readers for longer than a page copy.
func (l *eventLog) append(ev bench.Event) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.last++
	l.ring[(l.last-1)%uint64(len(l.ring))] = ev
	l.head.Store(l.last)
	// One channel per append that someone waits for, however many wait:
	// closing it is the broadcast.
	if c := l.changed; c != nil {
		l.changed = nil
		close(c)
	}
	l.mu.Unlock()
	return nil
}

// oldest returns the seq of the oldest retained entry for a log whose
// newest entry is last (last+1 when the log is empty).
func (l *eventLog) oldest(last uint64) uint64 {
	if n := uint64(len(l.ring)); last > n {
		return last - n + 1
	}
	return 1
}

// cursorError is the answer to a cursor the log cannot serve.
type cursorError struct {
	tooOld       bool   // the cursor is older than the retention (else it is ahead of the head)
	oldest, head uint64 // the log at the time of the read
}

func (e *cursorError) Error() string {
	if e.tooOld {
		return "cursor too old"
	}
	return "cursor ahead of the log head"
}

// read copies into dst (up to cap(dst)) the entries after the cursor after
// and returns them with the log's head. A cursor whose next entry is no
// longer retained, or that is past the head, gets a cursorError (a
// concrete type, so that the common path does not allocate).
func (l *eventLog) read(after uint64, dst []bench.Event) ([]bench.Event, uint64, *cursorError) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	last := l.last
	oldest := l.oldest(last)
	switch {
	case after > last:
		return dst[:0], last, &cursorError{oldest: oldest, head: last}
	case after+1 < oldest:
		return dst[:0], last, &cursorError{tooOld: true, oldest: oldest, head: last}
	}
	n := min(last-after, uint64(cap(dst)))
	dst = dst[:n]
	size := uint64(len(l.ring))
	for i := range dst {
		dst[i] = l.ring[(after+uint64(i))%size]
	}
	return dst, last, nil
}

// wait returns a channel closed at the next append, or nil if the log
// already holds an entry after the cursor after or is closed: then there
// is nothing to wait for.
func (l *eventLog) wait(after uint64) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last > after || l.closed {
		return nil
	}
	if l.changed == nil {
		l.changed = make(chan struct{})
	}
	return l.changed
}

// close makes later appends fail and ends every long poll (done). It is
// idempotent.
func (l *eventLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	close(l.done)
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}
