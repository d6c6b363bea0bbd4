package bench

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Row verdicts of a Comparison.
const (
	CompareOK        = "ok"
	CompareRegressed = "regressed"
)

// A Comparison is a new result set against a baseline (hookbench compare):
// per pattern and metric the two values, the change and, where a
// Regression limit applies, a verdict. Render it with Text or Markdown.
type Comparison struct {
	// BaseName and NewName label the two sides in renderings (file
	// names, say). Compare leaves them empty; the caller may set them.
	BaseName, NewName string
	Scenario          string
	Base, New         ComparedRun
	// Forced is set when the scenarios differ in more than duration and
	// seed and the comparison was forced; Differences lists how.
	Forced      bool
	Differences []ScenarioDifference
	Patterns    []PatternComparison
	// Problems fail the comparison besides regressed rows: a pattern of
	// the base missing from the new result, a partial new result.
	Problems []string
	// Warnings do not fail it.
	Warnings []string
	// Regressions counts the rows whose limit was exceeded.
	Regressions int
	// OK is true when no limit was exceeded and there are no Problems.
	OK bool
}

// ComparedRun describes one side of a Comparison.
type ComparedRun struct {
	Seed     uint64
	Duration Duration
	Version  string // hookbench version that produced it
	Partial  bool
}

// PatternComparison is one pattern's rows. Missing is "base" or "new" when
// the pattern ran on one side only (then there are no rows).
type PatternComparison struct {
	Name    string
	Missing string
	Rows    []ComparisonRow
}

// ComparisonRow is one metric of one pattern. Values are in Unit (ms for
// latencies, % for rates; see MetricUnit). Base or New is nil where that
// side has no data (a latency of a pattern that delivered nothing).
type ComparisonRow struct {
	Metric    string
	Unit      string
	Base, New *float64
	// Change is (New-Base)/|Base| in percent, nil when either value is
	// missing or Base is 0 and New is not.
	Change *float64
	// Worse says New is worse than Base (higher, or lower for valid and
	// unique), whether or not a limit applies.
	Worse bool
	// Limit is the applying limit as written in the report ("10%",
	// "0"), and Verdict CompareOK or CompareRegressed; both are empty
	// when no limit applies to the row.
	Limit   string
	Verdict string
}

// comparedMetrics are the rows every comparison shows; metrics with a
// limit are added to them.
func comparedMetrics() []string {
	return []string{
		"valid", "lost", "lost_rate", "duplicates", "out_of_order", "unexpected",
		"p50", "p99", "p999", "max", "requests_per_event", "bytes_per_event",
		"cpu_us_per_event", "publish_lag_p99",
	}
}

// Compare compares next against base under limits. It refuses, with a
// *ScenarioMismatchError, when the two scenarios differ in anything but
// duration, seed and thresholds, unless force is set (then the comparison
// records the differences). A limit naming a pattern of neither result is
// a *ThresholdError. Compare does not modify base or next.
func Compare(base, next *Result, limits []Regression, force bool) (*Comparison, error) {
	diffs, err := scenarioDifferences(base.Scenario, next.Scenario)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	if len(diffs) > 0 && !force {
		return nil, &ScenarioMismatchError{Differences: diffs}
	}
	bf, err := factsOf(base.Scenario)
	if err != nil {
		return nil, fmt.Errorf("compare: base: %w", err)
	}
	nf, err := factsOf(next.Scenario)
	if err != nil {
		return nil, fmt.Errorf("compare: new: %w", err)
	}
	if err := checkLimitPatterns(limits, base, next); err != nil {
		return nil, err
	}
	c := &Comparison{
		Scenario:    nf.Name,
		Base:        ComparedRun{Seed: bf.Seed, Duration: bf.Duration, Version: base.Tool.Version, Partial: base.Partial},
		New:         ComparedRun{Seed: nf.Seed, Duration: nf.Duration, Version: next.Tool.Version, Partial: next.Partial},
		Forced:      len(diffs) > 0,
		Differences: diffs,
	}
	if next.Partial {
		c.Problems = append(c.Problems, "the new result is partial (the run was interrupted)")
	}
	if base.Partial {
		c.Warnings = append(c.Warnings, "the base result is partial (the run was interrupted)")
	}
	if base.Tool.Version != next.Tool.Version {
		c.Warnings = append(c.Warnings, fmt.Sprintf("different hookbench versions: base %s, new %s", orDash(base.Tool.Version), orDash(next.Tool.Version)))
	}
	for i := range base.Patterns {
		bp := &base.Patterns[i]
		np := findPattern(next, bp.Name)
		if np == nil {
			c.Patterns = append(c.Patterns, PatternComparison{Name: bp.Name, Missing: "new"})
			c.Problems = append(c.Problems, fmt.Sprintf("pattern %s is missing from the new result", bp.Name))
			continue
		}
		pc := comparePattern(bp, np, limits)
		for _, r := range pc.Rows {
			if r.Verdict == CompareRegressed {
				c.Regressions++
			}
		}
		c.Patterns = append(c.Patterns, pc)
	}
	for i := range next.Patterns {
		if findPattern(base, next.Patterns[i].Name) == nil {
			c.Patterns = append(c.Patterns, PatternComparison{Name: next.Patterns[i].Name, Missing: "base"})
			c.Warnings = append(c.Warnings, fmt.Sprintf("pattern %s has no baseline", next.Patterns[i].Name))
		}
	}
	c.OK = c.Regressions == 0 && len(c.Problems) == 0
	return c, nil
}

