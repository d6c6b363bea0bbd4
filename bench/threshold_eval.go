package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// ParseThresholds parses a scenario's thresholds (Scenario.Thresholds: a
// pattern name or AllPatterns to expressions) followed by extra ones (the
// CLI's --threshold, each with an optional "pattern:" prefix), and returns
// them in that order: the "all" key first, then the other keys sorted, then
// extra. An expression under a pattern's key applies to that pattern; one
// that names a different pattern is an error. Repeated thresholds are kept
// once. Every bad expression is reported at once (errors.Join), each as a
// *ThresholdError.
func ParseThresholds(byPattern map[string][]string, extra []string) ([]Threshold, error) {
	keys := make([]string, 0, len(byPattern))
	for k := range byPattern {
		if k != AllPatterns {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if _, ok := byPattern[AllPatterns]; ok {
		keys = append([]string{AllPatterns}, keys...)
	}
	var (
		out  []Threshold
		errs []error
	)
	add := func(t Threshold) {
		for _, o := range out {
			if o.Pattern == t.Pattern && o.Metric == t.Metric && o.Window == t.Window && o.Op == t.Op && o.Value == t.Value {
				return
			}
		}
		out = append(out, t)
	}
	for _, k := range keys {
		for i, expr := range byPattern[k] {
			t, scoped, err := parseThreshold(expr)
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("thresholds.%s[%d]: %w", k, i, err))
				continue
			case k == "":
				errs = append(errs, fmt.Errorf("thresholds: %w", &ThresholdError{Expr: expr, Reason: "listed under an empty pattern name"}))
				continue
			case scoped && k != AllPatterns && t.Pattern != k:
				errs = append(errs, fmt.Errorf("thresholds.%s[%d]: %w", k, i, &ThresholdError{
					Expr: expr, Offset: len(expr) - len(strings.TrimLeft(expr, " \t")),
					Reason: fmt.Sprintf("names pattern %s but is listed under %s", t.Pattern, k),
				}))
				continue
			case !scoped:
				t.Pattern = k
			}
			add(t)
		}
	}
	for _, expr := range extra {
		t, err := ParseThreshold(expr)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		add(t)
	}
	return out, errors.Join(errs...)
}

// CheckPatterns returns a *ThresholdError when t names a pattern that is
// not in known (the patterns of the run). AllPatterns is always known.
func (t Threshold) CheckPatterns(known []string) error {
	if t.Pattern == AllPatterns || slices.Contains(known, t.Pattern) {
		return nil
	}
	reason := unknownName("pattern", t.Pattern, known)
	if !strings.HasPrefix(t.Expr, t.Pattern) {
		reason += " (the threshold is listed under it in the scenario)"
	}
	return &ThresholdError{Expr: t.Expr, Reason: reason}
}

// CheckWindow returns a *ThresholdError when t is windowed and its window
// is not a multiple of base, the width of the run's windows
// (Scenario.Window; if zero, 1s).
func (t Threshold) CheckWindow(base time.Duration) error {
	if base <= 0 {
		base = time.Second
	}
	if t.Window == 0 || t.Window%base == 0 {
		return nil
	}
	return &ThresholdError{
		Expr:   t.Expr,
		Offset: strings.IndexByte(t.Expr, '[') + 1,
		Reason: fmt.Sprintf("window %v is not a multiple of the run's %v windows", t.Window, base),
	}
}

// CheckThresholds checks ths against a run of the given patterns and window
// width before it starts, so that a typo fails fast rather than after the
// run. It reports every problem at once.
func CheckThresholds(ths []Threshold, patterns []string, window time.Duration) error {
	var errs []error
	for _, t := range ths {
		errs = append(errs, t.CheckPatterns(patterns), t.CheckWindow(window))
	}
	return errors.Join(errs...)
}

// runGeometry is what Evaluate needs of a result's scenario.
type runGeometry struct {
	window      time.Duration
	duration    time.Duration // publishing time
	subscribers int64
	patterns    []string // the scenario's, in no particular order
}

func geometryOf(r *Result) (runGeometry, error) {
	var sc struct {
		Window      Duration                   `json:"window"`
		Duration    Duration                   `json:"duration"`
		Subscribers int64                      `json:"subscribers"`
		Patterns    map[string]json.RawMessage `json:"patterns"`
	}
	if len(r.Scenario) > 0 {
		if err := json.Unmarshal(r.Scenario, &sc); err != nil {
			return runGeometry{}, fmt.Errorf("thresholds: read the result's scenario: %w", err)
		}
	}
	g := runGeometry{window: sc.Window.D(), duration: sc.Duration.D(), subscribers: sc.Subscribers}
	for name := range sc.Patterns {
		g.patterns = append(g.patterns, name)
	}
	if g.window <= 0 {
		g.window = time.Second
	}
	return g, nil
}

