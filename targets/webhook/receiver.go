package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/valyala/fasthttp"
)

// A Reply overrides a receiver's answer to one request; see Target.Respond.
// The zero Reply lets the receiver proceed.
type Reply struct {
	// Status, if not 0, is answered instead of recording the delivery.
	Status int
	// RetryAfter, if > 0, is sent as a Retry-After header, in whole
	// seconds rounded up.
	RetryAfter time.Duration
}

// Receiver timeouts. The sender's idle connections (fasthttp's default 10s)
// expire well before the receiver's, so that a reused connection is not
// closed under a request in flight.
const (
	receiverReadTimeout  = 30 * time.Second
	receiverWriteTimeout = 30 * time.Second
	receiverIdleTimeout  = 60 * time.Second
)

// relistenRetry is how often a receiver whose outage has ended tries to
// listen again when the port cannot be had at once.
const relistenRetry = 10 * time.Millisecond

// A receiver is one subscriber's webhook endpoint: a fasthttp server on its
// own loopback port that verifies each request, reports the delivery to the
// sink and acknowledges at once, unless an application fault of the run's
// plan says otherwise (faults.go).
type receiver struct {
	sub     int
	signer  *Signer
	sink    bench.Sink
	meter   *bench.Meter
	respond func(sub int, seq uint64) Reply
	trace   func(traced)
	faults  *bench.FaultTimeline
	log     *slog.Logger

	limiters map[bench.FaultSpec]*bench.RateLimiter // per ratelimit fault; read-only once started
	stop     chan struct{}                          // closed by shutdown: slow answers go out at once

	srv      *fasthttp.Server
	ln       *gateListener
	addr     string
	ready    chan struct{} // closed when Serve first waits to accept
	served   chan struct{} // closed when Serve has returned
	serveErr error         // Serve's result, set before served is closed
}

// A traced request is what the test hook Target.trace sees of each request
// a receiver answered.
type traced struct {
	sub           int
	seq, attempt  uint64 // 0, 0 if the request named no delivery of ours
	status        int    // 0: closed without an answer (outage)
	retryAfter    string
	arrived, done time.Time
	off           time.Duration // arrived on the run's clock (0 before it starts)
}

// start starts rcv's server on a fresh loopback port. The server is
// serving once rcv.ready is closed; rcv.shutdown stops it.
func (rcv *receiver) start(log *slog.Logger) error {
	ln, err := listenGate(rcv.meter)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	rcv.log = log.With("subscriber", rcv.sub)
	rcv.ln = ln
	rcv.addr = ln.Addr().String()
	rcv.stop = make(chan struct{})
	rcv.ready = make(chan struct{})
	rcv.served = make(chan struct{})
	now := time.Now()
	for _, f := range rcv.faults.Specs(bench.FaultRateLimit) {
		if rcv.limiters == nil {
			rcv.limiters = map[bench.FaultSpec]*bench.RateLimiter{}
		}
		rcv.limiters[f] = bench.NewRateLimiter(f.RPS, now)
	}
	rcv.srv = &fasthttp.Server{
		Handler:              rcv.handler(),
		ReadTimeout:          receiverReadTimeout,
		WriteTimeout:         receiverWriteTimeout,
		IdleTimeout:          receiverIdleTimeout,
		NoDefaultContentType: true,
		Logger:               printfLogger{rcv.log},
	}
	rl := &readyListener{Listener: ln, ready: rcv.ready}
	go func() {
		defer close(rcv.served)
		rcv.serveErr = rcv.srv.Serve(rl)
	}()
	return nil
}

// turn applies a turn of the fault schedule: out says whether an outage is
// active from now on; disconnect drops the open connections.
func (rcv *receiver) turn(ctx context.Context, out, disconnect bool) {
	if out {
		if err := rcv.ln.down(); err != nil {
			rcv.log.Warn("webhook: outage: take receiver down", "err", err)
		}
	} else {
		rcv.relisten(ctx)
	}
	if disconnect {
		n := rcv.ln.drop()
		rcv.log.Debug("webhook: disconnect", "conns", n)
	}
}

