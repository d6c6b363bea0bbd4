package faultproxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// dialTimeout bounds the dial of the upstream for one accepted connection.
const dialTimeout = 5 * time.Second

// A Proxy forwards TCP connections from a loopback listener to one
// upstream, applying the network faults of a fault timeline. It is like an
// httptest.Server: it listens from New on, and Close stops it and waits.
// Its methods are safe for concurrent use.
type Proxy struct {
	upstream string
	faults   *bench.FaultTimeline
	log      *slog.Logger
	ln       net.Listener
	dialer   net.Dialer
	bufs     *buffers
	stats    counters

	ctx    context.Context // cancelled by Close: ends dials and the scheduler
	cancel context.CancelFunc
	wg     sync.WaitGroup // accept loop, scheduler, every link

	mu     sync.Mutex
	closed bool
	links  map[*link]struct{}
	nconn  uint64 // connections accepted so far, the next link's index
}

// New listens on 127.0.0.1:0 and forwards each accepted connection to
// upstream (host:port), applying the network faults of faults (nil: none).
// logger receives per-connection diagnostics at debug level; if nil, they
// are discarded. The caller must Close the Proxy.
func New(upstream string, faults *bench.FaultTimeline, logger *slog.Logger) (*Proxy, error) {
	if _, _, err := net.SplitHostPort(upstream); err != nil {
		return nil, fmt.Errorf("faultproxy: upstream %q: %w", upstream, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{
		upstream: upstream,
		faults:   faults,
		log:      logger.With("proxy", ln.Addr().String(), "upstream", upstream),
		ln:       ln,
		dialer:   net.Dialer{Timeout: dialTimeout},
		bufs:     newBuffers(),
		ctx:      ctx,
		cancel:   cancel,
		links:    make(map[*link]struct{}),
	}
	p.wg.Go(p.acceptLoop)
	if ev := scheduleOf(faults); len(ev) > 0 {
		p.wg.Go(func() { p.schedule(ev) })
	}
	return p, nil
}

// NeedsProxy reports whether the plan holds a network fault (latency,
// bandwidth, reset, blackhole), so targets only pay for a proxy when one
// acts. It is false for a nil plan.
func NeedsProxy(faults *bench.FaultTimeline) bool {
	return faults.Has(bench.FaultLatency) || faults.Has(bench.FaultBandwidth) ||
		faults.Has(bench.FaultReset) || faults.Has(bench.FaultBlackhole)
}

// Addr returns the host:port to dial instead of the upstream.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Close closes the listener and every link, stalled and delayed ones
// included (bytes still waiting in a link are dropped), and waits for all
// of the Proxy's goroutines. Calls after the first return nil.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	links := p.snapshot()
	p.mu.Unlock()

	err := p.ln.Close()
	p.cancel()
	for _, l := range links {
		l.abort(false)
	}
	p.wg.Wait()
	if err != nil {
		return fmt.Errorf("faultproxy: close listener: %w", err)
	}
	return nil
}

func (p *Proxy) acceptLoop() {
	backoff := time.Duration(0)
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if p.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors and the like: back off as net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			p.log.Warn("faultproxy: accept", "err", err, "retry", backoff)
			select {
			case <-p.ctx.Done():
				return
			case <-time.After(backoff):
			}
			continue
		}
		backoff = 0
		p.add(c)
	}
}

// add registers a link for the accepted connection c and starts it, or
// closes c when the Proxy is closing.
func (p *Proxy) add(c net.Conn) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = c.Close() // nothing was written on it
		return
	}
	l := newLink(p, c, p.nconn)
	p.nconn++
	p.links[l] = struct{}{}
	p.wg.Add(1)
	p.mu.Unlock()
	p.stats.conns.Add(1)
	go func() {
		defer p.wg.Done()
		l.run()
		p.mu.Lock()
		delete(p.links, l)
		p.mu.Unlock()
	}()
}

// snapshot returns the live links; p.mu must be held.
func (p *Proxy) snapshot() []*link {
	out := make([]*link, 0, len(p.links))
	for l := range p.links {
		out = append(out, l)
	}
	return out
}

// live returns the live links.
func (p *Proxy) live() []*link {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.snapshot()
}

// active returns the fault of kind active at now, if any.
func (p *Proxy) active(kind string, now time.Time) (bench.FaultSpec, bool) {
	off, ok := p.faults.Elapsed(now)
	if !ok {
		return bench.FaultSpec{}, false
	}
	return p.faults.ActiveAt(kind, off)
}

// dial connects to the upstream, giving up when the Proxy closes.
func (p *Proxy) dial() (net.Conn, error) {
	return p.dialer.DialContext(p.ctx, "tcp", p.upstream)
}
