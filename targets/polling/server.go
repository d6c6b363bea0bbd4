package polling

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/hookbench/hookbench/bench"
)

// serverIdleTimeout closes keep-alive connections idle for longer; the
// poller drops its own idle connection sooner (defaultIdleKeepalive), so
// it never writes to a connection the server is closing.
const serverIdleTimeout = 90 * time.Second

// acceptPause is the pause after a failed Accept (net/http starts at 5ms).
const acceptPause = 10 * time.Millisecond

// A server is the event-log API: GET /events?after=SEQ&limit=N[&wait=HOLD]
// over the log (wire format in page.go). Each subscriber reads the whole
// log, so every subscriber sees every event.
//
// fasthttp parses and writes HTTP, but the server runs its own accept loop
// and one goroutine per connection (fasthttp.Server.ServeConn) rather than
// fasthttp.Server.Serve: Serve's worker pool keeps a cleaner goroutine that
// sleeps MaxIdleWorkerDuration and outlives Shutdown, and Shutdown polls
// for idle connections every 100ms. Here close knows every goroutine and
// waits for each.
type server struct {
	log     *eventLog
	logger  *slog.Logger
	scratch sync.Pool // *scratch
	http    *fasthttp.Server
	ln      net.Listener
	wg      sync.WaitGroup // the accept loop and one per connection

	// The application faults of the run's plan that act in the server
	// (faults.go). All are read-only once serving, but for the locked
	// fields below.
	faults      *bench.FaultTimeline
	limiters    map[bench.FaultSpec]*bench.RateLimiter // one per ratelimit fault, across the API
	disconnects bool                                   // the plan drops connections: holds watch cut

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	cut    chan struct{} // closed by dropConns; nil without disconnects
	closed bool
}

// scratch is the per-request working memory, pooled.
type scratch struct {
	evs []bench.Event // cap MaxLimit
	buf []byte
}

// newServer returns a server of log that applies the server-side faults
// of faults (nil: none).
func newServer(log *eventLog, logger *slog.Logger, faults *bench.FaultTimeline) *server {
	s := &server{log: log, logger: logger, conns: map[net.Conn]struct{}{}, faults: faults}
	s.scratch.New = func() any { return &scratch{evs: make([]bench.Event, 0, MaxLimit)} }
	now := time.Now()
	for _, f := range faults.Specs(bench.FaultRateLimit) {
		if s.limiters == nil {
			s.limiters = map[bench.FaultSpec]*bench.RateLimiter{}
		}
		s.limiters[f] = bench.NewRateLimiter(f.RPS, now)
	}
	if faults.Has(bench.FaultDisconnect) {
		s.disconnects = true
		s.cut = make(chan struct{})
	}
	return s
}

// serve starts serving handler on a new loopback listener wrapped by meter
// and returns its address. The caller must call close.
func (s *server) serve(meter *bench.Meter, handler fasthttp.RequestHandler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listen: %w", err)
	}
	s.ln = meter.Listener(ln)
	s.http = &fasthttp.Server{
		Handler:     handler,
		Name:        "hookbench",
		IdleTimeout: serverIdleTimeout,
		Logger:      printfLogger{s.logger},
	}
	s.wg.Add(1)
	go s.accept()
	return ln.Addr().String(), nil
}

func (s *server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if s.isClosed() || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors and the like: the connection attempt
			// fails and the client backs off. Pause, as net/http does,
			// rather than spin on the error.
			s.logger.Warn("accept failed", "err", err)
			time.Sleep(acceptPause)
			continue
		}
		if !s.track(c) {
			_ = c.Close() // closing: refuse it
			return
		}
		go s.serveConn(c)
	}
}