// relisten brings rcv back on its port after an outage, trying again
// every relistenRetry while the port cannot be had, until ctx ends.
func (rcv *receiver) relisten(ctx context.Context) {
	for warned := false; ; warned = true {
		err := rcv.ln.up()
		if err == nil {
			return
		}
		if !warned {
			rcv.log.Warn("webhook: outage over, but the receiver cannot listen again; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(relistenRetry):
		}
	}
}

// shutdown stops the server gracefully within ctx and waits for Serve.
func (rcv *receiver) shutdown(ctx context.Context) error {
	// Shutdown only knows the listeners Serve has registered: wait for
	// Serve to get that far, which it does without blocking.
	<-rcv.ready
	close(rcv.stop)
	err := rcv.srv.ShutdownWithContext(ctx)
	<-rcv.served
	if err != nil {
		return fmt.Errorf("webhook: shut down receiver %d: %w", rcv.sub, err)
	}
	if rcv.serveErr != nil {
		return fmt.Errorf("webhook: receiver %d: %w", rcv.sub, rcv.serveErr)
	}
	return nil
}

// handler returns the receiver's request handler: serve (method,
// authenticate, decode, override, record) inside the fault middleware of
// the run's plan, reading the clock once per request.
func (rcv *receiver) handler() fasthttp.RequestHandler {
	h := rcv.withFaults(rcv.serve)
	if rcv.trace != nil {
		h = rcv.traced(h)
	}
	return func(ctx *fasthttp.RequestCtx) { h(ctx, time.Now()) }
}

// traced reports every request to rcv.trace once it is answered.
func (rcv *receiver) traced(next handler) handler {
	return func(ctx *fasthttp.RequestCtx, now time.Time) {
		next(ctx, now)
		tr := traced{sub: rcv.sub, arrived: now, done: time.Now()}
		tr.off, _ = rcv.faults.Elapsed(now)
		tr.seq, tr.attempt, _ = deliveryKeys(ctx)
		if !ctx.Hijacked() {
			tr.status = ctx.Response.StatusCode()
			tr.retryAfter = string(ctx.Response.Header.Peek(fasthttp.HeaderRetryAfter))
		}
		rcv.trace(tr)
	}
}

func (rcv *receiver) serve(ctx *fasthttp.RequestCtx, now time.Time) {
	if !ctx.IsPost() {
		ctx.SetStatusCode(fasthttp.StatusMethodNotAllowed)
		return
	}
	if !rcv.authentic(ctx, now) {
		rcv.meter.Inc(bench.Rejected)
		ctx.SetStatusCode(fasthttp.StatusUnauthorized)
		return
	}
	seq, key, due, err := bench.ParsePayload(ctx.PostBody())
	if err != nil {
		ctx.SetStatusCode(fasthttp.StatusBadRequest)
		return
	}
	if rcv.respond != nil {
		if r := rcv.respond(rcv.sub, seq); r.Status != 0 {
			r.write(ctx)
			return
		}
		now = time.Now() // the hook may have taken a while
	}
	rcv.sink.Deliver(bench.Delivery{
		Subscriber: rcv.sub,
		Seq:        seq,
		Key:        key,
		Due:        due,
		At:         now,
		Path:       bench.PathPrimary,
	})
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

// authentic reports whether the request carries a valid signature and a
// timestamp within the tolerance of now.
func (rcv *receiver) authentic(ctx *fasthttp.RequestCtx, now time.Time) bool {
	h := &ctx.Request.Header
	return rcv.signer.Verify(h.Peek(HeaderID), h.Peek(HeaderTimestamp), h.Peek(HeaderSignature),
		ctx.PostBody(), now) == nil
}

func (r Reply) write(ctx *fasthttp.RequestCtx) {
	ctx.SetStatusCode(r.Status)
	if r.RetryAfter > 0 {
		ctx.Response.Header.Set(fasthttp.HeaderRetryAfter, strconv.FormatInt(bench.RetryAfterSeconds(r.RetryAfter), 10))
	}
}

// A readyListener closes ready the first time Serve calls Accept, which it
// does only after registering the listener for Shutdown.
type readyListener struct {
	net.Listener
	ready chan struct{}
	once  sync.Once
}

func (l *readyListener) Accept() (net.Conn, error) {
	l.once.Do(func() { close(l.ready) })
	return l.Listener.Accept()
}

// printfLogger routes fasthttp's diagnostics to the run's logger, so that
// the library never writes to stderr itself.
type printfLogger struct{ log *slog.Logger }

// Serving a connection that a disconnect or an outage closed fails with
// net.ErrClosed's message (the error itself is flattened by fasthttp); that
// is the fault working, logged at debug level only.
func (p printfLogger) Printf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	level := slog.LevelWarn
	if strings.Contains(msg, net.ErrClosed.Error()) {
		level = slog.LevelDebug
	}
	p.log.Log(context.Background(), level, msg, "component", "fasthttp.Server")
}
