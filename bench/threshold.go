package bench

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// AllPatterns is the pattern scope of a threshold that applies to every
// pattern of a run.
const AllPatterns = "all"

// A Threshold is a parsed threshold expression (DESIGN 'Thresholds'):
//
//	[PATTERN:] METRIC[ '[' DURATION ']' ] OP VALUE[unit]
//
// such as "lost == 0", "websocket: p99 < 50ms" or "p99[10s] < 200ms".
type Threshold struct {
	// Expr is the expression as written, without surrounding space.
	Expr string
	// Pattern is the pattern the threshold applies to, or AllPatterns.
	Pattern string
	// Metric is one of ThresholdMetrics.
	Metric string
	// Window, if not zero, makes the threshold windowed: it must hold
	// in every window of this length (see Evaluate).
	Window time.Duration
	// Op is one of < <= > >= == !=.
	Op string
	// Value is the bound in the metric's unit (MetricUnit): milliseconds
	// for latencies, percent for rates, a plain number otherwise.
	Value float64
}

// A ThresholdError is a malformed threshold (or regression) expression.
// Offset is the byte offset in Expr of the offending character.
type ThresholdError struct {
	Expr   string
	Offset int
	Reason string
}

// Error returns the reason on a first line, then the expression and a
// caret under the offending character.
func (e *ThresholdError) Error() string {
	off := min(max(e.Offset, 0), len(e.Expr))
	col := utf8.RuneCountInString(e.Expr[:off])
	line := strings.Map(func(r rune) rune {
		if r == '\t' || !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, e.Expr)
	return fmt.Sprintf("threshold %q: %s\n  %s\n  %s^", e.Expr, e.Reason, line, strings.Repeat(" ", col))
}

// ParseThreshold parses one threshold expression. A malformed expression,
// an unknown metric, a unit that does not fit the metric ("lost < 5ms") or
// a window on a metric that has none is a *ThresholdError pointing at the
// offending character. The pattern is not checked against any list: see
// CheckPatterns.
func ParseThreshold(expr string) (Threshold, error) {
	t, _, err := parseThreshold(expr)
	return t, err
}

// parseThreshold is ParseThreshold that also reports whether expr names
// its pattern.
func parseThreshold(expr string) (t Threshold, scoped bool, err error) {
	sc := &exprScanner{s: expr}
	t = Threshold{Expr: strings.TrimSpace(expr), Pattern: AllPatterns}
	pattern, m, _, err := sc.target()
	if err != nil {
		return Threshold{}, false, err
	}
	if pattern != "" {
		t.Pattern, scoped = pattern, true
	}
	t.Metric = m.name
	if t.Window, err = sc.window(m); err != nil {
		return Threshold{}, false, err
	}
	if t.Op, err = sc.op(m.name); err != nil {
		return Threshold{}, false, err
	}
	if t.Value, err = sc.value(m); err != nil {
		return Threshold{}, false, err
	}
	return t, scoped, nil
}

// exprScanner reads an expression left to right; i is the next byte.
type exprScanner struct {
	s string
	i int
}

func (sc *exprScanner) errorf(at int, format string, args ...any) error {
	return &ThresholdError{Expr: sc.s, Offset: at, Reason: fmt.Sprintf(format, args...)}
}

func (sc *exprScanner) space() {
	for sc.i < len(sc.s) && (sc.s[sc.i] == ' ' || sc.s[sc.i] == '\t') {
		sc.i++
	}
}

func (sc *exprScanner) peek() byte {
	if sc.i < len(sc.s) {
		return sc.s[sc.i]
	}
	return 0
}

// found describes the character at i for an error message.
func (sc *exprScanner) found() string {
	if sc.i >= len(sc.s) {
		return "the end"
	}
	r, _ := utf8.DecodeRuneInString(sc.s[sc.i:])
	return strconv.QuoteRune(r)
}

// isNameByte reports whether c can be part of a pattern or metric name.
// Pattern names hold + (webhook+polling), - and . as well.
func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == '+' || c == '.'
}

func (sc *exprScanner) name() string {
	start := sc.i
	for sc.i < len(sc.s) && isNameByte(sc.s[sc.i]) {
		sc.i++
	}
	return sc.s[start:sc.i]
}

// target reads "[PATTERN:] METRIC" and returns the pattern ("" when
// absent), the metric and the offset of its name.
func (sc *exprScanner) target() (string, metricDef, int, error) {
	sc.space()
	if sc.i == len(sc.s) {
		return "", metricDef{}, 0, sc.errorf(sc.i, `empty expression: want [PATTERN:] METRIC OP VALUE, such as "p99 < 200ms"`)
	}
	start := sc.i
	word := sc.name()
	sc.space()
	pattern := ""
	if sc.peek() == ':' {
		if word == "" {
			return "", metricDef{}, 0, sc.errorf(sc.i, "expected a pattern name before ':'")
		}
		pattern = word
		sc.i++
		sc.space()
		start = sc.i
		word = sc.name()
	}
	if word == "" {
		return "", metricDef{}, 0, sc.errorf(sc.i, "expected a metric name, found %s", sc.found())
	}
	m, ok := lookupMetric(word)
	if !ok {
		return "", metricDef{}, 0, sc.errorf(start, "%s", unknownName("metric", word, ThresholdMetrics()))
	}
	sc.space()
	return pattern, m, start, nil
}

