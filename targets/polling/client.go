package polling

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/hookbench/hookbench/bench"
)

var errClientClosed = errors.New("client closed")

// errStale marks a request that failed on a kept-alive connection before
// any byte of the answer arrived: the server (or a fault) had closed the
// connection while it was idle or holding the request. The request was not
// answered, so it is safe to send again at once on a fresh connection, as
// net/http does for idempotent requests on a reused connection. The failed
// attempt is still counted.
var errStale = errors.New("kept-alive connection closed before the answer began")

// An httpClient is one poller's HTTP/1.1 client: a single keep-alive
// connection to the server, dialled through the Meter, with fasthttp's
// Request and Response doing the wire format.
//
// It is used instead of fasthttp.HostClient on purpose: HostClient's
// connection cleaner goroutine outlives CloseIdleConnections by up to
// MaxIdleConnDuration (it sleeps, it cannot be woken), an in-flight Do
// cannot be cancelled (a held long poll or a black-holed connection would
// hold Close for the whole request timeout), and its transparent retries
// of idempotent requests would hide requests from the count. Here every
// attempt is one counted request, the context closes the connection, and
// nothing outlives Close.
//
// Every dial after the first is counted as bench.Reconnects.
//
// do is called by the poller's goroutine only; close and cut may be called
// from any goroutine.
type httpClient struct {
	addr   string
	meter  *bench.Meter
	idle   time.Duration // a connection idle for longer is dropped, not reused
	stop   func() bool   // unregisters the context's close
	dialed bool          // a connection was dialled before: the next is a reconnect

	br      *bufio.Reader
	bw      *bufio.Writer
	lastUse time.Time

	mu     sync.Mutex
	conn   net.Conn
	closed bool
}

// newHTTPClient returns a client of addr that closes its connection, and
// fails every later request, when ctx ends.
func newHTTPClient(ctx context.Context, addr string, meter *bench.Meter) *httpClient {
	c := &httpClient{
		addr:  addr,
		meter: meter,
		idle:  defaultIdleKeepalive,
		br:    bufio.NewReaderSize(nil, 16<<10),
		bw:    bufio.NewWriterSize(nil, 4<<10),
	}
	c.stop = context.AfterFunc(ctx, c.close)
	return c
}

// do sends req and reads the answer into resp, within timeout from now
// (dial included). Any error leaves the client without a connection; the
// next do dials a new one. An error wrapping errStale means that a
// kept-alive connection turned out closed before the answer began.
func (c *httpClient) do(ctx context.Context, req *fasthttp.Request, resp *fasthttp.Response, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	conn, reused, err := c.connect(ctx, deadline)
	if err != nil {
		return err
	}
	// fail drops conn and says whether the failure left the request
	// unanswered on a connection that had worked before.
	fail := func(what string, err error, unanswered bool) error {
		c.drop(conn)
		if reused && unanswered {
			return fmt.Errorf("%s: %w: %w", what, errStale, err)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return fail("set deadline", err, false)
	}
	if err := req.Write(c.bw); err != nil {
		return fail("write request", err, true)
	}
	if err := c.bw.Flush(); err != nil {
		return fail("write request", err, true)
	}
	if err := resp.Read(c.br); err != nil {
		// fasthttp reports any failure to read the first byte of the
		// answer, other than a timeout, as a bare io.EOF.
		return fail("read response", err, errors.Is(err, io.EOF))
	}
	if resp.ConnectionClose() {
		c.drop(conn)
	}
	c.lastUse = time.Now()
	return nil
}

// connect returns the kept-alive connection (reused), or dials a new one.
func (c *httpClient) connect(ctx context.Context, deadline time.Time) (conn net.Conn, reused bool, err error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, false, errClientClosed
	}
	stale := c.conn
	if stale != nil && time.Since(c.lastUse) <= c.idle {
		c.mu.Unlock()
		return stale, true, nil
	}
	c.conn = nil
	c.mu.Unlock()
	if stale != nil {
		_ = stale.Close() // idle too long: the server may be closing it
	}
	if c.dialed {
		c.meter.Inc(bench.Reconnects)
	}
	c.dialed = true
	d := net.Dialer{Deadline: deadline}
	raw, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return nil, false, fmt.Errorf("dial: %w", err)
	}
	conn = c.meter.Dialed(raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		_ = conn.Close()
		return nil, false, errClientClosed
	}
	c.conn = conn
	c.br.Reset(conn)
	c.bw.Reset(conn)
	return conn, false, nil
}

// drop closes conn and forgets it. The error of closing a connection that
// failed is of no use: the failure was counted.
func (c *httpClient) drop(conn net.Conn) {
	c.mu.Lock()
	if c.conn == conn {
		c.conn = nil
	}
	c.mu.Unlock()
	_ = conn.Close()
}

// close closes the connection, interrupting a request in flight, and fails
// every later request. It is idempotent.
func (c *httpClient) close() {
	c.mu.Lock()
	conn := c.conn
	c.conn, c.closed = nil, true
	c.mu.Unlock()
	if conn != nil {
		_ = conn.Close()
	}
}

// cut closes the connection, interrupting a request in flight, but leaves
// the client usable: the next do dials again. The poller's fault schedule
// uses it to take the poller off the network (outage).
func (c *httpClient) cut() {
	c.mu.Lock()
	conn := c.conn
	c.conn = nil
	c.mu.Unlock()
	if conn != nil {
		_ = conn.Close()
	}
}

// release closes the client and unregisters it from its context.
func (c *httpClient) release() {
	c.stop()
	c.close()
}
