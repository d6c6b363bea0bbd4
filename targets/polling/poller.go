package polling

import (
	"context"
	"errors"
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
// It also plays the subscriber side of the run's application faults: it
// stays off the network during an outage and resumes from its cursor at
// its end, and takes a slow fault's delay over each page of events.
//
// Its fields are owned by its goroutine, except cursor, which Drain reads,
// and client, whose cut the fault schedule calls.
type poller struct {
	sub      int
	cfg      *config
	client   *httpClient
	sink     bench.Sink
	meter    *bench.Meter
	logger   *slog.Logger
	rng      *rand.Rand
	progress chan<- struct{} // poked, without blocking, when the cursor moves

	faults   *bench.FaultTimeline
	identify bool   // send HeaderSubscriber and HeaderRequest
	outages  bool   // the plan holds an outage
	slows    bool   // the plan holds a slow fault
	reqs     uint64 // requests made so far: the next one's number
	subID    []byte // the subscriber number, as sent
	num      []byte // the request number, as sent

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
		faults:   env.Faults,
		identify: needsIdentity(env.Faults),
		outages:  env.Faults.Has(bench.FaultOutage),
		slows:    env.Faults.Has(bench.FaultSlow),
		subID:    strconv.AppendInt(nil, int64(sub), 10),
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
		back, ok := p.offline(ctx)
		if !ok {
			return
		}
		if back && !long {
			// Back from an outage: poll at once (the catch-up), and
			// restart the schedule from this poll.
			p.next = time.Now()
		}
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
	switch {
	case err != nil && ctx.Err() != nil:
		return actStop, 0
	case p.outages && p.isOffline(now):
		// An outage began while the request was out: the poller is
		// offline and never got the answer, if there was one. Its
		// cursor is where it was.
		return actAtOnce, 0
	case errors.Is(err, errStale):
		// The server (a disconnect) or the network closed the kept-alive
		// connection under the request: send it again at once, on a new
		// connection. A new connection that fails is backed off.
		p.logger.Debug("connection closed under the poll; polling again on a new one", "err", err)
		return actAtOnce, 0
	case err != nil:
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
		if p.slows && len(p.page.events) > 0 && !p.slowDown(ctx, now) {
			return actStop, 0
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
	if p.identify {
		p.req.Header.SetBytesV(HeaderSubscriber, p.subID)
		p.num = strconv.AppendUint(p.num[:0], p.reqs, 10)
		p.req.Header.SetBytesV(HeaderRequest, p.num)
	}
	p.reqs++
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

// offline keeps the poller off the network while an outage is active: it
// makes no request until the window ends (or ctx does). It reports whether
// it was offline, and false as its second result if ctx ended.
func (p *poller) offline(ctx context.Context) (was, ok bool) {
	if !p.outages {
		return false, true
	}
	for {
		off, started := p.faults.Elapsed(time.Now())
		if !started {
			return was, true
		}
		if _, on := p.faults.ActiveAt(bench.FaultOutage, off); !on {
			if was {
				p.logger.Debug("outage over: back online", "cursor", p.cursor.Load())
			}
			return was, true
		}
		if !was {
			p.logger.Debug("outage: offline", "cursor", p.cursor.Load())
		}
		was = true
		end, bounded := p.faults.Until(bench.FaultOutage, off)
		if !bounded {
			<-ctx.Done() // offline to the end of the run
			return was, false
		}
		if !p.sleep(ctx, end-off) {
			return was, false
		}
	}
}

// isOffline reports whether an outage is active at now.
func (p *poller) isOffline(now time.Time) bool {
	_, on := p.faults.Active(bench.FaultOutage, now)
	return on
}

// slowDown is a slow consumer's work on a page of events that arrived at
// now: while a slow fault is active, the poller takes its delay before it
// goes on (polls again), as a consumer that does its work and then hangs.
// The events were delivered on arrival, as the webhook receivers record a
// delivery before they hang; what the delay costs is the next poll, so
// events published meanwhile wait for it. It reports false if ctx ended.
func (p *poller) slowDown(ctx context.Context, now time.Time) bool {
	f, on := p.faults.Active(bench.FaultSlow, now)
	if !on {
		return true
	}
	return p.sleep(ctx, f.Delay.D())
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
