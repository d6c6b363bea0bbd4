package reports

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hookbench/hookbench/bench"
)

// Text writes the terminal summary of r: one row per pattern with its
// delivery counts, latency and overhead, notes on anything that makes a
// result doubtful (loss, unexpected deliveries, generator lag, a drain cut
// short) and, when the scenario has thresholds, a block of ✓/✗ verdicts
// with the measured values.
func Text(w io.Writer, r *bench.Result) error {
	m, err := newModel(r)
	if err != nil {
		return err
	}
	return writeText(w, m)
}

func writeText(w io.Writer, m *model) error {
	var b strings.Builder
	b.WriteString(headline(m))
	b.WriteString("\n\n")
	t := textTable{header: []string{
		"pattern", "published", "lost", "duplicates", "out_of_order",
		"p50 ms", "p99 ms", "max ms", "requests/event", "bytes/event",
	}}
	for i := range m.r.Patterns {
		p := &m.r.Patterns[i]
		t.add(p.Name, fmtInt(p.Events.Published), fmtInt(p.Events.Lost),
			fmtInt(p.Events.Duplicates), fmtInt(p.Events.OutOfOrder),
			fmtLatency(p, p.Latency.P50), fmtLatency(p, p.Latency.P99), fmtLatency(p, p.Latency.Max),
			fmtSig(p.Overhead.RequestsPerEvent), fmtSig(p.Overhead.BytesPerEvent))
	}
	t.write(&b, "")
	writeTextRoutes(&b, m)
	if notes := warnings(m); len(notes) > 0 {
		b.WriteByte('\n')
		for _, n := range notes {
			b.WriteString("! ")
			b.WriteString(n)
			b.WriteByte('\n')
		}
	}
	writeTextThresholds(&b, m)
	_, err := io.WriteString(w, b.String())
	return err
}

// headline returns the one-line description of the run.
func headline(m *model) string {
	s := m.scenario
	parts := []string{"hookbench", m.name()}
	if s.Duration > 0 {
		run := s.Duration.String()
		if s.Stream.Rate > 0 {
			run += " at " + s.Stream.Rate.String()
		}
		switch {
		case s.Subscribers == 1:
			run += ", 1 subscriber"
		case s.Subscribers > 1:
			run += fmt.Sprintf(", %d subscribers", s.Subscribers)
		}
		parts = append(parts, run)
	}
	parts = append(parts, fmt.Sprintf("seed %d", s.Seed))
	if m.r.Partial {
		parts = append(parts, "PARTIAL (interrupted)")
	}
	return strings.Join(parts, " · ")
}

// warnings returns the notes on what makes a result doubtful, pattern by
// pattern, in order.
func warnings(m *model) []string {
	var out []string
	for _, p := range m.r.Patterns {
		if p.Events.Published == 0 {
			out = append(out, fmt.Sprintf("%s: no event was published (the stream is empty at this rate and duration): nothing was measured", p.Name))
		}
		if p.Events.Unexpected > 0 {
			out = append(out, fmt.Sprintf("%s: INVALID: %d deliveries of events that were never published", p.Name, p.Events.Unexpected))
		}
		if p.Events.Lost > 0 {
			out = append(out, fmt.Sprintf("%s: %d of %d deliveries lost (%s)", p.Name, p.Events.Lost, p.Events.Expected,
				fmtPct(float64(p.Events.Lost), float64(p.Events.Expected))))
		}
		switch p.Drain {
		case "deadline":
			out = append(out, fmt.Sprintf("%s: the drain deadline passed with deliveries still pending", p.Name))
		case "interrupted":
			out = append(out, fmt.Sprintf("%s: interrupted; its results are partial", p.Name))
		}
		if p.PublishLag.P99 <= largeLagMs && p.PublishLag.Max > 10*largeLagMs {
			out = append(out, fmt.Sprintf("%s: the generator stalled once: publish lag max %sms (p99 %sms; latencies include it)",
				p.Name, fmtMs(p.PublishLag.Max), fmtMs(p.PublishLag.P99)))
		}
		if p.PublishLag.P99 > largeLagMs {
			out = append(out, fmt.Sprintf("%s: the generator fell behind: publish lag p99 %sms, max %sms (latencies include it)",
				p.Name, fmtMs(p.PublishLag.P99), fmtMs(p.PublishLag.Max)))
		}
	}
	return out
}

// writeTextThresholds appends the k6-style verdict block, if any pattern
// has verdicts.
func writeTextThresholds(b *strings.Builder, m *model) {
	total, failed, width := 0, 0, 0
	for _, p := range m.r.Patterns {
		for _, v := range p.Thresholds {
			total++
			width = max(width, utf8.RuneCountInString(v.Expr))
			if !v.OK {
				failed++
			}
		}
	}
	if total == 0 {
		return
	}
	b.WriteString("\nthresholds\n")
	for _, p := range m.r.Patterns {
		if len(p.Thresholds) == 0 {
			continue
		}
		fmt.Fprintf(b, "  %s\n", p.Name)
		for _, v := range p.Thresholds {
			mark := "✓"
			if !v.OK {
				mark = "✗"
			}
			metric := thresholdMetric(v.Expr)
			pad := strings.Repeat(" ", width-utf8.RuneCountInString(v.Expr))
			fmt.Fprintf(b, "    %s %s%s  %s=%s", mark, v.Expr, pad, metric, fmtMetric(metric, v.Value))
			if v.Window != nil {
				fmt.Fprintf(b, " (window at %s)", fmtSeconds(*v.Window))
			}
			b.WriteByte('\n')
		}
	}
	switch {
	case m.r.Partial:
		fmt.Fprintf(b, "\nthresholds: %d of %d failed; not held: the result is partial, so some patterns were not judged\n", failed, total)
	case failed == 0:
		fmt.Fprintf(b, "\nthresholds: all %d passed\n", total)
	default:
		fmt.Fprintf(b, "\nthresholds: %d of %d failed\n", failed, total)
	}
}
