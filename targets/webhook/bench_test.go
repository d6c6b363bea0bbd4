//go:build unix

package webhook

import (
	"context"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// BenchmarkSenderThroughput drives the webhook sender at saturation on
// loopback: one subscriber, b.N events published as fast as Publish
// returns, then a drain. Receiver and sender share the process (and its
// CPUs), as in a real run. It reports deliveries per wall-clock second and
// per CPU-second (user+system, both ends).
func BenchmarkSenderThroughput(b *testing.B) {
	evs := events(b, b.N)
	r := start(b, New(Options{}), 1, b.N)
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	t0 := time.Now()
	b.ResetTimer()
	r.publish(evs)
	// Bounded: a stuck sender fails the benchmark instead of hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.prod.Drain(ctx); err != nil {
		b.Fatalf("Drain: %v (counts %+v)", err, r.ledger.Counts())
	}
	b.StopTimer()
	wall, cpu := time.Since(t0), cpuTime(b)-cpu0
	if c := r.ledger.Counts(); c.Lost != 0 || c.Unexpected != 0 {
		b.Fatalf("lost %d, unexpected %d", c.Lost, c.Unexpected)
	}
	b.ReportMetric(float64(b.N)/wall.Seconds(), "deliveries/s")
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "deliveries/cpu-s")
}

// BenchmarkSignVerify is the per-attempt signing cost on both ends.
func BenchmarkSignVerify(b *testing.B) {
	s, err := NewSigner(DeriveSecret(1, 0))
	if err != nil {
		b.Fatal(err)
	}
	ev := events(b, 1)[0]
	body := make([]byte, 0, 512)
	body = bench.AppendPayload(body, ev)
	id := []byte("msg_0")
	now := time.Now()
	ts := strconv.AppendInt(nil, now.Unix(), 10)
	sig := make([]byte, 0, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		sig = s.AppendSignature(sig[:0], id, ts, body)
		if err := s.Verify(id, ts, sig, body, now); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime returns the CPU time (user + system) this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
