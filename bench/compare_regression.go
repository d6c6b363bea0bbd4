package bench

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// A Regression limits how much worse a metric may get from a baseline
// result to a new one, as in "p99=10%", "lost=0" or "webhook: p99=5ms".
// Worse is higher for every metric but valid and unique, where it is lower.
type Regression struct {
	// Expr is the expression as written, without surrounding space.
	Expr string
	// Pattern is the pattern the limit applies to, or AllPatterns.
	Pattern string
	// Metric is one of ThresholdMetrics, except the workload counts
	// published, expected and delivered, which are neither better nor
	// worse when higher.
	Metric string
	// Relative makes Limit a change in percent of the base value
	// ("p99=10%"). Otherwise Limit is an absolute worsening in the
	// metric's unit (MetricUnit): "lost=0" allows no more lost events,
	// "p99=5ms" 5ms more, "lost_rate=0.5" half a percentage point more.
	Relative bool
	// Limit is >= 0.
	Limit float64
}

// ParseRegression parses "[PATTERN:] METRIC=LIMIT", where LIMIT is a
// percentage of the base value ("p99=10%") or an absolute amount in the
// metric's unit, with us, ms or s for latencies ("p99=5ms", "lost=0"). A
// malformed expression is a *ThresholdError pointing at the offending
// character.
func ParseRegression(expr string) (Regression, error) {
	sc := &exprScanner{s: expr}
	pattern, m, at, err := sc.target()
	if err != nil {
		return Regression{}, err
	}
	g := Regression{Expr: strings.TrimSpace(expr), Pattern: AllPatterns, Metric: m.name}
	if pattern != "" {
		g.Pattern = pattern
	}
	if m.better == 0 {
		return Regression{}, sc.errorf(at, "%s describes the workload, not how well it was carried: no regression limit applies to it", m.name)
	}
	if sc.peek() != '=' || sc.i+1 < len(sc.s) && sc.s[sc.i+1] == '=' {
		return Regression{}, sc.errorf(sc.i, "expected '=' and a limit after %s, such as %s=10%%, found %s", m.name, m.name, sc.found())
	}
	sc.i++
	sc.space()
	at = sc.i
	text := sc.number()
	if text == "" {
		return Regression{}, sc.errorf(at, "expected a limit (a number, or a percentage such as 10%%), found %s", sc.found())
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || v < 0 {
		return Regression{}, sc.errorf(at, "limit must be a number >= 0, got %s", text)
	}
	sc.space()
	uat := sc.i
	unit := sc.unit()
	switch {
	case unit == "%":
		g.Relative = true
	case m.kind == kindRate:
		// A bare number is percentage points: % means relative.
		if unit != "" {
			return Regression{}, sc.errorf(uat, "unit %q does not fit %s: write 10%% for a relative limit, or 0.5 for percentage points", unit, m.name)
		}
	default:
		if v, err = convertUnit(m, v, unit); err != nil {
			return Regression{}, sc.errorf(uat, "%v (or %% for a relative limit)", err)
		}
	}
	sc.space()
	if sc.i < len(sc.s) {
		return Regression{}, sc.errorf(sc.i, "unexpected %s after the limit", sc.found())
	}
	if math.IsInf(v, 0) {
		return Regression{}, sc.errorf(at, "limit %s%s is out of range", text, unit)
	}
	g.Limit = v
	return g, nil
}

// ParseRegressions parses every expression of exprs (the CLI's repeatable
// --max-regression) and reports every bad one at once. Two limits on one
// metric of one pattern scope are an error.
func ParseRegressions(exprs []string) ([]Regression, error) {
	var (
		out  []Regression
		errs []error
	)
	for _, e := range exprs {
		g, err := ParseRegression(e)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		dup := false
		for _, o := range out {
			if o.Pattern == g.Pattern && o.Metric == g.Metric {
				errs = append(errs, &ThresholdError{Expr: g.Expr, Reason: fmt.Sprintf("%s is already limited by %q", g.Metric, o.Expr)})
				dup = true
			}
		}
		if !dup {
			out = append(out, g)
		}
	}
	return out, errors.Join(errs...)
}

// worsening returns how much worse next is than base for metric m, in
// m's unit (positive is worse).
func worsening(m metricDef, base, next float64) float64 {
	if m.better > 0 {
		return base - next
	}
	return next - base
}

// exceeded reports whether next is worse than base by more than g allows.
// A relative limit on a base of 0 allows no worsening at all.
func (g Regression) exceeded(m metricDef, base, next float64) bool {
	w := worsening(m, base, next)
	const slack = 1e-9 // float noise, far below any printed digit
	if !g.Relative {
		return w > g.Limit+slack
	}
	if base == 0 {
		return w > 0
	}
	return w/math.Abs(base)*100 > g.Limit+slack
}

// limitText is how g's limit appears in a comparison: "10%" or "0", with
// the metric's unit.
func (g Regression) limitText() string {
	s := strconv.FormatFloat(g.Limit, 'f', -1, 64)
	switch {
	case g.Relative:
		s += "%"
	case MetricUnit(g.Metric) == "ms":
		s += "ms"
	case MetricUnit(g.Metric) == "%":
		s += "pp"
	}
	if g.Pattern != AllPatterns {
		s = g.Pattern + ": " + s
	}
	return s
}
