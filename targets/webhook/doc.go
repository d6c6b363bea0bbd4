// Package webhook is hookbench's webhook delivery pattern: a producer side
// that POSTs every event to every subscriber endpoint, and one receiver per
// subscriber, both on loopback in this process.
//
// It is meant to be the sender a careful engineer would ship
// (reference/delivery-patterns.md section 1), so that the comparison with
// polling and WebSockets is fair:
//
//   - Standard Webhooks v1 signing: webhook-id (stable across retries),
//     webhook-timestamp (of each attempt) and webhook-signature
//     ("v1," + base64 HMAC-SHA256 of "id.timestamp.body"); see Signer, Sign
//     and Verify.
//   - an open-model producer: Publish queues one job per endpoint in an
//     unbounded queue and never waits for delivery;
//   - per endpoint, at most Options.Concurrency requests in flight over one
//     fasthttp.HostClient, each attempt bounded by Options.Timeout, no
//     redirects followed;
//   - classification: 2xx delivers, 410 disables the endpoint, anything
//     else (3xx, 4xx, 5xx, timeout, connection error) is retried on a
//     schedule (full-jitter exponential, or the svix and standard shapes
//     with a time-compression factor), with Retry-After as a floor;
//   - receivers that verify the signature and timestamp (401 and the
//     bench.Rejected counter otherwise), report the delivery to the run's
//     sink and answer 204 at once.
//
// Every connection is metered on both ends (bench.Meter.Dialed and
// bench.Meter.Listener), every attempt counts as a request and every retry
// as a retry; deliveries the sender gives up on count as bench.Exhausted.
//
// # Faults
//
// The run's fault plan (bench.Env.Faults, docs/faults.md) acts as follows.
// Every window is read on the run's clock, which starts when publishing
// does.
//
// Application faults act in the receivers, as middleware around the
// handler, per request, in this order (outermost first):
//
//   - outage: the subscriber is unreachable for the window. At the window's
//     start the receiver closes its listening socket and every open
//     connection, so connecting is refused by the kernel (ECONNREFUSED, as
//     for a receiver that is not running) and attempts in flight fail; at
//     its end it listens again on the same port. In between, the port stays
//     bound by a socket that does not listen (Linux), so that it cannot be
//     handed to another socket. The boundaries, on the run's clock: a
//     request that reaches the receiver at or after At fails, even on a
//     connection the schedule has not closed yet (it is closed without an
//     answer); connections are refused from At until the receiver listens
//     again, which the schedule does at At+For, late only by its timer's
//     wake-up. So an attempt fails when it connects or arrives in
//     [At, At+For), and with one attempt per delivery the loss is the
//     deliveries whose attempt falls there: those due in the window, give
//     or take the due-to-attempt delay (about a millisecond on loopback) at
//     each edge. Without For the outage lasts to the end of the run.
//   - ratelimit {rps}: a token bucket per receiver (bench.RateLimiter, the
//     one every pattern uses), rps tokens a second, holding 100 ms worth
//     (at least one). A request finding it empty is answered 429 with
//     Retry-After: the time until the next token, in whole seconds rounded
//     up, at least 1. Every request that reaches the receiver counts.
//   - errors {p, status}: the attempt is answered status (default 503),
//     and nothing is recorded, when Hit(p, salt, seq, subscriber, attempt)
//     draws true, where salt is the FNV-1a hash of "errors" and attempt
//     counts from 1 (the sender sends it in HeaderAttempt). Any pattern
//     that draws the same way fails the same deliveries.
//   - slow {delay}: a delivery that arrives in the window is recorded, then
//     answered delay later. Beyond the sender's Timeout the attempt fails
//     although the consumer has the event, and the retry is a duplicate.
//   - disconnect {at, every}: at each moment the receivers close every open
//     connection (a close, not a reset); the sender reconnects, and an
//     attempt cut short is retried.
//
// Network faults (latency, bandwidth, reset, blackhole) act in a
// targets/faultproxy Proxy that Start puts in front of each receiver when
// the plan holds one; the sender dials the proxy. The proxy's own
// connections are not metered; the sender's and the receiver's ends are.
// The sender's per-attempt Timeout is what detects a blackhole.
//
// Use New to make a Target and register it in the CLI's pattern table.
package webhook
