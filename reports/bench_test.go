package reports

import (
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// longSpec is an hour-long run of five patterns: 3600 one-second windows
// each, every window with its own histogram.
func longSpec() synthSpec {
	spec := fixtureSpec()
	spec.scenario.Name = "hour"
	spec.scenario.Duration = bench.Duration(time.Hour)
	spec.scenario.Subscribers = 1
	spec.scenario.Stream.Rate = 5
	spec.scenario.Faults = []bench.FaultSpec{{Kind: bench.FaultOutage, At: bench.Duration(30 * time.Minute), For: bench.Duration(time.Minute)}}
	relay := spec.patterns[0]
	relay.name = "webhook+polling"
	spec.patterns = append(spec.patterns, relay)
	return spec
}

// BenchmarkRenderAll writes every format (results.json, Markdown, HTML,
// JUnit, text, five PNG and five SVG plots) for five patterns x 3600
// windows.
func BenchmarkRenderAll(b *testing.B) {
	r := synthResult(b, longSpec())
	if n := len(r.Patterns[0].Windows); n < 3600 {
		b.Fatalf("%d windows, want 3600", n)
	}
	dir := b.TempDir()
	formats := FormatNames()
	for b.Loop() {
		if _, err := WriteAll(dir, r, formats); err != nil {
			b.Fatal(err)
		}
	}
}
