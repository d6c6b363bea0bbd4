package reports

import (
	"fmt"
	"strings"

	"github.com/hookbench/hookbench/bench"
)

// document is the content the Markdown and HTML reports share, so the two
// say the same thing: a title, notes, and sections of tables.
type document struct {
	title       string
	description string
	meta        string
	// verdict is the one-line threshold outcome; ok tells its colour.
	verdict   string
	verdictOK bool
	notes     []string
	sections  []section
}

// section is a titled table with an optional line of explanation.
type section struct {
	id, title, intro string
	table            docTable
}

// docTable is a table of cells; right says which columns hold numbers.
type docTable struct {
	header []cell
	right  []bool
	rows   [][]cell
}

// cell is one table cell. Code cells hold expressions (monospace); class
// ("ok", "fail", "warn") colours a cell in HTML; swatch is a pattern's
// colour, shown beside its name in HTML.
type cell struct {
	text   string
	code   bool
	class  string
	swatch string
}

func plain(s string) cell { return cell{text: s} }

// buildDocument derives the report's content from m.
func buildDocument(m *model) document {
	d := document{
		title:       "hookbench: " + m.name(),
		description: m.scenario.Description,
		meta:        runMeta(m),
		notes:       warnings(m),
	}
	if m.r.Partial {
		d.notes = append([]string{"Partial results: the run was interrupted before every pattern finished."}, d.notes...)
	}
	total, failed := verdictCounts(m.r)
	switch {
	case total == 0:
	case m.r.Partial:
		d.verdict = fmt.Sprintf("✗ Thresholds not held: partial result (%d of %d failed among the patterns that ran)", failed, total)
	case failed == 0:
		d.verdict, d.verdictOK = fmt.Sprintf("✓ Thresholds: all %d passed", total), true
	default:
		d.verdict = fmt.Sprintf("✗ Thresholds: %d of %d failed", failed, total)
	}
	d.sections = append(d.sections, comparisonSection(m))
	if hasRoutes(m.r) {
		d.sections = append(d.sections, routeSection(m))
	}
	if total > 0 {
		d.sections = append(d.sections, thresholdSection(m))
	}
	if len(m.faults) > 0 {
		d.sections = append(d.sections, faultSection(m))
	}
	if len(m.scenario.Claims) > 0 {
		d.sections = append(d.sections, claimSection(m))
	}
	return d
}

// runMeta describes the run in one line: seed, stream, subscribers, tool.
func runMeta(m *model) string {
	s := m.scenario
	var parts []string
	parts = append(parts, fmt.Sprintf("seed %d", s.Seed))
	if s.Duration > 0 {
		parts = append(parts, s.Duration.String()+" of events")
	}
	if s.Stream.Rate > 0 {
		st := s.Stream.Rate.String()
		if s.Stream.Arrival != "" {
			st += " " + string(s.Stream.Arrival)
		}
		if s.Stream.Payload > 0 {
			st += ", " + s.Stream.Payload.String() + " payloads"
		}
		parts = append(parts, st)
	}
	if s.Subscribers > 0 {
		parts = append(parts, fmt.Sprintf("%d subscribers", s.Subscribers))
	}
	tool := "hookbench"
	if v := m.r.Tool.Version; v != "" {
		tool += " " + v
	}
	if g := m.r.Tool.Go; g != "" {
		tool += " (" + g + ")"
	}
	return strings.Join(append(parts, tool), " · ")
}

func verdictCounts(r *bench.Result) (total, failed int) {
	for _, p := range r.Patterns {
		for _, v := range p.Thresholds {
			total++
			if !v.OK {
				failed++
			}
		}
	}
	return total, failed
}

