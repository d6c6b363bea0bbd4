// Package webhookpolling is hookbench's webhook+polling pattern: webhooks
// with a polling fallback (reference/delivery-patterns.md 4.1). The
// webhook path is the low-latency one; a reconciler per subscriber pages
// the producer's events API from its own cursor and processes whatever the
// webhook path has not delivered, deduplicating by event id before
// processing, as Stripe's, iFood's and Fourthwall's guides advise.
//
// It is a composition of the finished patterns, used through their
// exported Target and Producer APIs only:
//
//   - a webhook target (package webhook, Options.Webhook) delivers to every
//     subscriber's receiver; its sink is the consumer's dedupe, which marks
//     the event seen and forwards every webhook delivery to the run's sink
//     on bench.PathPrimary;
//   - a polling target (package polling, NewPolling with the interval
//     Options.ReconcileInterval, its default ±10% jitter and page limit
//     Options.Limit) is the reconciler; its sink forwards a delivery only
//     if the consumer has not seen the event, on bench.PathReconcile. Its
//     bench.Env carries a child of the run's Meter, so the reconciler's
//     requests and bytes are told apart (Producer.Counters);
//   - Publish appends each event to the event log (the producer's durable
//     record) and queues it for the webhook sender (its push path).
//
// # Settle
//
// A reconciler that processes every unseen event at once races the
// webhook deliveries in flight: an event published a millisecond before a
// poll would be attributed to reconcile and its on-time webhook counted as
// a duplicate. Real reconcilers look only at events older than a lag; here
// the consumer holds an unseen event until it is Options.Settle old (from
// its due time) and drops it if the webhook brings it in the meantime. Set
// Settle above the webhook retry horizon and the reconciler delivers
// exactly the events whose retries ran out; below it, it also takes over
// events the webhook is still retrying. An event's age is read from its
// due time on the run's clock, as a real consumer reads an event's
// created_at.
//
// # What is counted
//
// The first delivery of each (subscriber, event) is attributed to its path
// in the result's paths: "webhook" is the webhook, "reconcile" the
// reconciler. A duplicate is a later delivery of an event the subscriber
// already has, which the consumer drops after its dedupe but the ledger
// sees (reference 7.1, duplicated (transport)). Here it can only be a
// webhook delivery:
//
//   - webhook_after_reconcile: a webhook delivery arriving after the
//     reconciler already delivered the event (the webhook had been
//     retrying longer than Settle, or through an outage);
//   - webhook_redelivered: a webhook retry of an event whose earlier
//     attempt the receiver got but the sender saw fail (a slow consumer
//     past the sender's timeout, a connection cut before the answer).
//
// The reconciler never produces a duplicate: it dedupes before
// processing. Every request either path makes counts in requests; the
// reconciler's share is reported as reconcile_requests (empty polls and
// 304s included) and reconcile_bytes.
//
// # Faults
//
// The run's fault plan goes to both parts, and each applies it as it does
// alone (see the webhook and polling package docs): an outage takes the
// webhook receivers offline (they refuse connections) and the reconcilers
// too (they make no request in the window and catch up from their cursor
// at its end); errors and ratelimit act on the receivers' answers and on
// the events API's answers to the reconcilers; slow makes both consumers
// slow (a receiver answers late, a reconciler pauses before its next
// poll); disconnect drops both paths' connections. Network faults
// (latency, bandwidth, reset, blackhole) make each base target put its own
// fault proxies in front of its servers, the webhook receivers' and the
// event log's, so both paths cross a degraded network, as a real
// consumer's would. The same seed gives both parts the same per-request
// decisions they would make alone.
//
// The consumer's state is two bits per subscriber and event, grown in
// chunks as events are published; the hot paths take no locks and do not
// allocate.
package webhookpolling
