// Package websocket is hookbench's WebSocket delivery pattern: one
// persistent connection per subscriber, a server hub fanning every event
// out through a bounded send queue per connection, and clients that
// reconnect with full-jitter backoff and resume from their last offset out
// of a bounded replay buffer. It uses github.com/coder/websocket on
// net/http, both sides on loopback in this process.
//
// # Protocol
//
// A client subscribes with GET /stream?sub=N&from=OFFSET (an HTTP/1.1
// upgrade): OFFSET is the first event it has not received, 0 on its first
// connection. The resume point travels in the upgrade request, like SSE's
// Last-Event-ID header, so the server decides between replay and
// continuity lost before its first frame and no round trip is added.
// A malformed request, or a resume point past the head, is refused with
// 400 before the upgrade. Clients send nothing after the upgrade but
// control frames.
//
// Every server message is one binary message holding one or more
// records: a kind byte, the 8-byte big-endian offset the record is about,
// the 4-byte big-endian length of its body, and the body.
//
//	'e' offset len payload  the event at offset; payload is bench.AppendPayload's
//	                        body, which carries the event's seq, key and due time
//	'l' first  0            continuity lost: the events from the client's next
//	                        offset up to first are gone (the resume point has
//	                        left the replay buffer, or a ratelimit fault dropped
//	                        them); first is sent next
//
// A writer sends a lone event as a message of one record, without waiting
// for company; one that finds more records queued behind the first (it
// fell behind, or it replays) packs them into one message of up to 64KiB,
// so catching up costs one write, not one per event. Frames counts the
// messages, so frames per event shows how much packing happened.
//
// The replay buffer holds the last ReplayBuffer events, in memory, with
// no age limit. Offsets number the hub's events from 0 in publish order; when the
// engine publishes its stream, offset and seq coincide. The server sends
// every offset from the resume point on, in order, exactly once per
// connection: it replays from its ring, then joins the live fan-out under
// the lock publishers take, so nothing falls between replay and live and
// nothing comes twice. Events skipped by a continuity-lost message are
// never delivered, so the ledger counts them as lost, and the client
// counts the discontinuity (bench.ContinuityLost).
//
// # Failure handling
//
//   - Slow consumers: a publish that finds a connection's send queue full
//     drops it from the fan-out and its writer closes it with 1013 (try
//     again later), counted as bench.SlowConsumers; the client backs off a
//     step further than usual and resumes.
//   - Dead peers: the server pings every PingInterval and closes a
//     connection whose pong does not come within PongTimeout; every frame
//     it writes has a WriteTimeout deadline. A client that hears no ping
//     for PingInterval+PongTimeout gives the server up and reconnects
//     (Engine.IO's client rule). A half-open connection is so found out by
//     both ends within PingInterval+PongTimeout of the last ping that got
//     through; each end counts its detection in bench.DeadPeers (Stats
//     splits them by side), so a dead connection counts twice. A
//     consumer that stops reading (Stall, a long slow fault) stops
//     answering pings and hearing them too, and is found out the same way.
//   - Reconnects: full jitter, uniform in [0, min(BackoffCap,
//     BackoffBase*2^n)) after n consecutive failures; a connection that
//     lasted BackoffCap resets n. Each reconnection after the first
//     connect is counted as bench.Reconnects.
//   - Shutdown: Close sends 1001 (going away) to every client, shuts the
//     HTTP server down and waits for every goroutine.
//
// # Faults
//
// The run's fault plan (bench.Env.Faults) acts from the moment publishing
// starts; docs/faults.md says why faults act where they do. Application
// faults, per the WebSocket column of the reference's fault table:
//
//   - errors {p}: a server error on a WebSocket is a dropped connection,
//     so with probability p per event and subscriber the server closes the
//     connection with 1011 (internal error) instead of sending the event.
//     The client resumes at that event, which the next connection draws
//     again. Draws are Hit(p, salt, seq, subscriber, attempt), attempt
//     from 1, salted and keyed as at the webhook receiver, so the first
//     attempts that fail are the same events in both patterns. Status does
//     not apply (a close code is not an HTTP status). Within the replay
//     buffer nothing is lost; Stats.Errors counts the closes, each one a
//     reconnect.
//   - ratelimit {rps}: the server sends each subscriber at most rps
//     events a second (a token bucket of 100ms worth, as at the webhook
//     receiver, kept across the subscriber's reconnections). Above it, it
//     drops the excess and signals each gap with a continuity-lost record
//     before the next event it sends, or at once when nothing follows; the
//     connection stays up. This is what Ably does at its per-connection
//     outbound limit (errors 42915 and 42916 for the backlog of a resume,
//     the client seeing continuity loss 80020); a server push has no 429
//     to answer and no Retry-After a client could obey. Every dropped event
//     is lost (Stats.RateLimited counts them); bench.ContinuityLost counts
//     the gaps.
//   - slow {delay}: the consumer takes delay per event: the client's read
//     loop records the event, then sleeps, reading nothing meanwhile.
//     Past what the socket buffers and SendQueue hold, the server
//     disconnects it as a slow consumer (1013) and it resumes from the
//     replay buffer; the events behind it are observed that much later.
//   - outage {at, for}: at the window's start every client's connection is
//     cut, and the client is held offline until the window ends (to Close
//     without for). It then resumes: without loss if the replay buffer still
//     holds its resume point, else continuity lost and exactly the events
//     that left the buffer lost.
//   - disconnect {at, every}: at each moment of the plan every client's
//     connection is cut (the client drops it, as a phone changing networks
//     does); the client reconnects after its backoff and resumes: F13,
//     the mobile-clients scenario. With every, the cuts repeat through the
//     window.
//
// Network faults (latency, bandwidth, reset, blackhole) act in a
// faultproxy.Proxy that Start puts in front of the server when the plan
// holds one; the clients dial it. The pattern's own machinery is what
// copes: a reset is a broken connection that the client resumes after, a
// blackhole is detected by the pings as above.
//
// # Accounting
//
// Requests counts the upgrade requests the server received; Frames the
// messages it wrote (not pings nor close frames); bytes and connections
// come from the metered listener and dialer. Stats holds the counts that
// have no bench.Counter.
//
// Producer.Disconnect and Producer.Stall inject consumer-side faults by
// hand (a dropped connection kept offline for a while; a consumer that
// stops reading), for tests and tools.
package websocket
