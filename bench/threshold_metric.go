package bench

import (
	"fmt"
	"slices"
	"strings"
)

// metricKind says what a metric measures, and so which units its
// threshold values take.
type metricKind uint8

const (
	kindCount   metricKind = iota // a count of things: no unit
	kindNumber                    // a ratio or an amount in a unit of its name: no unit
	kindLatency                   // milliseconds: us, ms (the default) or s
	kindRate                      // percent: % or none
	kindBool                      // 1 (true) or 0 (false)
)

// metricDef describes one metric thresholds and comparisons can name.
type metricDef struct {
	name string
	kind metricKind
	// windowed says whether the metric exists per window, and so takes
	// the windowed form METRIC[DURATION].
	windowed bool
	// better is -1 when lower values are better, +1 when higher ones are,
	// 0 when neither (the metric describes the workload: no regression
	// limit applies).
	better int
	// value returns the metric of p, and false when p has no data for it
	// (a latency of a pattern that delivered nothing).
	value func(p *PatternResult) (float64, bool)
}

// metricDefs returns the metrics of DESIGN 'What is measured', plus the
// rates, in the order of that table. It builds the table on each call so
// that no package state is shared.
func metricDefs() []metricDef {
	count := func(f func(p *PatternResult) int64) func(*PatternResult) (float64, bool) {
		return func(p *PatternResult) (float64, bool) { return float64(f(p)), true }
	}
	number := func(f func(p *PatternResult) float64) func(*PatternResult) (float64, bool) {
		return func(p *PatternResult) (float64, bool) { return f(p), true }
	}
	latency := func(f func(l *Latency) float64) func(*PatternResult) (float64, bool) {
		return func(p *PatternResult) (float64, bool) { return f(&p.Latency), p.Latency.Count > 0 }
	}
	// perEvent figures divide by unique deliveries: with none there is no
	// figure (0 would pass every "below" threshold).
	perEvent := func(f func(p *PatternResult) float64) func(*PatternResult) (float64, bool) {
		return func(p *PatternResult) (float64, bool) { return f(p), p.Events.Unique > 0 }
	}
	lag := func(f func(l *Lag) float64) func(*PatternResult) (float64, bool) {
		return func(p *PatternResult) (float64, bool) { return f(&p.PublishLag), p.Events.Published > 0 }
	}
	return []metricDef{
		{"published", kindCount, true, 0, count(func(p *PatternResult) int64 { return p.Events.Published })},
		{"expected", kindCount, true, 0, count(func(p *PatternResult) int64 { return p.Events.Expected })},
		{"delivered", kindCount, true, 0, count(func(p *PatternResult) int64 { return p.Events.Delivered })},
		{"unique", kindCount, true, +1, count(func(p *PatternResult) int64 { return p.Events.Unique })},
		{"lost", kindCount, true, -1, count(func(p *PatternResult) int64 { return p.Events.Lost })},
		{"duplicates", kindCount, true, -1, count(func(p *PatternResult) int64 { return p.Events.Duplicates })},
		{"out_of_order", kindCount, false, -1, count(func(p *PatternResult) int64 { return p.Events.OutOfOrder })},
		{"unexpected", kindCount, false, -1, count(func(p *PatternResult) int64 { return p.Events.Unexpected })},
		{"valid", kindBool, false, +1, number(func(p *PatternResult) float64 {
			if p.Valid {
				return 1
			}
			return 0
		})},
		{"lost_rate", kindRate, true, -1, number(func(p *PatternResult) float64 { return percent(p.Events.Lost, p.Events.Expected) })},
		{"duplicate_rate", kindRate, true, -1, number(func(p *PatternResult) float64 { return percent(p.Events.Duplicates, p.Events.Delivered) })},
		{"out_of_order_rate", kindRate, false, -1, number(func(p *PatternResult) float64 { return percent(p.Events.OutOfOrder, p.Events.Unique) })},
		{"p50", kindLatency, true, -1, latency(func(l *Latency) float64 { return l.P50 })},
		{"p90", kindLatency, true, -1, latency(func(l *Latency) float64 { return l.P90 })},
		{"p99", kindLatency, true, -1, latency(func(l *Latency) float64 { return l.P99 })},
		{"p999", kindLatency, true, -1, latency(func(l *Latency) float64 { return l.P999 })},
		{"max", kindLatency, true, -1, latency(func(l *Latency) float64 { return l.Max })},
		{"mean", kindLatency, true, -1, latency(func(l *Latency) float64 { return l.Mean })},
		{"requests", kindCount, false, -1, count(func(p *PatternResult) int64 { return p.Overhead.Requests })},
		{"requests_per_event", kindNumber, false, -1, perEvent(func(p *PatternResult) float64 { return p.Overhead.RequestsPerEvent })},
		{"bytes", kindCount, false, -1, count(func(p *PatternResult) int64 { return p.Overhead.Bytes })},
		{"bytes_per_event", kindNumber, false, -1, perEvent(func(p *PatternResult) float64 { return p.Overhead.BytesPerEvent })},
		{"connections", kindCount, false, -1, count(func(p *PatternResult) int64 { return p.Overhead.Connections })},
		{"peak_connections", kindCount, false, -1, count(func(p *PatternResult) int64 { return p.Overhead.PeakConnections })},
		{"retries", kindCount, false, -1, count(func(p *PatternResult) int64 { return p.Overhead.Retries })},
		{"empty_polls", kindCount, false, -1, count(func(p *PatternResult) int64 { return p.Overhead.EmptyPolls })},
		{"reconnects", kindCount, false, -1, count(func(p *PatternResult) int64 { return p.Overhead.Reconnects })},
		{"cpu_seconds", kindNumber, false, -1, number(func(p *PatternResult) float64 { return p.Overhead.CPUSeconds })},
		{"cpu_us_per_event", kindNumber, false, -1, perEvent(func(p *PatternResult) float64 { return p.Overhead.CPUMicrosPerEvt })},
		{"publish_lag_p99", kindLatency, false, -1, lag(func(l *Lag) float64 { return l.P99 })},
		{"publish_lag_max", kindLatency, false, -1, lag(func(l *Lag) float64 { return l.Max })},
	}
}

