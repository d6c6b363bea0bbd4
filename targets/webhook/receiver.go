package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
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

// A receiver is one subscriber's webhook endpoint: a fasthttp server on its
// own loopback port that verifies each request, reports the delivery to the
// sink and acknowledges at once.
type receiver struct {
	sub     int
	signer  *Signer
	sink    bench.Sink
	meter   *bench.Meter
	respond func(sub int, seq uint64) Reply

	srv      *fasthttp.Server
	addr     string
	ready    chan struct{} // closed when Serve first waits to accept
	served   chan struct{} // closed when Serve has returned
	serveErr error         // Serve's result, set before served is closed
}

// start starts rcv's server on a fresh loopback port. The server is
// serving once rcv.ready is closed; rcv.shutdown stops it.
func (rcv *receiver) start(log *slog.Logger) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	rcv.addr = l.Addr().String()
	rcv.ready = make(chan struct{})
	rcv.served = make(chan struct{})
	rcv.srv = &fasthttp.Server{
		Handler:              rcv.handler(),
		ReadTimeout:          receiverReadTimeout,
		WriteTimeout:         receiverWriteTimeout,
		IdleTimeout:          receiverIdleTimeout,
		NoDefaultContentType: true,
		Logger:               printfLogger{log.With("subscriber", rcv.sub)},
	}
	ln := &readyListener{Listener: rcv.meter.Listener(l), ready: rcv.ready}
	go func() {
		defer close(rcv.served)
		rcv.serveErr = rcv.srv.Serve(ln)
	}()
	return nil
}

// shutdown stops the server gracefully within ctx and waits for Serve.
func (rcv *receiver) shutdown(ctx context.Context) error {
	// Shutdown only knows the listeners Serve has registered: wait for
	// Serve to get that far, which it does without blocking.
	<-rcv.ready
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

// handler returns the receiver's request handler. It is one chain of small
// steps: method, authenticate, decode, override, record. Fault middleware
// wraps the returned handler as a whole.
func (rcv *receiver) handler() fasthttp.RequestHandler { return rcv.serve }

func (rcv *receiver) serve(ctx *fasthttp.RequestCtx) {
	if !ctx.IsPost() {
		ctx.SetStatusCode(fasthttp.StatusMethodNotAllowed)
		return
	}
	now := time.Now()
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
		secs := (r.RetryAfter + time.Second - 1) / time.Second
		ctx.Response.Header.Set(fasthttp.HeaderRetryAfter, strconv.FormatInt(int64(secs), 10))
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

func (p printfLogger) Printf(format string, args ...any) {
	p.log.Warn(fmt.Sprintf(format, args...), "component", "fasthttp.Server")
}
