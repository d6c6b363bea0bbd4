package relay

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/websocket"
)

// Hop names, as they appear in results.
const (
	HopIngest = "producer->relay"
	HopFanout = "relay->clients"
)

// A Producer is a running webhook+websocket pattern: the webhook sender,
// the relay (its endpoint and its log) and the WebSocket fan-out with its
// clients. Its methods are safe for concurrent use.
type Producer struct {
	subs        int
	webhook     bench.Producer // nil until started
	fanout      *websocket.Producer
	ingest      *ingest
	clients     *clientSink
	ingestMeter *bench.Meter // children of the run's meter
	fanoutMeter *bench.Meter
	published   atomic.Int64

	closeOnce sync.Once
	closeErr  error
}

var (
	_ bench.Producer        = (*Producer)(nil)
	_ bench.HopReporter     = (*Producer)(nil)
	_ bench.CounterReporter = (*Producer)(nil)
)

// Publish hands ev to the webhook sender, which delivers it to the relay.
// It never blocks on delivery.
func (p *Producer) Publish(ev bench.Event) error {
	if err := errors.Join(p.ingest.published(ev), p.clients.published(ev)); err != nil {
		return fmt.Errorf("%s: publish seq %d: %w", Name, ev.Seq, err)
	}
	if err := p.webhook.Publish(ev); err != nil {
		return fmt.Errorf("%s: %w", Name, err)
	}
	p.published.Add(1)
	return nil
}

// Drain returns nil once the webhook sender has nothing pending (every
// event is in the relay's log, or given up) and then every client has
// received every event of the log (or been told it is lost); or ctx.Err()
// when ctx ends first.
func (p *Producer) Drain(ctx context.Context) error {
	if err := p.webhook.Drain(ctx); err != nil {
		return err
	}
	return p.fanout.Drain(ctx)
}

// Disconnect cuts subscriber sub's WebSocket connection and keeps it
// offline for hold (websocket.Producer.Disconnect): the client then resumes
// from the relay's replay buffer.
func (p *Producer) Disconnect(sub int, hold time.Duration) error {
	return p.fanout.Disconnect(sub, hold)
}

// Close stops the webhook sender and the relay's endpoint first (no
// append follows), then the fan-out and its clients, and waits for all
// their goroutines. It returns the parts' errors, joined. Later calls
// return the first call's result.
func (p *Producer) Close() error {
	p.closeOnce.Do(func() {
		var errs []error
		if p.webhook != nil {
			errs = append(errs, p.webhook.Close())
		}
		if p.fanout != nil {
			errs = append(errs, p.fanout.Close())
		}
		p.closeErr = errors.Join(errs...)
	})
	return p.closeErr
}

// Hops returns the accounting of both hops (call it after Close):
// producer->relay owes every published event once and has delivered those
// the relay appended; relay->clients owes every appended event to every
// subscriber and has delivered the distinct (subscriber, event) pairs the
// clients received. The run's lost is the first hop's lost × subscribers
// plus the second hop's.
func (p *Producer) Hops() []bench.Hop {
	pub, acc := p.published.Load(), p.ingest.accepted.Load()
	owed, got := acc*int64(p.subs), p.clients.unique.Load()
	return []bench.Hop{
		{Name: HopIngest, Expected: pub, Unique: acc, Lost: pub - acc},
		{Name: HopFanout, Expected: owed, Unique: got, Lost: owed - got},
	}
}

// Counters returns the pattern's own counts, for the result's overhead
// counters (call it after Close for final values): each hop's share of the
// wire (ingest_requests, ingest_bytes, ingest_connections; fanout_requests
// (upgrades), fanout_bytes, fanout_connections), relay_duplicates (webhook
// deliveries of events already appended: retries the relay acknowledged
// without appending again) and relay_append_failed (appends refused, which
// only a closed fan-out does).
func (p *Producer) Counters() map[string]int64 {
	it, ft := p.ingestMeter.Traffic(), p.fanoutMeter.Traffic()
	return map[string]int64{
		"ingest_requests":     p.ingestMeter.Get(bench.Requests),
		"ingest_bytes":        it.Bytes,
		"ingest_connections":  it.Connections,
		"fanout_requests":     p.fanoutMeter.Get(bench.Requests),
		"fanout_bytes":        ft.Bytes,
		"fanout_connections":  ft.Connections,
		"relay_duplicates":    p.ingest.duplicates.Load(),
		"relay_append_failed": p.ingest.failed.Load(),
	}
}
