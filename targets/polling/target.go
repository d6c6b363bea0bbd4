package polling

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/valyala/fasthttp"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/faultproxy"
)

// Pattern names, as they appear in scenarios and results.
const (
	NamePolling  = "polling"
	NameLongPoll = "longpoll"
)

// A Target is the polling or the long-polling pattern: an event-log server
// and one poller per subscriber, both on loopback. Build it with
// NewPolling or NewLongPoll; it holds configuration only and can be
// started any number of times, each Start being an independent run.
type Target struct {
	cfg      config
	validate func() error
	// wrap, if set, wraps the server's handler: tests use it to inject
	// answers (429, errors) in front of the real API.
	wrap func(fasthttp.RequestHandler) fasthttp.RequestHandler
	// trace, if set, sees every request the server answers, fault answers
	// included (tests).
	trace func(traced)
	// onStart, if set, sees (and may change) the Env of each Start before
	// anything is started: tests wrap the sink and keep the fault plan.
	onStart func(*bench.Env)
}

var _ bench.Target = (*Target)(nil)

// NewPolling returns the short-polling target ("polling"). Options are
// validated by Start.
func NewPolling(opts Options) *Target {
	return &Target{cfg: opts.config(), validate: opts.Validate}
}

// NewLongPoll returns the long-polling target ("longpoll"). Options are
// validated by Start.
func NewLongPoll(opts LongPollOptions) *Target {
	return &Target{cfg: opts.config(), validate: opts.Validate}
}

// Name returns "polling" or "longpoll".
func (t *Target) Name() string { return t.cfg.name }

// Start brings up the event-log server on 127.0.0.1:0 and one poller per
// subscriber, and returns once every poller has been answered once (it is
// connected and positioned at the log head). When env.Faults holds a
// network fault, the pollers reach the server through a fault proxy
// (faultproxy.New); the application faults act in the server and the
// pollers (doc.go). ctx bounds the start-up only. The Producer it returns
// is a *Producer; the caller must Close it.
func (t *Target) Start(ctx context.Context, env bench.Env) (bench.Producer, error) {
	if t.onStart != nil {
		t.onStart(&env)
	}
	if err := t.check(env); err != nil {
		return nil, fmt.Errorf("%s: %w", t.cfg.name, err)
	}
	logger := env.WithDefaults().Logger.With("pattern", t.cfg.name)
	env.Logger = logger

	log := newEventLog(t.cfg.retention)
	srv := newServer(log, logger, env.Faults)
	addr, err := srv.serve(env.Meter, srv.handler(t.wrap, t.trace))
	if err != nil {
		return nil, fmt.Errorf("%s: start server: %w", t.cfg.name, err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	p := &Producer{
		name:     t.cfg.name,
		url:      "http://" + addr,
		cfg:      t.cfg,
		log:      log,
		srv:      srv,
		logger:   logger,
		cancel:   cancel,
		progress: make(chan struct{}, 1),
	}
	dial := addr
	if faultproxy.NeedsProxy(env.Faults) {
		// The proxy's own connections are not metered: the pollers' and
		// the server's ends are, as without one.
		px, err := faultproxy.New(addr, env.Faults, logger)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("%s: start fault proxy: %w", t.cfg.name, err), p.Close())
		}
		p.proxy = px
		dial = px.Addr()
	}
	if err := p.startPollers(ctx, runCtx, dial, env); err != nil {
		return nil, errors.Join(fmt.Errorf("%s: start pollers: %w", t.cfg.name, err), p.Close())
	}
	if turns := turnsOf(env.Faults); len(turns) > 0 {
		p.wg.Go(func() { p.runTurns(runCtx, env.Faults, turns) })
	}
	return p, nil
}

func (t *Target) check(env bench.Env) error {
	var errs []error
	if err := t.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := env.Check(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// A Producer is a running polling or long-polling target: the event log
// its Publish appends to, the server, the fault proxy in front of it if
// the plan needs one, and the pollers. Its methods are safe for concurrent
// use.
type Producer struct {
	name     string
	url      string
	cfg      config
	log      *eventLog
	srv      *server
	proxy    *faultproxy.Proxy // nil without network faults
	logger   *slog.Logger
	pollers  []*poller
	cancel   context.CancelFunc
	wg       sync.WaitGroup // the pollers and the fault schedule
	progress chan struct{}

	closeOnce sync.Once
	closeErr  error
}

var _ bench.Producer = (*Producer)(nil)

// startPollers starts one poller per subscriber, each running until
// runCtx ends, and waits until each has been answered once or ctx ends.
func (p *Producer) startPollers(ctx, runCtx context.Context, addr string, env bench.Env) error {
	startCtx, stop := context.WithCancel(runCtx)
	defer stop()
	defer context.AfterFunc(ctx, stop)()
	ready := make(chan bool, env.Subscribers)
	p.wg.Add(env.Subscribers)
	for sub := range env.Subscribers {
		pl := newPoller(sub, &p.cfg, addr, env, newHTTPClient(runCtx, addr, env.Meter), p.progress)
		p.pollers = append(p.pollers, pl)
		go func() {
			defer p.wg.Done()
			ok := pl.start(startCtx)
			ready <- ok
			if !ok {
				pl.client.release()
				return
			}
			pl.run(runCtx)
		}()
	}
	for range env.Subscribers {
		if !<-ready {
			if err := ctx.Err(); err != nil {
				return err
			}
			return errors.New("stopped while starting")
		}
	}
	return nil
}

// URL returns the server's base URL, such as http://127.0.0.1:34567; the
// events are at URL/events.
func (p *Producer) URL() string { return p.url }

// Publish appends ev to the event log; pollers see it at their next poll
// (long polls are woken at once). It never blocks on delivery: the append
// is O(1) under a short lock. After Close it returns ErrClosed.
func (p *Producer) Publish(ev bench.Event) error {
	if err := p.log.append(ev); err != nil {
		return fmt.Errorf("%s: publish seq %d: %w", p.name, ev.Seq, err)
	}
	return nil
}

// Drain returns nil once every poller's cursor has reached the log head
// as it was when Drain was called or later (every event published before
// Drain has then been delivered, or skipped by a counted resync), or
// ctx.Err() if ctx ends first. After Close it returns ErrClosed unless the
// pollers had caught up.
func (p *Producer) Drain(ctx context.Context) error {
	for {
		if p.caughtUp(p.log.head.Load()) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.log.done:
			if p.caughtUp(p.log.head.Load()) {
				return nil
			}
			return fmt.Errorf("%s: drain: %w", p.name, ErrClosed)
		case <-p.progress:
		}
	}
}

func (p *Producer) caughtUp(head uint64) bool {
	for _, pl := range p.pollers {
		if pl.cursor.Load() < head {
			return false
		}
	}
	return true
}

// Close stops the pollers (and the fault schedule), then the fault proxy,
// then the server, and waits for all their goroutines. Long polls in
// progress end at once: the log's close wakes them, it does not wait for
// the hold. Close is idempotent; later calls return the first call's
// error.
func (p *Producer) Close() error {
	p.closeOnce.Do(func() {
		p.cancel()    // pollers stop; their connections close
		p.log.close() // Publish fails from now on; held polls end now
		p.wg.Wait()
		var errs []error
		if p.proxy != nil {
			errs = append(errs, p.proxy.Close())
		}
		errs = append(errs, p.srv.close())
		if err := errors.Join(errs...); err != nil {
			p.closeErr = fmt.Errorf("%s: close: %w", p.name, err)
		}
	})
	return p.closeErr
}
