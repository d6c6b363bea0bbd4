package targettest

import (
	"time"

	"go.uber.org/goleak"
)

// An Option changes a setting of Run.
type Option func(*config)

// config is the suite's settings.
type config struct {
	subscribers  int
	rate         float64
	duration     time.Duration
	payload      int
	seed         uint64
	startTimeout time.Duration
	drainTimeout time.Duration
	closeTimeout time.Duration
	leak         []goleak.Option
}

func defaultConfig() config {
	return config{
		subscribers:  4,
		rate:         200,
		duration:     1500 * time.Millisecond,
		payload:      512,
		seed:         1,
		startTimeout: 10 * time.Second,
		drainTimeout: 10 * time.Second,
		closeTimeout: 5 * time.Second,
	}
}

// Subscribers sets the number of subscribers of the delivery run. If not
// set, 4.
func Subscribers(n int) Option { return func(c *config) { c.subscribers = n } }

// Rate sets the event rate of the delivery run, in events per second. If
// not set, 200.
func Rate(perSecond float64) Option { return func(c *config) { c.rate = perSecond } }

// Duration sets how long the delivery run publishes. If not set, 1.5s.
func Duration(d time.Duration) Option { return func(c *config) { c.duration = d } }

// Payload sets the body size of the events, in bytes. If not set, 512.
func Payload(bytes int) Option { return func(c *config) { c.payload = bytes } }

// Seed sets the seed of the stream and of the targets' generators. If not
// set, 1.
func Seed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// DrainTimeout bounds each Drain that must succeed: a target whose
// deliveries take longer (a retry schedule, a poll interval) sets it
// higher. If not set, 10s.
func DrainTimeout(d time.Duration) Option { return func(c *config) { c.drainTimeout = d } }

// StartTimeout bounds each Start. If not set, 10s.
func StartTimeout(d time.Duration) Option { return func(c *config) { c.startTimeout = d } }

// CloseTimeout is how soon Close must return to count as prompt (after a
// cancelled stream, with deliveries in flight). If not set, 5s.
func CloseTimeout(d time.Duration) Option { return func(c *config) { c.closeTimeout = d } }

// IgnoreGoroutines adds goleak options to the leak checks, for goroutines
// a dependency keeps on purpose. Process-wide singletons that a library
// starts lazily on first use (fasthttp's date ticker) need no option: the
// suite starts and closes the target once before taking its goroutine
// baseline.
func IgnoreGoroutines(opts ...goleak.Option) Option {
	return func(c *config) { c.leak = append(c.leak, opts...) }
}
