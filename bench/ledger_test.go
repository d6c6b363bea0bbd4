package bench

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// deliver is a test helper: subscriber sub receives event seq on key, lat
// after its due time.
func deliver(l *Ledger, sub int, seq uint64, key uint32, lat time.Duration) {
	due := time.Duration(seq) * time.Millisecond
	l.Deliver(Delivery{Subscriber: sub, Seq: seq, Key: key, Due: due, At: l.Started().Add(due + lat)})
}

func newTestLedger(t testing.TB, subs int, events uint64, keys int) *Ledger {
	t.Helper()
	l, err := NewLedger(LedgerConfig{Subscribers: subs, Events: events, Keys: keys, Span: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	l.Start(time.Now())
	for i := uint64(0); i < events; i++ {
		l.Publish(Event{Seq: i, Key: uint32(i % uint64(keys)), Due: time.Duration(i) * time.Millisecond})
	}
	return l
}

func TestLedgerExactCounts(t *testing.T) {
	// A fake target on one key, one subscriber: drops seq 7, delivers seq 9
	// twice and swaps 12 and 13.
	l := newTestLedger(t, 1, 20, 1)
	order := []uint64{0, 1, 2, 3, 4, 5, 6, 8, 9, 9, 10, 11, 13, 12, 14, 15, 16, 17, 18, 19}
	for _, s := range order {
		deliver(l, 0, s, 0, time.Millisecond)
	}
	got := l.Counts()
	want := Events{Published: 20, Expected: 20, Delivered: 20, Unique: 19, Lost: 1, Duplicates: 1, OutOfOrder: 1}
	if got != want {
		t.Fatalf("counts = %+v\nwant     %+v", got, want)
	}
	if sub := l.SubscriberCounts()[0]; sub.Lost != 1 || sub.Duplicates != 1 || sub.OutOfOrder != 1 {
		t.Fatalf("subscriber counts = %+v", sub)
	}
}

func TestLedgerPerSubscriberAndKey(t *testing.T) {
	l := newTestLedger(t, 2, 10, 2) // key = seq % 2
	// Subscriber 0 sees 3 before 1 (same key 1): out of order. 2 after 3 is
	// on another key: in order.
	for _, s := range []uint64{0, 3, 2, 1, 4, 5, 6, 7, 8, 9} {
		deliver(l, 0, s, uint32(s%2), 0)
	}
	// Subscriber 1 gets everything in order, plus unexpected deliveries.
	for s := uint64(0); s < 10; s++ {
		deliver(l, 1, s, uint32(s%2), 0)
	}
	deliver(l, 1, 10, 0, 0) // never published
	deliver(l, 2, 1, 1, 0)  // no such subscriber
	deliver(l, 1, 1, 7, 0)  // no such key
	got := l.Counts()
	want := Events{Published: 10, Expected: 20, Delivered: 20, Unique: 20, OutOfOrder: 1, Unexpected: 3}
	if got != want {
		t.Fatalf("counts = %+v\nwant     %+v", got, want)
	}
	if !l.Complete() {
		t.Fatal("Complete = false with every pair delivered")
	}
}

func TestLedgerLatencyAndWindows(t *testing.T) {
	l := newTestLedger(t, 1, 3000, 1) // due at 0..2999 ms: windows 0, 1, 2
	for s := uint64(0); s < 3000; s++ {
		if s >= 1000 && s < 1010 {
			continue // lost, due in window 1
		}
		lat := 2 * time.Millisecond
		if s >= 2000 {
			lat = 50 * time.Millisecond
		}
		deliver(l, 0, s, 0, lat)
	}
	h := l.Latency().Histogram()
	if n := h.TotalCount(); n != 2990 {
		t.Fatalf("latency count %d, want 2990", n)
	}
	if p50 := h.ValueAtQuantile(50); p50 < 1990 || p50 > 2010 {
		t.Errorf("p50 = %dµs, want 2000µs", p50)
	}
	if mx := l.Latency().Max(); mx != 50000 {
		t.Errorf("max = %dµs, want 50000µs", mx)
	}
	w := l.Windows(3 * time.Second)
	if len(w) != 4 {
		t.Fatalf("got %d windows, want 4", len(w))
	}
	if w[0].Published != 1000 || w[1].Lost != 10 || w[0].Lost != 0 || w[2].Lost != 0 {
		t.Errorf("windows: %+v %+v %+v", w[0], w[1], w[2])
	}
	// Window 2 holds deliveries at 2.05-3.05 s (latency 50ms) except those
	// of the last 50ms, which land in window 3.
	if w[2].P99 < 49 || w[2].P99 > 51 || w[1].P50 < 1.9 || w[1].P50 > 2.1 {
		t.Errorf("window latencies: w1 p50 %v, w2 p99 %v", w[1].P50, w[2].P99)
	}
	dec, err := hdrhistogram.Decode([]byte(w[1].HDR))
	if err != nil || dec.TotalCount() != w[1].Count {
		t.Errorf("window HDR decodes to %v (%v), want %d values", dec, err, w[1].Count)
	}
}

func TestLedgerConcurrent(t *testing.T) {
	const subs, events = 4, 5000
	l := newTestLedger(t, subs, events, 8)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := uint64(0); s < events; s++ {
				for sub := 0; sub < subs; sub++ {
					deliver(l, sub, s, uint32(s%8), time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	got := l.Counts()
	if got.Unique != subs*events || got.Delivered != 8*subs*events || got.Lost != 0 {
		t.Fatalf("counts = %+v", got)
	}
	if n := l.Latency().Histogram().TotalCount(); n != subs*events {
		t.Fatalf("latency count = %d, want one per unique delivery (%d)", n, subs*events)
	}
}

func TestRecorderMatchesHdrHistogram(t *testing.T) {
	for _, sig := range []int{2, 3} {
		r := NewRecorder(histHighest, sig)
		h := hdrhistogram.New(histLowest, histHighest, sig)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := 0; i < 200_000; i++ {
			// Log-uniform over the whole range, plus the edges.
			v := int64(1) << rng.IntN(37)
			v += rng.Int64N(v)
			if i < 3 {
				v = []int64{0, 1, histHighest}[i]
			}
			if v > histHighest {
				v = histHighest
			}
			r.Record(v)
			if err := h.RecordValue(v); err != nil {
				t.Fatal(err)
			}
		}
		got := r.Histogram()
		if !got.Equals(h) {
			t.Fatalf("sigfigs %d: recorder counts differ from hdrhistogram's", sig)
		}
	}
	r := NewRecorder(1000, 3)
	r.Record(5000)
	r.Record(-3)
	if r.Clamped() != 1 || r.Histogram().TotalCount() != 2 {
		t.Fatalf("clamped = %d, count = %d: out-of-range values must be kept", r.Clamped(), r.Histogram().TotalCount())
	}
}

func BenchmarkLedgerDeliver(b *testing.B) {
	const events = 1 << 20
	l := newTestLedger(b, 2, events, 8)
	d := Delivery{At: l.Started().Add(3 * time.Millisecond)}
	b.ReportAllocs()
	var i uint64
	for b.Loop() {
		d.Seq = i % events
		d.Key = uint32(d.Seq % 8)
		d.Subscriber = int(i>>20) & 1
		l.Deliver(d)
		i++
	}
}

func BenchmarkLedgerDeliverParallel(b *testing.B) {
	const events = 1 << 20
	l := newTestLedger(b, 64, events, 8)
	at := l.Started().Add(3 * time.Millisecond)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var i uint64
		sub := rand.IntN(64)
		for pb.Next() {
			l.Deliver(Delivery{Subscriber: sub, Seq: i % events, Key: uint32(i % 8), At: at})
			i++
		}
	})
}

func TestLedgerSealKeepsWindows(t *testing.T) {
	// Two ledgers get the same deliveries over 20 windows; one seals as it
	// goes (with a late delivery into a sealed window), the other never.
	a, b := newTestLedger(t, 1, 20000, 1), newTestLedger(t, 1, 20000, 1)
	for s := uint64(0); s < 20000; s += 7 {
		for _, l := range []*Ledger{a, b} {
			deliver(l, 0, s, 0, time.Duration(s%50)*time.Millisecond)
		}
		if s%1000 == 0 {
			a.Seal(time.Duration(s) * time.Millisecond)
		}
	}
	a.Seal(time.Minute)
	for _, l := range []*Ledger{a, b} {
		deliver(l, 0, 3, 0, 10*time.Millisecond) // late: window 0 is sealed in a
	}
	if a.sealedTo < 15 {
		t.Fatalf("sealed %d windows, want at least 15", a.sealedTo)
	}
	wa, wb := a.Windows(20*time.Second), b.Windows(20*time.Second)
	for i := range wa {
		x, y := wa[i], wb[i]
		x.HDR, y.HDR = "", ""
		if x.Count != y.Count || x.P50 != y.P50 || x.P99 != y.P99 || x.Max != y.Max {
			t.Fatalf("window %d: sealed %+v, live %+v", i, x, y)
		}
	}
	if err := a.Err(); err != nil {
		t.Fatal(err)
	}
}
