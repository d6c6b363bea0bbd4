package webhook

import (
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/hookbench/hookbench/bench"
)

// A gateListener is the listener a receiver's server serves on. It keeps
// the receiver's open connections, so that a disconnect fault can drop
// them, and it can take the receiver off the network and back (an outage)
// while Serve keeps waiting in Accept.
//
// Down closes the listening socket and every open connection: connecting
// to the port is then refused by the kernel (RST to the SYN), as for a
// receiver that is not running. Up listens again on the same port, so the
// sender's address stays valid. In between, the port stays bound by a
// socket that does not listen (holdPort, on Linux): a bound port is never
// handed out as another socket's ephemeral port, so the re-listen cannot
// find it taken.
//
// It is safe for concurrent use; Serve calls Accept from one goroutine.
type gateListener struct {
	addr  *net.TCPAddr
	meter *bench.Meter

	mu     sync.Mutex
	cur    net.Listener  // nil while down
	hold   func() error  // releases the port's placeholder while down; nil otherwise
	upc    chan struct{} // closed when the listener is up again
	closed bool
	done   chan struct{} // closed by Close
	conns  map[*rcvConn]struct{}
}

// listenGate listens on a fresh loopback port.
func listenGate(m *bench.Meter) (*gateListener, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return &gateListener{
		addr:  l.Addr().(*net.TCPAddr),
		meter: m,
		cur:   m.Listener(l),
		upc:   make(chan struct{}),
		done:  make(chan struct{}),
		conns: map[*rcvConn]struct{}{},
	}, nil
}

// Addr returns the address the listener keeps across outages.
func (g *gateListener) Addr() net.Addr { return g.addr }

// Accept waits for a connection, through outages, until Close.
func (g *gateListener) Accept() (net.Conn, error) {
	for {
		g.mu.Lock()
		cur, upc, closed := g.cur, g.upc, g.closed
		g.mu.Unlock()
		switch {
		case closed:
			return nil, net.ErrClosed
		case cur == nil:
			select {
			case <-upc:
			case <-g.done:
			}
			continue
		}
		c, err := cur.Accept()
		if err != nil {
			if g.replaced(cur) {
				continue // closed by down or Close: look again
			}
			return nil, err
		}
		if tc, ok := g.track(c, cur); ok {
			return tc, nil
		}
	}
}

// replaced reports whether l is no longer the current listener.
func (g *gateListener) replaced(l net.Listener) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cur != l
}

// track registers c, accepted from l. A connection that l accepted just
// before going down is closed instead, and track reports false.
func (g *gateListener) track(c net.Conn, l net.Listener) (net.Conn, bool) {
	tc := &rcvConn{Conn: c, g: g}
	g.mu.Lock()
	ok := g.cur == l
	if ok {
		g.conns[tc] = struct{}{}
	}
	g.mu.Unlock()
	if !ok {
		_ = c.Close() // the receiver is down: nothing was read or written
	}
	return tc, ok
}

// drop closes every open connection (a close, not a reset). Their servers'
// reads fail and the connections end; the listener is not touched.
func (g *gateListener) drop() int {
	g.mu.Lock()
	conns := g.conns
	g.conns = map[*rcvConn]struct{}{}
	g.mu.Unlock()
	for c := range conns {
		// The error is of no interest: the server may be closing it too.
		_ = c.Conn.Close()
	}
	return len(conns)
}

// down takes the receiver off the network: the listening socket and every
// open connection are closed, and the port is held without listening. It
// does nothing if the receiver is down already or closed.
func (g *gateListener) down() error {
	g.mu.Lock()
	cur := g.cur
	if cur == nil || g.closed {
		g.mu.Unlock()
		return nil
	}
	g.cur = nil
	g.upc = make(chan struct{})
	err := cur.Close()
	// Closed first: a listening socket and a bound one cannot share a
	// port. Nothing else can bind it in between but a socket asking for
	// this very port.
	release, herr := holdPort(g.addr)
	g.hold = release
	g.mu.Unlock()
	g.drop()
	if err != nil {
		return fmt.Errorf("close listener: %w", err)
	}
	if herr != nil {
		return fmt.Errorf("hold port %d: %w", g.addr.Port, herr)
	}
	return nil
}

// up listens on the receiver's port again. It does nothing if the receiver
// is up or closed.
func (g *gateListener) up() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cur != nil || g.closed {
		return nil
	}
	l, err := net.ListenTCP("tcp", g.addr)
	if err != nil {
		return fmt.Errorf("listen again on %v: %w", g.addr, err)
	}
	g.cur = g.meter.Listener(l)
	close(g.upc)
	return g.releaseHold()
}

// releaseHold closes the port's placeholder, if any; g.mu must be held.
func (g *gateListener) releaseHold() error {
	if g.hold == nil {
		return nil
	}
	err := g.hold()
	g.hold = nil
	if err != nil {
		return fmt.Errorf("release port %d: %w", g.addr.Port, err)
	}
	return nil
}

// Close closes the listener, up or down, and makes Accept return
// net.ErrClosed. Open connections are left to the server. Later calls
// return nil.
func (g *gateListener) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	close(g.done)
	var err error
	if g.cur != nil {
		err = g.cur.Close()
	}
	return errors.Join(err, g.releaseHold())
}

func (g *gateListener) remove(c *rcvConn) {
	g.mu.Lock()
	delete(g.conns, c)
	g.mu.Unlock()
}

// A rcvConn is an accepted connection; it leaves its listener's set when
// closed.
type rcvConn struct {
	net.Conn
	g *gateListener
}

func (c *rcvConn) Close() error {
	c.g.remove(c)
	return c.Conn.Close()
}
