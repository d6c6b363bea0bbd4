package polling

import (
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/hookbench/hookbench/bench"
)

// Headers that name a poll, sent by the pollers when the run's plan holds
// a server-side fault (errors, ratelimit), so that the server can key its
// per-request decisions and diagnostics on the request rather than on the
// connection. They are not part of the event-log API, and cost nothing
// when the plan has no such fault.
const (
	// HeaderSubscriber is the subscriber number of the poller, from 0.
	HeaderSubscriber = "hookbench-subscriber"
	// HeaderRequest is the poller's number for the request, from 0: every
	// request a poller makes counts, start-up polls and failed ones
	// included, so a request sent again after an error has a new number
	// and a draw of its own.
	HeaderRequest = "hookbench-request"
)

// Bodies of the fault answers, in the API's error shape.
const (
	errorsBody    = `{"error":"unavailable","reason":"the server failed this poll (an errors fault of the run's plan): poll again later with the same cursor"}`
	rateLimitBody = `{"error":"rate_limited","reason":"too many polls across the API (a ratelimit fault of the run's plan): poll again after Retry-After"}`
)

// needsIdentity reports whether the pollers must name their requests
// (HeaderSubscriber, HeaderRequest) for the server's faults.
func needsIdentity(ft *bench.FaultTimeline) bool {
	return ft.Has(bench.FaultErrors) || ft.Has(bench.FaultRateLimit)
}

// A faultHandler serves one request that arrived at now (the one clock
// read of the request).
type faultHandler func(ctx *fasthttp.RequestCtx, now time.Time)

// handler returns the server's request handler: handle inside the
// server-side application faults of the plan, outermost first ratelimit
// (429) then errors (status). The rate limiter sits in front of the
// application, so the polls it refuses never reach the errors draw; both
// answer at once, before any long-poll hold, as a failing or throttling
// API does. Without such faults it is handle itself, with no clock read.
// wrap and trace are the test hooks of Target.
func (s *server) handler(wrap func(fasthttp.RequestHandler) fasthttp.RequestHandler, trace func(traced)) fasthttp.RequestHandler {
	h := fasthttp.RequestHandler(s.handle)
	if s.faults.Has(bench.FaultErrors) || s.faults.Has(bench.FaultRateLimit) {
		var fh faultHandler = func(ctx *fasthttp.RequestCtx, _ time.Time) { s.handle(ctx) }
		if s.faults.Has(bench.FaultErrors) {
			fh = s.failing(fh, bench.FaultSalt(bench.FaultErrors))
		}
		if s.faults.Has(bench.FaultRateLimit) {
			fh = s.limited(fh)
		}
		h = func(ctx *fasthttp.RequestCtx) { fh(ctx, time.Now()) }
	}
	if wrap != nil {
		h = wrap(h)
	}
	if trace != nil {
		h = tracing(h, trace)
	}
	return h
}

// limited answers 429 with a Retry-After (whole seconds, at least 1) to
// the polls beyond the active ratelimit fault's rate, counted across the
// whole API: one bench.RateLimiter per fault for every subscriber.
func (s *server) limited(next faultHandler) faultHandler {
	return func(ctx *fasthttp.RequestCtx, now time.Time) {
		if f, ok := s.faults.Active(bench.FaultRateLimit, now); ok {
			if ok, wait := s.limiters[f].Take(now); !ok {
				ctx.Response.Header.Set(fasthttp.HeaderRetryAfter, strconv.FormatInt(bench.RetryAfterSeconds(wait), 10))
				replyString(ctx, fasthttp.StatusTooManyRequests, rateLimitBody)
				return
			}
		}
		next(ctx, now)
	}
}

// failing answers the active errors fault's status (default 503, without
// Retry-After) to the polls its draw hits: Hit(p, salt, subscriber,
// request number). A poll that does not name itself (not one of our
// pollers) is left to the API.
func (s *server) failing(next faultHandler, salt uint64) faultHandler {
	return func(ctx *fasthttp.RequestCtx, now time.Time) {
		if f, ok := s.faults.Active(bench.FaultErrors, now); ok {
			sub, req, ok := pollKeys(&ctx.Request.Header)
			if ok && s.faults.Hit(f.P, salt, sub, req) {
				replyString(ctx, errorStatus(f), errorsBody)
				return
			}
		}
		next(ctx, now)
	}
}

func replyString(ctx *fasthttp.RequestCtx, status int, body string) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBodyString(body)
}

func errorStatus(f bench.FaultSpec) int {
	if f.Status == 0 {
		return fasthttp.StatusServiceUnavailable
	}
	return f.Status
}

// pollKeys reads HeaderSubscriber and HeaderRequest; ok is false if either
// is absent or not a number.
func pollKeys(h *fasthttp.RequestHeader) (sub, req uint64, ok bool) {
	sub, err := parseUint(h.Peek(HeaderSubscriber))
	if err != nil {
		return 0, 0, false
	}
	req, err = parseUint(h.Peek(HeaderRequest))
	if err != nil {
		return 0, 0, false
	}
	return sub, req, true
}

// A traced request is what the test hook Target.trace sees of each request
// the server answered.
type traced struct {
	sub, req      uint64 // from the headers; named is false without them
	named         bool
	status        int
	retryAfter    string
	arrived, done time.Time
}

// tracing reports every request to trace once it is answered.
func tracing(next fasthttp.RequestHandler, trace func(traced)) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		tr := traced{arrived: time.Now()}
		tr.sub, tr.req, tr.named = pollKeys(&ctx.Request.Header)
		next(ctx)
		tr.done = time.Now()
		tr.status = ctx.Response.StatusCode()
		tr.retryAfter = string(ctx.Response.Header.Peek(fasthttp.HeaderRetryAfter))
		trace(tr)
	}
}
