// Package relay is hookbench's webhook+websocket pattern: a third party's
// webhooks, received by your server and relayed to browsers over
// WebSockets (reference/delivery-patterns.md 4.2). Events cross two hops:
//
//	producer --webhook--> relay (verify, dedupe, append, then 2xx) --WebSocket--> clients
//
// It is a composition of the finished patterns, used through their
// exported Target and Producer APIs only:
//
//   - producer->relay: a webhook target (package webhook, Options.Webhook)
//     with one subscriber, the relay's endpoint. Its receiver verifies the
//     Standard Webhooks signature and timestamp; its sink is the relay,
//     which dedupes by webhook-id (the event's seq, in an atomic table),
//     appends the event to the fan-out log, and returns only after the
//     append, so the receiver acknowledges only what is appended. A retry
//     of an appended event is acknowledged without a second append
//     (relay_duplicates).
//   - relay->clients: a websocket target (package websocket,
//     Options.Websocket) serving the run's subscribers. Its hub is the
//     relay's ordered log (in memory, not durable: a relay crash is not
//     simulated), with its replay buffer and resume; the clients'
//     deliveries go to the run's sink through a counting wrapper.
//
// The relay re-creates each event from the webhook (seq, key and due time
// read from the verified body by the receiver; the body's size from what
// the producer published, as a bench.Delivery does not carry it), and
// bench.AppendPayload makes the same bytes again, so the WebSocket frames
// carry exactly the body the webhook did.
//
// # What is measured
//
// Latency is end to end: from the event's due time to the WebSocket
// client's receipt; the webhook hop, the relay and the fan-out all count.
// The ledger sees only the clients. Loss is attributed to its hop
// (Producer.Hops, the result's hops): producer->relay owes each published
// event once (lost: the sender gave up), relay->clients owes each appended
// event to each subscriber (lost: continuity lost past the replay buffer,
// say); the run's lost is the first hop's times the subscribers plus the
// second hop's. Requests, bytes and connections are the run's totals;
// Producer.Counters gives each hop's share.
//
// With webhook concurrency above 1 the relay appends in arrival order,
// which can differ from publication order: the clients then count out of
// order deliveries. Set webhook.concurrency to 1 for an ordered relay.
//
// # Faults
//
// The run's fault plan acts on the relay->clients hop only: the
// subscriber side of this pattern is the WebSocket clients, so outage,
// disconnect and slow act on them, and errors and ratelimit on the
// fan-out's sends, as in the websocket pattern; network faults make the
// websocket target put its fault proxy between the relay and the clients.
// The producer->relay hop is a fault-free link (the relay's webhook target
// gets no plan): it is the third party's delivery to a well-provisioned
// server, and giving it the plan too would apply each fault twice (a
// latency fault on both hops, an outage of both the relay and its
// clients). Faults on that hop would need a plan holding only some of the
// run's faults on the same clock, which bench.FaultTimeline cannot make
// yet.
package relay
