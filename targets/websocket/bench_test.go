//go:build unix

package websocket

import (
	"context"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// countSink counts deliveries per subscriber, on separate cache lines.
type countSink []struct {
	n atomic.Int64
	_ [56]byte
}

func (s countSink) Deliver(d bench.Delivery) { s[d.Subscriber].n.Add(1) }

func (s countSink) total() int64 {
	var n int64
	for i := range s {
		n += s[i].n.Load()
	}
	return n
}

func startBench(b *testing.B, o Options, subs int, sink bench.Sink) *Producer {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := New(o).start(ctx, bench.Env{Subscribers: subs, Sink: sink, Meter: bench.NewMeter(), Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// waitBehind waits until every client is at most lag events behind head.
func waitBehind(p *Producer, head, lag uint64) {
	for {
		behind := false
		for _, c := range p.clients {
			if c.next.Load()+lag < head {
				behind = true
				break
			}
		}
		if !behind {
			return
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// BenchmarkFanout publishes 512-byte events to 100 subscribers as fast as
// they take them: one op is one event delivered to all of them. The
// publisher keeps at most half a send queue in flight, so the figure is
// the throughput of the fan-out, not of slow-consumer recovery (which
// would show as slow_consumers > 0).
func BenchmarkFanout(b *testing.B) {
	const subs = 100
	raiseFDLimit(b, 2*subs+64)
	o := DefaultOptions()
	sink := make(countSink, subs)
	p := startBench(b, o, subs, sink)
	window := uint64(o.SendQueue / 2)
	ev := bench.Event{Size: 512}

	b.ReportAllocs()
	cpu0, t0 := bench.CPUTime(), time.Now()
	for b.Loop() {
		if ev.Seq%(window/2) == 0 {
			waitBehind(p, ev.Seq, window/2)
		}
		if err := p.Publish(ev); err != nil {
			b.Fatal(err)
		}
		ev.Seq++
	}
	waitBehind(p, ev.Seq, 0)
	cpu, wall := bench.CPUTime()-cpu0, time.Since(t0)
	b.StopTimer()

	n := sink.total()
	if want := int64(ev.Seq) * subs; n != want {
		b.Errorf("%d deliveries, want %d", n, want)
	}
	b.ReportMetric(float64(n)/wall.Seconds(), "deliveries/s")
	b.ReportMetric(float64(n)/cpu.Seconds(), "deliveries/cpu-s")
	b.ReportMetric(float64(p.hub.meter.Get(bench.SlowConsumers)), "slow_consumers")
	if err := p.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkIdleSubscriber measures the memory an idle subscriber costs,
// both ends together (server session and client, in this process): the
// live heap and goroutine stacks after GC, before and after connecting
// 1,000 subscribers, divided by 1,000. Kernel socket buffers are not
// counted.
func BenchmarkIdleSubscriber(b *testing.B) {
	const subs = 1000
	raiseFDLimit(b, 2*subs+64)
	var heap, stack float64
	for b.Loop() {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		p := startBench(b, Options{}, subs, bench.SinkFunc(func(bench.Delivery) {}))
		for p.hub.liveCount() < subs { // every session past its (empty) replay
			time.Sleep(time.Millisecond)
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		heap = float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc)) / subs
		stack = float64(int64(m1.StackInuse)-int64(m0.StackInuse)) / subs
		if err := p.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(heap, "heap-B/subscriber")
	b.ReportMetric(stack, "stack-B/subscriber")
	b.ReportMetric(heap+stack, "B/subscriber")
}

// raiseFDLimit makes sure the process may open need file descriptors,
// raising the soft limit up to the hard one if it must, and skips b if
// even the hard limit is too low.
func raiseFDLimit(b *testing.B, need uint64) {
	b.Helper()
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		b.Fatalf("getrlimit: %v", err)
	}
	if rl.Cur >= need {
		return
	}
	if rl.Max < need {
		b.Skipf("need %d file descriptors, the hard limit is %d", need, rl.Max)
	}
	old := rl
	rl.Cur = need
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		b.Skipf("need %d file descriptors, the soft limit is %d and cannot be raised: %v", need, old.Cur, err)
	}
	b.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
}
