package bench

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

var updateFixtures = flag.Bool("update", false, "rewrite the golden files under testdata")

// fixturePath is a results.json built by buildFixture; TestThresholdFixture
// checks that it is still what buildFixture makes.
const fixturePath = "testdata/thresholds/results.json"

// Latencies of the fixture, in µs. Each is the highest value of its HDR
// bucket at both 2 and 3 significant digits, so every percentile of the
// fixture is exactly one of them.
const (
	fastUs  = 2047   // 2.047ms
	slowUs  = 327679 // 327.679ms
	lateUs  = 262143 // 262.143ms
	pollUs  = 524287 // 524.287ms
	lagUs   = 10     // publish lag, 0.01ms
	fixSubs = 2
)

// fixtureDelivery is one delivery of the fixture, in due-time order.
type fixtureDelivery struct {
	sub int
	seq uint64
	lat time.Duration
}

// buildFixture makes a two-pattern result through the Ledger, as a run
// would: 100 events due every 100ms (keys 0 and 1 alternating) to 2
// subscribers, 1s windows, 12 windows (publishing for 10s, then drain).
//
// webhook: events 30-39 take 327.679ms (windows 3 and 4), so 38 and 39
// arrive after 40 and 41 of their keys (4 out of order); subscriber 1
// never gets events 60-64 (5 lost, window 6); subscriber 0 gets event 70
// twice (1 duplicate, window 7) and event 80 after event 82, which shares
// its key (a 5th out of order, window 8); every other delivery takes
// 2.047ms.
//
// polling: every delivery takes 524.287ms.
func buildFixture(t testing.TB) *Result {
	t.Helper()
	sc := &Scenario{
		Name: "fixture", Seed: 7, Duration: Duration(10 * time.Second), Subscribers: fixSubs,
		Stream:   StreamSpec{Rate: 10, Arrival: Constant, Keys: 2},
		Patterns: PatternList{{Name: "webhook"}, {Name: "polling"}},
	}
	sc.Defaults()
	raw, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	var webhook []fixtureDelivery
	for seq := range uint64(100) {
		for sub := range fixSubs {
			lat := time.Duration(fastUs) * time.Microsecond
			switch {
			case seq >= 30 && seq < 40:
				lat = slowUs * time.Microsecond
			case seq >= 60 && seq < 65 && sub == 1:
				continue
			case seq == 80 && sub == 0:
				lat = lateUs * time.Microsecond
			}
			webhook = append(webhook, fixtureDelivery{sub, seq, lat})
			if seq == 70 && sub == 0 {
				webhook = append(webhook, fixtureDelivery{sub, seq, lat + 50*time.Millisecond})
			}
		}
	}
	var polling []fixtureDelivery
	for seq := range uint64(100) {
		for sub := range fixSubs {
			polling = append(polling, fixtureDelivery{sub, seq, pollUs * time.Microsecond})
		}
	}
	return &Result{
		Schema:       Schema,
		Tool:         Tool{Version: "fixture", Go: "go1.26.8"},
		Scenario:     raw,
		ThresholdsOK: true,
		Patterns: []PatternResult{
			fixturePattern(t, "webhook", webhook, Overhead{Requests: 210, Retries: 10, CPUSeconds: 0.1}),
			fixturePattern(t, "polling", polling, Overhead{Requests: 400, EmptyPolls: 50, CPUSeconds: 0.2}),
		},
	}
}

