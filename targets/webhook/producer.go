package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/faultproxy"
)

// ErrClosed is returned by Publish after Close.
var ErrClosed = errors.New("webhook: producer is closed")

// shutdownTimeout bounds the receivers' graceful shutdown in Close. By then
// the sender's connections are closed, so the servers go idle at once.
const shutdownTimeout = 10 * time.Second

// A producer is one run of the webhook pattern: the sender's endpoints,
// the receivers and, when the plan holds network faults, one fault proxy in
// front of each receiver. It implements bench.Producer.
type producer struct {
	meter   *bench.Meter
	log     *slog.Logger
	backoff *backoff
	timeout time.Duration
	workers int
	pending *pending

	eps     []*endpoint
	rcvs    []*receiver
	proxies []*faultproxy.Proxy
	wg      sync.WaitGroup // workers and retry movers

	stopTurns context.CancelFunc // ends the fault schedule; nil if none runs
	turns     sync.WaitGroup     // the fault schedule

	closed    atomic.Bool
	closeOnce func() error
}

func newProducer(opts Options, env bench.Env) *producer {
	p := &producer{
		meter:   env.Meter,
		log:     env.Logger,
		backoff: newBackoff(opts.Retry),
		timeout: opts.Timeout.D(),
		workers: opts.Concurrency,
		pending: newPending(),
	}
	p.closeOnce = sync.OnceValue(p.shutdown)
	return p
}

// start brings up every receiver (and its fault proxy) and endpoint, waits
// for the receivers to serve, then starts the workers and the fault
// schedule. On error the caller closes p, which copes with whatever part
// was started.
func (p *producer) start(ctx context.Context, t *Target, env bench.Env) error {
	proxied := faultproxy.NeedsProxy(env.Faults)
	for sub := range env.Subscribers {
		send, verify, err := t.signers(env.Seed, sub)
		if err != nil {
			return fmt.Errorf("webhook: subscriber %d: %w", sub, err)
		}
		rcv := &receiver{sub: sub, signer: verify, sink: env.Sink, meter: env.Meter,
			respond: t.Respond, trace: t.trace, faults: env.Faults}
		if err := rcv.start(p.log); err != nil {
			return fmt.Errorf("webhook: start receiver %d: %w", sub, err)
		}
		p.rcvs = append(p.rcvs, rcv)
		addr := rcv.addr
		if proxied {
			// The proxy's own connections are not metered: the sender's
			// and the receiver's ends are, as without one.
			px, err := faultproxy.New(rcv.addr, env.Faults, p.log.With("subscriber", sub))
			if err != nil {
				return fmt.Errorf("webhook: start fault proxy %d: %w", sub, err)
			}
			p.proxies = append(p.proxies, px)
			addr = px.Addr()
		}
		p.eps = append(p.eps, newEndpoint(sub, addr, send, t.opts, env.Meter, env.Seed))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("webhook: start: %w", err)
	}
	for _, rcv := range p.rcvs {
		select {
		case <-rcv.ready:
		case <-ctx.Done():
			return fmt.Errorf("webhook: start: %w", ctx.Err())
		}
	}
	for _, ep := range p.eps {
		ep.run(p, p.workers)
	}
	if turns := turnsOf(env.Faults); len(turns) > 0 {
		tctx, cancel := context.WithCancel(context.Background())
		p.stopTurns = cancel
		p.turns.Go(func() { p.runTurns(tctx, env.Faults, turns) })
	}
	return nil
}

// Publish queues ev for every endpoint and returns at once. An endpoint
// disabled by a 410 gives the delivery up on the spot (bench.Exhausted).
// It is safe for concurrent use, and returns ErrClosed after Close.
func (p *producer) Publish(ev bench.Event) error {
	if p.closed.Load() {
		return ErrClosed
	}
	// Count every delivery before queueing any, so that a fast worker
	// cannot bring the count to zero in between.
	p.pending.add(int64(len(p.eps)))
	var err error
	for _, ep := range p.eps {
		switch ep.q.push(job{ev: ev}) {
		case disabled:
			p.giveUp(1)
		case closed:
			p.pending.done(1)
			err = ErrClosed
		}
	}
	return err
}

// Drain returns nil once no delivery is queued, in flight or waiting for a
// retry, or ctx.Err() when ctx ends first.
func (p *producer) Drain(ctx context.Context) error { return p.pending.wait(ctx) }

// Close stops the sender (waiting retries are dropped, in-flight attempts
// cut short), then the fault proxies, then the fault schedule and the
// receivers, and waits for every goroutine it started. It is idempotent:
// later calls return the first call's result.
func (p *producer) Close() error { return p.closeOnce() }

func (p *producer) shutdown() error {
	p.closed.Store(true)
	for _, ep := range p.eps {
		ep.stop()
	}
	p.wg.Wait()
	for _, ep := range p.eps {
		ep.client.CloseIdleConnections()
	}
	var errs []error
	for _, px := range p.proxies {
		errs = append(errs, px.Close())
	}
	if p.stopTurns != nil {
		p.stopTurns()
		p.turns.Wait()
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	rerrs := make([]error, len(p.rcvs))
	var wg sync.WaitGroup
	for i, rcv := range p.rcvs {
		wg.Go(func() { rerrs[i] = rcv.shutdown(ctx) })
	}
	wg.Wait()
	return errors.Join(append(errs, rerrs...)...)
}

// giveUp settles n deliveries as given up.
func (p *producer) giveUp(n int) {
	if n == 0 {
		return
	}
	p.meter.Add(bench.Exhausted, int64(n))
	p.pending.done(int64(n))
}

// disable disables ep after a 410 and gives up its remaining deliveries.
func (p *producer) disable(ep *endpoint) {
	removed, first := ep.q.disable()
	if !first {
		return
	}
	p.giveUp(removed)
	p.log.Warn("webhook endpoint disabled: it answered 410 Gone",
		"subscriber", ep.sub, "given_up", removed+1)
}
