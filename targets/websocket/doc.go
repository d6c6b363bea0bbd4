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
// Clients send nothing after the upgrade but control frames.
//
// Every server message is one binary message: a kind byte, the 8-byte
// big-endian offset it is about, and a body.
//
//	'e' offset payload  the event at offset; payload is bench.AppendPayload's
//	                    body, which carries the event's seq, key and due time
//	'l' first           continuity lost: the resume point has left the replay
//	                    buffer; first is the oldest offset held, sent next
//
// Offsets number the hub's events from 0 in publish order; when the
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
//     it writes has a WriteTimeout deadline. A client gives a server it has
//     not heard a ping from for 2*PingInterval+PongTimeout up. Both are
//     counted in Stats.
//   - Reconnects: full jitter, uniform in [0, min(BackoffCap,
//     BackoffBase*2^n)) after n consecutive failures; a connection that
//     lasted BackoffCap resets n. Each reconnection after the first
//     connect is counted as bench.Reconnects.
//   - Shutdown: Close sends 1001 (going away) to every client, shuts the
//     HTTP server down and waits for every goroutine.
//
// # Accounting
//
// Requests counts upgrade requests received by the server; Frames the data
// messages it wrote (events and continuity-lost messages; not pings);
// bytes and connections come from the metered listener and dialer.
//
// Producer.Disconnect and Producer.Stall inject the consumer-side faults
// (a dropped connection kept offline for a while; a consumer that stops
// reading).
package websocket
