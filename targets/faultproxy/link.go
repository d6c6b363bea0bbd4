package faultproxy

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// A link is one proxied connection: the accepted side a and its upstream
// b, joined by two pipes. Its goroutines end when both directions have
// seen end of file, when a side fails, or when the link is aborted (reset
// fault, Close). A stalled link (blackhole) forwards nothing any more.
type link struct {
	p   *Proxy
	idx uint64 // accept order: the connection's key for seeded draws
	a   net.Conn

	mu      sync.Mutex
	b       net.Conn // nil until dialled; never set for a link stalled at accept
	aborted bool
	done    chan struct{} // closed by abort

	stalled   atomic.Bool
	stallc    chan struct{} // closed by stall
	stallOnce sync.Once
}

func newLink(p *Proxy, a net.Conn, idx uint64) *link {
	return &link{p: p, idx: idx, a: a, done: make(chan struct{}), stallc: make(chan struct{})}
}

// run serves the link until it ends, then closes both sides.
func (l *link) run() {
	defer l.abort(false)
	if _, ok := l.p.active(bench.FaultBlackhole, time.Now()); ok {
		// Accepted in a blackhole: the upstream never hears of it.
		l.stall()
		l.discard(l.a)
		return
	}
	b, err := l.p.dial()
	if err != nil {
		if !l.isDone() {
			l.p.stats.dialErrors.Add(1)
			l.p.log.Debug("faultproxy: dial upstream; resetting the client", "conn", l.idx, "err", err)
			l.abort(true)
		}
		return
	}
	if !l.setUpstream(b) {
		return
	}
	up := newPipe(l, dirUp, l.a, b)
	down := newPipe(l, dirDown, b, l.a)
	var wg sync.WaitGroup
	wg.Go(up.read)
	wg.Go(up.write)
	wg.Go(down.write)
	down.read()
	wg.Wait()
}

// setUpstream attaches the dialled upstream b, or closes it and reports
// false when the link was aborted meanwhile.
func (l *link) setUpstream(b net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.aborted {
		_ = b.Close() // nothing was written on it
		return false
	}
	l.b = b
	if l.stalled.Load() {
		_ = b.SetWriteDeadline(time.Unix(1, 0))
	}
	return true
}

// abort closes both sides, with a TCP RST when rst is set (SetLinger(0)
// before Close), and unblocks every goroutine of the link. It reports
// whether this call aborted the link.
func (l *link) abort(rst bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.aborted {
		return false
	}
	l.aborted = true
	close(l.done)
	for _, c := range []net.Conn{l.a, l.b} {
		if c == nil {
			continue
		}
		if tc, ok := c.(*net.TCPConn); ok && rst {
			_ = tc.SetLinger(0) // fails only on a closed socket
		}
		// The data before this point was written or is dropped on
		// purpose; a close error tells nothing more.
		_ = c.Close()
	}
	return true
}

// stall turns the link into a half-open one (blackhole): from now on
// nothing is forwarded; the readers discard and the writers stop. A past
// write deadline frees a writer blocked on a peer that does not read.
func (l *link) stall() {
	l.stallOnce.Do(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.stalled.Store(true)
		close(l.stallc)
		l.p.stats.blackholed.Add(1)
		past := time.Unix(1, 0)
		_ = l.a.SetWriteDeadline(past) // fails only on a closed socket
		if l.b != nil {
			_ = l.b.SetWriteDeadline(past)
		}
	})
}

// discard reads and drops what c sends until c's peer closes or the link
// is aborted, then closes c: the other peer is not told.
func (l *link) discard(c net.Conn) {
	buf := l.p.bufs.get(1)
	defer l.p.bufs.put(1, buf)
	for {
		n, err := c.Read(*buf)
		l.p.stats.discarded.Add(uint64(n))
		if err != nil {
			_ = c.Close() // reading only: nothing to flush
			return
		}
	}
}

func (l *link) isDone() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// fail ends the link after a read or write error of one side. An error
// caused by the link's own abort or stall is expected and ignored; a reset
// received from one peer is passed on to the other as a reset.
func (l *link) fail(dir int, err error) {
	if l.isDone() || l.stalled.Load() {
		return
	}
	l.p.log.Debug("faultproxy: link failed", "conn", l.idx, "dir", dirName(dir), "err", err)
	l.abort(isReset(err))
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
