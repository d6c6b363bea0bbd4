package webhook

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookbench/hookbench/bench"
)

// A Target is the webhook delivery pattern. Like httptest.Server, it
// listens on 127.0.0.1 ports of its own; each Start brings up a fresh set of
// receivers and a fresh sender, so one Target can run many times.
type Target struct {
	// Respond, if set, is called by the receivers for every authentic
	// request, with the subscriber and the event's seq, before the
	// delivery is recorded. A Reply with a Status makes the receiver
	// answer that instead, without recording anything; the zero Reply lets
	// it proceed. It must be safe for concurrent use. It is a test hook
	// (failure injection), not scenario data; set it before Start.
	Respond func(sub int, seq uint64) Reply

	opts Options
	// receiverSecret, if set, is what receivers verify with instead of the
	// sender's secret; tests use it to make every signature bad.
	receiverSecret string
	// trace, if set, sees every request the receivers answer, faults
	// included (tests).
	trace func(traced)
}

var _ bench.Target = (*Target)(nil)

// New returns a webhook Target with opts, its zero fields set to their
// defaults. Start reports invalid options.
func New(opts Options) *Target { return &Target{opts: opts.WithDefaults()} }

// Name returns "webhook".
func (t *Target) Name() string { return "webhook" }

// Options returns the options in use, defaults filled.
func (t *Target) Options() Options { return t.opts }

// Start brings up one receiver per subscriber and the sender, and returns
// once every receiver is serving. ctx bounds the start only. The caller
// must Close the returned Producer.
func (t *Target) Start(ctx context.Context, env bench.Env) (bench.Producer, error) {
	if err := t.opts.Validate(); err != nil {
		return nil, fmt.Errorf("webhook: invalid options: %w", err)
	}
	if err := env.Check(); err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	env = env.WithDefaults()
	p := newProducer(t.opts, env)
	if err := p.start(ctx, t, env); err != nil {
		return nil, errors.Join(err, p.Close())
	}
	return p, nil
}

// signers returns the signer the sender uses for subscriber sub and the one
// its receiver verifies with (the same, unless a test says otherwise).
func (t *Target) signers(seed uint64, sub int) (send, verify *Signer, err error) {
	secret := t.opts.Secret
	if secret == "" {
		secret = DeriveSecret(seed, sub)
	}
	if send, err = NewSigner(secret); err != nil {
		return nil, nil, err
	}
	verify = send
	if t.receiverSecret != "" {
		if verify, err = NewSigner(t.receiverSecret); err != nil {
			return nil, nil, err
		}
	}
	return send, verify, nil
}
