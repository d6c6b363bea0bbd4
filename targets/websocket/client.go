package websocket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/hookbench/hookbench/bench"
)

// errCut reports a connection that Disconnect cut while it was being
// made; the client drops it and obeys the hold.
var errCut = errors.New("cut while connecting")

// A client is one subscriber: it keeps one connection to the server,
// delivers every event it receives to the sink, and after any disconnect
// reconnects with full-jitter backoff and resumes at the first offset it
// has not received.
type client struct {
	id       int
	base     string // http://host:port of the server
	http     *http.Client
	opts     Options // defaults filled
	sink     bench.Sink
	meter    *bench.Meter
	stats    *stats
	log      *slog.Logger
	rng      *rand.Rand      // backoff jitter; client goroutine only
	stopping *atomic.Bool    // set by Producer.Close: do not reconnect
	halt     <-chan struct{} // closed by Producer.Close: stop a slow fault's sleep
	faults   *bench.FaultTimeline
	slow     bool // the plan has a slow fault
	gap      bool // the last record was a continuity-lost one; client goroutine only

	next  atomic.Uint64 // first offset not yet received
	stall *gate         // passed before each message (Producer.Stall)
	ready chan error    // the outcome of the first connection attempt

	mu        sync.Mutex
	conn      *clientConn // the current connection, nil between connections
	holdUntil time.Time   // no connection attempt before this
	cuts      uint64      // Disconnect calls so far
}

// A clientConn is one connection of a client, with the watchdog that
// closes it when the server falls silent.
type clientConn struct {
	ws       *websocket.Conn
	watchdog *time.Timer // reset by every ping; read by the client goroutine only
}

// silence is how long a client waits for a ping before it gives the
// server up: the server pings every PingInterval whatever the traffic, and
// PongTimeout is the grace it allows its own pings; the Engine.IO client's
// rule (pingInterval + pingTimeout). A half-open connection is so detected
// by both ends within PingInterval + PongTimeout of its last ping.
func (c *client) silence() time.Duration {
	return c.opts.PingInterval.D() + c.opts.PongTimeout.D()
}

// run connects, reads and reconnects until ctx ends or the producer
// stops. The first attempt's outcome goes to ready; if it fails, run
// returns: a subscriber that cannot connect at start is a setup failure.
func (c *client) run(ctx context.Context) {
	var buf []byte
	failures := 0 // consecutive attempts that failed or did not last
	connects := 0
	var wait time.Duration
	for {
		if !sleep(ctx.Done(), c.holdFor(wait)) {
			return
		}
		cc, err := c.connect(ctx)
		if err != nil {
			if connects == 0 && !errors.Is(err, errCut) {
				c.ready <- fmt.Errorf("subscriber %d: %w", c.id, err)
				return
			}
			if c.stopped(ctx) {
				return
			}
			if errors.Is(err, errCut) {
				wait = 0 // the hold applies, not a backoff
				continue
			}
			c.log.Debug("websocket: connect", "sub", c.id, "err", err)
			wait = fullJitter(c.rng, c.opts.BackoffBase.D(), c.opts.BackoffCap.D(), failures)
			failures++
			continue
		}
		if connects++; connects == 1 {
			c.ready <- nil
		} else {
			c.meter.Inc(bench.Reconnects)
		}
		began, from := time.Now(), c.next.Load()
		c.gap = false // a gap does not carry over to a new connection
		buf, err = c.read(ctx, cc, buf)
		c.drop(cc)
		if c.stopped(ctx) {
			return
		}
		c.log.Debug("websocket: connection ended", "sub", c.id, "next", c.next.Load(), "err", err)
		if c.next.Load() > from || time.Since(began) >= c.opts.BackoffCap.D() {
			// It was stable, or it made progress: as Socket.IO's client,
			// which resets its backoff on every successful reconnection,
			// start again from the base. Connections that die before
			// delivering anything keep backing off (no reconnect storm).
			failures = 0
		}
		switch websocket.CloseStatus(err) {
		case websocket.StatusTryAgainLater, websocket.StatusServiceRestart:
			failures++ // the server asked for room: come back later
		}
		wait = fullJitter(c.rng, c.opts.BackoffBase.D(), c.opts.BackoffCap.D(), failures)
		failures++
	}
}

func (c *client) stopped(ctx context.Context) bool {
	return ctx.Err() != nil || c.stopping.Load()
}

// holdFor returns wait, or longer if a Disconnect hold is still running.
func (c *client) holdFor(wait time.Duration) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return max(wait, time.Until(c.holdUntil))
}

