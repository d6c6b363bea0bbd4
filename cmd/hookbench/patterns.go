package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/polling"
	"github.com/hookbench/hookbench/targets/relay"
	"github.com/hookbench/hookbench/targets/webhook"
	"github.com/hookbench/hookbench/targets/webhookpolling"
	"github.com/hookbench/hookbench/targets/websocket"
)

// A pattern is one entry of the CLI's table of delivery patterns: how to
// make its default options and how to build its target from them.
type pattern struct {
	name    string
	summary string
	// options returns a pointer to the pattern's options with defaults
	// filled; scenario files decode into it.
	options func() any
	// target builds the pattern's Target from options made by options.
	target func(opts any) (bench.Target, error)
}

// patternTable is the one table of patterns (no init() registries).
type patternTable []pattern

func builtinPatterns() patternTable {
	return patternTable{
		{
			name:    "webhook",
			summary: "signed HTTP POST per event per subscriber, retries with backoff",
			options: func() any { o := webhook.DefaultOptions(); return &o },
			target: func(opts any) (bench.Target, error) {
				return webhook.New(*opts.(*webhook.Options)), nil
			},
		},
		{
			name:    "polling",
			summary: "short polling of an event-log API with a cursor, ETag/304 for empty polls",
			options: func() any { o := polling.DefaultOptions(); return &o },
			target: func(opts any) (bench.Target, error) {
				return polling.NewPolling(*opts.(*polling.Options)), nil
			},
		},
		{
			name:    "longpoll",
			summary: "long polling of the same API: the server holds the request until an event arrives",
			options: func() any { o := polling.DefaultLongPollOptions(); return &o },
			target: func(opts any) (bench.Target, error) {
				return polling.NewLongPoll(*opts.(*polling.LongPollOptions)), nil
			},
		},
		{
			name:    "websocket",
			summary: "one persistent connection per subscriber, hub fan-out, resume from a replay buffer",
			options: func() any { o := websocket.DefaultOptions(); return &o },
			target: func(opts any) (bench.Target, error) {
				return websocket.New(*opts.(*websocket.Options)), nil
			},
		},
		{
			name:    webhookpolling.Name,
			summary: "webhooks plus a reconciler paging the events API for what they missed (dedupe by id)",
			options: func() any { o := webhookpolling.DefaultOptions(); return &o },
			target: func(opts any) (bench.Target, error) {
				return webhookpolling.New(*opts.(*webhookpolling.Options)), nil
			},
		},
		{
			name:    relay.Name,
			summary: "webhooks into a relay that appends, acknowledges and fans out over WebSockets with resume",
			options: func() any { o := relay.DefaultOptions(); return &o },
			target: func(opts any) (bench.Target, error) {
				return relay.New(*opts.(*relay.Options)), nil
			},
		},
	}
}

func (t patternTable) lookup(name string) (pattern, bool) {
	i := slices.IndexFunc(t, func(p pattern) bool { return p.name == name })
	if i < 0 {
		return pattern{}, false
	}
	return t[i], true
}

func (t patternTable) names() []string {
	out := make([]string, len(t))
	for i, p := range t {
		out[i] = p.name
	}
	return out
}

// targets builds one target per pattern of sc, in order.
func (t patternTable) targets(sc *bench.Scenario) ([]bench.Target, error) {
	out := make([]bench.Target, 0, len(sc.Patterns))
	for _, ps := range sc.Patterns {
		p, ok := t.lookup(ps.Name)
		if !ok {
			return nil, usagef("unknown pattern %q (known: %s)", ps.Name, strings.Join(t.names(), ", "))
		}
		opts := ps.Options
		if opts == nil {
			opts = p.options()
		}
		tg, err := p.target(opts)
		if err != nil {
			return nil, usageErr(fmt.Errorf("pattern %s: %w", ps.Name, err))
		}
		out = append(out, tg)
	}
	return out, nil
}