// checkLimitPatterns reports every limit that names a pattern in neither
// result.
func checkLimitPatterns(limits []Regression, base, next *Result) error {
	var names []string
	for _, r := range []*Result{base, next} {
		for i := range r.Patterns {
			if !slices.Contains(names, r.Patterns[i].Name) {
				names = append(names, r.Patterns[i].Name)
			}
		}
	}
	var errs []error
	for _, g := range limits {
		if g.Pattern != AllPatterns && !slices.Contains(names, g.Pattern) {
			errs = append(errs, &ThresholdError{Expr: g.Expr, Reason: unknownName("pattern", g.Pattern, names)})
		}
	}
	return errors.Join(errs...)
}

func findPattern(r *Result, name string) *PatternResult {
	for i := range r.Patterns {
		if r.Patterns[i].Name == name {
			return &r.Patterns[i]
		}
	}
	return nil
}

// limitFor returns the limit on metric for pattern: one naming the
// pattern wins over one for all patterns.
func limitFor(limits []Regression, pattern, metric string) (Regression, bool) {
	var found Regression
	ok := false
	for _, g := range limits {
		if g.Metric != metric {
			continue
		}
		if g.Pattern == pattern {
			return g, true
		}
		if g.Pattern == AllPatterns {
			found, ok = g, true
		}
	}
	return found, ok
}

func comparePattern(bp, np *PatternResult, limits []Regression) PatternComparison {
	pc := PatternComparison{Name: bp.Name}
	for _, m := range metricDefs() {
		g, limited := limitFor(limits, bp.Name, m.name)
		if !limited && !slices.Contains(comparedMetrics(), m.name) {
			continue
		}
		row := ComparisonRow{Metric: m.name, Unit: MetricUnit(m.name)}
		if v, ok := m.value(bp); ok {
			row.Base = &v
		}
		if v, ok := m.value(np); ok {
			row.New = &v
		}
		if row.Base != nil && row.New != nil {
			b, n := *row.Base, *row.New
			switch {
			case b == n:
				row.Change = new(float64)
			case b != 0:
				ch := (n - b) / math.Abs(b) * 100
				row.Change = &ch
			}
			row.Worse = m.better != 0 && worsening(m, b, n) > 0
		}
		if limited {
			row.Limit = g.limitText()
			row.Verdict = CompareOK
			switch {
			case row.Base != nil && row.New == nil:
				row.Verdict = CompareRegressed // the new run has no data where the base had
			case row.Base != nil && g.exceeded(m, *row.Base, *row.New):
				row.Verdict = CompareRegressed
			}
		}
		pc.Rows = append(pc.Rows, row)
	}
	return pc
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
