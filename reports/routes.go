package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hookbench/hookbench/bench"
)

// Combined patterns deliver by more than one path (webhook+polling: the
// webhook and the reconciler) or over more than one hop (webhook+websocket:
// producer -> relay -> clients). The report attributes first deliveries to
// their path and loss to its hop.

// hasRoutes reports whether any pattern of r has paths or hops to show.
func hasRoutes(r *bench.Result) bool {
	return slices.ContainsFunc(r.Patterns, func(p bench.PatternResult) bool {
		return len(p.Paths) > 0 || len(p.Hops) > 0
	})
}

// pathNames returns p's paths, the push path (primary, webhook) first,
// then by name.
func pathNames(p *bench.PatternResult) []string {
	names := make([]string, 0, len(p.Paths))
	for n := range p.Paths {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "primary" || a == "webhook":
			return -1
		case b == "primary" || b == "webhook":
			return 1
		}
		return strings.Compare(a, b)
	})
	return names
}

// routeSummary is the one-line account of p's paths and hops, or "".
func routeSummary(p *bench.PatternResult) string {
	var parts []string
	if names := pathNames(p); len(names) > 0 {
		var ps []string
		for _, n := range names {
			ps = append(ps, fmt.Sprintf("%s %d", n, p.Paths[n]))
		}
		parts = append(parts, "first deliveries by path: "+strings.Join(ps, ", "))
	}
	for _, h := range p.Hops {
		parts = append(parts, fmt.Sprintf("hop %s: %d of %d (lost %d)", h.Name, h.Unique, h.Expected, h.Lost))
	}
	return strings.Join(parts, " · ")
}

// writeTextRoutes appends the paths-and-hops block of the terminal
// summary, if any pattern has one.
func writeTextRoutes(b *strings.Builder, m *model) {
	if !hasRoutes(m.r) {
		return
	}
	b.WriteString("\npaths and hops\n")
	width := 0
	for _, p := range m.r.Patterns {
		width = max(width, len(p.Name))
	}
	for i := range m.r.Patterns {
		p := &m.r.Patterns[i]
		if s := routeSummary(p); s != "" {
			fmt.Fprintf(b, "  %-*s  %s\n", width, p.Name, s)
		}
	}
}

// routeSection is the report's table of paths and hops.
func routeSection(m *model) section {
	t := docTable{
		header: []cell{plain("pattern"), plain("path or hop"), plain("expected"), plain("delivered"), plain("lost")},
		right:  []bool{false, false, true, true, true},
	}
	for i := range m.r.Patterns {
		p := &m.r.Patterns[i]
		name := cell{text: p.Name, swatch: hexColor(patternColor(i))}
		for _, n := range pathNames(p) {
			t.rows = append(t.rows, []cell{name, plain("path " + n), plain("—"), plain(fmtInt(p.Paths[n])), plain("—")})
		}
		for _, h := range p.Hops {
			lost := plain(fmtInt(h.Lost))
			if h.Lost > 0 {
				lost.class = "warn"
			}
			t.rows = append(t.rows, []cell{name, plain("hop " + h.Name), plain(fmtInt(h.Expected)), plain(fmtInt(h.Unique)), lost})
		}
	}
	return section{
		id: "routes", title: "Delivery paths and hops", table: t,
		intro: "Combined patterns: first deliveries per path (the webhook, the reconciler), and each hop's deliveries owed, made and lost.",
	}
}
