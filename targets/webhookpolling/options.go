package webhookpolling

import (
	"errors"
	"fmt"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/polling"
	"github.com/hookbench/hookbench/targets/webhook"
)

// Defaults of the zero-valued options.
const (
	DefaultReconcileInterval = 2 * time.Second
	DefaultLimit             = polling.DefaultLimit
	DefaultSettle            = time.Second
)

// Bounds of the options.
const (
	minReconcileInterval = time.Millisecond // as the polling target's interval
	maxSettle            = time.Hour
)

// Options configures the webhook+polling pattern. It is plain data, read
// from the pattern's block of a scenario file; every zero field takes the
// default written next to it. The webhook options are nested, under
// "webhook", exactly as the webhook pattern's own block:
//
//	webhook+polling:
//	  webhook: {retry: {attempts: 3}}
//	  reconcile_interval: 2s
//	  limit: 100
//	  settle: 1s
type Options struct {
	// Webhook configures the push path, as for the webhook pattern.
	Webhook webhook.Options `json:"webhook" yaml:"webhook"`
	// ReconcileInterval is the mean time between two reconciliation
	// polls of one subscriber (the polling pattern's interval, with its
	// default jitter of ±10%). If zero, 2s.
	ReconcileInterval bench.Duration `json:"reconcile_interval" yaml:"reconcile_interval"`
	// Limit is the reconciler's page size, at most polling.MaxLimit; it
	// drains pages while has_more. If zero, 100.
	Limit int `json:"limit" yaml:"limit"`
	// Settle is how old (since its due time) an event must be before the
	// reconciler counts it as missed by the webhook path and processes
	// it; a younger unseen event is held until then, and dropped if the
	// webhook brings it first. It keeps the reconciler from racing
	// webhook deliveries in flight, which would turn on-time webhooks
	// into duplicates and inflate the reconcile share. If zero, 1s; if
	// negative, none (every unseen event is processed at once). At most
	// 1h.
	Settle bench.Duration `json:"settle" yaml:"settle"`
}

// DefaultOptions returns the options with every default filled.
func DefaultOptions() Options { return Options{}.WithDefaults() }

// WithDefaults returns o with its zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	o.Webhook = o.Webhook.WithDefaults()
	if o.ReconcileInterval == 0 {
		o.ReconcileInterval = bench.Duration(DefaultReconcileInterval)
	}
	if o.Limit == 0 {
		o.Limit = DefaultLimit
	}
	if o.Settle == 0 {
		o.Settle = bench.Duration(DefaultSettle)
	}
	return o
}

// Validate reports every problem with o at once. Zero fields are valid:
// they take their defaults. Problems with the webhook options are named
// by their path ("webhook.retry.attempts must be ...").
func (o Options) Validate() error {
	errs := prefixed("webhook.", o.Webhook.Validate())
	if o.ReconcileInterval < 0 || (o.ReconcileInterval > 0 && o.ReconcileInterval.D() < minReconcileInterval) {
		errs = append(errs, fmt.Errorf("reconcile_interval must be >= %v (0 means %v), got %v",
			minReconcileInterval, DefaultReconcileInterval, o.ReconcileInterval))
	}
	if o.Limit < 0 || o.Limit > polling.MaxLimit {
		errs = append(errs, fmt.Errorf("limit must be between 1 and %d (0 means %d), got %d", polling.MaxLimit, DefaultLimit, o.Limit))
	}
	if o.Settle.D() > maxSettle {
		errs = append(errs, fmt.Errorf("settle must be at most %v (0 means %v, negative none), got %v", maxSettle, DefaultSettle, o.Settle))
	}
	return errors.Join(errs...)
}

// reconciler returns the options of the polling target that reconciles.
func (o Options) reconciler() polling.Options {
	return polling.Options{Interval: o.ReconcileInterval, Limit: o.Limit}
}

// prefixed returns the leaves of err (an errors.Join tree), each prefixed
// with the path of the options block they come from.
func prefixed(prefix string, err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, prefixed(prefix, e)...)
		}
		return out
	}
	return []error{fmt.Errorf("%s%w", prefix, err)}
}
