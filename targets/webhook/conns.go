package webhook

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// errClosing fails a dial made while the producer is closing.
var errClosing = errors.New("webhook: producer is closing")

// A connSet dials an endpoint's client connections, meters them, and keeps
// the open ones so that Close can cut in-flight attempts short instead of
// waiting out their timeouts. It is safe for concurrent use.
type connSet struct {
	meter *bench.Meter

	mu     sync.Mutex
	conns  map[*trackedConn]struct{}
	closed bool
}

func newConnSet(m *bench.Meter) *connSet {
	return &connSet{meter: m, conns: map[*trackedConn]struct{}{}}
}

// dial is a fasthttp.DialFuncWithTimeout: the request's timeout bounds the
// connect too.
func (s *connSet) dial(addr string, timeout time.Duration) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("webhook: dial %s: %w", addr, err)
	}
	tc := &trackedConn{Conn: s.meter.Dialed(c), set: s}
	s.mu.Lock()
	closed := s.closed
	if !closed {
		s.conns[tc] = struct{}{}
	}
	s.mu.Unlock()
	if closed {
		return nil, errors.Join(errClosing, tc.Conn.Close())
	}
	return tc, nil
}

// closeAll closes every open connection and fails later dials.
func (s *connSet) closeAll() {
	s.mu.Lock()
	s.closed = true
	conns := s.conns
	s.conns = map[*trackedConn]struct{}{}
	s.mu.Unlock()
	for c := range conns {
		// The error is of no interest: the peer may have closed first, and
		// the client sees the closed connection as a failed attempt.
		_ = c.Conn.Close()
	}
}

func (s *connSet) remove(c *trackedConn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// A trackedConn leaves its set when closed.
type trackedConn struct {
	net.Conn
	set *connSet
}

func (c *trackedConn) Close() error {
	c.set.remove(c)
	return c.Conn.Close()
}
