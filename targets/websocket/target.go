package websocket

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/faultproxy"
)

// Target is the websocket delivery pattern. It is safe for concurrent use;
// each Start brings up a new server and new clients.
type Target struct {
	opts Options
}

var _ bench.Target = (*Target)(nil)

// New returns the websocket Target with opts; zero fields take their
// defaults. opts is checked by Start.
func New(opts Options) *Target { return &Target{opts: opts} }

// Name returns "websocket".
func (t *Target) Name() string { return "websocket" }

// Start brings up the server on a loopback port and env.Subscribers
// clients, and returns once every client has subscribed. When env.Faults
// holds a network fault, the clients dial a fault proxy in front of the
// server instead of the server. The returned Producer is a *Producer; the
// caller must Close it. ctx bounds the start-up only.
func (t *Target) Start(ctx context.Context, env bench.Env) (bench.Producer, error) {
	p, err := t.start(ctx, env)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// seedClients separates the clients' jitter from the engine's generators,
// which derive from the same seed.
const seedClients uint64 = 0x94d049bb133111eb

// newRNG returns subscriber sub's jitter generator for the run's seed.
func newRNG(seed uint64, sub int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seedClients+uint64(sub)))
}

func (t *Target) start(ctx context.Context, env bench.Env) (*Producer, error) {
	var errs []error
	if err := t.opts.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := env.Check(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("websocket: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("websocket: start: %w", err)
	}
	log := env.WithDefaults().Logger
	o := t.opts.WithDefaults()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("websocket: listen: %w", err)
	}
	addr := ln.Addr().String() // where the clients dial
	var proxy *faultproxy.Proxy
	if faultproxy.NeedsProxy(env.Faults) {
		if proxy, err = faultproxy.New(addr, env.Faults, log); err != nil {
			return nil, errors.Join(fmt.Errorf("websocket: %w", err), ln.Close())
		}
		addr = proxy.Addr()
	}
	p := &Producer{
		opts:      o,
		hub:       newHub(o, env.Meter),
		url:       "ws://" + ln.Addr().String() + streamPath,
		serveDone: make(chan error, 1),
		proxy:     proxy,
		halt:      make(chan struct{}),
	}
	sv := &server{
		hub: p.hub, opts: o, meter: env.Meter, stats: &p.stats, log: log,
		faults: env.Faults, born: time.Now(), subs: map[int]*subFaults{},
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+streamPath, sv)
	p.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: o.WriteTimeout.D(),
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
	}
	go func() { p.serveDone <- p.srv.Serve(env.Meter.Listener(ln)) }()

	dialer := &net.Dialer{}
	p.transport = &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return env.Meter.Dialed(c), nil
		},
	}
	hc := &http.Client{Transport: p.transport}
	var runCtx context.Context
	runCtx, p.cancel = context.WithCancel(context.Background())
	base := "http://" + addr
	for i := range env.Subscribers {
		c := &client{
			id:       i,
			base:     base,
			http:     hc,
			opts:     o,
			sink:     env.Sink,
			meter:    env.Meter,
			stats:    &p.stats,
			log:      log,
			rng:      newRNG(env.Seed, i),
			stopping: &p.stopping,
			halt:     p.halt,
			faults:   env.Faults,
			slow:     env.Faults.Has(bench.FaultSlow),
			stall:    newGate(),
			ready:    make(chan error, 1),
		}
		p.clients = append(p.clients, c)
		p.wg.Go(func() { c.run(runCtx) })
	}
	p.sched = &scheduler{faults: env.Faults, cuts: cutsOf(env.Faults), clients: p.clients, halt: p.halt}
	p.sched.start()
	for _, c := range p.clients {
		select {
		case err = <-c.ready:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			return nil, errors.Join(fmt.Errorf("websocket: start: %w", err), p.Close())
		}
	}
	return p, nil
}