// connect dials the server and subscribes from the first offset not yet
// received (0 on the first connection: the start of the stream).
func (c *client) connect(ctx context.Context) (*clientConn, error) {
	c.mu.Lock()
	cuts := c.cuts
	c.mu.Unlock()

	dctx, cancel := context.WithTimeout(ctx, c.opts.WriteTimeout.D())
	defer cancel()
	cc := &clientConn{}
	ws, _, err := websocket.Dial(dctx, resumeURL(c.base, c.id, c.next.Load()), &websocket.DialOptions{
		HTTPClient: c.http,
		OnPingReceived: func(context.Context, []byte) bool {
			cc.watchdog.Reset(c.silence())
			return true
		},
	})
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	ws.SetReadLimit(maxMessage)
	cc.ws = ws
	cc.watchdog = time.AfterFunc(c.silence(), func() {
		c.stats.serverTimeouts.Add(1)
		c.meter.Inc(bench.DeadPeers)
		c.log.Debug("websocket: server silent", "sub", c.id, "for", c.silence())
		_ = ws.CloseNow()
	})

	// Publish cc for disconnect and abort, then look again: a cut or a
	// stop that came while dialing could not see it.
	c.mu.Lock()
	cut := c.cuts != cuts
	if !cut {
		c.conn = cc
	}
	c.mu.Unlock()
	if cut || c.stopped(ctx) {
		c.drop(cc)
		if cut {
			return nil, errCut
		}
		return nil, errClosed
	}
	return cc, nil
}

// drop forgets cc and closes it without a close handshake.
func (c *client) drop(cc *clientConn) {
	c.mu.Lock()
	if c.conn == cc {
		c.conn = nil
	}
	c.mu.Unlock()
	cc.watchdog.Stop()
	_ = cc.ws.CloseNow() // already closed in most cases; nothing to report
}

// abort closes the current connection, if any, so that run sees the
// producer is stopping.
func (c *client) abort() {
	c.mu.Lock()
	cc := c.conn
	c.mu.Unlock()
	if cc != nil {
		_ = cc.ws.CloseNow()
	}
}

// disconnect cuts the current connection, as a network failure would (no
// close handshake), and keeps the client offline for hold.
func (c *client) disconnect(hold time.Duration) {
	c.mu.Lock()
	c.cuts++
	if until := time.Now().Add(hold); until.After(c.holdUntil) {
		c.holdUntil = until
	}
	cc := c.conn
	c.mu.Unlock()
	if cc != nil {
		_ = cc.ws.CloseNow()
	}
}

// read delivers the messages of cc until it fails. buf is reused from one
// message to the next (and one connection to the next), so reading does
// not allocate.
func (c *client) read(ctx context.Context, cc *clientConn, buf []byte) ([]byte, error) {
	for {
		if !c.stall.pass(ctx.Done()) {
			return buf, errClosed
		}
		// Reads take no context: coder/websocket would register a
		// cancellation hook per message. The connection is closed
		// instead (abort, disconnect, the watchdog).
		_, r, err := cc.ws.Reader(context.Background())
		if err != nil {
			return buf, err
		}
		if buf == nil {
			buf = make([]byte, 0, 4096) // not before a message: idle clients stay small
		}
		if buf, err = readAll(r, buf[:0]); err != nil {
			return buf, err
		}
		if err := c.handle(buf, time.Now()); err != nil {
			return buf, err
		}
	}
}

// readAll appends everything r holds to buf.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// handle processes one server message, received at time at. During a
// slow fault the consumer takes the fault's delay after each event it
// observes (it records the event, then works on it), so the events behind
// it in the message are observed that much later, and it reads nothing
// meanwhile: its send queue fills as a slow consumer's would.
func (c *client) handle(msg []byte, at time.Time) error {
	for len(msg) > 0 {
		kind, off, body, rest, err := nextRecord(msg)
		if err != nil {
			return err
		}
		msg = rest
		next := c.next.Load()
		if kind == kindContinuityLost {
			// The events from next to off are gone: the ledger counts
			// them as lost; here the discontinuity itself is counted,
			// once for a run of continuity-lost records (a ratelimit
			// fault may send one per dropped event).
			if !c.gap {
				c.meter.Inc(bench.ContinuityLost)
			}
			c.gap = true
			c.log.Debug("websocket: continuity lost", "sub", c.id, "from", next, "to", off, "missed", off-min(off, next))
			if off > next {
				c.next.Store(off)
			}
			continue
		}
		seq, key, due, err := bench.ParsePayload(body)
		if err != nil {
			return fmt.Errorf("offset %d: %w", off, err)
		}
		if off != next {
			// The protocol has no gaps nor repeats; the ledger shows
			// what this one costs, the log says where it happened.
			c.log.Warn("websocket: offset out of sequence", "sub", c.id, "want", next, "got", off)
		}
		c.gap = false
		c.sink.Deliver(bench.Delivery{Subscriber: c.id, Seq: seq, Key: key, Due: due, At: at, Path: bench.PathPrimary})
		if off >= next {
			c.next.Store(off + 1)
		}
		if c.slow {
			var halted bool
			if at, halted = c.work(at); halted {
				// The producer is closing: the events still buffered
				// were never processed, so they are not delivered.
				return errHalted
			}
		}
	}
	return nil
}

// errHalted ends a slow consumer's message when the producer closes.
var errHalted = errors.New("websocket: client halted while working")

// work takes the delay of the slow fault active at now, if any, and
// returns the time it is done, or halted when Close cut the work short.
func (c *client) work(now time.Time) (done time.Time, halted bool) {
	f, ok := c.faults.Active(bench.FaultSlow, now)
	if !ok {
		return now, false
	}
	if !sleep(c.halt, f.Delay.D()) {
		return now, true
	}
	return time.Now(), false
}
