package websocket

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testLogger logs warnings and worse to the test's output, so that a
// protocol anomaly (an offset out of sequence) shows up in a failing run.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Logf("%s", b)
	return len(b), nil
}

// rig is a started Producer with its ledger, for tests that drive the
// producer by hand.
type rig struct {
	t      testing.TB
	p      *Producer
	ledger *bench.Ledger
	meter  *bench.Meter
	seq    uint64
	size   int
}

func newRig(t testing.TB, o Options, subs int, events uint64, size int) *rig {
	t.Helper()
	ledger, err := bench.NewLedger(bench.LedgerConfig{Subscribers: subs, Events: events, Keys: 4, Span: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	meter := bench.NewMeter()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := New(o).start(ctx, bench.Env{Subscribers: subs, Sink: ledger, Meter: meter, Seed: 7, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ledger.Start(time.Now())
	r := &rig{t: t, p: p, ledger: ledger, meter: meter, size: size}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

// publish publishes n events at once, due now.
func (r *rig) publish(n int) {
	r.t.Helper()
	for range n {
		ev := bench.Event{Seq: r.seq, Key: uint32(r.seq % 4), Due: time.Since(r.ledger.Started()), Size: r.size}
		r.seq++
		r.ledger.Publish(ev)
		if err := r.p.Publish(ev); err != nil {
			r.t.Fatalf("Publish(%d): %v", ev.Seq, err)
		}
	}
}

func (r *rig) drain() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.p.Drain(ctx); err != nil {
		r.t.Fatalf("Drain: %v (counts %+v)", err, r.ledger.Counts())
	}
}

// TestDelivery runs the pattern through the engine's Runner, as the CLI
// does: 4 subscribers, 200 events/s, Poisson, on loopback.
func TestDelivery(t *testing.T) {
	sc := &bench.Scenario{
		Name:        "ws",
		Seed:        3,
		Duration:    bench.Duration(2 * time.Second),
		Subscribers: 4,
		Stream:      bench.StreamSpec{Rate: 200},
		Patterns:    bench.PatternList{{Name: "websocket"}},
	}
	sc.Defaults()
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	r := bench.Runner{Logger: testLogger(t)}
	res, err := r.Run(context.Background(), sc, []bench.Target{New(Options{})})
	if err != nil {
		t.Fatal(err)
	}
	pr := res.Patterns[0]
	ev := pr.Events
	t.Logf("events %+v latency p50 %.3fms p99 %.3fms max %.3fms publish lag %+v overhead %+v", ev, pr.Latency.P50, pr.Latency.P99, pr.Latency.Max, pr.PublishLag, pr.Overhead)
	if ev.Published < 300 || ev.Lost != 0 || ev.Unique != ev.Expected || ev.Duplicates != 0 || ev.Unexpected != 0 || !pr.Valid {
		t.Errorf("events %+v: want every event delivered once to each subscriber", ev)
	}
	if pr.Drain != bench.DrainIdle {
		t.Errorf("drain %q, want idle", pr.Drain)
	}
	// Loopback, one frame per event: the low milliseconds at most (about
	// 1ms under -race on two cores, most of it the generator's own timer
	// lag). On a machine so loaded that the generator itself lags, latency
	// says nothing about the transport, and the run reports why.
	switch lag := pr.PublishLag.P50; {
	case lag > 2:
		t.Logf("publish lag p50 %.3fms: the machine is overloaded; latency bound not checked", lag)
	case pr.Latency.P50 > 5:
		t.Errorf("p50 %.3fms, want < 5ms", pr.Latency.P50)
	}
	o := pr.Overhead
	if o.Requests != 4 || o.Connections != 4 || o.Reconnects != 0 {
		t.Errorf("requests %d connections %d reconnects %d, want 4, 4, 0", o.Requests, o.Connections, o.Reconnects)
	}
	// One message per delivery, or fewer when a writer packs what queued
	// up while it was writing.
	if got := o.Counters["frames"]; got < 1 || got > ev.Expected {
		t.Errorf("frames %d, want between 1 and %d", got, ev.Expected)
	}
}

// assertNoLeaks fails t if any goroutine but the test's own is left.
func assertNoLeaks(t *testing.T) {
	t.Helper()
	goleak.VerifyNone(t, goleak.IgnoreCurrent())
}