// Evaluate checks every threshold of ths against every pattern of r it
// applies to, replaces each pattern's Thresholds with its verdicts (in the
// order of ths), and sets r.ThresholdsOK to whether all of them held.
//
// A plain threshold compares the pattern's metric. A windowed one
// (METRIC[D]) must hold in every span of D, stepping by the run's window
// width w (D must be a multiple of w): spans start at each window of the
// run, and a run shorter than D is one span. Counts are summed over a span,
// rates divide summed counts, percentiles and the mean come from the
// merged HDR histograms of the span's windows, max is the largest window
// max. Spans without a first delivery have no latency and are skipped. The
// verdict's Value is the worst value over the spans, and Window the start
// of the first failing span.
//
// A latency threshold on a pattern that delivered nothing fails (with value
// 0): no data is never a pass. So does, without a verdict, a threshold on
// a pattern of the scenario that is not in r (a partial result). A
// threshold naming a pattern not in the scenario, or with a window that
// does not fit the run's, cannot be evaluated: it makes ThresholdsOK false
// and is reported in the returned error, with every other problem, as a
// *ThresholdError.
func Evaluate(r *Result, ths []Threshold) error {
	geo, err := geometryOf(r)
	if err != nil {
		r.ThresholdsOK = false
		return err
	}
	names := make([]string, len(r.Patterns))
	for i := range r.Patterns {
		names[i] = r.Patterns[i].Name
	}
	var (
		errs   []error
		usable []Threshold
	)
	unjudged := false
	for _, t := range ths {
		perr, werr := t.CheckPatterns(names), t.CheckWindow(geo.window)
		if perr != nil && werr == nil && slices.Contains(geo.patterns, t.Pattern) {
			// A pattern of the scenario that did not run (the run was
			// interrupted): the threshold fails, unjudged.
			unjudged = true
			continue
		}
		if perr != nil || werr != nil {
			errs = append(errs, perr, werr)
			continue
		}
		usable = append(usable, t)
	}
	// A partial result never holds its thresholds: the patterns that did
	// not run (or not to the end) were not judged, "all" ones included.
	missing := false
	for _, name := range geo.patterns {
		if !slices.Contains(names, name) {
			missing = true
		}
	}
	ok := len(errs) == 0 && !unjudged && !missing && !r.Partial
	for i := range r.Patterns {
		p := &r.Patterns[i]
		p.Thresholds = []Verdict{}
		var (
			lat    *windowLatencies
			latErr error
		)
		decode := func() (*windowLatencies, error) {
			if lat == nil && latErr == nil {
				lat, latErr = decodeWindowLatencies(p.Windows)
			}
			return lat, latErr
		}
		for _, t := range usable {
			if t.Pattern != AllPatterns && t.Pattern != p.Name {
				continue
			}
			v, err := evaluateOne(p, t, geo, decode)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: threshold %q: %w", p.Name, t.Expr, err))
			}
			p.Thresholds = append(p.Thresholds, v)
			ok = ok && v.OK
		}
	}
	r.ThresholdsOK = ok
	return errors.Join(errs...)
}

// evaluateOne judges t on p; lat decodes p's window histograms. On an
// error the verdict is a failure.
func evaluateOne(p *PatternResult, t Threshold, geo runGeometry, lat func() (*windowLatencies, error)) (Verdict, error) {
	m, ok := lookupMetric(t.Metric)
	if !ok {
		return Verdict{Expr: t.Expr}, fmt.Errorf("unknown metric %q", t.Metric)
	}
	if t.Window == 0 {
		if v, ok := m.value(p); ok {
			return judge(t, []spanValue{{v: v}}), nil
		}
		return Verdict{Expr: t.Expr}, nil
	}
	if !m.windowed {
		return Verdict{Expr: t.Expr}, fmt.Errorf("%s has no per-window series", m.name)
	}
	ws := p.Windows
	if dueMetric(m.name) && geo.duration > 0 {
		// Events are due only while publishing: the drain's windows hold
		// none, and would judge "published[1s] > 0" or a lost rate on
		// nothing.
		n := 0
		for n < len(ws) && ws[n].T < geo.duration.Seconds() {
			n++
		}
		ws = ws[:n]
	}
	spans, err := windowSpans(ws, int(t.Window/geo.window), geo.subscribers, m, lat)
	if err != nil {
		return Verdict{Expr: t.Expr}, err
	}
	return judge(t, spans), nil
}

// dueMetric reports whether a windowed metric counts events by their due
// time (the others count deliveries by when they were observed).
func dueMetric(name string) bool {
	switch name {
	case "published", "expected", "lost", "lost_rate":
		return true
	}
	return false
}

// spanValue is a metric over one span of windows starting at t seconds.
type spanValue struct {
	t, v float64
}

// judge returns the verdict of t over values, which are in time order. No
// values at all is a failure.
func judge(t Threshold, values []spanValue) Verdict {
	verdict := Verdict{Expr: t.Expr, OK: len(values) > 0}
	for i, s := range values {
		if i == 0 || margin(t.Op, s.v, t.Value) < margin(t.Op, verdict.Value, t.Value) {
			verdict.Value = s.v
		}
		if !holds(t.Op, s.v, t.Value) && verdict.OK {
			verdict.OK = false
			if t.Window > 0 {
				start := s.t
				verdict.Window = &start
			}
		}
	}
	return verdict
}

// holds reports whether "v op x" is true.
func holds(op string, v, x float64) bool {
	switch op {
	case "<":
		return v < x
	case "<=":
		return v <= x
	case ">":
		return v > x
	case ">=":
		return v >= x
	case "==":
		return v == x
	case "!=":
		return v != x
	}
	return false
}

// margin says how comfortably v satisfies "v op x": the lower, the worse.
func margin(op string, v, x float64) float64 {
	switch op {
	case "<", "<=":
		return x - v
	case ">", ">=":
		return v - x
	case "==":
		return -math.Abs(v - x)
	}
	return math.Abs(v - x) // !=
}
