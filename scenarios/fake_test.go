package scenarios

import (
	"errors"
	"fmt"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// The tests run against a fake pattern table with every pattern name the
// built-ins use and option structs shaped like the real ones: units of
// both kinds (bench.Duration, time.Duration), nesting, inlining and a
// Validate method.

type fakeRetry struct {
	Schedule string         `yaml:"schedule" json:"schedule"`
	Base     bench.Duration `yaml:"base" json:"base"`
	Cap      bench.Duration `yaml:"cap" json:"cap"`
	Attempts int            `yaml:"attempts" json:"attempts"`
}

type fakeWebhook struct {
	Timeout     bench.Duration    `yaml:"timeout" json:"timeout"`
	Retry       fakeRetry         `yaml:"retry" json:"retry"`
	Concurrency int               `yaml:"concurrency" json:"concurrency"`
	Ordered     bool              `yaml:"ordered" json:"ordered"`
	Headers     map[string]string `yaml:"headers" json:"headers"`
}

func (o *fakeWebhook) Validate() error {
	var errs []error
	if o.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout must be > 0, got %v", o.Timeout))
	}
	if o.Retry.Attempts < 1 {
		errs = append(errs, fmt.Errorf("retry.attempts must be >= 1, got %d", o.Retry.Attempts))
	}
	return errors.Join(errs...)
}

// fakePolling and fakeLongpoll follow the targets' convention: a zero
// field means its default, which WithDefaults fills, and a default may
// derive from another field (the long-poll timeout from the hold).
type fakePolling struct {
	Interval time.Duration `yaml:"interval" json:"interval"`
	Limit    int           `yaml:"limit" json:"limit"`
	Jitter   float64       `yaml:"jitter" json:"jitter"`
}

func (o fakePolling) WithDefaults() fakePolling {
	if o.Interval == 0 {
		o.Interval = time.Second
	}
	if o.Limit == 0 {
		o.Limit = 100
	}
	if o.Jitter == 0 {
		o.Jitter = 0.1
	}
	return o
}

type fakeLongpoll struct {
	Hold    bench.Duration `yaml:"hold" json:"hold"`
	Timeout bench.Duration `yaml:"timeout" json:"timeout,omitempty"`
	Limit   int            `yaml:"limit" json:"limit"`
}

func (o fakeLongpoll) WithDefaults() fakeLongpoll {
	if o.Hold == 0 {
		o.Hold = bench.Duration(25 * time.Second)
	}
	if o.Timeout == 0 {
		o.Timeout = o.Hold + bench.Duration(10*time.Second)
	}
	if o.Limit == 0 {
		o.Limit = 100
	}
	return o
}

func (o fakeLongpoll) Validate() error {
	if d := o.WithDefaults(); d.Timeout <= d.Hold {
		return fmt.Errorf("longpoll.timeout must exceed the hold (%v), got %v", d.Hold, d.Timeout)
	}
	return nil
}

type fakeWebSocket struct {
	Ping   bench.Duration `yaml:"ping" json:"ping"`
	Buffer int            `yaml:"buffer" json:"buffer"`
	Queue  bench.Size     `yaml:"queue" json:"queue"`
}

type fakeReconcile struct {
	fakeWebhook `yaml:",inline"`
	Every       time.Duration `yaml:"every" json:"every"`
}

func fakePatterns() Patterns {
	return Patterns{
		"webhook": func() any {
			return &fakeWebhook{Timeout: bench.Duration(2 * time.Second), Concurrency: 8,
				Retry: fakeRetry{Schedule: "exponential", Base: bench.Duration(100 * time.Millisecond), Cap: bench.Duration(30 * time.Second), Attempts: 10}}
		},
		"polling":  func() any { return &fakePolling{Interval: time.Second, Limit: 100, Jitter: 0.1} },
		"longpoll": func() any { return &fakeLongpoll{Hold: bench.Duration(25 * time.Second), Limit: 100} },
		"websocket": func() any {
			return &fakeWebSocket{Ping: bench.Duration(25 * time.Second), Buffer: 10000, Queue: 64 << 10}
		},
		"webhook+polling": func() any {
			return &fakeReconcile{fakeWebhook: fakeWebhook{Timeout: bench.Duration(time.Second), Retry: fakeRetry{Attempts: 3}}, Every: 5 * time.Second}
		},
		"webhook+websocket": func() any { return &fakeWebSocket{Ping: bench.Duration(25 * time.Second), Buffer: 10000} },
	}
}

// testEnv is a machine with a fixed open-file limit.
func testEnv(limit uint64) env {
	return env{fdLimit: func() (uint64, uint64, bool) { return limit, limit, true }}
}
