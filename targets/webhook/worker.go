package webhook

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/valyala/fasthttp"
)

// msgPrefix starts every webhook-id; the event's seq follows.
const msgPrefix = "msg_"

// A worker sends one endpoint's jobs, one attempt at a time. It owns its
// request, response, buffers and jitter generator, so an attempt shares
// nothing with other workers but the queue's lock and the client's pool.
type worker struct {
	p    *producer
	ep   *endpoint
	req  fasthttp.Request
	resp fasthttp.Response

	body, id, ts, sig, num []byte

	// The jitter generator is reseeded from (endpoint, seq, attempt)
	// before each draw: every delivery's waits are then a function of the
	// run seed alone, whichever worker happens to send it.
	pcg *rand.PCG
	rng *rand.Rand
}

func newWorker(p *producer, ep *endpoint) *worker {
	w := &worker{p: p, ep: ep, pcg: rand.NewPCG(ep.seed, 0)}
	w.rng = rand.New(w.pcg)
	w.req.Header.SetMethod(fasthttp.MethodPost)
	w.req.SetRequestURI(ep.url)
	w.req.Header.SetContentType("application/json")
	w.req.SetTimeout(p.timeout)
	return w
}

// run delivers jobs until the queue closes.
func (w *worker) run() {
	for {
		j, ok := w.ep.q.pop()
		if !ok {
			return
		}
		w.attempt(j)
	}
}

// attempt makes one attempt at j and settles or reschedules it.
func (w *worker) attempt(j job) {
	w.p.meter.Inc(bench.Requests)
	if j.attempts > 0 {
		w.p.meter.Inc(bench.Retries)
	}
	status, floor, err := w.send(j.ev, j.attempts+1)
	j.attempts++
	switch classify(status, err) {
	case delivered:
		w.p.pending.done(1)
	case gone:
		w.p.disable(w.ep)
		w.p.giveUp(1)
	default:
		w.retry(j, floor)
	}
}

// retry schedules j's next attempt no earlier than floor from now, or gives
// it up when its attempts are spent or the endpoint is disabled.
func (w *worker) retry(j job, floor time.Duration) {
	if w.p.closed.Load() {
		// Close may have caused the failure by closing the connection: the
		// job is dropped, not given up.
		return
	}
	b := w.p.backoff
	if j.attempts >= b.attempts {
		w.p.giveUp(1)
		return
	}
	wait := max(b.wait(w.pcg, w.rng, w.ep.seed, j.ev.Seq, j.attempts), floor)
	switch w.ep.q.retry(j, time.Now().Add(wait)) {
	case disabled:
		w.p.giveUp(1)
	case closed:
		// The producer is closing: the job is dropped, not given up.
	}
}

// send signs and POSTs ev once, as attempt number attempt (from 1). It
// returns the answer's status and its Retry-After as a wait (0 if none or
// 2xx), or the transport error.
func (w *worker) send(ev bench.Event, attempt int) (status int, floor time.Duration, err error) {
	w.body = bench.AppendPayload(w.body[:0], ev)
	w.id = strconv.AppendUint(append(w.id[:0], msgPrefix...), ev.Seq, 10)
	w.ts = strconv.AppendInt(w.ts[:0], time.Now().Unix(), 10)
	w.sig = w.ep.signer.AppendSignature(w.sig[:0], w.id, w.ts, w.body)
	w.num = strconv.AppendInt(w.num[:0], int64(attempt), 10)
	h := &w.req.Header
	h.SetBytesV(HeaderID, w.id)
	h.SetBytesV(HeaderTimestamp, w.ts)
	h.SetBytesV(HeaderSignature, w.sig)
	h.SetBytesV(HeaderAttempt, w.num)
	// The body is only read during Do; it is rebuilt before the next one.
	w.req.SetBodyRaw(w.body)
	if err := w.ep.client.Do(&w.req, &w.resp); err != nil {
		return 0, 0, err
	}
	status = w.resp.StatusCode()
	if status < 200 || status > 299 {
		floor = retryAfter(w.resp.Header.Peek(fasthttp.HeaderRetryAfter), time.Now())
	}
	return status, floor, nil
}
