package websocket

import (
	"errors"
	"fmt"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// Options configures the websocket pattern. It is plain data, read from
// the pattern's block of a scenario file; a zero field takes the default
// written next to it (DefaultOptions returns them all filled).
//
// The defaults are tuned for a benchmark, which runs for seconds, not for
// a production deployment, which runs for days: the reference values
// (reference/delivery-patterns.md, section 3) are given next to each.
type Options struct {
	// PingInterval is how often the server pings each connection,
	// whatever the traffic. If zero, 5s. The reference is 25s
	// (Socket.IO, Centrifugo): short enough for the 60s idle timeout of
	// common load balancers; a benchmark run is too short for 25s to
	// ever fire.
	PingInterval bench.Duration `json:"ping_interval" yaml:"ping_interval"`
	// PongTimeout is how long the server waits for the answer to a ping
	// before it closes the connection as dead. If zero, 3s (reference:
	// 10s, Centrifugo 8-10s, Socket.IO 20s). The client applies the
	// mirror rule (Engine.IO's): it gives up on a server it has not heard
	// a ping from for PingInterval + PongTimeout. Either end so detects a
	// dead connection within PingInterval + PongTimeout.
	PongTimeout bench.Duration `json:"pong_timeout" yaml:"pong_timeout"`
	// WriteTimeout bounds every message the server writes, its close
	// handshake, and each connection attempt of a client (dial and
	// upgrade). If zero, 5s (gorilla/websocket's chat example: 10s).
	WriteTimeout bench.Duration `json:"write_timeout" yaml:"write_timeout"`
	// ReplayBuffer is how many of the latest events the server keeps to
	// serve resuming clients. A client whose gap is larger is told that
	// continuity is lost and continues from the oldest event kept. If
	// zero, 10000.
	ReplayBuffer int `json:"replay_buffer" yaml:"replay_buffer"`
	// SendQueue is the number of events that can wait for one
	// connection's writer. A publish that finds it full disconnects that
	// slow consumer (close code 1013), which then resumes. If zero, 256
	// (gorilla/websocket's chat hub).
	SendQueue int `json:"send_queue" yaml:"send_queue"`
	// BackoffBase and BackoffCap shape the client's reconnect delay, full
	// jitter: a uniform random wait in [0, min(cap, base*2^n)) after the
	// n-th consecutive failure. If zero, 100ms and 5s (reference: 500ms
	// and 30s; a benchmark's outages last seconds, not minutes).
	BackoffBase bench.Duration `json:"backoff_base" yaml:"backoff_base"`
	BackoffCap  bench.Duration `json:"backoff_cap" yaml:"backoff_cap"`
}

// Defaults.
const (
	defaultPingInterval = 5 * time.Second
	defaultPongTimeout  = 3 * time.Second
	defaultWriteTimeout = 5 * time.Second
	defaultReplayBuffer = 10000
	defaultSendQueue    = 256
	defaultBackoffBase  = 100 * time.Millisecond
	defaultBackoffCap   = 5 * time.Second
)

// maxQueue bounds ReplayBuffer and SendQueue: both are allocated up front.
const maxQueue = 1 << 24

// DefaultOptions returns the options with every default filled.
func DefaultOptions() Options { return Options{}.WithDefaults() }

// WithDefaults returns o with its zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	setDuration(&o.PingInterval, defaultPingInterval)
	setDuration(&o.PongTimeout, defaultPongTimeout)
	setDuration(&o.WriteTimeout, defaultWriteTimeout)
	setDuration(&o.BackoffBase, defaultBackoffBase)
	setDuration(&o.BackoffCap, defaultBackoffCap)
	if o.ReplayBuffer == 0 {
		o.ReplayBuffer = defaultReplayBuffer
	}
	if o.SendQueue == 0 {
		o.SendQueue = defaultSendQueue
	}
	return o
}

func setDuration(d *bench.Duration, def time.Duration) {
	if *d == 0 {
		*d = bench.Duration(def)
	}
}

// Validate reports every problem with o at once. Zero fields are valid:
// they take their defaults.
func (o Options) Validate() error {
	var errs []error
	for _, f := range []struct {
		name string
		d    bench.Duration
	}{
		{"ping_interval", o.PingInterval},
		{"pong_timeout", o.PongTimeout},
		{"write_timeout", o.WriteTimeout},
		{"backoff_base", o.BackoffBase},
		{"backoff_cap", o.BackoffCap},
	} {
		if f.d < 0 {
			errs = append(errs, fmt.Errorf("websocket.%s must be >= 0 (0 for the default), got %v", f.name, f.d))
		}
	}
	for _, f := range []struct {
		name string
		n    int
	}{
		{"replay_buffer", o.ReplayBuffer},
		{"send_queue", o.SendQueue},
	} {
		if f.n < 0 || f.n > maxQueue {
			errs = append(errs, fmt.Errorf("websocket.%s must be between 1 and %d events (0 for the default), got %d", f.name, maxQueue, f.n))
		}
	}
	if f := o.WithDefaults(); f.BackoffBase > f.BackoffCap && o.BackoffBase >= 0 && o.BackoffCap >= 0 {
		errs = append(errs, fmt.Errorf("websocket.backoff_base (%v) must not exceed backoff_cap (%v)", f.BackoffBase, f.BackoffCap))
	}
	return errors.Join(errs...)
}
