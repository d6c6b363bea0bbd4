package websocket

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/faultproxy"
)

// Producer is the running websocket pattern: the server with its hub, and
// the clients. Publish, Drain, Disconnect, Stall and Stats are safe for
// concurrent use; Close stops everything and waits for it.
type Producer struct {
	opts      Options
	hub       *hub
	srv       *http.Server
	url       string
	serveDone chan error
	transport *http.Transport
	clients   []*client
	stats     stats
	proxy     *faultproxy.Proxy // in front of the server when the plan has network faults
	sched     *scheduler        // the plan's outages and disconnects

	stopping  atomic.Bool
	halt      chan struct{}      // closed when Close begins
	cancel    context.CancelFunc // ends the clients
	wg        sync.WaitGroup     // the clients
	closeOnce sync.Once
	closeErr  error
}

var _ bench.Producer = (*Producer)(nil)

// drainPoll is how often Drain looks at the clients' progress.
const drainPoll = time.Millisecond

// URL returns the subscription endpoint, ws://127.0.0.1:PORT/stream.
func (p *Producer) URL() string { return p.url }

// Publish appends ev to the server's log and fans it out to every live
// connection. It never blocks on a connection (a full send queue
// disconnects that slow consumer instead). It fails only after Close.
func (p *Producer) Publish(ev bench.Event) error { return p.hub.publish(ev) }

// Drain returns nil once every client has received every event published
// so far (or been told they are lost: continuity lost), or ctx.Err() when
// ctx ends first.
func (p *Producer) Drain(ctx context.Context) error {
	t := time.NewTicker(drainPoll)
	defer t.Stop()
	for {
		head := p.hub.headOffset()
		if p.caughtUp(head) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (p *Producer) caughtUp(head uint64) bool {
	for _, c := range p.clients {
		if c.next.Load() < head {
			return false
		}
	}
	return true
}

// Disconnect cuts subscriber sub's connection without a close handshake,
// as a network failure would, and keeps that client offline for hold; it
// then reconnects (after its backoff) and resumes from the first event it
// has not received. A connection being made when Disconnect is called is
// cut too. It returns at once.
func (p *Producer) Disconnect(sub int, hold time.Duration) error {
	c, err := p.client(sub)
	if err != nil {
		return err
	}
	c.disconnect(hold)
	return nil
}

// Stall makes subscriber sub stop reading for d from now, starting with
// the next message it receives (one it is reading goes through): a slow
// consumer. Its connection stays open, so the server's queue for it fills
// and, past SendQueue events, it is disconnected; it does not answer
// pings either. Stall(sub, 0) lets it read again at once.
func (p *Producer) Stall(sub int, d time.Duration) error {
	c, err := p.client(sub)
	if err != nil {
		return err
	}
	c.stall.hold(d)
	return nil
}

func (p *Producer) client(sub int) (*client, error) {
	if sub < 0 || sub >= len(p.clients) {
		return nil, fmt.Errorf("websocket: no subscriber %d (there are %d)", sub, len(p.clients))
	}
	return p.clients[sub], nil
}

// Stats holds the websocket counters that have no bench.Counter, and the
// split of bench.DeadPeers by side: the rest (frames, reconnects, slow
// consumers, continuity lost, dead peers) are on the run's Meter.
type Stats struct {
	// PeerTimeouts counts connections the server closed because a ping
	// went unanswered for PongTimeout (dead peer detection).
	PeerTimeouts int64
	// ServerTimeouts counts connections a client closed because it heard
	// no ping for PingInterval + PongTimeout. PeerTimeouts +
	// ServerTimeouts is bench.DeadPeers: each end of a dead connection
	// that detects it counts once.
	ServerTimeouts int64
	// Errors counts connections the server closed with 1011 instead of
	// sending an event, for an errors fault.
	Errors int64
	// RateLimited counts events the server dropped for a ratelimit fault
	// (each one is lost, and its gap signalled as continuity lost).
	RateLimited int64
}

type stats struct {
	peerTimeouts, serverTimeouts atomic.Int64
	errors, rateLimited          atomic.Int64
}

// Stats returns the counters so far.
func (p *Producer) Stats() Stats {
	return Stats{
		PeerTimeouts:   p.stats.peerTimeouts.Load(),
		ServerTimeouts: p.stats.serverTimeouts.Load(),
		Errors:         p.stats.errors.Load(),
		RateLimited:    p.stats.rateLimited.Load(),
	}
}

// Close stops both sides and waits for every goroutine: the server closes
// each connection with 1001 (going away) and a bounded close handshake,
// then the HTTP server shuts down and the clients stop. With a fault
// proxy the clients stop first, then the proxy closes, then the server:
// a link the proxy stalls or delays would hold each close handshake for
// up to WriteTimeout. Calling it again returns the first result.
func (p *Producer) Close() error {
	p.closeOnce.Do(func() { p.closeErr = p.close() })
	return p.closeErr
}

func (p *Producer) close() error {
	var errs []error
	p.stopping.Store(true) // a client told 1001 exits instead of coming back
	close(p.halt)          // no more cuts; slow clients stop sleeping
	p.sched.wait()
	if p.proxy != nil {
		p.stopClients()
		if err := p.proxy.Close(); err != nil {
			errs = append(errs, fmt.Errorf("websocket: %w", err))
		}
	}
	p.hub.shutdown()
	// Shutdown closes the listener and waits for requests not yet
	// upgraded; upgraded (hijacked) connections are the sessions', which
	// the hub waits for. Each ends within WriteTimeout.
	ctx, cancel := context.WithTimeout(context.Background(), p.opts.WriteTimeout.D())
	if err := p.srv.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("websocket: shut down server: %w", err))
	}
	cancel()
	p.hub.wait()
	p.stopClients()
	p.transport.CloseIdleConnections()
	if err := p.srv.Close(); err != nil {
		errs = append(errs, fmt.Errorf("websocket: close server: %w", err))
	}
	if err := <-p.serveDone; !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, fmt.Errorf("websocket: serve: %w", err))
	}
	return errors.Join(errs...)
}

// stopClients ends the clients and waits for them. It may be called
// again.
func (p *Producer) stopClients() {
	p.cancel()
	for _, c := range p.clients {
		c.abort()
	}
	p.wg.Wait()
}
