package reports

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/hookbench/hookbench/bench"
)

// scenarioInfo is the part of a Result's resolved scenario the reports
// read. Claims lists the built-in claims (ids of claimChecks) the scenario
// puts to the test; it is absent from most scenarios.
type scenarioInfo struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Seed        uint64            `json:"seed"`
	Duration    bench.Duration    `json:"duration"`
	Subscribers int               `json:"subscribers"`
	Window      bench.Duration    `json:"window"`
	Stream      bench.StreamSpec  `json:"stream"`
	Faults      []bench.FaultSpec `json:"faults"`
	Claims      []string          `json:"claims"`
}

// model is a Result with what several renderers derive from it: the
// scenario, the fault timeline and, decoded on first use, the latency
// histograms. One model serves every output of one WriteAll; it is safe for
// concurrent use only after prepare.
type model struct {
	r        *bench.Result
	scenario scenarioInfo
	faults   []bench.FaultWindow
	hists    []*hdrhistogram.Histogram
	histErrs []error
	decoded  []bool
	series   [][]timePoint
}

func newModel(r *bench.Result) (*model, error) {
	if r == nil {
		return nil, fmt.Errorf("reports: no result")
	}
	m := &model{
		r:        r,
		hists:    make([]*hdrhistogram.Histogram, len(r.Patterns)),
		histErrs: make([]error, len(r.Patterns)),
		decoded:  make([]bool, len(r.Patterns)),
		series:   make([][]timePoint, len(r.Patterns)),
	}
	if len(r.Scenario) > 0 && string(r.Scenario) != "null" {
		if err := json.Unmarshal(r.Scenario, &m.scenario); err != nil {
			return nil, fmt.Errorf("reports: read the result's scenario: %w", err)
		}
	}
	m.faults = faultTimeline(r, m.scenario)
	return m, nil
}

// name returns the scenario's name, or "hookbench" when it has none.
func (m *model) name() string {
	if m.scenario.Name == "" {
		return "hookbench"
	}
	return m.scenario.Name
}

// histogram returns pattern i's first-delivery latency histogram (µs), or
// nil when the pattern delivered nothing.
func (m *model) histogram(i int) (*hdrhistogram.Histogram, error) {
	if !m.decoded[i] {
		m.hists[i], m.histErrs[i] = decodeLatency(&m.r.Patterns[i])
		m.decoded[i] = true
	}
	return m.hists[i], m.histErrs[i]
}

func decodeLatency(p *bench.PatternResult) (*hdrhistogram.Histogram, error) {
	if p.Latency.HDR == "" {
		return nil, nil
	}
	h, err := hdrhistogram.Decode([]byte(p.Latency.HDR))
	if err != nil {
		return nil, fmt.Errorf("reports: pattern %s: decode latency histogram: %w", p.Name, err)
	}
	if h.TotalCount() == 0 {
		return nil, nil
	}
	return h, nil
}

// prepare computes everything the model derives lazily, one goroutine per
// pattern, after which the model is read-only and safe for concurrent use
// by renderers.
func (m *model) prepare() {
	var wg sync.WaitGroup
	for i := range m.r.Patterns {
		wg.Go(func() {
			_, _ = m.histogram(i) // an error is kept and returned to each plot
			m.timeSeries(i)
		})
	}
	wg.Wait()
}

// timeSeries returns pattern i's latency over time (timeSeries), computed
// once per model: the PNG, SVG and HTML plots share it.
func (m *model) timeSeries(i int) []timePoint {
	if m.series[i] == nil {
		var hm hdrMerger
		m.series[i] = timeSeries(&m.r.Patterns[i], m.windowWidth(), maxTimePoints, &hm)
	}
	return m.series[i]
}

// windowWidth returns the width of the time-series windows in seconds.
func (m *model) windowWidth() float64 {
	if m.scenario.Window > 0 {
		return m.scenario.Window.D().Seconds()
	}
	for _, p := range m.r.Patterns {
		if len(p.Windows) > 1 && p.Windows[1].T > p.Windows[0].T {
			return p.Windows[1].T - p.Windows[0].T
		}
	}
	return 1
}

// faultTimeline returns the faults applied during the run, by start time:
// the distinct windows the patterns recorded or, when none did, the
// scenario's faults placed on its timeline.
func faultTimeline(r *bench.Result, sc scenarioInfo) []bench.FaultWindow {
	var out []bench.FaultWindow
	for _, p := range r.Patterns {
		for _, f := range p.Faults {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	if len(out) == 0 {
		run := sc.Duration.D()
		for _, f := range sc.Faults {
			from, to := f.Window(run)
			out = append(out, bench.FaultWindow{Kind: f.Kind, At: from.Seconds(), For: (to - from).Seconds()})
		}
	}
	slices.SortStableFunc(out, func(a, b bench.FaultWindow) int { return cmp.Compare(a.At, b.At) })
	return out
}

// lostDuring returns the deliveries of events due while f acted that
// never happened, from p's windows of the given width (s).
func lostDuring(p *bench.PatternResult, f bench.FaultWindow, width float64) int64 {
	var n int64
	for _, w := range p.Windows {
		if w.T < f.At+f.For && w.T+width > f.At {
			n += w.Lost
		}
	}
	return n
}

// direction returns the direction of a built-in pattern (DESIGN 'The
// claims'), or "-" for a pattern it does not know.
func direction(pattern string) string {
	switch pattern {
	case "webhook":
		return "push, server to client"
	case "polling", "longpoll":
		return "pull, client to server"
	case "websocket":
		return "bidirectional"
	case "webhook+polling":
		return "push, with pull reconciliation"
	case "webhook+websocket":
		return "push, relayed bidirectionally"
	case "sse":
		return "push, server to client (stream)"
	}
	return "-"
}

// largeLagMs is the publish lag p99 (ms) above which a report warns that
// the generator fell behind its schedule, so latencies include its delay.
const largeLagMs = 10
