package bench

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want Threshold
	}{
		{"less", "lost < 1", Threshold{Pattern: "all", Metric: "lost", Op: "<", Value: 1}},
		{"less or equal", "lost <= 1", Threshold{Pattern: "all", Metric: "lost", Op: "<=", Value: 1}},
		{"greater", "unique > 10", Threshold{Pattern: "all", Metric: "unique", Op: ">", Value: 10}},
		{"greater or equal", "unique >= 10", Threshold{Pattern: "all", Metric: "unique", Op: ">=", Value: 10}},
		{"equal", "lost == 0", Threshold{Pattern: "all", Metric: "lost", Op: "==", Value: 0}},
		{"not equal", "duplicates != 3", Threshold{Pattern: "all", Metric: "duplicates", Op: "!=", Value: 3}},
		{"no spaces", "lost==0", Threshold{Pattern: "all", Metric: "lost", Op: "==", Value: 0}},
		{"tabs and padding", "\t lost\t==\t0 ", Threshold{Pattern: "all", Metric: "lost", Op: "==", Value: 0}},

		// Latency values are stored in ms, whatever unit they are written in.
		{"latency default unit is ms", "p99 < 200", Threshold{Pattern: "all", Metric: "p99", Op: "<", Value: 200}},
		{"latency ms", "p99 < 200ms", Threshold{Pattern: "all", Metric: "p99", Op: "<", Value: 200}},
		{"latency s", "p999 < 1.5s", Threshold{Pattern: "all", Metric: "p999", Op: "<", Value: 1500}},
		{"latency us", "p50 < 250us", Threshold{Pattern: "all", Metric: "p50", Op: "<", Value: 0.25}},
		{"latency µs", "p50 < 250µs", Threshold{Pattern: "all", Metric: "p50", Op: "<", Value: 0.25}},
		{"latency μs (greek mu)", "p50 < 250μs", Threshold{Pattern: "all", Metric: "p50", Op: "<", Value: 0.25}},
		{"unit after a space", "max < 2 s", Threshold{Pattern: "all", Metric: "max", Op: "<", Value: 2000}},
		{"exponent", "mean < 1e3us", Threshold{Pattern: "all", Metric: "mean", Op: "<", Value: 1}},
		{"publish lag", "publish_lag_p99 < 5ms", Threshold{Pattern: "all", Metric: "publish_lag_p99", Op: "<", Value: 5}},
		{"rate with %", "lost_rate < 0.5%", Threshold{Pattern: "all", Metric: "lost_rate", Op: "<", Value: 0.5}},
		{"rate without unit", "duplicate_rate <= 2", Threshold{Pattern: "all", Metric: "duplicate_rate", Op: "<=", Value: 2}},
		{"out of order rate", "out_of_order_rate < 1%", Threshold{Pattern: "all", Metric: "out_of_order_rate", Op: "<", Value: 1}},
		{"ratio", "requests_per_event <= 1.1", Threshold{Pattern: "all", Metric: "requests_per_event", Op: "<=", Value: 1.1}},
		{"fraction without integer part", "cpu_seconds < .5", Threshold{Pattern: "all", Metric: "cpu_seconds", Op: "<", Value: 0.5}},
		{"negative", "unique > -1", Threshold{Pattern: "all", Metric: "unique", Op: ">", Value: -1}},
		{"valid", "valid == 1", Threshold{Pattern: "all", Metric: "valid", Op: "==", Value: 1}},

		{"pattern", "websocket: p99 < 50ms", Threshold{Pattern: "websocket", Metric: "p99", Op: "<", Value: 50}},
		{"pattern with +", "webhook+polling:lost==0", Threshold{Pattern: "webhook+polling", Metric: "lost", Op: "==", Value: 0}},
		{"pattern all", "all: lost == 0", Threshold{Pattern: "all", Metric: "lost", Op: "==", Value: 0}},
		{"space before colon", "webhook : retries < 10", Threshold{Pattern: "webhook", Metric: "retries", Op: "<", Value: 10}},

		{"window", "p99[10s] < 200ms", Threshold{Pattern: "all", Metric: "p99", Window: 10 * time.Second, Op: "<", Value: 200}},
		{"window of counts", "lost[30s] == 0", Threshold{Pattern: "all", Metric: "lost", Window: 30 * time.Second, Op: "==", Value: 0}},
		{"window with spaces", "polling: lost_rate [ 1m ] < 1%", Threshold{Pattern: "polling", Metric: "lost_rate", Window: time.Minute, Op: "<", Value: 1}},
		{"window in ms", "max[1500ms]<1s", Threshold{Pattern: "all", Metric: "max", Window: 1500 * time.Millisecond, Op: "<", Value: 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseThreshold(tt.expr)
			if err != nil {
				t.Fatalf("ParseThreshold(%q): %v", tt.expr, err)
			}
			tt.want.Expr = strings.TrimSpace(tt.expr)
			if got != tt.want {
				t.Errorf("ParseThreshold(%q) =\n %+v, want\n %+v", tt.expr, got, tt.want)
			}
		})
	}
}

