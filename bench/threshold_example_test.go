package bench_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hookbench/hookbench/bench"
)

func ExampleParseThreshold() {
	t, err := bench.ParseThreshold("websocket: p99[10s] < 0.2s")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s %s over %v %s %g%s\n", t.Pattern, t.Metric, t.Window, t.Op, t.Value, bench.MetricUnit(t.Metric))

	_, err = bench.ParseThreshold("lost < 5ms")
	fmt.Println(err)
	// Output:
	// websocket p99 over 10s < 200ms
	// threshold "lost < 5ms": unit "ms" does not fit lost, a count: it takes no unit
	//   lost < 5ms
	//           ^
}

func ExampleEvaluate() {
	r, err := bench.ReadResult("testdata/thresholds/results.json")
	if err != nil {
		panic(err)
	}
	ths, err := bench.ParseThresholds(map[string][]string{"all": {"lost == 0"}}, []string{"webhook: p99[1s] < 100ms"})
	if err != nil {
		panic(err)
	}
	if err := bench.Evaluate(r, ths); err != nil {
		panic(err)
	}
	for _, p := range r.Patterns {
		for _, v := range p.Thresholds {
			mark := "✓"
			if !v.OK {
				mark = "✗"
			}
			fmt.Printf("%s %-8s %-26s %g", mark, p.Name, v.Expr, v.Value)
			if v.Window != nil {
				fmt.Printf(" (first failing window at %gs)", *v.Window)
			}
			fmt.Println()
		}
	}
	fmt.Println("thresholds_ok:", r.ThresholdsOK)
	// Output:
	// ✗ webhook  lost == 0                  5
	// ✗ webhook  webhook: p99[1s] < 100ms   327.679 (first failing window at 3s)
	// ✓ polling  lost == 0                  0
	// thresholds_ok: false
}

// BenchmarkEvaluateWindowed judges windowed percentiles over an hour of 1s
// windows.
func BenchmarkEvaluateWindowed(b *testing.B) {
	r, err := bench.ReadResult("testdata/thresholds/results.json")
	if err != nil {
		b.Fatal(err)
	}
	ws := r.Patterns[0].Windows
	var hour []bench.Window
	for len(hour) < 3600 {
		for _, w := range ws {
			w.T = float64(len(hour))
			hour = append(hour, w)
		}
	}
	r.Patterns = slices.Clip(r.Patterns[:1])
	r.Patterns[0].Windows = hour
	ths, err := bench.ParseThresholds(nil, []string{"p99[1m] < 100ms", "p50[10s] < 10ms", "lost[30s] == 0"})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := bench.Evaluate(r, ths); err != nil {
			b.Fatal(err)
		}
	}
}