// window reads an optional "[DURATION]".
func (sc *exprScanner) window(m metricDef) (time.Duration, error) {
	if sc.peek() != '[' {
		return 0, nil
	}
	open := sc.i
	if !m.windowed {
		return 0, sc.errorf(open, "%s has no per-window series (windowed metrics: %s)", m.name, strings.Join(WindowedMetrics(), " "))
	}
	end := strings.IndexByte(sc.s[open:], ']')
	if end < 0 {
		return 0, sc.errorf(open, "unclosed '[': want a window such as [10s]")
	}
	end += open
	sc.i = open + 1
	sc.space()
	at := sc.i
	text := strings.TrimSpace(sc.s[at:end])
	d, err := time.ParseDuration(text)
	if err != nil {
		return 0, sc.errorf(at, "bad window %q: want a duration such as 10s or 1m", text)
	}
	if d <= 0 {
		return 0, sc.errorf(at, "window must be > 0, got %s", text)
	}
	sc.i = end + 1
	sc.space()
	return d, nil
}

// op reads a comparison operator.
func (sc *exprScanner) op(metric string) (string, error) {
	rest := sc.s[sc.i:]
	for _, bad := range [][2]string{{"=<", "<="}, {"=>", ">="}, {"<>", "!="}} {
		if strings.HasPrefix(rest, bad[0]) {
			return "", sc.errorf(sc.i, "unknown operator %s; did you mean %s?", bad[0], bad[1])
		}
	}
	for _, op := range []string{"<=", ">=", "==", "!=", "<", ">"} {
		if strings.HasPrefix(rest, op) {
			sc.i += len(op)
			sc.space()
			return op, nil
		}
	}
	if strings.HasPrefix(rest, "=") {
		return "", sc.errorf(sc.i, "use == to test equality")
	}
	return "", sc.errorf(sc.i, "expected an operator (< <= > >= == !=) after %s, found %s", metric, sc.found())
}

// number reads a decimal number with an optional sign, fraction and
// exponent, and returns its text ("" when there is none).
func (sc *exprScanner) number() string {
	start := sc.i
	if c := sc.peek(); c == '+' || c == '-' {
		sc.i++
	}
	digits := func() int {
		n := 0
		for sc.i < len(sc.s) && sc.s[sc.i] >= '0' && sc.s[sc.i] <= '9' {
			sc.i++
			n++
		}
		return n
	}
	n := digits()
	if sc.peek() == '.' {
		sc.i++
		n += digits()
	}
	if n == 0 {
		sc.i = start
		return ""
	}
	if c := sc.peek(); c == 'e' || c == 'E' {
		mark := sc.i
		sc.i++
		if c := sc.peek(); c == '+' || c == '-' {
			sc.i++
		}
		if digits() == 0 {
			sc.i = mark // "5es" is 5 with a unit "es", not an exponent
		}
	}
	return sc.s[start:sc.i]
}

// unit reads a unit: letters and %.
func (sc *exprScanner) unit() string {
	start := sc.i
	for sc.i < len(sc.s) {
		r, n := utf8.DecodeRuneInString(sc.s[sc.i:])
		if r != '%' && !unicode.IsLetter(r) {
			break
		}
		sc.i += n
	}
	return sc.s[start:sc.i]
}

// value reads "NUMBER[unit]" to the end of the expression and returns the
// number in the metric's unit.
func (sc *exprScanner) value(m metricDef) (float64, error) {
	at := sc.i
	text := sc.number()
	if text == "" {
		return 0, sc.errorf(at, "expected a number, found %s", sc.found())
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return 0, sc.errorf(at, "number %s is out of range", text)
	}
	sc.space()
	uat := sc.i
	unit := sc.unit()
	if v, err = convertUnit(m, v, unit); err != nil {
		return 0, sc.errorf(uat, "%v", err)
	}
	sc.space()
	if sc.i < len(sc.s) {
		return 0, sc.errorf(sc.i, "unexpected %s after the value", sc.found())
	}
	if math.IsInf(v, 0) {
		return 0, sc.errorf(at, "%s%s is out of range", text, unit)
	}
	if m.kind == kindBool && v != 0 && v != 1 {
		return 0, sc.errorf(at, "%s is 1 (true) or 0 (false), got %s", m.name, text)
	}
	return v, nil
}

// convertUnit returns v, written with unit, in the unit of metric m, or
// why the unit does not fit m.
func convertUnit(m metricDef, v float64, unit string) (float64, error) {
	switch m.kind {
	case kindLatency:
		switch unit {
		case "", "ms":
			return v, nil
		case "us", "µs", "μs":
			return v / 1000, nil
		case "s":
			return v * 1000, nil
		}
		return 0, fmt.Errorf("unit %q does not fit %s, a latency: use us, ms (the default) or s", unit, m.name)
	case kindRate:
		if unit == "" || unit == "%" {
			return v, nil
		}
		return 0, fmt.Errorf("unit %q does not fit %s, a rate in percent: write 1%% or 1", unit, m.name)
	case kindCount:
		if unit == "" {
			return v, nil
		}
		return 0, fmt.Errorf("unit %q does not fit %s, a count: it takes no unit", unit, m.name)
	}
	if unit == "" {
		return v, nil
	}
	return 0, fmt.Errorf("unit %q does not fit %s: it takes no unit", unit, m.name)
}