func TestParseThresholdErrors(t *testing.T) {
	tests := []struct {
		name   string
		expr   string
		offset int
		reason string // a part of the reason
	}{
		{"empty", "", 0, "empty expression"},
		{"blank", "   ", 3, "empty expression"},
		{"unknown metric", "bogus < 1", 0, `unknown metric "bogus" (metrics: published expected`},
		{"misspelt metric", "latency_p99 < 1", 0, `unknown metric "latency_p99"`},
		{"typo suggests", "lsot == 0", 0, "did you mean lost?"},
		{"case suggests", "P99 < 1", 0, "did you mean p99?"},
		{"unknown metric after pattern", "webhook: bogus < 1", 9, `unknown metric "bogus"`},
		{"pattern without metric", "webhook: < 1", 9, "expected a metric name, found '<'"},
		{"colon without pattern", ": lost == 0", 0, "expected a pattern name before ':'"},
		{"starts with symbol", "<1", 0, "expected a metric name, found '<'"},
		{"missing operator", "lost", 4, "expected an operator"},
		{"bad operator", "lost ~ 0", 5, "expected an operator (< <= > >= == !=) after lost, found '~'"},
		{"single =", "lost = 0", 5, "use == to test equality"},
		{"=<", "lost =< 0", 5, "did you mean <=?"},
		{"=>", "unique => 0", 7, "did you mean >=?"},
		{"<>", "lost <> 0", 5, "did you mean !=?"},
		{"missing value", "lost ==", 7, "expected a number, found the end"},
		{"value not a number", "lost == zero", 8, "expected a number, found 'z'"},
		{"sign only", "lost == -", 8, "expected a number"},
		{"out of range", "lost < 1e999", 7, "out of range"},
		{"out of range after unit", "p99 < 1e308s", 6, "out of range"},
		{"unit on a count", "lost < 5ms", 8, `unit "ms" does not fit lost, a count`},
		{"percent on a count", "duplicates < 1%", 14, `unit "%" does not fit duplicates, a count`},
		{"unit on a ratio", "requests_per_event < 2x", 22, `unit "x" does not fit requests_per_event`},
		{"unknown latency unit", "p99 < 1h", 7, `unit "h" does not fit p99, a latency: use us, ms (the default) or s`},
		{"percent on a latency", "p99 < 5%", 7, `unit "%" does not fit p99`},
		{"time on a rate", "lost_rate < 5ms", 13, `unit "ms" does not fit lost_rate, a rate in percent`},
		{"valid is 0 or 1", "valid == 2", 9, "valid is 1 (true) or 0 (false), got 2"},
		{"trailing text", "p99 < 5ms and more", 10, "unexpected 'a' after the value"},
		// A word after the number is read as its unit.
		{"trailing word", "lost == 0 and more", 10, `unit "and" does not fit lost`},
		{"two values", "lost == 0 1", 10, "unexpected '1'"},
		{"window on a total", "requests[10s] < 5", 8, "requests has no per-window series"},
		{"unclosed window", "p99[10s < 5", 3, "unclosed '['"},
		{"bad window", "p99[ten] < 5", 4, `bad window "ten"`},
		{"window without unit", "p99[10] < 5", 4, `bad window "10"`},
		{"empty window", "p99[] < 5", 4, `bad window ""`},
		{"zero window", "p99[0s] < 5", 4, "window must be > 0"},
		{"negative window", "lost[ -1s] == 0", 6, "window must be > 0"},
		{"non-ASCII offset", "p50 < 250µs x", 13, "unexpected 'x'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseThreshold(tt.expr)
			var te *ThresholdError
			if !errors.As(err, &te) {
				t.Fatalf("ParseThreshold(%q) error = %v, want a *ThresholdError", tt.expr, err)
			}
			if te.Offset != tt.offset {
				t.Errorf("ParseThreshold(%q) offset = %d, want %d (%v)", tt.expr, te.Offset, tt.offset, err)
			}
			if !strings.Contains(te.Reason, tt.reason) {
				t.Errorf("ParseThreshold(%q) reason = %q, want it to contain %q", tt.expr, te.Reason, tt.reason)
			}
			if te.Expr != tt.expr {
				t.Errorf("error Expr = %q, want %q", te.Expr, tt.expr)
			}
		})
	}
}

func TestThresholdErrorCaret(t *testing.T) {
	_, err := ParseThreshold("lost < 5ms")
	want := "threshold \"lost < 5ms\": unit \"ms\" does not fit lost, a count: it takes no unit\n" +
		"  lost < 5ms\n" +
		"          ^"
	if err == nil || err.Error() != want {
		t.Errorf("error =\n%v\nwant\n%s", err, want)
	}
	// The caret counts characters, not bytes, and tabs keep their column.
	_, err = ParseThreshold("p50 <\t250µs x")
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || lines[1] != "  p50 < 250µs x" || lines[2] != "              ^" {
		t.Errorf("error lines = %q", lines)
	}
}

func TestThresholdMetrics(t *testing.T) {
	// Every metric of DESIGN 'What is measured' plus the rates.
	want := []string{
		"published", "expected", "delivered", "unique", "lost", "duplicates", "out_of_order",
		"unexpected", "valid", "lost_rate", "duplicate_rate", "out_of_order_rate",
		"p50", "p90", "p99", "p999", "max", "mean", "requests", "requests_per_event", "bytes",
		"bytes_per_event", "connections", "peak_connections", "retries", "empty_polls",
		"reconnects", "cpu_seconds", "cpu_us_per_event", "publish_lag_p99", "publish_lag_max",
	}
	got := ThresholdMetrics()
	if !slices.Equal(got, want) {
		t.Errorf("ThresholdMetrics() = %q\nwant %q", got, want)
	}
	for _, m := range got {
		if _, err := ParseThreshold(m + " >= 0"); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
	for _, m := range WindowedMetrics() {
		if _, err := ParseThreshold(m + "[2s] >= 0"); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
}

func TestMetricUnit(t *testing.T) {
	for metric, want := range map[string]string{"p99": "ms", "publish_lag_max": "ms", "lost_rate": "%", "lost": "", "bogus": ""} {
		if got := MetricUnit(metric); got != want {
			t.Errorf("MetricUnit(%q) = %q, want %q", metric, got, want)
		}
	}
}
