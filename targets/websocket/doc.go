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
//	'l' first  0            continuity lost: the resume point has left the replay
//	                        buffer; first is the oldest offset held, sent next
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
//     for 2*PingInterval+PongTimeout gives the server up and reconnects.
//     Both are counted in Stats.
//   - Reconnects: full jitter, uniform in [0, min(BackoffCap,
//     BackoffBase*2^n)) after n consecutive failures; a connection that
//     lasted BackoffCap resets n. Each reconnection after the first
//     connect is counted as bench.Reconnects.
//   - Shutdown: Close sends 1001 (going away) to every client, shuts the
//     HTTP server down and waits for every goroutine.
//
// # Accounting
//
// Requests counts the upgrade requests the server received; Frames the
// messages it wrote (not pings nor close frames); bytes and connections
// come from the metered listener and dialer. Stats holds the dead-peer
// counts, which have no bench.Counter.
//
// Producer.Disconnect and Producer.Stall inject the consumer-side faults
// (a dropped connection kept offline for a while; a consumer that stops
// reading).
package websocket