func fixturePattern(t testing.TB, name string, ds []fixtureDelivery, oh Overhead) PatternResult {
	t.Helper()
	l, err := NewLedger(LedgerConfig{Subscribers: fixSubs, Events: 100, Keys: 2, Window: time.Second, Span: 12 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.Start(start)
	lag := hdrhistogram.New(histLowest, histHighest, 3)
	due := func(seq uint64) time.Duration { return time.Duration(seq) * 100 * time.Millisecond }
	for seq := range uint64(100) {
		l.Publish(Event{Seq: seq, Key: uint32(seq % 2), Due: due(seq)})
		if err := lag.RecordValue(lagUs); err != nil {
			t.Fatal(err)
		}
	}
	// The ledger judges order by arrival: hand it deliveries in that order.
	slices.SortStableFunc(ds, func(a, b fixtureDelivery) int {
		return int(due(a.seq) + a.lat - due(b.seq) - b.lat)
	})
	for _, d := range ds {
		l.Deliver(Delivery{Subscriber: d.sub, Seq: d.seq, Key: uint32(d.seq % 2), Due: due(d.seq), At: start.Add(due(d.seq) + d.lat)})
	}
	ev := l.Counts()
	h := l.Latency().Histogram()
	enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	oh.RequestsPerEvent = float64(oh.Requests) / float64(ev.Unique)
	oh.CPUMicrosPerEvt = oh.CPUSeconds * 1e6 / float64(ev.Unique)
	return PatternResult{
		Name:   name,
		Valid:  ev.Lost == 0 && ev.Unexpected == 0,
		Drain:  DrainIdle,
		Events: ev,
		Latency: Latency{
			Count: h.TotalCount(),
			P50:   usToMs(h.ValueAtQuantile(50)), P90: usToMs(h.ValueAtQuantile(90)),
			P99: usToMs(h.ValueAtQuantile(99)), P999: usToMs(h.ValueAtQuantile(99.9)),
			Max: usToMs(l.Latency().Max()), Mean: float64(int64(h.Mean()+0.5)) / 1000,
			HDR: string(enc),
		},
		Overhead:    oh,
		PublishLag:  Lag{P50: usToMs(lag.ValueAtQuantile(50)), P99: usToMs(lag.ValueAtQuantile(99)), Max: usToMs(lag.Max())},
		Subscribers: l.SubscriberCounts(),
		Windows:     l.Windows(11500 * time.Millisecond),
		Faults:      []FaultWindow{},
		Thresholds:  []Verdict{},
	}
}

// readFixture returns the fixture results.json, rewriting it first with
// -update.
func readFixture(t testing.TB) *Result {
	t.Helper()
	if *updateFixtures {
		if err := os.MkdirAll(filepath.Dir(fixturePath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := buildFixture(t).WriteFile(fixturePath); err != nil {
			t.Fatal(err)
		}
	}
	r, err := ReadResult(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestThresholdFixture pins the facts the verdict tests rely on, so that a
// change to the fixture (or to how the ledger counts) shows here first.
func TestThresholdFixture(t *testing.T) {
	r := readFixture(t)
	if len(r.Patterns) != 2 {
		t.Fatalf("%d patterns, want 2", len(r.Patterns))
	}
	wh, po := r.Patterns[0], r.Patterns[1]
	wantEvents := Events{Published: 100, Expected: 200, Delivered: 196, Unique: 195, Lost: 5, Duplicates: 1, OutOfOrder: 5}
	if wh.Events != wantEvents {
		t.Errorf("webhook events = %+v, want %+v", wh.Events, wantEvents)
	}
	if wh.Latency.P50 != 2.047 || wh.Latency.P90 != 327.679 || wh.Latency.Max != 327.679 {
		t.Errorf("webhook latency = %+v", wh.Latency)
	}
	if po.Events.Unique != 200 || po.Latency.P99 != 524.287 || !po.Valid {
		t.Errorf("polling = %+v %+v", po.Events, po.Latency)
	}
	if len(wh.Windows) != 12 {
		t.Fatalf("webhook has %d windows, want 12", len(wh.Windows))
	}
	for i, w := range wh.Windows {
		wantLost, wantPub := int64(0), int64(10)
		if i == 6 {
			wantLost = 5
		}
		if i >= 10 {
			wantPub = 0
		}
		if w.Lost != wantLost || w.Published != wantPub {
			t.Errorf("webhook window %d: lost %d published %d, want %d and %d", i, w.Lost, w.Published, wantLost, wantPub)
		}
	}
	// Events 30-36 arrive in window 3, 37-39 in window 4.
	if w := wh.Windows[3]; w.Count != 14 || w.P50 != 327.679 {
		t.Errorf("webhook window 3 = %+v", w)
	}
	if w := wh.Windows[4]; w.Count != 26 || w.P50 != 2.047 || w.P99 != 327.679 {
		t.Errorf("webhook window 4 = %+v", w)
	}
	if !*updateFixtures {
		// The file is what buildFixture makes today.
		got, err := json.Marshal(buildFixture(t))
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s is stale: run go test ./bench/ -run TestThresholdFixture -update", fixturePath)
		}
	}
}
