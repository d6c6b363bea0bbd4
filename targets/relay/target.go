package relay

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/webhook"
	"github.com/hookbench/hookbench/targets/websocket"
)

// Name is the pattern's name in scenarios and results.
const Name = "webhook+websocket"

// A Target is the webhook+websocket pattern. It holds configuration only:
// each Start brings up a fresh webhook target and a fresh websocket target
// on loopback ports of their own, so one Target can run many times.
type Target struct {
	opts Options
	// respond, if set, is the webhook target's Respond hook on the relay's
	// endpoint (tests: refuse some webhooks, to lose events on the first
	// hop).
	respond func(sub int, seq uint64) webhook.Reply
}

var _ bench.Target = (*Target)(nil)

// New returns a webhook+websocket Target with opts, its zero fields set to
// their defaults. Start reports invalid options.
func New(opts Options) *Target { return &Target{opts: opts.WithDefaults()} }

// Name returns "webhook+websocket".
func (t *Target) Name() string { return Name }

// Options returns the options in use, defaults filled.
func (t *Target) Options() Options { return t.opts }

// Start brings up the fan-out (a websocket target serving env.Subscribers
// clients, whose deliveries go to env.Sink through a counting wrapper),
// then the relay's ingest (a webhook target with one subscriber, the
// relay, whose sink appends to the fan-out), and returns once every client
// has subscribed and the relay's endpoint serves. env.Faults goes to the
// fan-out only (see the package doc). Each part gets a child of env.Meter.
// ctx bounds the start-up only. The returned Producer is a *Producer; the
// caller must Close it.
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
	p := &Producer{
		subs:        env.Subscribers,
		clients:     &clientSink{next: env.Sink, subs: env.Subscribers},
		ingestMeter: env.Meter.Child(),
		fanoutMeter: env.Meter.Child(),
	}

	fenv := env
	fenv.Sink = p.clients
	fenv.Meter = p.fanoutMeter
	fenv.Logger = env.Logger.With("hop", "relay->clients")
	fan, err := websocket.New(t.opts.Websocket).Start(ctx, fenv)
	if err != nil {
		return nil, fmt.Errorf("%s: start the fan-out: %w", Name, err)
	}
	ws, ok := fan.(*websocket.Producer)
	if !ok {
		return nil, errors.Join(fmt.Errorf("%s: the websocket target returned a %T, not a *websocket.Producer", Name, fan), fan.Close())
	}
	p.fanout = ws
	p.ingest = &ingest{fanout: ws, log: env.Logger.With("component", "relay")}

	wh := webhook.New(t.opts.Webhook)
	wh.Respond = t.respond
	ienv := env
	ienv.Subscribers = 1
	ienv.Sink = p.ingest
	ienv.Meter = p.ingestMeter
	ienv.Logger = env.Logger.With("hop", "producer->relay")
	ienv.Faults = nil
	in, err := wh.Start(ctx, ienv)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("%s: start the relay's ingest: %w", Name, err), p.Close())
	}
	p.webhook = in
	return p, nil
}
