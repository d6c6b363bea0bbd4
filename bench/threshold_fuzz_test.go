package bench

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// FuzzParseThreshold checks that no input makes the parser panic, that
// every error is a *ThresholdError pointing inside the expression, and that
// every accepted expression parses back to the same threshold.
//
//	go test -run '^$' -fuzz FuzzParseThreshold -fuzztime 30s ./bench/
func FuzzParseThreshold(f *testing.F) {
	for _, seed := range []string{
		"lost == 0", "websocket: p99 < 50ms", "p99[10s] < 200ms", "lost[30s] == 0",
		"webhook+polling:lost_rate<=0.5%", "p50 < 250µs", "max < 1.5s", "mean<1e3us",
		"valid == 1", "requests_per_event <= 1.1", "all: unique >= -1", "lost < 5ms",
		"bogus < 1", "p99[ten] < 1", "p99[", "lost = 0", "lost <> 0", ":", "[", "1e999",
		"p99 < 1e308s", "lost_rate [ 1m ] < 1 %", "\t p999 >= .5 s \t", "valid == 2",
		"p99 < 5ms and more", "\xff", "p99 < 5\xc2", "",
	} {
		f.Add(seed)
	}
	ops := []string{"<", "<=", ">", ">=", "==", "!="}
	metrics := ThresholdMetrics()
	f.Fuzz(func(t *testing.T, expr string) {
		th, err := ParseThreshold(expr)
		if err != nil {
			var te *ThresholdError
			if !errors.As(err, &te) {
				t.Fatalf("ParseThreshold(%q) error %T, want *ThresholdError", expr, err)
			}
			if te.Offset < 0 || te.Offset > len(expr) {
				t.Fatalf("ParseThreshold(%q) offset %d outside [0, %d]", expr, te.Offset, len(expr))
			}
			if te.Expr != expr || !strings.Contains(err.Error(), "^") {
				t.Fatalf("ParseThreshold(%q) error %q", expr, err)
			}
			return
		}
		if !slices.Contains(metrics, th.Metric) || !slices.Contains(ops, th.Op) {
			t.Fatalf("ParseThreshold(%q) = %+v: bad metric or operator", expr, th)
		}
		if math.IsNaN(th.Value) || math.IsInf(th.Value, 0) || th.Window < 0 || th.Pattern == "" {
			t.Fatalf("ParseThreshold(%q) = %+v", expr, th)
		}
		again, err := ParseThreshold(th.Expr)
		if err != nil || again != th {
			t.Fatalf("ParseThreshold(%q) = %+v, but its Expr parses to %+v, %v", expr, th, again, err)
		}
	})
}
