package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// A Target carries events from its producer side to Env.Subscribers
// consumers over one transport. Both sides run in this process, on loopback,
// so every timestamp comes from one monotonic clock.
type Target interface {
	// Name is the pattern's name as it appears in results ("webhook").
	Name() string
	// Start brings up both sides on loopback and returns once every
	// consumer is ready. The consumer side reports each delivery it
	// observes to env.Sink. ctx bounds the start-up only.
	Start(ctx context.Context, env Env) (Producer, error)
}

// A Producer is the running producer side of a Target.
type Producer interface {
	// Publish hands ev to the producer. It never blocks on delivery: the
	// open model depends on it. An error means the producer is broken:
	// the Runner stops the run there with that error (the event is
	// counted as published, and so as lost, in the partial result).
	Publish(ev Event) error
	// Drain returns nil when nothing is pending (queues, retries, cursors
	// idle), or ctx.Err() when ctx ends first.
	Drain(ctx context.Context) error
	// Close stops both sides and waits for their goroutines.
	Close() error
}

// Env is what a Target gets from the engine for one run.
type Env struct {
	// Subscribers is the number of consumers; they are numbered from 0.
	Subscribers int
	// Sink receives every delivery the consumer side observes.
	Sink Sink
	// Meter counts the run's overhead; targets wrap their connections
	// with it and count requests and pattern-specific events.
	Meter *Meter
	// Seed is the run's seed; targets derive their own generators
	// (jitter, backoff) from it.
	Seed uint64
	// Logger receives diagnostics. Never nil.
	Logger *slog.Logger
	// Faults is the run's fault plan (nil: none). Its clock starts when
	// publishing starts, after Start returns.
	Faults *FaultTimeline
}

// Path says by which route a delivery reached the consumer. Single-path
// patterns use PathPrimary.
type Path uint8

// Delivery paths.
const (
	PathPrimary Path = iota
	PathReconcile
	numPaths
)

func (p Path) String() string {
	switch p {
	case PathPrimary:
		return "primary"
	case PathReconcile:
		return "reconcile"
	}
	return "unknown"
}

// A Delivery is one observation by a consumer: subscriber Subscriber
// received event Seq (ordering key Key, due at Due) at time At.
type Delivery struct {
	Subscriber int
	Seq        uint64
	Key        uint32
	Due        time.Duration
	At         time.Time
	Path       Path
}

// A Sink receives deliveries. Implementations are safe for concurrent use
// and do not retain d.
type Sink interface {
	Deliver(d Delivery)
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(d Delivery)

// Deliver calls f(d).
func (f SinkFunc) Deliver(d Delivery) { f(d) }

// A HopReporter is a Producer of a multi-hop pattern that accounts for each
// hop. The Runner asks it after Close and records the hops in the result.
type HopReporter interface {
	Hops() []Hop
}

// A CounterReporter is a Producer with pattern-specific counts beyond the
// Meter's (for example the requests a reconciler made). The Runner asks it
// after Close and adds them to the result's overhead counters.
type CounterReporter interface {
	Counters() map[string]int64
}

// A PathNamer is a Producer of a pattern that delivers by several paths
// (webhook+polling: the webhook and the reconciler). The Runner reports
// first deliveries for every path it names, zeros included, under its
// names; other patterns report paths only when more than one delivered.
type PathNamer interface {
	// PathName returns the name of path p in this pattern, or "" if the
	// pattern does not use p.
	PathName(p Path) string
}

// Paths lists every delivery path, for PathNamer implementations and
// reports.
func Paths() []Path { return []Path{PathPrimary, PathReconcile} }

// Check reports every problem that keeps a Target from starting with e: no
// subscribers, no Sink, no Meter.
func (e Env) Check() error {
	var errs []error
	if e.Subscribers <= 0 {
		errs = append(errs, fmt.Errorf("env.Subscribers must be > 0, got %d subscribers", e.Subscribers))
	}
	if e.Sink == nil {
		errs = append(errs, errors.New("env.Sink must be set"))
	}
	if e.Meter == nil {
		errs = append(errs, errors.New("env.Meter must be set"))
	}
	return errors.Join(errs...)
}

// WithDefaults returns e with a nil Logger replaced by one that discards.
func (e Env) WithDefaults() Env {
	if e.Logger == nil {
		e.Logger = slog.New(slog.DiscardHandler)
	}
	return e
}
