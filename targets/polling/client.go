package polling

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/hookbench/hookbench/bench"
)

var errClientClosed = errors.New("client closed")

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
// do is called by the poller's goroutine only; close may be called from
// any goroutine.
type httpClient struct {
	addr  string
	meter *bench.Meter
	idle  time.Duration // a connection idle for longer is dropped, not reused
	stop  func() bool   // unregisters the context's close

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
// next do dials a new one.
func (c *httpClient) do(ctx context.Context, req *fasthttp.Request, resp *fasthttp.Response, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	conn, err := c.connect(ctx, deadline)
	if err != nil {
		return err
	}
	if err := conn.SetDeadline(deadline); err != nil {
		c.drop(conn)
		return fmt.Errorf("set deadline: %w", err)
	}
	if err := req.Write(c.bw); err != nil {
		c.drop(conn)
		return fmt.Errorf("write request: %w", err)
	}
	if err := c.bw.Flush(); err != nil {
		c.drop(conn)
		return fmt.Errorf("write request: %w", err)
	}
	if err := resp.Read(c.br); err != nil {
		c.drop(conn)
		return fmt.Errorf("read response: %w", err)
	}
	if resp.ConnectionClose() {
		c.drop(conn)
	}
	c.lastUse = time.Now()
	return nil
}

// connect returns the kept-alive connection, or dials a new one.
func (c *httpClient) connect(ctx context.Context, deadline time.Time) (net.Conn, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errClientClosed
	}
	stale := c.conn
	if stale != nil && time.Since(c.lastUse) <= c.idle {
		c.mu.Unlock()
		return stale, nil
	}
	c.conn = nil
	c.mu.Unlock()
	if stale != nil {
		_ = stale.Close() // idle too long: the server may be closing it
	}
	d := net.Dialer{Deadline: deadline}
	raw, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	conn := c.meter.Dialed(raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		_ = conn.Close()
		return nil, errClientClosed
	}
	c.conn = conn
	c.br.Reset(conn)
	c.bw.Reset(conn)
	return conn, nil
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

// release closes the client and unregisters it from its context.
func (c *httpClient) release() {
	c.stop()
	c.close()
}
