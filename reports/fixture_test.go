package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/hookbench/hookbench/bench"
)

var update = flag.Bool("update", false, "rewrite the fixture and golden files under testdata")

// fixturePath is the results.json every golden test renders.
const fixturePath = "testdata/results.json"

// synthPattern describes how a synthetic pattern behaves: the latency of
// one delivery of an event due at due (s) while a fault is or is not
// acting, and its overhead.
type synthPattern struct {
	name string
	// latency returns the delivery latency in ms, or lost.
	latency func(rng *rand.Rand, due float64, fault *bench.FaultWindow) (ms float64, lost bool)
	// dup and ooo are the probabilities that a delivery is duplicated or
	// arrives out of order.
	dup, ooo float64
	// overhead fills the pattern's counters from what it delivered.
	overhead func(unique, retries int64) bench.Overhead
}

// synthSpec describes a synthetic run.
type synthSpec struct {
	scenario bench.Scenario
	claims   []string
	patterns []synthPattern
}

func lognormal(rng *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(sigma*rng.NormFloat64())
}

// fixturePatterns are four patterns as they behave in a receiver outage:
// webhooks retry with backoff, pollers wait for their next poll, WebSocket
// clients reconnect and resume, losing what their replay buffer dropped.
func fixturePatterns() []synthPattern {
	afterFault := func(rng *rand.Rand, due float64, f *bench.FaultWindow, spread float64) float64 {
		return (f.At+f.For-due)*1000 + rng.Float64()*spread
	}
	return []synthPattern{
		{
			name: "webhook", dup: 0.002, ooo: 0.006,
			latency: func(rng *rand.Rand, due float64, f *bench.FaultWindow) (float64, bool) {
				if f != nil {
					return afterFault(rng, due, f, 800), false
				}
				ms := lognormal(rng, 1.8, 0.35)
				if rng.Float64() < 0.01 { // a timed-out attempt and a retry
					ms += 200 + rng.ExpFloat64()*150
				}
				return ms, false
			},
			overhead: func(unique, retries int64) bench.Overhead {
				req := unique + retries + unique/500
				return bench.Overhead{Requests: req, Bytes: req * 905, Connections: 24, PeakConnections: 8,
					Retries: retries, CPUSeconds: float64(unique) * 118e-6}
			},
		},
		{
			name: "polling",
			latency: func(rng *rand.Rand, due float64, f *bench.FaultWindow) (float64, bool) {
				if f != nil {
					return afterFault(rng, due, f, 1000), false
				}
				return rng.Float64()*1000 + lognormal(rng, 1.2, 0.3), false
			},
			overhead: func(unique, _ int64) bench.Overhead {
				return bench.Overhead{Requests: 131, Bytes: unique*598 + 131*420, Connections: 4, PeakConnections: 4,
					EmptyPolls: 9, CPUSeconds: float64(unique) * 21e-6,
					Counters: map[string]int64{"not_modified": 9}}
			},
		},
		{
			name: "longpoll",
			latency: func(rng *rand.Rand, due float64, f *bench.FaultWindow) (float64, bool) {
				if f != nil {
					return afterFault(rng, due, f, 300), false
				}
				return lognormal(rng, 3.1, 0.5), false
			},
			overhead: func(unique, _ int64) bench.Overhead {
				req := unique * 2 / 3
				return bench.Overhead{Requests: req, Bytes: unique*598 + req*390, Connections: 9, PeakConnections: 4,
					EmptyPolls: 12, CPUSeconds: float64(unique) * 64e-6}
			},
		},
		{
			name: "websocket", ooo: 0.001,
			latency: func(rng *rand.Rand, due float64, f *bench.FaultWindow) (float64, bool) {
				if f != nil {
					if due < f.At+1.5 && rng.Float64() < 0.06 { // overflowed the replay buffer
						return 0, true
					}
					return afterFault(rng, due, f, 350) + 50, false
				}
				return lognormal(rng, 0.45, 0.4), false
			},
			overhead: func(unique, _ int64) bench.Overhead {
				return bench.Overhead{Requests: 8, Bytes: unique * 571, Connections: 8, PeakConnections: 4,
					Reconnects: 14, CPUSeconds: float64(unique) * 9.5e-6, Counters: map[string]int64{"frames": unique + 31}}
			},
		},
	}
}

