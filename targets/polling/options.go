package polling

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// Bounds of the options.
const (
	// MaxLimit is the largest page the server returns; larger limits are
	// rejected by Validate and clamped by the server.
	MaxLimit = 1000
	// MaxRetention is the most events the server keeps (32 bytes each).
	MaxRetention = 1 << 24
	// MaxHold is the longest long-poll hold the server grants; longer
	// requested holds are shortened to it.
	MaxHold = 2 * time.Minute
	// minInterval keeps a mistyped interval ("1ns") from turning the
	// poller into a busy loop.
	minInterval = time.Millisecond
)

// Defaults of the zero-valued options.
const (
	DefaultInterval      = time.Second
	DefaultJitter        = 0.1
	DefaultLimit         = 100
	DefaultRetention     = 100000
	DefaultTimeout       = 10 * time.Second
	DefaultHold          = 25 * time.Second
	DefaultHoldMargin    = 10 * time.Second
	DefaultBackoffBase   = 100 * time.Millisecond
	DefaultBackoffMax    = 10 * time.Second
	defaultIdleKeepalive = 60 * time.Second
)

// Options configures the polling pattern: short polls of the event log at
// an interval. It is plain data, read from scenario files; every zero
// field takes the documented default.
type Options struct {
	// Interval is the mean time between two polls of one subscriber
	// (polls follow a fixed-rate schedule, not "sleep after the answer").
	// Pages are drained while has_more before the poller goes back to
	// its schedule. If zero, 1s.
	Interval bench.Duration `json:"interval" yaml:"interval"`
	// Jitter spreads each period uniformly over Interval×[1-Jitter,
	// 1+Jitter], so that a fleet of pollers does not poll in lockstep.
	// It must be below 1. If zero, 0.1; if negative, no jitter (as
	// net.Dialer.KeepAlive: zero is the default, negative turns it off).
	Jitter float64 `json:"jitter" yaml:"jitter"`
	// Limit is the page size asked for, at most MaxLimit. If zero, 100.
	Limit int `json:"limit" yaml:"limit"`
	// Retention is how many of the latest events the server keeps, at
	// most MaxRetention. A cursor older than that gets 410: the poller
	// resyncs from the oldest retained event and the skipped events are
	// lost. If zero, 100000.
	Retention int `json:"retention" yaml:"retention"`
	// Timeout bounds one request, from dial to the end of the answer.
	// If zero, 10s.
	Timeout bench.Duration `json:"timeout" yaml:"timeout"`
	// BackoffBase and BackoffMax shape the full-jitter backoff after a
	// failed poll: the n-th consecutive failure waits a uniform time in
	// [0, min(BackoffMax, BackoffBase×2^n)). If zero, 100ms and 10s.
	BackoffBase bench.Duration `json:"backoff_base" yaml:"backoff_base"`
	BackoffMax  bench.Duration `json:"backoff_max" yaml:"backoff_max"`
}

// DefaultOptions returns the polling options with every default filled.
func DefaultOptions() Options { return Options{}.WithDefaults() }

// WithDefaults returns o with its zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	if o.Interval == 0 {
		o.Interval = bench.Duration(DefaultInterval)
	}
	if o.Jitter == 0 {
		o.Jitter = DefaultJitter
	}
	if o.Limit == 0 {
		o.Limit = DefaultLimit
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.Timeout == 0 {
		o.Timeout = bench.Duration(DefaultTimeout)
	}
	o.BackoffBase, o.BackoffMax = backoffDefaults(o.BackoffBase, o.BackoffMax)
	return o
}

// Validate reports every problem with o at once. Zero fields are valid
// (they take their defaults).
func (o Options) Validate() error {
	var errs []error
	if o.Interval < 0 || (o.Interval > 0 && o.Interval.D() < minInterval) {
		errs = append(errs, fmt.Errorf("polling.interval must be >= %v, got %v", minInterval, o.Interval))
	}
	if math.IsNaN(o.Jitter) || o.Jitter >= 1 {
		errs = append(errs, fmt.Errorf("polling.jitter must be below 1 (a fraction of the interval; negative for none), got %v", o.Jitter))
	}
	if o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("polling.timeout must be >= 0, got %v", o.Timeout))
	}
	errs = append(errs, common("polling", o.Limit, o.Retention, o.BackoffBase, o.BackoffMax)...)
	return errors.Join(errs...)
}