// track registers c and its goroutine, unless the server is closing.
func (s *server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *server) serveConn(c net.Conn) {
	defer s.wg.Done()
	if err := s.http.ServeConn(c); err != nil && !s.isClosed() {
		s.logger.Debug("connection ended with an error", "err", err)
	}
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

func (s *server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// dropConns closes every live connection (the server's end, a close and
// not a reset), as a restarting API server or a load balancer shedding its
// connections would, and ends the holds of the requests on them. It
// returns how many it closed. Connections accepted later are served.
func (s *server) dropConns() int {
	s.mu.Lock()
	conns := make([]net.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
		delete(s.conns, c) // untracked: their holds end (hold)
	}
	woken := s.cut
	if woken != nil {
		s.cut = make(chan struct{})
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.Close() // the fault itself: the peer reads end of file
	}
	if woken != nil {
		close(woken)
	}
	return len(conns)
}

// cutSignal returns the channel the next dropConns closes, and whether c
// is still a live connection of the server.
func (s *server) cutSignal(c net.Conn) (<-chan struct{}, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, live := s.conns[c]
	return s.cut, live
}

// close stops accepting, closes every connection and waits for every
// goroutine of the server. Long polls must have been ended first (by
// closing the log), so that no request is cut in the middle of its hold.
func (s *server) close() error {
	s.mu.Lock()
	s.closed = true
	conns := make([]net.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	err := s.ln.Close()
	for _, c := range conns {
		_ = c.Close() // the server's end of a connection being torn down
	}
	s.wg.Wait()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("close listener: %w", err)
	}
	return nil
}

// handle serves one request. It is a fasthttp.RequestHandler.
func (s *server) handle(ctx *fasthttp.RequestCtx) {
	if string(ctx.Path()) != "/events" {
		s.fail(ctx, fasthttp.StatusNotFound, "not_found", "the only resource is /events")
		return
	}
	if !ctx.IsGet() && !ctx.IsHead() {
		ctx.Response.Header.Set("Allow", "GET, HEAD")
		s.fail(ctx, fasthttp.StatusMethodNotAllowed, "method_not_allowed", "use GET")
		return
	}
	q, err := parseQuery(ctx.QueryArgs())
	if err != nil {
		s.fail(ctx, fasthttp.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if q.wait > 0 {
		s.hold(ctx.Conn(), q.after, q.wait)
	}
	sc := s.scratch.Get().(*scratch)
	defer s.scratch.Put(sc)
	evs, head, ce := s.log.read(q.after, sc.evs[:0:q.limit])
	switch {
	case ce != nil && ce.tooOld:
		sc.buf = appendTooOld(sc.buf[:0], q.after, ce)
		s.reply(ctx, fasthttp.StatusGone, sc.buf)
		return
	case ce != nil:
		s.fail(ctx, fasthttp.StatusBadRequest, "bad_cursor",
			fmt.Sprintf("cursor %d is ahead of the log head %d: cursors come from next", q.after, head))
		return
	}
	var tag [24]byte
	etag := appendETag(tag[:0], head)
	ctx.Response.Header.SetBytesV("ETag", etag)
	if len(evs) == 0 && string(ctx.Request.Header.Peek("If-None-Match")) == string(etag) {
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return
	}
	next := q.after + uint64(len(evs))
	sc.buf = appendPage(sc.buf[:0], evs, next, next < head)
	s.reply(ctx, fasthttp.StatusOK, sc.buf)
}

// hold waits until the log holds an event after the cursor, the hold
// expires, the log is closed or the request's connection c is dropped by a
// disconnect fault. The wake-up is the log's broadcast: one channel closed
// per append, whatever the number of waiters.
func (s *server) hold(c net.Conn, after uint64, d time.Duration) {
	ch := s.log.wait(after)
	if ch == nil {
		return
	}
	var cut <-chan struct{} // nil (never ready) without disconnect faults
	if s.disconnects {
		var live bool
		if cut, live = s.cutSignal(c); !live {
			return
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	for ch != nil {
		select {
		case <-ch:
		case <-t.C:
			return
		case <-s.log.done:
			return
		case <-cut:
			// Some connections were dropped; this one may live on.
			var live bool
			if cut, live = s.cutSignal(c); !live {
				return
			}
			continue
		}
		ch = s.log.wait(after)
	}
}

func (s *server) reply(ctx *fasthttp.RequestCtx, status int, body []byte) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(body)
}

func (s *server) fail(ctx *fasthttp.RequestCtx, status int, code, reason string) {
	s.reply(ctx, status, appendError(nil, code, reason))
}

// appendETag appends the strong entity tag of the log at head: "<head>".
// A client that has consumed up to head sends it back in If-None-Match and
// gets 304 while nothing new was appended.
func appendETag(dst []byte, head uint64) []byte {
	dst = append(dst, '"')
	dst = strconv.AppendUint(dst, head, 10)
	return append(dst, '"')
}

// query is a parsed GET /events query.
type query struct {
	after uint64
	limit int
	wait  time.Duration
}

// parseQuery reads after (default 0: from the start), limit (default
// DefaultLimit, clamped to MaxLimit) and wait (a Go duration such as 25s
// or a bare number of seconds, clamped to MaxHold; default 0: answer at
// once).
func parseQuery(args *fasthttp.Args) (query, error) {
	q := query{limit: DefaultLimit}
	var errs []error
	if v := args.Peek("after"); v != nil {
		n, err := parseUint(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("after must be a seq (a whole number >= 0), got %q", v))
		}
		q.after = n
	}
	if v := args.Peek("limit"); v != nil {
		n, err := parseUint(v)
		if err != nil || n == 0 {
			errs = append(errs, fmt.Errorf("limit must be a whole number >= 1, got %q", v))
		}
		q.limit = int(min(n, MaxLimit))
	}
	if v := args.Peek("wait"); v != nil {
		d, err := parseWait(v)
		if err != nil {
			errs = append(errs, err)
		}
		q.wait = min(d, MaxHold)
	}
	return q, errors.Join(errs...)
}

func parseWait(v []byte) (time.Duration, error) {
	if n, err := parseUint(v); err == nil {
		return time.Duration(min(n, uint64(MaxHold/time.Second))) * time.Second, nil
	}
	d, err := time.ParseDuration(string(v))
	if err != nil || d < 0 {
		return 0, fmt.Errorf("wait must be a duration such as 25s or a number of seconds, got %q", v)
	}
	return d, nil
}

// printfLogger hands fasthttp's log lines to slog, at debug level: they
// are connection-level noise (resets at shutdown) rather than results.
type printfLogger struct{ l *slog.Logger }

func (p printfLogger) Printf(format string, args ...any) {
	p.l.Debug(fmt.Sprintf(format, args...), "component", "fasthttp")
}
