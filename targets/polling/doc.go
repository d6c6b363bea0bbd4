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
// 304s included) and 304s (bench.NotModified); every connection is metered.
package polling