// fixtureSpec is the run the golden files describe.
func fixtureSpec() synthSpec {
	return synthSpec{
		scenario: bench.Scenario{
			Name:        "receiver-outage",
			Description: "Subscribers are unreachable for 5 s in the middle of a steady stream.",
			Seed:        7,
			Duration:    bench.Duration(30 * time.Second),
			Drain:       bench.Duration(20 * time.Second),
			Subscribers: 4,
			Window:      bench.Duration(time.Second),
			Stream:      bench.StreamSpec{Rate: 50, Arrival: bench.Poisson, Payload: 512, Keys: 8},
			Patterns: bench.PatternList{
				{Name: "webhook", Options: map[string]any{"timeout": "2s", "retry": map[string]any{"schedule": "exponential", "base": "200ms", "cap": "5s", "attempts": 10}}},
				{Name: "polling", Options: map[string]any{"interval": "1s", "limit": 100}},
				{Name: "longpoll", Options: map[string]any{"hold": "10s"}},
				{Name: "websocket", Options: map[string]any{"ping": "5s", "buffer": 200}},
			},
			Faults: []bench.FaultSpec{{Kind: bench.FaultOutage, At: bench.Duration(10 * time.Second), For: bench.Duration(5 * time.Second)}},
			Thresholds: map[string][]string{
				"all":       {"lost == 0", "p99 < 6s"},
				"webhook":   {"duplicate_rate < 1%"},
				"polling":   {"p99[1s] < 2s"},
				"websocket": {"p99 < 100ms"},
			},
		},
		claims: []string{
			"polling-wastes-requests", "webhooks-less-load", "websocket-lowest-latency",
			"polling-latency-interval", "websocket-persistent", "webhooks-need-retries", "webhooks-unordered",
		},
		patterns: fixturePatterns(),
	}
}

// delivery is one synthetic first delivery.
type delivery struct {
	due, at float64 // s
	lat     float64 // ms
}

// synthResult runs spec's patterns on a synthetic seeded stream, recording
// exactly as bench does: 3-digit HDR histograms of µs for the run, 2-digit
// ones per window. The same spec gives the same Result, byte for byte.
func synthResult(t testing.TB, spec synthSpec) *bench.Result {
	t.Helper()
	sc := spec.scenario
	sc.Defaults()
	scJSON, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.claims) > 0 {
		claims, _ := json.Marshal(spec.claims)
		scJSON = append(append(append(scJSON[:len(scJSON)-1], `,"claims":`...), claims...), '}')
	}
	r := &bench.Result{
		Schema:       bench.Schema,
		Tool:         bench.Tool{Version: "v0.1.0-test", Go: "go1.26.8"},
		Scenario:     scJSON,
		ThresholdsOK: true,
	}
	// The stream: Poisson arrivals from the seed, the same for every pattern.
	rng := rand.New(rand.NewPCG(sc.Seed, 1))
	var dues []float64
	for at := rng.ExpFloat64() / float64(sc.Stream.Rate); at < sc.Duration.D().Seconds(); at += rng.ExpFloat64() / float64(sc.Stream.Rate) {
		dues = append(dues, at)
	}
	var faults []bench.FaultWindow
	for _, f := range sc.Faults {
		from, to := f.Window(sc.Duration.D())
		faults = append(faults, bench.FaultWindow{Kind: f.Kind, At: from.Seconds(), For: (to - from).Seconds()})
	}
	for pi, sp := range spec.patterns {
		r.Patterns = append(r.Patterns, synthPattern1(t, sc, pi, sp, dues, faults))
	}
	for pi := range r.Patterns {
		p := &r.Patterns[pi]
		p.Thresholds = synthVerdicts(sc, p)
		for _, v := range p.Thresholds {
			r.ThresholdsOK = r.ThresholdsOK && v.OK
		}
	}
	return r
}

