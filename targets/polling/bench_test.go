package polling

import (
	"context"
	"log/slog"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/hookbench/hookbench/bench"
)

// BenchmarkPollingServe measures the polls per second the event-log server
// answers on loopback at 1,000 pollers, each with its own keep-alive
// connection, polling back to back (closed loop: the figure is capacity,
// not a schedule). Client and server share this process's CPUs, as in a
// hookbench run, so the figure includes the pollers' own cost. b.N polls
// are made in all (-benchtime=20000x for a fixed count); the benchmark
// stops when they are done.
//
//   - 304: a caught-up poller's conditional poll (the common case:
//     "over 98.5% of polls are wasted").
//   - page: a poll that returns 10 events of 512 bytes.
func BenchmarkPollingServe(b *testing.B) {
	b.Run("304", func(b *testing.B) { benchmarkServe(b, false) })
	b.Run("page", func(b *testing.B) { benchmarkServe(b, true) })
}

func benchmarkServe(b *testing.B, page bool) {
	const pollers = 1000
	procs := runtime.GOMAXPROCS(0)
	par := (pollers + procs - 1) / procs

	log := newEventLog(DefaultRetention)
	for i := range 100 {
		if err := log.append(bench.Event{Seq: uint64(i), Size: 512}); err != nil {
			b.Fatal(err)
		}
	}
	meter := bench.NewMeter()
	srv := newServer(log, slog.New(slog.DiscardHandler), nil)
	addr, err := srv.serve(meter, srv.handle)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		log.close()
		if err := srv.close(); err != nil {
			b.Error(err)
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := DefaultOptions().config()
	cfg.limit = 10
	env := bench.Env{Sink: bench.SinkFunc(func(bench.Delivery) {}), Meter: meter, Logger: slog.New(slog.DiscardHandler)}
	ps := make([]*poller, par*procs)
	for i := range ps {
		p := newPoller(i, &cfg, addr, env, newHTTPClient(ctx, addr, meter), nil)
		defer p.client.release()
		// Connected and caught up, with the head's ETag.
		p.cursor.Store(100)
		if act, _ := p.poll(ctx, false); act != actSchedule {
			b.Fatalf("warm-up poll: %v", act)
		}
		ps[i] = p
	}
	var next atomic.Int64
	var bad atomic.Int64
	req0 := meter.Get(bench.Requests)
	b.SetParallelism(par)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		p := ps[next.Add(1)-1]
		for pb.Next() {
			if page {
				p.cursor.Store(90)
				p.tagged = false
			}
			if act, _ := p.poll(ctx, false); act != actSchedule {
				bad.Add(1)
			}
		}
	})
	b.StopTimer()
	if n := bad.Load(); n > 0 {
		b.Fatalf("%d polls failed", n)
	}
	if got := meter.Get(bench.Requests) - req0; got != int64(b.N) {
		b.Fatalf("%d requests for b.N = %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	tr := meter.Traffic()
	b.ReportMetric(float64(tr.Bytes)/float64(meter.Get(bench.Requests)), "B/req")
}

// BenchmarkHandle measures the server's handler alone (no sockets).
func BenchmarkHandle(b *testing.B) {
	for _, bc := range []struct{ name, uri string }{
		{"304", "/events?after=100&limit=100"},
		{"page10", "/events?after=90&limit=100"},
		{"page100", "/events?after=0&limit=100"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			l := newEventLog(DefaultRetention)
			for i := range 100 {
				_ = l.append(bench.Event{Seq: uint64(i), Size: 512})
			}
			s := newServer(l, slog.New(slog.DiscardHandler), nil)
			var ctx fasthttp.RequestCtx
			ctx.Request.Header.SetMethod("GET")
			ctx.Request.SetRequestURI(bc.uri)
			ctx.Request.Header.Set("If-None-Match", `"100"`)
			b.ReportAllocs()
			for b.Loop() {
				ctx.Response.Reset()
				s.handle(&ctx)
			}
		})
	}
}

// BenchmarkParsePage measures the poller's page decoding (100 events).
func BenchmarkParsePage(b *testing.B) {
	evs := make([]bench.Event, 100)
	for i := range evs {
		evs[i] = bench.Event{Seq: uint64(i), Size: 512}
	}
	body := appendPage(nil, evs, 100, false)
	var p page
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := parsePage(body, &p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublish measures an append to the log.
func BenchmarkPublish(b *testing.B) {
	l := newEventLog(DefaultRetention)
	ev := bench.Event{Size: 512}
	b.ReportAllocs()
	for b.Loop() {
		_ = l.append(ev)
	}
}
