package webhook

import (
	"net"
	"strconv"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/valyala/fasthttp"
)

// HeaderAttempt carries the attempt number of a delivery, from 1. It is not
// part of Standard Webhooks (whose webhook-id is the same for every
// attempt): the receivers key their per-request fault decisions on it, as
// every pattern keys them on (event, subscriber, attempt).
const HeaderAttempt = "hookbench-attempt"

// A handler serves one request that arrived at now (the one clock read of
// the request).
type handler func(ctx *fasthttp.RequestCtx, now time.Time)

// withFaults wraps h in the application faults of the receiver's plan,
// outermost first: outage (refuse), ratelimit (429), errors (status), slow
// (answer late). A rate limiter sits in front of the application, so the
// requests it refuses never reach the errors draw; an error answer is
// quick, so only deliveries are slow. Kinds the plan does not hold add
// nothing to the chain.
func (rcv *receiver) withFaults(h handler) handler {
	ft := rcv.faults
	if ft.Has(bench.FaultSlow) {
		h = rcv.slow(h)
	}
	if ft.Has(bench.FaultErrors) {
		h = rcv.failing(h, bench.FaultSalt(bench.FaultErrors))
	}
	if ft.Has(bench.FaultRateLimit) {
		h = rcv.limited(h)
	}
	if ft.Has(bench.FaultOutage) {
		h = rcv.unreachable(h)
	}
	return h
}

// unreachable refuses requests that arrive during an outage on
// connections still open: the scheduler closes them at the window's start,
// but a request can come in just before it gets there. The connection is
// closed without an answer, as if the receiver had gone.
func (rcv *receiver) unreachable(next handler) handler {
	return func(ctx *fasthttp.RequestCtx, now time.Time) {
		if _, ok := rcv.faults.Active(bench.FaultOutage, now); ok {
			ctx.HijackSetNoResponse(true)
			ctx.Hijack(func(net.Conn) {}) // fasthttp closes it on return
			return
		}
		next(ctx, now)
	}
}

// limited answers 429 with a Retry-After to the requests beyond the active
// ratelimit fault's rate (bench.RateLimiter, one per fault and receiver).
func (rcv *receiver) limited(next handler) handler {
	return func(ctx *fasthttp.RequestCtx, now time.Time) {
		if f, ok := rcv.faults.Active(bench.FaultRateLimit, now); ok {
			if ok, wait := rcv.limiters[f].Take(now); !ok {
				ctx.SetStatusCode(fasthttp.StatusTooManyRequests)
				ctx.Response.Header.Set(fasthttp.HeaderRetryAfter, strconv.FormatInt(bench.RetryAfterSeconds(wait), 10))
				return
			}
		}
		next(ctx, now)
	}
}

// failing answers the active errors fault's status (default 503) to the
// attempts its draw hits, without recording anything.
func (rcv *receiver) failing(next handler, salt uint64) handler {
	return func(ctx *fasthttp.RequestCtx, now time.Time) {
		if f, ok := rcv.faults.Active(bench.FaultErrors, now); ok {
			seq, attempt, ok := deliveryKeys(ctx)
			if ok && rcv.faults.Hit(f.P, salt, seq, uint64(rcv.sub), attempt) {
				ctx.SetStatusCode(errorStatus(f))
				return
			}
		}
		next(ctx, now)
	}
}

// slow answers deliveries that arrive during a slow fault its delay late.
// The delivery is recorded first, as a consumer that does its work and then
// hangs would: a delay beyond the sender's timeout fails an attempt whose
// event the consumer has, and the retry makes a duplicate.
func (rcv *receiver) slow(next handler) handler {
	return func(ctx *fasthttp.RequestCtx, now time.Time) {
		f, ok := rcv.faults.Active(bench.FaultSlow, now)
		next(ctx, now)
		if !ok || ctx.Response.StatusCode() != fasthttp.StatusNoContent {
			return // not slow now, or not a delivery
		}
		t := time.NewTimer(f.Delay.D())
		defer t.Stop()
		select {
		case <-t.C:
		case <-rcv.stop: // shutting down: answer now
		}
	}
}

func errorStatus(f bench.FaultSpec) int {
	if f.Status == 0 {
		return fasthttp.StatusServiceUnavailable
	}
	return f.Status
}

// deliveryKeys reads the event seq from the webhook-id the sender sets
// ("msg_" and the seq) and the attempt from HeaderAttempt (1 if absent). It
// reports false for an id of another form: the request is then left to the
// receiver, which refuses it.
func deliveryKeys(ctx *fasthttp.RequestCtx) (seq, attempt uint64, ok bool) {
	h := &ctx.Request.Header
	id := h.Peek(HeaderID)
	if len(id) <= len(msgPrefix) || string(id[:len(msgPrefix)]) != msgPrefix {
		return 0, 0, false
	}
	if seq, ok = parseUint(id[len(msgPrefix):]); !ok {
		return 0, 0, false
	}
	attempt = 1
	if v := h.Peek(HeaderAttempt); len(v) > 0 {
		if attempt, ok = parseUint(v); !ok {
			return 0, 0, false
		}
	}
	return seq, attempt, true
}

// parseUint parses decimal digits without allocating.
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}