// LongPollOptions configures the long-polling pattern: the same event log,
// each request held by the server until an event is past the cursor or the
// hold expires. It is plain data; every zero field takes the documented
// default.
type LongPollOptions struct {
	// Hold is how long the server holds a request that finds nothing
	// new, at most MaxHold. The client re-polls at once after every
	// answer. Keep it below every middlebox idle timeout. If zero, 25s.
	Hold bench.Duration `json:"hold" yaml:"hold"`
	// Timeout bounds one request on the client, hold included; it must
	// exceed Hold. If zero, Hold + 10s.
	Timeout bench.Duration `json:"timeout" yaml:"timeout"`
	// Limit is the page size asked for, at most MaxLimit. If zero, 100.
	Limit int `json:"limit" yaml:"limit"`
	// Retention is how many of the latest events the server keeps; see
	// Options.Retention. If zero, 100000.
	Retention int `json:"retention" yaml:"retention"`
	// BackoffBase and BackoffMax shape the full-jitter backoff after a
	// failed poll; see Options. If zero, 100ms and 10s.
	BackoffBase bench.Duration `json:"backoff_base" yaml:"backoff_base"`
	BackoffMax  bench.Duration `json:"backoff_max" yaml:"backoff_max"`
}

// DefaultLongPollOptions returns the long-polling options with every
// default filled.
func DefaultLongPollOptions() LongPollOptions { return LongPollOptions{}.WithDefaults() }

// WithDefaults returns o with its zero fields set to their defaults.
func (o LongPollOptions) WithDefaults() LongPollOptions {
	if o.Hold == 0 {
		o.Hold = bench.Duration(DefaultHold)
	}
	if o.Timeout == 0 {
		o.Timeout = o.Hold + bench.Duration(DefaultHoldMargin)
	}
	if o.Limit == 0 {
		o.Limit = DefaultLimit
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	o.BackoffBase, o.BackoffMax = backoffDefaults(o.BackoffBase, o.BackoffMax)
	return o
}

// Validate reports every problem with o at once. Zero fields are valid
// (they take their defaults).
func (o LongPollOptions) Validate() error {
	var errs []error
	if o.Hold < 0 || o.Hold.D() > MaxHold {
		errs = append(errs, fmt.Errorf("longpoll.hold must be between 0 and %v, got %v", MaxHold, o.Hold))
	}
	if o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("longpoll.timeout must be >= 0, got %v", o.Timeout))
	} else if d := o.WithDefaults(); o.Hold >= 0 && d.Timeout <= d.Hold {
		errs = append(errs, fmt.Errorf("longpoll.timeout must exceed the hold (%v) or a held request always times out, got %v", d.Hold, d.Timeout))
	}
	errs = append(errs, common("longpoll", o.Limit, o.Retention, o.BackoffBase, o.BackoffMax)...)
	return errors.Join(errs...)
}

func backoffDefaults(base, maxB bench.Duration) (bench.Duration, bench.Duration) {
	if base == 0 {
		base = bench.Duration(DefaultBackoffBase)
	}
	if maxB == 0 {
		maxB = bench.Duration(max(DefaultBackoffMax, base.D()))
	}
	return base, maxB
}

// common checks the options both patterns share.
func common(name string, limit, retention int, base, maxB bench.Duration) []error {
	var errs []error
	if limit < 0 || limit > MaxLimit {
		errs = append(errs, fmt.Errorf("%s.limit must be between 1 and %d, got %d", name, MaxLimit, limit))
	}
	if retention < 0 || retention > MaxRetention {
		errs = append(errs, fmt.Errorf("%s.retention must be between 1 and %d events, got %d", name, MaxRetention, retention))
	}
	if base < 0 || maxB < 0 {
		errs = append(errs, fmt.Errorf("%s.backoff_base and backoff_max must be >= 0, got %v and %v", name, base, maxB))
	} else if b, m := backoffDefaults(base, maxB); b > m {
		errs = append(errs, fmt.Errorf("%s.backoff_base (%v) must not exceed backoff_max (%v)", name, b, m))
	}
	return errs
}

// config is the resolved configuration of one Target, shared by both
// modes.
type config struct {
	name        string
	interval    time.Duration // 0 in long-poll mode
	jitter      float64       // 0 for none
	hold        time.Duration // 0 in short-poll mode
	timeout     time.Duration
	limit       int
	retention   int
	backoffBase time.Duration
	backoffMax  time.Duration
}

func (o Options) config() config {
	o = o.WithDefaults()
	return config{
		name:        NamePolling,
		interval:    o.Interval.D(),
		jitter:      max(o.Jitter, 0),
		timeout:     o.Timeout.D(),
		limit:       o.Limit,
		retention:   o.Retention,
		backoffBase: o.BackoffBase.D(),
		backoffMax:  o.BackoffMax.D(),
	}
}

func (o LongPollOptions) config() config {
	o = o.WithDefaults()
	return config{
		name:        NameLongPoll,
		hold:        o.Hold.D(),
		timeout:     o.Timeout.D(),
		limit:       o.Limit,
		retention:   o.Retention,
		backoffBase: o.BackoffBase.D(),
		backoffMax:  o.BackoffMax.D(),
	}
}
