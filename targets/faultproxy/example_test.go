package faultproxy_test

import (
	"fmt"
	"io"
	"net"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/faultproxy"
)

// A target puts a proxy in front of its consumer side only when the plan
// holds a network fault, and dials the proxy's address instead.
func ExampleNew() {
	ln, err := net.Listen("tcp", "127.0.0.1:0") // the consumer side
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()

	faults := bench.NewFaultTimeline([]bench.FaultSpec{
		{Kind: bench.FaultLatency, Delay: bench.Duration(20 * time.Millisecond)},
	}, 1, time.Minute)
	addr := ln.Addr().String()
	if faultproxy.NeedsProxy(faults) {
		p, err := faultproxy.New(addr, faults, nil)
		if err != nil {
			panic(err)
		}
		defer p.Close()
		addr = p.Addr()
	}
	faults.Start(time.Now()) // the engine does this when publishing starts

	c, err := net.Dial("tcp", addr)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	t0 := time.Now()
	fmt.Fprint(c, "hello")
	buf := make([]byte, 5)
	io.ReadFull(c, buf)
	fmt.Println(string(buf), time.Since(t0) >= 40*time.Millisecond)
	// Output: hello true
}
