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
// Use New to make a Target and register it in the CLI's pattern table.
package webhook
