package polling

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/hookbench/hookbench/bench"
)

// maxRetryAfter bounds the wait a Retry-After can impose, so a bogus
// header cannot park a poller for the rest of the run.
const maxRetryAfter = 5 * time.Minute

// A poller is one subscriber's consumer: it reads the whole log from its
// cursor and delivers every event to the sink. In short-poll mode it polls
// on a jittered fixed-rate schedule, draining pages while has_more and
// sending If-None-Match so that an empty poll costs a 304; in long-poll
// mode the server holds each request and the poller re-polls as soon as
// an answer arrives. Either way it honours 429/503 + Retry-After, backs
// off with full jitter on errors, and resyncs from the oldest retained
// event when its cursor is too old (counted as continuity lost).
//
// Its fields are owned by its goroutine, except cursor, which Drain reads.
type poller struct {
	sub      int
	cfg      *config
	client   *httpClient
	sink     bench.Sink
	meter    *bench.Meter
	logger   *slog.Logger
	rng      *rand.Rand
	progress chan<- struct{} // poked, without blocking, when the cursor moves

	// cursor is the log seq of the last event delivered (or skipped, after
	// a resync): the next poll asks for the events after it.
	cursor atomic.Uint64

	req      fasthttp.Request
	resp     fasthttp.Response
	prefix   []byte // http://ADDR/events?after=
	suffix   []byte // &limit=N
	held     []byte // &limit=N&wait=HOLD
	uri      []byte
	etag     []byte // the ETag of the last answer that reached the head
	tagged   bool   // etag is valid: send it as If-None-Match
	page     page
	failures int       // consecutive failed polls
	next     time.Time // start of the next regular poll (short polling)
	timer    *time.Timer
}

// An action is what the poller does after an answer.
type action uint8

const (
	actStop     action = iota // the context ended
	actAtOnce                 // poll again now: more pages, or after a resync
	actSchedule               // caught up: wait for the next regular poll
	actDelay                  // wait as told (Retry-After) or back off
)

func newPoller(sub int, cfg *config, addr string, env bench.Env, client *httpClient, progress chan<- struct{}) *poller {
	p := &poller{
		sub:      sub,
		cfg:      cfg,
		client:   client,
		sink:     env.Sink,
		meter:    env.Meter,
		logger:   env.Logger.With("subscriber", sub),
		rng:      rand.New(rand.NewPCG(env.Seed, 0x706f6c6c00000000|uint64(sub))),
		progress: progress,
		prefix:   []byte("http://" + addr + "/events?after="),
		suffix:   []byte("&limit=" + strconv.Itoa(cfg.limit)),
		held:     []byte("&limit=" + strconv.Itoa(cfg.limit) + "&wait=" + cfg.hold.String()),
		timer:    time.NewTimer(time.Hour),
	}
	p.timer.Stop()
	p.req.Header.SetMethod(fasthttp.MethodGet)
	p.req.Header.SetUserAgent("hookbench-poller")
	p.req.Header.Set("Accept", "application/json")
	return p
}

// start makes plain polls (no hold) until one is answered: the consumer
// is then connected, positioned at the log head and ready. It reports
// false if ctx ended first.
func (p *poller) start(ctx context.Context) bool {
	for {
		act, d := p.poll(ctx, false)
		switch act {
		case actStop:
			return false
		case actDelay:
			if !p.sleep(ctx, d) {
				return false
			}
		default:
			return true
		}
	}
}

// run polls until ctx ends. It closes the client when it returns.
func (p *poller) run(ctx context.Context) {
	defer p.client.release()
	long := p.cfg.hold > 0
	if !long {
		// Spread a fleet started together over one period.
		p.next = time.Now().Add(time.Duration(p.rng.Int64N(int64(p.cfg.interval))))
		if !p.sleepUntil(ctx, p.next) {
			return
		}
	}
	for {
		act, d := p.poll(ctx, long)
		switch act {
		case actStop:
			return
		case actDelay:
			if !p.sleep(ctx, d) {
				return
			}
			p.next = time.Now() // the schedule restarts from this poll
		case actSchedule:
			if long {
				continue // a long poller is always waiting at the server
			}
			// Fixed rate, as cron: a poll that starts late (a long
			// drain, a stalled machine) does not bring the next one
			// forward; the periods it overran are skipped.
			now := time.Now()
			for p.next = p.next.Add(p.period()); p.next.Before(now); {
				p.next = p.next.Add(p.period())
			}
			if !p.sleepUntil(ctx, p.next) {
				return
			}
		}
	}
}

// poll makes one request (held by the server if hold) and handles the
// answer. Every attempt counts as a request, whatever happens to it.
func (p *poller) poll(ctx context.Context, hold bool) (action, time.Duration) {
	if ctx.Err() != nil {
		return actStop, 0
	}
	p.meter.Inc(bench.Requests)
	p.prepare(hold)
	p.resp.Reset()
	sent := time.Now()
	err := p.client.do(ctx, &p.req, &p.resp, p.cfg.timeout)
	now := time.Now()
	if err != nil {
		if ctx.Err() != nil {
			return actStop, 0
		}
		p.logger.Debug("poll failed", "err", err)
		return actDelay, p.backoff()
	}
	switch code := p.resp.StatusCode(); code {
	case fasthttp.StatusOK:
		failures := p.failures
		act, d := p.onPage(now)
		if hold && act == actSchedule && len(p.page.events) == 0 && now.Sub(sent) < p.cfg.hold/2 {
			// An empty answer long before the hold expired: a server
			// that does not hold must not turn the poller into a busy
			// loop. It counts as a failure.
			p.failures = failures
			return actDelay, p.backoff()
		}
		return act, d
	case fasthttp.StatusNotModified:
		p.failures = 0
		p.meter.Inc(bench.EmptyPolls)
		p.meter.Inc(bench.NotModified)
		return actSchedule, 0
	case fasthttp.StatusGone:
		return p.onTooOld()
	case fasthttp.StatusTooManyRequests, fasthttp.StatusServiceUnavailable:
		if d, ok := retryAfter(p.resp.Header.Peek("Retry-After"), now); ok {
			return actDelay, d
		}
		return actDelay, p.backoff()
	default:
		p.logger.Debug("poll answered with an error", "status", code)
		return actDelay, p.backoff()
	}
}

