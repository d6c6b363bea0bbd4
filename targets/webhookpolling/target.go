package webhookpolling

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/polling"
	"github.com/hookbench/hookbench/targets/webhook"
)

// Name is the pattern's name in scenarios and results.
const Name = "webhook+polling"

// A Target is the webhook+polling pattern. It holds configuration only:
// each Start brings up a fresh webhook target and a fresh polling target on
// loopback ports of their own, so one Target can run many times.
type Target struct {
	opts Options
}

var (
	_ bench.Target          = (*Target)(nil)
	_ bench.PathNamer       = (*Producer)(nil)
	_ bench.CounterReporter = (*Producer)(nil)
)

// New returns a webhook+polling Target with opts, its zero fields set to
// their defaults. Start reports invalid options.
func New(opts Options) *Target { return &Target{opts: opts.WithDefaults()} }

// Name returns "webhook+polling".
func (t *Target) Name() string { return Name }

// Options returns the options in use, defaults filled.
func (t *Target) Options() Options { return t.opts }

// Start brings up the reconciler (a polling target whose sink is the
// consumer's dedupe, metered by a child of env.Meter) and then the webhook
// target (whose sink marks what it delivers), both with env.Faults, and
// returns once both are ready. ctx bounds the start-up only. The returned
// Producer is a *Producer; the caller must Close it.
func (t *Target) Start(ctx context.Context, env bench.Env) (bench.Producer, error) {
	var errs []error
	if err := t.opts.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := env.Check(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	env = env.WithDefaults()
	c := newConsumer(env.Sink, env.Subscribers, t.opts.Settle.D())
	c.held = newSettler(c)
	p := &Producer{consumer: c, reconcileMeter: env.Meter.Child(), webhookMeter: env.Meter.Child()}

	renv := env
	renv.Sink = reconcileSink{c}
	renv.Meter = p.reconcileMeter
	renv.Logger = env.Logger.With("path", "reconcile")
	rec, err := polling.NewPolling(t.opts.reconciler()).Start(ctx, renv)
	if err != nil {
		c.held.close()
		return nil, fmt.Errorf("%s: start reconciler: %w", Name, err)
	}
	p.reconciler = rec

	wenv := env
	wenv.Sink = webhookSink{c}
	wenv.Meter = p.webhookMeter
	wenv.Logger = env.Logger.With("path", "webhook")
	wh, err := webhook.New(t.opts.Webhook).Start(ctx, wenv)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("%s: start webhook: %w", Name, err), p.Close())
	}
	p.webhook = wh
	return p, nil
}