func synthPattern1(t testing.TB, sc bench.Scenario, pi int, sp synthPattern, dues []float64, faults []bench.FaultWindow) bench.PatternResult {
	rng := rand.New(rand.NewPCG(sc.Seed, uint64(100+pi)))
	subs := int64(sc.Subscribers)
	width := sc.Window.D().Seconds()
	var (
		firsts          []delivery
		lost, dups, ooo int64
		retries         int64
		lostByWindow    = map[int]int64{}
		extraDelivered  = map[int]int64{}
	)
	for _, due := range dues {
		var fault *bench.FaultWindow
		for i := range faults {
			if due >= faults[i].At && due < faults[i].At+faults[i].For {
				fault = &faults[i]
			}
		}
		for range subs {
			ms, gone := sp.latency(rng, due, fault)
			if gone {
				lost++
				lostByWindow[int(due/width)]++
				continue
			}
			d := delivery{due: due, at: due + ms/1000, lat: ms}
			firsts = append(firsts, d)
			if fault != nil && sp.name == "webhook" {
				retries += int64(math.Ceil(math.Log2((fault.At+fault.For-due)/0.2 + 1)))
			}
			if rng.Float64() < sp.ooo {
				ooo++
			}
			if rng.Float64() < sp.dup {
				dups++
				extraDelivered[int((d.at+0.5)/width)]++
			}
		}
	}
	sort.SliceStable(firsts, func(i, j int) bool { return firsts[i].at < firsts[j].at })
	h := hdrhistogram.New(1, int64(24*time.Hour/time.Microsecond), 3)
	var maxUs int64
	for _, d := range firsts {
		us := int64(d.lat * 1000)
		maxUs = max(maxUs, us)
		if err := h.RecordValue(us); err != nil {
			t.Fatal(err)
		}
	}
	unique := int64(len(firsts))
	p := bench.PatternResult{
		Name:  sp.name,
		Valid: lost == 0,
		Drain: "idle",
		Events: bench.Events{
			Published: int64(len(dues)), Expected: int64(len(dues)) * subs,
			Delivered: unique + dups, Unique: unique, Lost: lost, Duplicates: dups, OutOfOrder: ooo,
		},
		Latency:    synthLatency(t, h, maxUs),
		PublishLag: bench.Lag{P50: 0.021, P99: 0.084, Max: 1.31},
		Faults:     faults,
	}
	p.Overhead = sp.overhead(unique, retries)
	if unique > 0 {
		p.Overhead.RequestsPerEvent = float64(p.Overhead.Requests) / float64(unique)
		p.Overhead.BytesPerEvent = float64(p.Overhead.Bytes) / float64(unique)
		p.Overhead.CPUMicrosPerEvt = p.Overhead.CPUSeconds * 1e6 / float64(unique)
	}
	p.Windows = synthWindows(t, sc, dues, firsts, lostByWindow, extraDelivered)
	return p
}

func synthLatency(t testing.TB, h *hdrhistogram.Histogram, maxUs int64) bench.Latency {
	l := bench.Latency{Count: h.TotalCount()}
	if l.Count == 0 {
		return l
	}
	ms := func(us int64) float64 { return float64(us) / 1000 }
	l.P50, l.P90, l.P99, l.P999 = ms(h.ValueAtQuantile(50)), ms(h.ValueAtQuantile(90)), ms(h.ValueAtQuantile(99)), ms(h.ValueAtQuantile(99.9))
	l.Max = ms(maxUs)
	l.Mean = math.Round(h.Mean()) / 1000
	enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	l.HDR = string(enc)
	return l
}

