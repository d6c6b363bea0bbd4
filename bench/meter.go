package bench

import (
	"net"
	"sync/atomic"
)

// A Counter names one of the overhead counters of a Meter.
type Counter int

// Overhead counters. Targets count what applies to them; the rest stay 0.
const (
	// Requests counts every HTTP request either side made: failed
	// attempts, empty polls, 304s, long-poll holds, WebSocket upgrades.
	Requests Counter = iota
	// Retries counts delivery attempts after the first.
	Retries
	// EmptyPolls counts polls that returned no event (304s included).
	EmptyPolls
	// NotModified counts 304 answers to conditional polls.
	NotModified
	// Reconnects counts client reconnections after the first connect.
	Reconnects
	// Rejected counts deliveries the consumer refused as not authentic
	// (bad signature or timestamp).
	Rejected
	// Exhausted counts deliveries the producer gave up on (retries ran
	// out, endpoint disabled).
	Exhausted
	// Frames counts WebSocket messages sent by the server.
	Frames
	// SlowConsumers counts consumers disconnected for a full send queue.
	SlowConsumers
	// ContinuityLost counts gaps a consumer was told of: resumes the
	// server could not serve from its buffer, cursors too old for the
	// log's retention, messages dropped by a rate limit.
	ContinuityLost
	// DeadPeers counts detections of a peer that stopped answering
	// (missed pongs, read deadlines); each end that detects it counts.
	DeadPeers
	numCounters
)

var counterNames = [numCounters]string{
	Requests:       "requests",
	Retries:        "retries",
	EmptyPolls:     "empty_polls",
	NotModified:    "not_modified",
	Reconnects:     "reconnects",
	Rejected:       "rejected",
	Exhausted:      "exhausted",
	Frames:         "frames",
	SlowConsumers:  "slow_consumers",
	ContinuityLost: "continuity_lost",
	DeadPeers:      "dead_peers",
}

func (c Counter) String() string {
	if c >= 0 && c < numCounters {
		return counterNames[c]
	}
	return "unknown"
}

// paddedInt64 keeps each counter on its own cache line so that counters
// bumped from different cores do not contend.
type paddedInt64 struct {
	atomic.Int64
	_ [56]byte
}

// A Meter counts a run's overhead: requests and pattern counters, bytes on
// the wire and TCP connections. All methods are safe for concurrent use and
// do not allocate, except the wrappers.
type Meter struct {
	counters  [numCounters]paddedInt64
	written   paddedInt64 // bytes written by either end
	read      paddedInt64 // bytes read by either end (a cross-check)
	opened    paddedInt64 // connections dialled
	open      paddedInt64 // dialled connections currently open
	peak      paddedInt64 // most dialled connections open at once
	accepted  paddedInt64 // connections accepted by metered listeners
	connected paddedInt64 // accepted connections currently open
	parent    *Meter      // also counts everything counted here
}

// NewMeter returns a Meter with every count at zero.
func NewMeter() *Meter { return new(Meter) }

// Child returns a Meter whose counts also go to m. A combined pattern gives
// one part a child to tell its share (the reconciler's requests, say) while
// m keeps the pattern's total.
func (m *Meter) Child() *Meter { return &Meter{parent: m} }

// Add adds n to counter c.
func (m *Meter) Add(c Counter, n int64) {
	for x := m; x != nil; x = x.parent {
		x.counters[c].Add(n)
	}
}

// Inc adds one to counter c.
func (m *Meter) Inc(c Counter) { m.Add(c, 1) }

// Get returns the value of counter c.
func (m *Meter) Get(c Counter) int64 { return m.counters[c].Load() }

// Traffic is a snapshot of the Meter's wire counts.
type Traffic struct {
	// Bytes is every byte written on a metered connection by either end.
	// On loopback each byte is written once and read once, so this is the
	// traffic on the wire, headers and frames included; BytesRead is the
	// same traffic seen by the reading ends, kept as a cross-check.
	Bytes, BytesRead int64
	// Connections counts the TCP connections dialled; Peak the most open
	// at once. Accepted counts the server ends (equal to Connections
	// when every dial is metered and reaches a metered listener).
	Connections, Peak, Accepted int64
}

// Traffic returns the wire counts so far.
func (m *Meter) Traffic() Traffic {
	return Traffic{
		Bytes:       m.written.Load(),
		BytesRead:   m.read.Load(),
		Connections: m.opened.Load(),
		Peak:        m.peak.Load(),
		Accepted:    m.accepted.Load(),
	}
}

// Dialed wraps a connection the client side opened: its bytes are counted
// and it counts as an opened connection until Close.
func (m *Meter) Dialed(c net.Conn) net.Conn {
	for x := m; x != nil; x = x.parent {
		x.opened.Add(1)
		n := x.open.Add(1)
		for {
			p := x.peak.Load()
			if n <= p || x.peak.CompareAndSwap(p, n) {
				break
			}
		}
	}
	return &meteredConn{Conn: c, m: m, dialed: true}
}

// Accepted wraps a connection the server side accepted: its bytes are
// counted; it is not counted as a connection again.
func (m *Meter) Accepted(c net.Conn) net.Conn {
	for x := m; x != nil; x = x.parent {
		x.accepted.Add(1)
		x.connected.Add(1)
	}
	return &meteredConn{Conn: c, m: m}
}

// Listener wraps l so that every accepted connection is metered.
func (m *Meter) Listener(l net.Listener) net.Listener {
	return &meteredListener{Listener: l, m: m}
}

type meteredListener struct {
	net.Listener
	m *Meter
}

func (l *meteredListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.m.Accepted(c), nil
}

type meteredConn struct {
	net.Conn
	m      *Meter
	dialed bool
	closed atomic.Bool
}

func (c *meteredConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	for x := c.m; x != nil; x = x.parent {
		x.read.Add(int64(n))
	}
	return n, err
}

func (c *meteredConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	for x := c.m; x != nil; x = x.parent {
		x.written.Add(int64(n))
	}
	return n, err
}

func (c *meteredConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		for x := c.m; x != nil; x = x.parent {
			if c.dialed {
				x.open.Add(-1)
			} else {
				x.connected.Add(-1)
			}
		}
	}
	return c.Conn.Close()
}
