package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// writeCompareResult writes a one-pattern results file with the given p99
// (ms) and rate, and returns its path.
func writeCompareResult(t *testing.T, name string, p99 float64, rate bench.Rate) string {
	t.Helper()
	sc := &bench.Scenario{
		Name: "gate", Seed: 7, Duration: bench.Duration(10 * time.Second), Subscribers: 1,
		Stream: bench.StreamSpec{Rate: rate}, Patterns: bench.PatternList{{Name: "webhook"}},
	}
	sc.Defaults()
	raw, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	r := &bench.Result{
		Schema: bench.Schema, Tool: bench.Tool{Version: "test"}, Scenario: raw, ThresholdsOK: true,
		Patterns: []bench.PatternResult{{
			Name: "webhook", Valid: true,
			Events:   bench.Events{Published: 100, Expected: 100, Delivered: 100, Unique: 100},
			Latency:  bench.Latency{Count: 100, P50: 2, P90: 3, P99: p99, P999: p99, Max: p99, Mean: 2},
			Overhead: bench.Overhead{Requests: 100, RequestsPerEvent: 1},
		}},
	}
	path := filepath.Join(t.TempDir(), name)
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCompareCommand(t *testing.T) {
	base := writeCompareResult(t, "base.json", 100, 10)
	slower := writeCompareResult(t, "slower.json", 120, 10)
	faster := writeCompareResult(t, "faster.json", 80, 10)
	otherRate := writeCompareResult(t, "rate.json", 100, 20)
	tests := []struct {
		name string
		args []string
		code int
		out  string // in stdout
		err  string // in stderr
	}{
		{"with itself", []string{base, base, "--max-regression", "p99=10%", "--max-regression", "lost=0"}, exitOK, "hookbench compare: pass", ""},
		{"p99 20% higher", []string{base, slower, "--max-regression", "p99=10%"}, exitThresholds, "REGRESSED", ""},
		{"p99 20% higher, 25% allowed", []string{base, slower, "--max-regression", "p99=25%"}, exitOK, "pass", ""},
		{"p99 lower", []string{base, faster, "--max-regression", "p99=0"}, exitOK, "-20.0%", ""},
		{"markdown", []string{base, slower, "--max-regression", "p99=10%", "--format", "md"}, exitThresholds, "### ❌ hookbench compare: FAIL (1 regression)", ""},
		{"no limits never fail", []string{base, slower}, exitOK, "+20.0%", ""},
		{"different scenarios", []string{base, otherRate}, exitUsage, "", `stream.rate (base "10/s", new "20/s")`},
		{"different scenarios forced", []string{base, otherRate, "--force"}, exitOK, "warning: forced: the scenarios differ in stream.rate", ""},
		{"bad limit", []string{base, base, "--max-regression", "p99<10%"}, exitUsage, "", `--max-regression: threshold "p99<10%": expected '='`},
		{"unknown metric", []string{base, base, "--max-regression", "bogus=1%"}, exitUsage, "", `unknown metric "bogus"`},
		{"unknown pattern", []string{base, base, "--max-regression", "websocket: p99=1%"}, exitUsage, "", `unknown pattern "websocket"`},
		{"one file", []string{base}, exitUsage, "", "two results files"},
		{"missing file", []string{base, filepath.Join(t.TempDir(), "nope.json")}, exitUsage, "", "nope.json"},
		{"not a results file", []string{base, "compare.go"}, exitUsage, "", "not a results file"},
		{"bad format", []string{base, base, "--format", "html"}, exitUsage, "", `unknown format "html"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := hookbench(t, context.Background(), append([]string{"compare"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errs)
			}
			if !strings.Contains(out, tt.out) || !strings.Contains(errs, tt.err) {
				t.Errorf("stdout lacks %q or stderr lacks %q\nstdout: %s\nstderr: %s", tt.out, tt.err, out, errs)
			}
			if tt.code == exitUsage && strings.Contains(tt.name, "scenarios") && !strings.Contains(errs, "--force") {
				t.Errorf("a refusal does not mention --force: %s", errs)
			}
		})
	}
}