// prepare sets the request's URI and conditional header.
func (p *poller) prepare(hold bool) {
	p.uri = append(p.uri[:0], p.prefix...)
	p.uri = strconv.AppendUint(p.uri, p.cursor.Load(), 10)
	if hold {
		p.uri = append(p.uri, p.held...)
	} else {
		p.uri = append(p.uri, p.suffix...)
	}
	p.req.SetRequestURIBytes(p.uri)
	// Conditional polls only when short polling: a long poll's hold
	// already answers "nothing new" by waiting.
	if p.tagged && p.cfg.hold == 0 {
		p.req.Header.SetBytesV("If-None-Match", p.etag)
	} else {
		p.req.Header.Del("If-None-Match")
	}
}

// onPage delivers a page's events, all arrived at now, and moves the
// cursor past them.
func (p *poller) onPage(now time.Time) (action, time.Duration) {
	if err := parsePage(p.resp.Body(), &p.page); err != nil || p.page.next < p.cursor.Load() {
		p.logger.Warn("poll answered with a malformed page", "err", err, "next", p.page.next)
		return actDelay, p.backoff()
	}
	p.failures = 0
	for _, body := range p.page.events {
		seq, key, due, err := bench.ParsePayload(body)
		if err != nil {
			// A bug, not a fault: it will show as a lost event.
			p.logger.Error("page holds a body that is not a hookbench event", "err", err)
			continue
		}
		p.sink.Deliver(bench.Delivery{Subscriber: p.sub, Seq: seq, Key: key, Due: due, At: now, Path: bench.PathPrimary})
	}
	if len(p.page.events) == 0 {
		p.meter.Inc(bench.EmptyPolls)
	}
	p.advance(p.page.next)
	if p.page.hasMore {
		p.tagged = false
		return actAtOnce, 0
	}
	p.etag = append(p.etag[:0], p.resp.Header.Peek("ETag")...)
	p.tagged = len(p.etag) > 0
	return actSchedule, 0
}

// onTooOld resyncs after a 410: the cursor jumps to just before the oldest
// retained event. The events in between are lost, and said to be.
func (p *poller) onTooOld() (action, time.Duration) {
	oldest, err := parseTooOld(p.resp.Body())
	if err != nil {
		p.logger.Warn("poll answered 410 without a usable oldest seq", "err", err)
		return actDelay, p.backoff()
	}
	from := p.cursor.Load()
	if oldest <= from+1 {
		p.logger.Warn("poll answered 410 for a cursor the log still holds", "cursor", from, "oldest", oldest)
		return actDelay, p.backoff()
	}
	p.failures = 0
	p.meter.Inc(bench.ContinuityLost)
	p.logger.Warn("cursor too old: resynced from the oldest retained event; the events in between are lost",
		"cursor", from, "oldest", oldest, "skipped", oldest-1-from)
	p.tagged = false
	p.advance(oldest - 1)
	return actAtOnce, 0
}

func (p *poller) advance(cursor uint64) {
	p.cursor.Store(cursor)
	select {
	case p.progress <- struct{}{}:
	default:
	}
}

// period returns the next interval between two regular polls, jittered
// uniformly over interval×[1-jitter, 1+jitter].
func (p *poller) period() time.Duration {
	iv := float64(p.cfg.interval)
	if p.cfg.jitter > 0 {
		iv *= 1 + p.cfg.jitter*(2*p.rng.Float64()-1)
	}
	return time.Duration(iv)
}

// backoff returns the wait after the n-th consecutive failure, AWS "full
// jitter": uniform in [0, min(max, base×2^n)).
func (p *poller) backoff() time.Duration {
	ceil := p.cfg.backoffBase
	for i := 0; i < p.failures && ceil < p.cfg.backoffMax; i++ {
		ceil *= 2
	}
	ceil = min(ceil, p.cfg.backoffMax)
	p.failures++
	if ceil <= 0 {
		return 0
	}
	return time.Duration(p.rng.Int64N(int64(ceil)))
}

func (p *poller) sleep(ctx context.Context, d time.Duration) bool {
	return p.sleepUntil(ctx, time.Now().Add(d))
}

// sleepUntil waits until t; it reports false if ctx ended first.
func (p *poller) sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	p.timer.Reset(d)
	select {
	case <-ctx.Done():
		p.timer.Stop()
		return false
	case <-p.timer.C:
		return true
	}
}

// retryAfter reads a Retry-After value: delay-seconds or an HTTP-date
// (RFC 9110 10.2.3), capped at maxRetryAfter.
func retryAfter(v []byte, now time.Time) (time.Duration, bool) {
	if len(v) == 0 {
		return 0, false
	}
	if n, err := parseUint(v); err == nil {
		return time.Duration(min(n, uint64(maxRetryAfter/time.Second))) * time.Second, true
	}
	t, err := fasthttp.ParseHTTPDate(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxRetryAfter), true
}