func synthWindows(t testing.TB, sc bench.Scenario, dues []float64, firsts []delivery, lostBy, extra map[int]int64) []bench.Window {
	width := sc.Window.D().Seconds()
	end := sc.Duration.D().Seconds()
	if len(firsts) > 0 {
		end = max(end, firsts[len(firsts)-1].at)
	}
	n := int(end/width) + 1
	ws := make([]bench.Window, n)
	hs := make([]*hdrhistogram.Histogram, n)
	maxUs := make([]int64, n)
	for i := range ws {
		ws[i].T = float64(i) * width
		ws[i].Lost = lostBy[i]
		ws[i].Delivered = extra[i]
	}
	for _, due := range dues {
		ws[int(due/width)].Published++
	}
	for _, d := range firsts {
		i := min(int(d.at/width), n-1)
		if hs[i] == nil {
			hs[i] = hdrhistogram.New(1, int64(24*time.Hour/time.Microsecond), 2)
		}
		us := int64(d.lat * 1000)
		if err := hs[i].RecordValue(us); err != nil {
			t.Fatal(err)
		}
		maxUs[i] = max(maxUs[i], us)
		ws[i].Delivered++
	}
	for i, h := range hs {
		if h == nil {
			continue
		}
		ws[i].Count = h.TotalCount()
		ws[i].P50 = float64(h.ValueAtQuantile(50)) / 1000
		ws[i].P99 = float64(h.ValueAtQuantile(99)) / 1000
		ws[i].Max = float64(maxUs[i]) / 1000
		enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
		if err != nil {
			t.Fatal(err)
		}
		ws[i].HDR = string(enc)
	}
	return ws
}

// synthVerdicts evaluates the fixture's thresholds the way the engine
// would, for the expressions the fixture uses.
func synthVerdicts(sc bench.Scenario, p *bench.PatternResult) []bench.Verdict {
	exprs := append(append([]string{}, sc.Thresholds["all"]...), sc.Thresholds[p.Name]...)
	out := []bench.Verdict{}
	for _, e := range exprs {
		v := bench.Verdict{Expr: e}
		switch e {
		case "lost == 0":
			v.Value = float64(p.Events.Lost)
			v.OK = p.Events.Lost == 0
		case "p99 < 6s":
			v.Value = p.Latency.P99
			v.OK = v.Value < 6000
		case "p99 < 100ms":
			v.Value = p.Latency.P99
			v.OK = v.Value < 100
		case "duplicate_rate < 1%":
			v.Value = 100 * float64(p.Events.Duplicates) / float64(p.Events.Delivered)
			v.OK = v.Value < 1
		case "p99[1s] < 2s":
			v.OK = true
			for _, w := range p.Windows {
				if w.P99 >= 2000 {
					v.OK, v.Value = false, w.P99
					v.Window = &w.T
					break
				}
				v.Value = max(v.Value, w.P99)
			}
		default:
			panic("fixture: no evaluation for threshold " + e)
		}
		out = append(out, v)
	}
	return out
}

// loadFixture returns the fixture Result, regenerating testdata/results.json
// first under -update.
func loadFixture(t testing.TB) *bench.Result {
	t.Helper()
	if *update {
		var b bytes.Buffer
		if err := synthResult(t, fixtureSpec()).Encode(&b); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fixturePath, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := bench.ReadResult(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFixtureUpToDate checks that testdata/results.json is what the
// generator makes, so a change to either is seen (run with -update).
func TestFixtureUpToDate(t *testing.T) {
	var b bytes.Buffer
	if err := synthResult(t, fixtureSpec()).Encode(&b); err != nil {
		t.Fatal(err)
	}
	loadFixture(t)
	want, err := os.ReadFile(filepath.Clean(fixturePath))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("%s is stale: run go test ./reports -run TestFixtureUpToDate -update", fixturePath)
	}
}
