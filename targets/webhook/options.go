package webhook

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// Schedule names a retry schedule.
type Schedule string

// Retry schedules (reference/delivery-patterns.md 1.4).
const (
	// Exponential waits rand(0, min(Cap, Base*2^n)) before retry n (AWS
	// "full jitter").
	Exponential Schedule = "exponential"
	// Svix is Svix's schedule: retries after 5s, 5m, 30m, 2h, 5h, 10h and
	// 10h, each after the previous failure (8 attempts, about 27.6h).
	Svix Schedule = "svix"
	// Standard is the Standard Webhooks example schedule: retries after 5s,
	// 5m, 30m, 2h, 5h, 10h, 14h, 20h and 24h (10 attempts, about 75.6h).
	Standard Schedule = "standard"
)

// Defaults. They suit loopback: a receiver answers in well under a
// millisecond, so 2s per attempt only cuts off a hung peer, and the
// exponential schedule's worst case (about 21s of waits over 10 attempts)
// fits a run's drain.
const (
	DefaultTimeout     = 2 * time.Second
	DefaultConcurrency = 16
	DefaultBase        = 100 * time.Millisecond
	DefaultCap         = 5 * time.Second
	DefaultAttempts    = 10
)

// Limits that catch typing mistakes rather than express real constraints.
const (
	maxConcurrency = 4096
	maxAttempts    = 1000
)

// Options configure the webhook pattern. They are scenario data: the zero
// value of every field means its documented default.
type Options struct {
	// Timeout bounds each delivery attempt: connecting, sending the request
	// and reading the response. If zero, 2s.
	Timeout bench.Duration `json:"timeout" yaml:"timeout"`
	// Concurrency caps the requests in flight to one endpoint: the sender
	// runs that many workers and at most that many connections per
	// subscriber. If zero, 16.
	Concurrency int `json:"concurrency" yaml:"concurrency"`
	// Retry says when failed attempts are tried again.
	Retry Retry `json:"retry" yaml:"retry"`
	// Secret signs the messages to every subscriber: "whsec_" and the
	// base64 of 24 to 64 bytes. If empty, each subscriber gets its own
	// secret derived from the run seed and its index (DeriveSecret).
	Secret string `json:"secret,omitempty" yaml:"secret,omitempty"`
}

// Retry is the retry policy of the webhook sender.
type Retry struct {
	// Schedule is exponential, svix or standard. If empty, exponential.
	Schedule Schedule `json:"schedule" yaml:"schedule"`
	// Base is the exponential schedule's first ceiling; it doubles with
	// each retry. Exponential only. If zero, 100ms.
	Base bench.Duration `json:"base,omitempty" yaml:"base,omitempty"`
	// Cap bounds the exponential schedule's ceiling. Exponential only. If
	// zero, 5s.
	Cap bench.Duration `json:"cap,omitempty" yaml:"cap,omitempty"`
	// Attempts counts every attempt, the first one included: 1 means no
	// retries. Named schedules allow at most their own length. If zero, 10
	// for exponential and standard, 8 for svix.
	Attempts int `json:"attempts" yaml:"attempts"`
	// Compress divides every delay the schedule yields, so that real-world
	// schedules spanning days run in seconds; report it with the results.
	// It does not divide Timeout, nor a receiver's Retry-After. If zero, 1.
	Compress float64 `json:"compress,omitempty" yaml:"compress,omitempty"`
}

// DefaultOptions returns the options with every default filled.
func DefaultOptions() Options { return Options{}.WithDefaults() }

// WithDefaults returns o with its zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	if o.Timeout == 0 {
		o.Timeout = bench.Duration(DefaultTimeout)
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	o.Retry = o.Retry.WithDefaults()
	return o
}

// WithDefaults returns r with its zero fields set to their defaults.
func (r Retry) WithDefaults() Retry {
	if r.Schedule == "" {
		r.Schedule = Exponential
	}
	if r.Schedule == Exponential {
		if r.Base == 0 {
			r.Base = bench.Duration(DefaultBase)
		}
		if r.Cap == 0 {
			r.Cap = bench.Duration(DefaultCap)
		}
	}
	if r.Attempts == 0 {
		r.Attempts = DefaultAttempts
		if d := namedDelays(r.Schedule); d != nil {
			r.Attempts = len(d) + 1
		}
	}
	if r.Compress == 0 {
		r.Compress = 1
	}
	return r
}

// Validate reports every problem with o at once. Zero fields are valid:
// they mean their defaults.
func (o Options) Validate() error {
	var errs []error
	if o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout must be >= 0 (0 means %v), got %v", DefaultTimeout, o.Timeout))
	}
	if o.Concurrency < 0 || o.Concurrency > maxConcurrency {
		errs = append(errs, fmt.Errorf("concurrency must be between 1 and %d (0 means %d), got %d",
			maxConcurrency, DefaultConcurrency, o.Concurrency))
	}
	errs = append(errs, o.Retry.problems()...)
	if o.Secret != "" {
		if _, err := ParseSecret(o.Secret); err != nil {
			errs = append(errs, fmt.Errorf("secret: %w (or leave it empty for a derived one)", err))
		}
	}
	return errors.Join(errs...)
}

// Validate reports every problem with r at once.
func (r Retry) Validate() error { return errors.Join(r.problems()...) }

func (r Retry) problems() []error {
	var errs []error
	named := namedDelays(r.Schedule)
	switch r.Schedule {
	case "", Exponential, Svix, Standard:
	default:
		errs = append(errs, fmt.Errorf("retry.schedule must be %s, %s or %s, got %q", Exponential, Svix, Standard, r.Schedule))
	}
	if r.Base < 0 {
		errs = append(errs, fmt.Errorf("retry.base must be >= 0 (0 means %v), got %v", DefaultBase, r.Base))
	}
	if r.Cap < 0 {
		errs = append(errs, fmt.Errorf("retry.cap must be >= 0 (0 means %v), got %v", DefaultCap, r.Cap))
	}
	if named != nil && (r.Base != 0 || r.Cap != 0) {
		errs = append(errs, fmt.Errorf("retry.base and retry.cap apply to the %s schedule only; remove them for %s (use retry.compress to speed it up)",
			Exponential, r.Schedule))
	}
	if d := r.WithDefaults(); d.Schedule == Exponential && r.Base >= 0 && r.Cap >= 0 && d.Base > d.Cap {
		errs = append(errs, fmt.Errorf("retry.base (%v) must be <= retry.cap (%v)", d.Base, d.Cap))
	}
	limit := maxAttempts
	if named != nil {
		limit = len(named) + 1
	}
	if r.Attempts < 0 || r.Attempts > limit {
		errs = append(errs, fmt.Errorf("retry.attempts must be between 1 and %d for schedule %s (0 means the default), got %d",
			limit, r.WithDefaults().Schedule, r.Attempts))
	}
	if r.Compress < 0 || math.IsNaN(r.Compress) || math.IsInf(r.Compress, 0) {
		errs = append(errs, fmt.Errorf("retry.compress must be a finite number > 0 (0 means 1), got %v", r.Compress))
	}
	return errs
}