// percent returns n as a percentage of of, and 0 when of is 0.
func percent(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// lookupMetric returns the definition of the metric called name.
func lookupMetric(name string) (metricDef, bool) {
	for _, m := range metricDefs() {
		if m.name == name {
			return m, true
		}
	}
	return metricDef{}, false
}

// ThresholdMetrics returns the name of every metric a threshold can name,
// in the order of DESIGN 'What is measured'. The caller owns the slice.
func ThresholdMetrics() []string {
	defs := metricDefs()
	names := make([]string, len(defs))
	for i, m := range defs {
		names[i] = m.name
	}
	return names
}

// WindowedMetrics returns the metrics that exist per window and so take
// the windowed form METRIC[DURATION] (see DESIGN 'Thresholds').
func WindowedMetrics() []string {
	var names []string
	for _, m := range metricDefs() {
		if m.windowed {
			names = append(names, m.name)
		}
	}
	return names
}

// MetricUnit returns the unit of a metric's values in results, verdicts and
// comparisons: "ms" for latencies, "%" for rates, "" for the others (and
// for unknown names).
func MetricUnit(metric string) string {
	m, _ := lookupMetric(metric)
	switch m.kind {
	case kindLatency:
		return "ms"
	case kindRate:
		return "%"
	}
	return ""
}

// closest returns the candidate nearest to name, when one is near enough
// to be a likely typo of it.
func closest(name string, candidates []string) (string, bool) {
	best, bestD := "", 3 // accept distances up to 2
	for _, c := range candidates {
		if strings.EqualFold(c, name) {
			return c, true
		}
		if d := editDistance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	// Very short names are near everything short: demand more than half
	// of the name to survive.
	if best == "" || bestD*2 >= len(name) {
		return "", false
	}
	return best, true
}

// editDistance is the optimal string alignment distance between a and b,
// in bytes: the Levenshtein distance where swapping two adjacent bytes
// ("lsot") also costs one edit.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// unknownName explains that name is not one of known (what: "metric",
// "pattern"), suggesting the likely intended one or listing them all.
func unknownName(what, name string, known []string) string {
	if s, ok := closest(name, known); ok {
		return fmt.Sprintf("unknown %s %q; did you mean %s?", what, name, s)
	}
	sorted := slices.Clone(known)
	if what == "pattern" {
		slices.Sort(sorted)
	}
	return fmt.Sprintf("unknown %s %q (%ss: %s)", what, name, what, strings.Join(sorted, " "))
}
