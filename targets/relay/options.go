package relay

import (
	"errors"
	"fmt"

	"github.com/hookbench/hookbench/targets/webhook"
	"github.com/hookbench/hookbench/targets/websocket"
)

// Options configures the webhook+websocket pattern: the webhook hop from
// the producer to the relay, and the WebSocket fan-out from the relay to
// the subscribers, each nested as that pattern's own block. It is plain
// data, read from scenario files; every zero field takes the default of
// its pattern.
//
//	webhook+websocket:
//	  webhook: {concurrency: 1}
//	  websocket: {replay_buffer: 1000}
type Options struct {
	// Webhook configures the sender of the first hop, which delivers to
	// the relay's one endpoint. Its concurrency is the relay's ingest
	// parallelism: with more than 1 request in flight, events can reach
	// the log, and so the clients, out of order; 1 keeps the order.
	Webhook webhook.Options `json:"webhook" yaml:"webhook"`
	// Websocket configures the fan-out: the hub (replay buffer, send
	// queues, pings) and the clients (reconnect backoff).
	Websocket websocket.Options `json:"websocket" yaml:"websocket"`
}

// DefaultOptions returns the options with every default filled.
func DefaultOptions() Options { return Options{}.WithDefaults() }

// WithDefaults returns o with its zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	o.Webhook = o.Webhook.WithDefaults()
	o.Websocket = o.Websocket.WithDefaults()
	return o
}

// Validate reports every problem with o at once, each named by its path
// ("webhook.retry.attempts must be ...", "websocket.replay_buffer must be
// ..."). Zero fields are valid: they take their defaults.
func (o Options) Validate() error {
	errs := prefixed("webhook.", o.Webhook.Validate())
	// The websocket options name themselves "websocket.<field>" already.
	errs = append(errs, prefixed("", o.Websocket.Validate())...)
	return errors.Join(errs...)
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
	if prefix == "" {
		return []error{err}
	}
	return []error{fmt.Errorf("%s%w", prefix, err)}
}
