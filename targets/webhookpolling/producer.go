package webhookpolling

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hookbench/hookbench/bench"
)

// A Producer is a running webhook+polling pattern: the webhook sender and
// its receivers, the event log and its reconcilers, and the consumer's
// dedupe between them. Its methods are safe for concurrent use.
type Producer struct {
	consumer       *consumer
	webhook        bench.Producer // nil until started
	reconciler     bench.Producer
	webhookMeter   *bench.Meter // children of the run's meter
	reconcileMeter *bench.Meter

	closeOnce sync.Once
	closeErr  error
}

var (
	_ bench.Producer        = (*Producer)(nil)
	_ bench.CounterReporter = (*Producer)(nil)
)

// Publish appends ev to the event log (the producer's durable record, which
// the reconcilers page) and queues it for the webhook sender (its push
// path). It never blocks on delivery. An error from either part is
// returned, joined; the event may then be on one path only.
func (p *Producer) Publish(ev bench.Event) error {
	if err := p.consumer.published(ev); err != nil {
		return fmt.Errorf("%s: publish seq %d: %w", Name, ev.Seq, err)
	}
	if err := errors.Join(p.reconciler.Publish(ev), p.webhook.Publish(ev)); err != nil {
		return fmt.Errorf("%s: %w", Name, err)
	}
	return nil
}

// Drain returns nil once the webhook sender has nothing queued, in flight
// or waiting for a retry, every reconciler has paged to the log head, and
// no event the reconciler holds for settling is still unseen; or ctx.Err()
// when ctx ends first. It waits for the webhook first: an event whose
// retries run out during the drain is then reconciled before Drain
// returns.
func (p *Producer) Drain(ctx context.Context) error {
	if err := p.webhook.Drain(ctx); err != nil {
		return err
	}
	if err := p.reconciler.Drain(ctx); err != nil {
		return err
	}
	return p.consumer.held.drain(ctx)
}

// Close stops the webhook target, then the reconcilers, then the settler
// (events still held are dropped), and waits for all their goroutines; no
// delivery follows its return. It returns the parts' errors, joined.
// Later calls return the first call's result.
func (p *Producer) Close() error {
	p.closeOnce.Do(func() {
		var errs []error
		if p.webhook != nil {
			errs = append(errs, p.webhook.Close())
		}
		if p.reconciler != nil {
			errs = append(errs, p.reconciler.Close())
		}
		p.consumer.held.close()
		p.closeErr = errors.Join(errs...)
	})
	return p.closeErr
}

// Counters returns the pattern's own counts, for the result's overhead
// counters (call it after Close for final values):
//
//   - reconcile_requests, reconcile_bytes, reconcile_connections,
//     reconcile_empty_polls: what reconciliation cost on the wire (its
//     share of the run's totals, which include both paths);
//   - webhook_requests, webhook_bytes: the webhook path's share;
//   - reconcile_delivered: events the reconciler delivered first (the
//     ledger's paths.reconcile, counted by the consumer);
//   - reconcile_skipped: events the reconciler fetched that the consumer
//     already had (the dedupe at work);
//   - reconcile_held: unseen events the reconciler held for settle;
//   - webhook_after_reconcile: webhook deliveries of events the reconciler
//     had delivered first (duplicates the two paths make);
//   - webhook_redelivered: webhook deliveries of events the webhook had
//     delivered already (transport duplicates: a retry after a lost
//     acknowledgement).
//
// The ledger's duplicates are webhook_after_reconcile +
// webhook_redelivered: the reconciler never delivers an event twice.
func (p *Producer) Counters() map[string]int64 {
	c := p.consumer
	rt, wt := p.reconcileMeter.Traffic(), p.webhookMeter.Traffic()
	return map[string]int64{
		"reconcile_requests":      p.reconcileMeter.Get(bench.Requests),
		"reconcile_bytes":         rt.Bytes,
		"reconcile_connections":   rt.Connections,
		"reconcile_empty_polls":   p.reconcileMeter.Get(bench.EmptyPolls),
		"webhook_requests":        p.webhookMeter.Get(bench.Requests),
		"webhook_bytes":           wt.Bytes,
		"reconcile_delivered":     c.reconciled.Load(),
		"reconcile_skipped":       c.reconcileSkipped.Load(),
		"reconcile_held":          c.reconcileHeld.Load(),
		"webhook_after_reconcile": c.afterReconcile.Load(),
		"webhook_redelivered":     c.redelivered.Load(),
	}
}

// PathName names the pattern's delivery paths in results: "webhook" for
// the push path, "reconcile" for the reconciler.
func (p *Producer) PathName(path bench.Path) string {
	switch path {
	case bench.PathPrimary:
		return "webhook"
	case bench.PathReconcile:
		return "reconcile"
	}
	return ""
}
