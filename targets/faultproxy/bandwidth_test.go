package faultproxy

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// TestBandwidth moves N bytes at R bytes/s in each direction: it takes
// about N/R.
func TestBandwidth(t *testing.T) {
	const (
		rate = 200 << 10 // bytes/s
		size = 100 << 10 // 0.5 s at rate
	)
	want := time.Duration(float64(size) / rate * float64(time.Second))
	tests := []struct {
		name   string
		handle func(net.Conn) error
		client func(*net.TCPConn) error
	}{
		{
			name: "up",
			// Read size bytes, then answer one.
			handle: func(c net.Conn) error {
				if _, err := io.CopyN(io.Discard, c, size); err != nil {
					return err
				}
				_, err := c.Write([]byte{1})
				return err
			},
			client: func(c *net.TCPConn) error {
				if _, err := c.Write(make([]byte, size)); err != nil {
					return err
				}
				_, err := io.ReadFull(c, make([]byte, 1))
				return err
			},
		},
		{
			name: "down",
			handle: func(c net.Conn) error {
				_, err := c.Write(make([]byte, size))
				return err
			},
			client: func(c *net.TCPConn) error {
				_, err := io.CopyN(io.Discard, c, size)
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.handle)
			p, tl := startProxy(t, srv.addr(), bench.FaultSpec{Kind: bench.FaultBandwidth, Rate: rate})
			tl.Start(time.Now())
			c := dial(t, p)
			c.SetDeadline(time.Now().Add(5 * time.Second))
			t0 := time.Now()
			if err := tt.client(c); err != nil {
				t.Fatal(err)
			}
			d := time.Since(t0)
			if d < want*7/10 || d > want*13/10 {
				t.Errorf("%d bytes at %d B/s took %v, want %v ± 30%%", size, rate, d, want)
			}
			// The counter follows the last write by a moment.
			eventually(t, "BytesThrottled to reach the size", func() bool { return p.Stats().BytesThrottled >= size })
		})
	}
}