// comparisonSection is the headline table: the classic comparison's rows,
// measured, one column per pattern.
func comparisonSection(m *model) section {
	t := docTable{header: []cell{plain("")}, right: []bool{false}}
	for i, p := range m.r.Patterns {
		t.header = append(t.header, cell{text: p.Name, swatch: hexColor(patternColor(i))})
		t.right = append(t.right, true)
	}
	row := func(label string, f func(p *bench.PatternResult) cell) {
		r := []cell{plain(label)}
		for i := range m.r.Patterns {
			r = append(r, f(&m.r.Patterns[i]))
		}
		t.rows = append(t.rows, r)
	}
	num := func(f func(p *bench.PatternResult) string) func(p *bench.PatternResult) cell {
		return func(p *bench.PatternResult) cell { return plain(f(p)) }
	}
	count := func(f func(p *bench.PatternResult) int64) func(p *bench.PatternResult) cell {
		return func(p *bench.PatternResult) cell {
			n := f(p)
			c := plain(fmtInt(n))
			if n > 0 {
				c.text += " (" + fmtPct(float64(n), float64(p.Events.Expected)) + ")"
				c.class = "warn"
			}
			return c
		}
	}
	row("direction", num(func(p *bench.PatternResult) string { return direction(p.Name) }))
	row("latency p50 (ms)", num(func(p *bench.PatternResult) string { return fmtLatency(p, p.Latency.P50) }))
	row("latency p99 (ms)", num(func(p *bench.PatternResult) string { return fmtLatency(p, p.Latency.P99) }))
	row("latency p99.9 (ms)", num(func(p *bench.PatternResult) string { return fmtLatency(p, p.Latency.P999) }))
	row("latency max (ms)", num(func(p *bench.PatternResult) string { return fmtLatency(p, p.Latency.Max) }))
	row("persistent connections held (peak)", num(func(p *bench.PatternResult) string { return fmtInt(p.Overhead.PeakConnections) }))
	row("requests per event", num(func(p *bench.PatternResult) string { return fmtSig(p.Overhead.RequestsPerEvent) }))
	row("bytes per event", num(func(p *bench.PatternResult) string { return fmtSig(p.Overhead.BytesPerEvent) }))
	row("CPU per event (µs)", num(func(p *bench.PatternResult) string { return fmtSig(p.Overhead.CPUMicrosPerEvt) }))
	row("lost", count(func(p *bench.PatternResult) int64 { return p.Events.Lost }))
	row("duplicates", count(func(p *bench.PatternResult) int64 { return p.Events.Duplicates }))
	row("out of order", count(func(p *bench.PatternResult) int64 { return p.Events.OutOfOrder }))
	row("retries / empty polls / reconnects", num(func(p *bench.PatternResult) string {
		return fmt.Sprintf("%d / %d / %d", p.Overhead.Retries, p.Overhead.EmptyPolls, p.Overhead.Reconnects)
	}))
	row("publish lag p99 (ms)", func(p *bench.PatternResult) cell {
		c := plain(fmtMs(p.PublishLag.P99))
		if p.PublishLag.P99 > largeLagMs {
			c.class = "warn"
		}
		return c
	})
	row("valid (nothing lost or unexpected)", func(p *bench.PatternResult) cell {
		if p.Valid {
			return cell{text: "✓", class: "ok"}
		}
		return cell{text: "✗", class: "fail"}
	})
	return section{
		id: "comparison", title: "Comparison", table: t,
		intro: fmt.Sprintf("Measured on the same seeded stream. Latency is first delivery minus the event's due time; per-event figures divide by unique deliveries. Published: %s.",
			publishedSummary(m.r)),
	}
}

// publishedSummary says how many events each pattern published, once when
// they all agree.
func publishedSummary(r *bench.Result) string {
	var parts []string
	same := true
	for _, p := range r.Patterns {
		parts = append(parts, fmt.Sprintf("%s %d", p.Name, p.Events.Published))
		same = same && p.Events.Published == r.Patterns[0].Events.Published
	}
	if same && len(r.Patterns) > 0 {
		return fmt.Sprintf("%d events, %d deliveries expected per pattern", r.Patterns[0].Events.Published, r.Patterns[0].Events.Expected)
	}
	return strings.Join(parts, ", ")
}

func thresholdSection(m *model) section {
	t := docTable{
		header: []cell{plain("pattern"), plain("threshold"), plain("measured"), plain("result")},
		right:  []bool{false, false, true, false},
	}
	for _, p := range m.r.Patterns {
		for _, v := range p.Thresholds {
			metric := thresholdMetric(v.Expr)
			measured := fmtMetric(metric, v.Value)
			if v.Window != nil {
				measured += " (window at " + fmtSeconds(*v.Window) + ")"
			}
			res := cell{text: "✓ pass", class: "ok"}
			if !v.OK {
				res = cell{text: "✗ fail", class: "fail"}
			}
			t.rows = append(t.rows, []cell{plain(p.Name), {text: v.Expr, code: true}, plain(measured), res})
		}
	}
	return section{id: "thresholds", title: "Thresholds", table: t}
}

func faultSection(m *model) section {
	t := docTable{
		header: []cell{plain("fault"), plain("from"), plain("to")},
		right:  []bool{false, true, true},
	}
	for i, p := range m.r.Patterns {
		t.header = append(t.header, cell{text: "lost: " + p.Name, swatch: hexColor(patternColor(i))})
		t.right = append(t.right, true)
	}
	width := m.windowWidth()
	for _, f := range m.faults {
		row := []cell{{text: f.Kind, code: true}, plain(fmtSeconds(f.At)), plain(fmtSeconds(f.At + f.For))}
		for i := range m.r.Patterns {
			n := lostDuring(&m.r.Patterns[i], f, width)
			c := plain(fmtInt(n))
			if n > 0 {
				c.class = "warn"
			}
			row = append(row, c)
		}
		t.rows = append(t.rows, row)
	}
	return section{
		id: "faults", title: "Faults", table: t,
		intro: "Times are seconds from the start of the run. Lost counts the deliveries of events due while the fault acted that never happened.",
	}
}

func claimSection(m *model) section {
	t := docTable{
		header: []cell{plain("claim"), plain("verdict"), plain("evidence")},
		right:  []bool{false, false, false},
	}
	for _, c := range checkClaims(m) {
		v := cell{text: "– " + c.verdict.String()}
		switch c.verdict {
		case supported:
			v = cell{text: "✓ supported", class: "ok"}
		case notSupported:
			v = cell{text: "✗ not supported", class: "fail"}
		}
		t.rows = append(t.rows, []cell{plain(c.claim), v, plain(c.evidence)})
	}
	return section{id: "claims", title: "Claims", table: t,
		intro: "The usual advice on webhooks, polling and WebSockets, checked against this run."}
}
