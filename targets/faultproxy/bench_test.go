package faultproxy

import (
	"io"
	"net"
	"testing"
)

// BenchmarkThroughput writes 64 KiB per iteration into a discarding
// upstream, directly and through a proxy with no faults: the difference is
// the proxy's cost (MB/s).
func BenchmarkThroughput(b *testing.B) {
	const chunk = 64 << 10
	for _, via := range []string{"direct", "proxy"} {
		b.Run(via, func(b *testing.B) {
			got := make(chan int64, 1)
			srv := newServer(b, func(c net.Conn) error {
				n, err := io.Copy(io.Discard, c)
				got <- n
				return err
			})
			addr := srv.addr()
			if via == "proxy" {
				p, _ := startProxy(b, addr)
				addr = p.Addr()
			}
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			c := nc.(*net.TCPConn)
			defer c.Close()
			buf := make([]byte, chunk)
			b.SetBytes(chunk)
			b.ReportAllocs()
			var sent int64
			for b.Loop() {
				if _, err := c.Write(buf); err != nil {
					b.Fatal(err)
				}
				sent += chunk
			}
			// Count until the upstream has everything.
			if err := c.CloseWrite(); err != nil {
				b.Fatal(err)
			}
			if n := <-got; n != sent {
				b.Fatalf("upstream got %d bytes of %d", n, sent)
			}
		})
	}
}
