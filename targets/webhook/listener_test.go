//go:build unix

package webhook

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// gateServer accepts from a gateListener until it closes, handing each
// connection to the test.
func gateServer(t *testing.T, g *gateListener) (accepted <-chan net.Conn, done <-chan error) {
	t.Helper()
	acc := make(chan net.Conn, 16)
	end := make(chan error, 1)
	go func() {
		for {
			c, err := g.Accept()
			if err != nil {
				end <- err
				return
			}
			acc <- c
		}
	}()
	return acc, end
}

// dialGate connects to g and waits until g's server has the connection.
func dialGate(t *testing.T, g *gateListener, accepted <-chan net.Conn) (client, server net.Conn) {
	t.Helper()
	c, err := net.Dial("tcp", g.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	select {
	case s := <-accepted:
		return c, s
	case <-time.After(5 * time.Second):
		t.Fatal("connection not accepted")
		return nil, nil
	}
}

// readsEOF reports whether c's peer closed it (no data, end of file).
func readsEOF(t *testing.T, c net.Conn) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("read = %d, %v; want the peer's close (EOF)", n, err)
	}
}

func TestGateOutage(t *testing.T) {
	m := bench.NewMeter()
	g, err := listenGate(m)
	if err != nil {
		t.Fatal(err)
	}
	accepted, done := gateServer(t, g)
	addr := g.Addr().String()
	before, _ := dialGate(t, g, accepted)

	// Down: the open connection is closed, new ones are refused.
	if err := g.down(); err != nil {
		t.Fatalf("down: %v", err)
	}
	readsEOF(t, before)
	for range 3 {
		if c, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
			if c != nil {
				_ = c.Close()
			}
			t.Fatalf("dial during the outage = %v, want connection refused", err)
		}
	}
	if err := g.down(); err != nil {
		t.Fatalf("second down: %v", err)
	}

	// Up: the same port serves again.
	if err := g.up(); err != nil {
		t.Fatalf("up: %v", err)
	}
	if err := g.up(); err != nil {
		t.Fatalf("second up: %v", err)
	}
	c, s := dialGate(t, g, accepted)
	if c.RemoteAddr().String() != addr {
		t.Fatalf("serving on %v, want %v", c.RemoteAddr(), addr)
	}
	if _, err := s.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Read(make([]byte, 1)); n != 1 || err != nil {
		t.Fatalf("read after the outage = %d, %v", n, err)
	}

	// A disconnect closes the open connections only.
	if n := g.drop(); n != 1 {
		t.Errorf("drop closed %d connections, want 1", n)
	}
	readsEOF(t, c)
	dialGate(t, g, accepted)

	if err := g.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept after Close = %v, want net.ErrClosed", err)
	}
	if tr := m.Traffic(); tr.Accepted != 3 {
		t.Errorf("accepted = %d, want 3 (metered across the outage)", tr.Accepted)
	}
}

// Close during an outage ends Accept and frees the port.
func TestGateCloseWhileDown(t *testing.T) {
	g, err := listenGate(bench.NewMeter())
	if err != nil {
		t.Fatal(err)
	}
	_, done := gateServer(t, g)
	if err := g.down(); err != nil {
		t.Fatalf("down: %v", err)
	}
	if err := g.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept after Close = %v, want net.ErrClosed", err)
	}
	if err := g.up(); err != nil {
		t.Fatalf("up after Close = %v, want nil (nothing to do)", err)
	}
	l, err := net.Listen("tcp", g.Addr().String())
	if err != nil {
		t.Fatalf("port not freed by Close: %v", err)
	}
	_ = l.Close()
}
