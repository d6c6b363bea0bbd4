package reports

import (
	"math"
	"strconv"
	"strings"

	"github.com/hookbench/hookbench/bench"
)

// fmtMs formats a latency in milliseconds with about three significant
// digits and no unit: "0.412", "1.90", "220.4", "1810".
func fmtMs(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "-"
	case a == 0:
		return "0"
	case a < 1:
		return strconv.FormatFloat(v, 'f', 3, 64)
	case a < 10:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case a < 1000:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
}

// fmtLatency formats one of p's latencies (ms), or "-" when p delivered
// nothing, so an empty pattern does not read as instant.
func fmtLatency(p *bench.PatternResult, v float64) string {
	if p.Latency.Count == 0 {
		return "-"
	}
	return fmtMs(v)
}

// fmtInt formats a count.
func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }

// fmtFixed formats v with the given number of decimals.
func fmtFixed(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// fmtSig formats v with three significant digits, and at least all of its
// integer digits: "1.69", "0.0222", "0.00135", "1527".
func fmtSig(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	if v == 0 {
		return "0"
	}
	decimals := min(max(0, 2-int(math.Floor(math.Log10(math.Abs(v))))), 9)
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// fmtPct formats part/whole as a percentage with two decimals, or "-" when
// whole is zero.
func fmtPct(part, whole float64) string {
	if whole == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*part/whole, 'f', 2, 64) + "%"
}

// fmtSeconds formats a time on the run's timeline, in seconds: "10s",
// "12.5s".
func fmtSeconds(s float64) string {
	return strconv.FormatFloat(s, 'f', -1, 64) + "s"
}

// thresholdMetric returns the metric a threshold expression tests:
// "p99" for "websocket: p99[10s] < 100ms".
func thresholdMetric(expr string) string {
	if i := strings.Index(expr, ":"); i >= 0 {
		expr = expr[i+1:]
	}
	expr = strings.TrimSpace(expr)
	end := strings.IndexFunc(expr, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	if end < 0 {
		return expr
	}
	return expr[:end]
}

// metricUnit returns the unit a metric's value is reported in: the
// engine's (bench.MetricUnit: "ms" for latencies, "%" for rates), and "µs"
// and "s" for the CPU figures.
func metricUnit(metric string) string {
	switch metric {
	case "cpu_us_per_event":
		return "µs"
	case "cpu_seconds":
		return "s"
	}
	return bench.MetricUnit(metric)
}

// fmtMetric formats a measured value of metric with its unit: "220.4ms",
// "0", "1.07".
func fmtMetric(metric string, v float64) string {
	switch u := metricUnit(metric); u {
	case "ms":
		return fmtMs(v) + u
	case "":
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return strconv.FormatFloat(v, 'f', 0, 64)
		}
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64) + u
	}
}
