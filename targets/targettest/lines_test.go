package targettest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// lineTarget is a minimal conforming target for the suite's own tests: the
// producer writes each event body as a line to one loopback TCP connection
// per subscriber. bug, if set, breaks one part of the contract, so that
// the tests can check that the suite notices.
type lineTarget struct{ bug string }

// The bugs lineTarget can have.
const (
	bugLose       = "lose"        // subscriber 0 never gets every 10th event
	bugKey        = "key"         // deliveries carry the wrong key
	bugEarlyDrain = "early-drain" // Drain returns nil at once
	bugLeak       = "leak"        // Close leaves a goroutine behind
	bugStartCtx   = "start-ctx"   // consumers stop when Start's ctx ends
	bugPanic      = "panic"       // Publish after Close panics
	bugSlowClose  = "slow-close"  // Close takes 1.5s unless drained
	bugNoMeter    = "no-meter"    // connections are not metered
)

func (lt *lineTarget) Name() string { return "lines" }

type lineProducer struct {
	bug       string
	env       bench.Env
	ln        net.Listener
	subs      []*lineSub
	published atomic.Int64
	progress  chan struct{}
	wg        sync.WaitGroup
	closed    atomic.Bool
	drained   atomic.Bool // Drain returned nil since the last Publish
	stopLeak  chan struct{}
}

// lineSub is one subscriber: the server's end writes, the client's reads.
type lineSub struct {
	mu       sync.Mutex
	pending  []byte
	wake     chan struct{}
	server   net.Conn
	client   net.Conn
	received atomic.Int64
}

func (lt *lineTarget) Start(ctx context.Context, env bench.Env) (bench.Producer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &lineProducer{bug: lt.bug, env: env, ln: ln, progress: make(chan struct{}, 1), stopLeak: make(chan struct{})}
	if lt.bug != bugNoMeter {
		p.ln = env.Meter.Listener(ln)
	}
	for i := range env.Subscribers {
		s, err := p.connect(ctx)
		if err != nil {
			return nil, errors.Join(err, p.Close())
		}
		p.subs = append(p.subs, s)
		p.wg.Add(2)
		go p.write(s)
		go p.read(i, s)
	}
	if lt.bug == bugStartCtx {
		context.AfterFunc(ctx, func() {
			for _, s := range p.subs {
				_ = s.client.Close()
			}
		})
	}
	if lt.bug == bugLeak {
		go func() { <-p.stopLeak }() // never closed
	}
	return p, nil
}

func (p *lineProducer) connect(ctx context.Context) (*lineSub, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", p.ln.Addr().String())
	if err != nil {
		return nil, err
	}
	if p.bug != bugNoMeter {
		c = p.env.Meter.Dialed(c)
	}
	p.env.Meter.Inc(bench.Requests)
	sc, err := p.ln.Accept()
	if err != nil {
		return nil, errors.Join(err, c.Close())
	}
	return &lineSub{wake: make(chan struct{}, 1), server: sc, client: c}, nil
}

func (p *lineProducer) Publish(ev bench.Event) error {
	if p.closed.Load() {
		if p.bug == bugPanic {
			panic("publish after close")
		}
		return errors.New("lines: closed")
	}
	p.published.Add(1)
	p.drained.Store(false)
	for i, s := range p.subs {
		if p.bug == bugLose && i == 0 && ev.Seq%10 == 9 {
			s.received.Add(1) // pretend, so that Drain does not wait
			continue
		}
		s.mu.Lock()
		s.pending = bench.AppendPayload(s.pending, ev)
		s.pending = append(s.pending, '\n')
		s.mu.Unlock()
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

func (p *lineProducer) write(s *lineSub) {
	defer p.wg.Done()
	var buf []byte
	for range s.wake {
		s.mu.Lock()
		buf, s.pending = s.pending, buf[:0]
		s.mu.Unlock()
		if _, err := s.server.Write(buf); err != nil {
			return
		}
	}
}

func (p *lineProducer) read(sub int, s *lineSub) {
	defer p.wg.Done()
	sc := bufio.NewScanner(s.client)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		seq, key, due, err := bench.ParsePayload(sc.Bytes())
		if err != nil {
			continue
		}
		if p.bug == bugKey {
			key++
		}
		p.env.Sink.Deliver(bench.Delivery{Subscriber: sub, Seq: seq, Key: key, Due: due, At: time.Now()})
		s.received.Add(1)
		select {
		case p.progress <- struct{}{}:
		default:
		}
	}
}

func (p *lineProducer) Drain(ctx context.Context) error {
	if p.bug == bugEarlyDrain {
		return nil
	}
	for {
		done := true
		for _, s := range p.subs {
			done = done && s.received.Load() >= p.published.Load()
		}
		if done {
			p.drained.Store(true)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.progress:
		}
	}
}

func (p *lineProducer) Close() error {
	if !p.closed.CompareAndSwap(false, true) {
		return nil
	}
	if p.bug == bugSlowClose && !p.drained.Load() {
		time.Sleep(1500 * time.Millisecond) // "waits for in-flight work"
	}
	var errs []error
	for _, s := range p.subs {
		close(s.wake)
		errs = append(errs, s.server.Close())
		_ = s.client.Close()
	}
	if err := p.ln.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close listener: %w", err))
	}
	p.wg.Wait()
	return errors.Join(errs...)
}
