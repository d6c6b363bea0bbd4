package faultproxy

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A server is a test upstream on 127.0.0.1:0 that serves each connection
// with handle and records the errors handle returns.
type server struct {
	ln       net.Listener
	handle   func(net.Conn) error
	wg       sync.WaitGroup
	accepted atomic.Int64
	errs     chan error

	mu    sync.Mutex
	conns []net.Conn
}

// newServer starts a server; the test's cleanup closes it and waits for
// its goroutines.
func newServer(t testing.TB, handle func(net.Conn) error) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{ln: ln, handle: handle, errs: make(chan error, 64)}
	s.wg.Go(s.serve)
	t.Cleanup(s.close)
	return s
}

func (s *server) addr() string { return s.ln.Addr().String() }

func (s *server) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.accepted.Add(1)
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Go(func() {
			defer c.Close()
			if err := s.handle(c); err != nil {
				select {
				case s.errs <- err:
				default:
				}
			}
		})
	}
}

func (s *server) close() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// echo sends back what it reads, and half-closes at end of file.
func echo(c net.Conn) error {
	if _, err := io.Copy(c, c); err != nil {
		return err
	}
	return c.(*net.TCPConn).CloseWrite()
}

// startProxy returns a Proxy to upstream under a plan of specs (seed 1,
// a 10 s run) whose clock the test starts; the test's cleanup closes it.
func startProxy(t testing.TB, upstream string, specs ...bench.FaultSpec) (*Proxy, *bench.FaultTimeline) {
	t.Helper()
	var tl *bench.FaultTimeline
	if len(specs) > 0 {
		tl = bench.NewFaultTimeline(specs, 1, 10*time.Second)
	}
	p, err := New(upstream, tl, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p, tl
}

// dial connects to the proxy; the test's cleanup closes the connection.
func dial(t testing.TB, p *Proxy) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// roundTrip writes msg on c and reads its echo within timeout.
func roundTrip(c net.Conn, msg string, timeout time.Duration) error {
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if _, err := io.WriteString(c, msg); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != msg {
		return errors.New("echo differs: " + string(buf))
	}
	return c.SetDeadline(time.Time{})
}

// sleepUntil waits for a point on the run's clock (not synchronisation:
// the faults are placed on that clock).
func sleepUntil(start time.Time, off time.Duration) { time.Sleep(time.Until(start.Add(off))) }

// eventually polls cond every millisecond for up to two seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(2 * time.Second); !cond(); {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func ms(n int) bench.Duration { return bench.Duration(time.Duration(n) * time.Millisecond) }
