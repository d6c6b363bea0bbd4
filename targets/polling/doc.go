// Package polling implements the polling and long-polling delivery
// patterns: an event-log API server and one poller per subscriber, both on
// loopback, built to the checklist of reference/delivery-patterns.md
// section 2.
//
// The server keeps an append-only log whose seq (from 1) is assigned in
// commit order under the append's lock, so the seq is a safe cursor where
// a timestamp is not. It keeps the latest Retention events; an older
// cursor gets an explicit 410 "cursor_too_old" naming the oldest retained
// seq. Every subscriber reads the whole log.
//
//	GET /events?after=SEQ&limit=N[&wait=HOLD]
//
//	200 {"next":SEQ,"has_more":BOOL,"events":[BODY,...]}   ETag: "HEAD"
//	304 (If-None-Match is the head's ETag and nothing is past the cursor)
//	410 {"error":"cursor_too_old","reason":"...","oldest":SEQ,"head":SEQ}
//	400 {"error":"bad_request"|"bad_cursor","reason":"..."}
//
// Each BODY is the event's body verbatim (bench.AppendPayload); next is the
// seq of the page's last event, the cursor for the next request; limit is
// at most MaxLimit (default 100). With wait (a Go duration such as 25s, or
// seconds; at most MaxHold) the server holds a request that finds nothing
// until an event is appended (all held requests are woken by one broadcast
// per append) or the hold expires, then answers an empty page.
//
// The short poller (NewPolling, "polling") polls on a jittered fixed-rate
// schedule, drains pages while has_more before waiting again, sends
// If-None-Match so an empty poll costs a 304, honours 429/503 +
// Retry-After, and backs off with full jitter on errors. The long poller
// (NewLongPoll, "longpoll") re-polls as soon as any answer arrives. Both
// resync from the oldest retained event on a 410 and count it as
// bench.ContinuityLost: the skipped events are lost, and reported so. Every
// request is counted (bench.Requests), as are empty polls (bench.EmptyPolls,
// 304s included), 304s (bench.NotModified) and every dial after a poller's
// first (bench.Reconnects); every connection is metered. A poll that fails
// on a kept-alive connection before any byte of its answer arrived (the
// server closed it while idle or holding) is sent again at once on a new
// connection, as net/http does for idempotent requests, and counted twice;
// any other failure is backed off.
//
// # Faults
//
// The application faults of the run's plan (bench.Env.Faults) act where
// the polling column of reference/delivery-patterns.md section 5 puts
// them: errors and ratelimit in the server (the producer's event-log API),
// outage and slow in the pollers (the subscriber side), disconnect on the
// live connections. Each is active while its window holds the moment the
// request arrives (server) or is about to be made (poller).
//
//   - errors {p, status}: the server answers status (default 503, no
//     Retry-After) to a poll when Hit(p, bench.FaultSalt("errors"), subscriber,
//     request number) hits; the request is named by the HeaderSubscriber
//     and HeaderRequest headers, which the pollers send only when the
//     plan holds errors or ratelimit. A request sent again has a new
//     number, so a new draw. The poller backs off with full jitter and
//     keeps its cursor: nothing is lost or delivered twice.
//   - ratelimit {rps}: one token bucket across the API (bench.RateLimiter:
//     rps a second, bench.LimiterBurst of burst); a poll beyond it gets 429
//     with Retry-After in whole seconds (at least 1), which the poller
//     honours. Both fault
//     answers go out at once, before any long-poll hold.
//   - slow {delay}: the consumer is slow: a poller that receives a page of
//     events while the fault is active delivers it (on arrival, as the
//     webhook receivers record before they hang) and then takes delay
//     before it polls again. Events published meanwhile wait for the next
//     poll and come in a bigger page: a pull consumer paces itself, so
//     slowness costs latency, never a timeout or a duplicate.
//   - outage: the pollers are offline for the window: at its start their
//     connections are closed (a held long poll is cut), they make no
//     request in it and an answer that reaches one during it is dropped
//     unread; at its end each polls at once from its cursor (the catch-up
//     burst). Nothing is lost while the retention covers the window; an
//     outage without for keeps them offline to the end.
//   - disconnect {at, every}: at each moment the server closes every live
//     connection (a close, not a reset) and ends the holds on them. The
//     pollers' polls on those connections are sent again at once, with the
//     same cursor: no loss, no duplicate.
//
// When the plan holds a network fault (faultproxy.NeedsProxy), the pollers
// dial one fault proxy in front of the server; Close stops the pollers,
// then the proxy, then the server. A blackhole is detected by the poller's
// request timeout (Options.Timeout; for long polls the client timeout,
// hold + margin), after which it reconnects; a reset by the failed read.
package polling
