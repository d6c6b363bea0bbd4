// Package faultproxy is hookbench's network fault injector: a TCP proxy on
// loopback that a target puts between its producer and consumer sides, so
// the network faults of a run's plan (latency, bandwidth, reset,
// blackhole) act on every pattern's real connections, below HTTP and
// WebSocket. Application faults (errors, ratelimit, slow, outage,
// disconnect) act inside the targets instead; docs/faults.md says why.
//
// A target dials Proxy.Addr instead of its upstream. Each accepted
// connection becomes a link to a new connection to the upstream; bytes are
// forwarded in both directions by a reader and a writer per direction, with
// a FIFO of chunks between them. Faults apply only while their window is
// active on the run's clock (bench.FaultTimeline.ActiveAt on Elapsed(now)):
// before the clock starts, which is after the target's Start returns, the
// proxy forwards everything untouched. Every random decision is drawn from
// the timeline (Uniform), keyed by connection index, direction and chunk
// index, so a run with the same seed draws the same values for the same
// connections and chunks.
//
// The fault kinds, as implemented:
//
//   - latency {delay, jitter}: applies in both directions. Each chunk read
//     from either side is written to the other side delay ± jitter
//     (uniform) after it was read, so delay is the one-way latency and a
//     request-response round trip costs 2×delay, as with netem on
//     loopback. Both directions, because events travel in different
//     directions per pattern: a webhook event goes client→server (the
//     POST), a polling or WebSocket event goes server→client (the
//     response, the push). With both directions, latency 50ms adds 50 ms to
//     each webhook and WebSocket delivery and 50-100 ms to a poll (a parked
//     long poll's answer pays one way; a fresh poll pays the round trip).
//     Chunks are never reordered: a chunk whose draw falls before its
//     predecessor's due time waits for it. The TCP handshake is not delayed
//     (the kernel completes it), so new connections cost no extra round
//     trip here.
//   - bandwidth {rate}: a token bucket per connection and per direction
//     (toxiproxy's semantics): each link gets rate bytes/s each way,
//     written in slices of 10 ms worth, with a bucket of 20 ms worth. A
//     pattern that opens more connections gets more aggregate bandwidth,
//     as it would behind per-flow shaping.
//   - reset: at each moment of Moments(reset), every live link (stalled
//     ones included) is closed with a TCP RST on both sides (SetLinger(0),
//     then Close): both peers read ECONNRESET. The moments are scheduled by
//     a goroutine that polls Elapsed every 2 ms until the clock starts
//     (the proxy is made before it), then sleeps on a timer to each one.
//   - blackhole {at, for}: while active, new connections are accepted but
//     never forwarded to the upstream, and every live link stops
//     forwarding in both directions. A stalled link reads and discards what
//     each side sends, so nothing arrives, writes never fail and nothing is
//     closed: each peer sees a half-open connection and only its own
//     timeouts or application keepalives (pings) detect it. TCP keepalives
//     do not, because the proxy's kernel still acknowledges. When a peer
//     gives up and closes, the proxy closes its socket to that peer only;
//     the other peer is not told. When the window ends, new connections
//     work again, but links stalled in it stay stalled (their bytes are
//     gone): the peers' timeouts must clean them up.
//
// A link ends when both directions have seen end of file (each FIN is
// forwarded as a half-close after the data before it), when either side
// fails (a reset is passed on as a reset), at a reset fault, or at Close.
// When the upstream cannot be dialled, the accepted connection is reset.
//
// At most 64 chunks (2 MiB) per direction wait in a link's FIFO; beyond
// that the proxy stops reading that side and TCP flow control pushes back,
// as a real link's window would.
package faultproxy
