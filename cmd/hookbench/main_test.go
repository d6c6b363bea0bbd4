package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// hookbench runs the command line in-process and returns its exit code and
// output.
func hookbench(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runContext(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

func readResults(t *testing.T, dir string) *bench.Result {
	t.Helper()
	r, err := bench.ReadResult(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRunWebhookEndToEnd(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := hookbench(t, context.Background(), "run", "compare", "--patterns", "webhook",
		"--duration", "2s", "--rate", "200/s", "--subscribers", "2", "--out", dir, "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if !strings.Contains(out, "webhook") || !strings.Contains(out, filepath.Join(dir, "results.json")) {
		t.Errorf("summary does not show the pattern and the results path:\n%s", out)
	}
	r := readResults(t, dir)
	if len(r.Patterns) != 1 || r.Partial {
		t.Fatalf("patterns %d partial %v", len(r.Patterns), r.Partial)
	}
	p := r.Patterns[0]
	// Poisson arrivals at 200/s for 2s: 400 ± a few sd (20).
	if p.Events.Published < 300 || p.Events.Published > 500 {
		t.Errorf("published %d events, want about 400", p.Events.Published)
	}
	if p.Events.Lost != 0 || p.Events.Unique != p.Events.Expected || p.Events.Expected != 2*p.Events.Published || !p.Valid {
		t.Errorf("events %+v", p.Events)
	}
	if p.Latency.HDR == "" || p.Latency.P50 <= 0 || p.Overhead.Requests < p.Events.Expected || p.Overhead.Bytes == 0 ||
		p.Overhead.Connections == 0 || len(p.Windows) < 2 || p.PublishLag.Max <= 0 {
		t.Errorf("fields not filled: latency %+v overhead %+v windows %d lag %+v", p.Latency, p.Overhead, len(p.Windows), p.PublishLag)
	}
	var sc bench.Scenario
	if err := json.Unmarshal(r.Scenario, &struct {
		Name *string `json:"name"`
		Seed *uint64 `json:"seed"`
	}{&sc.Name, &sc.Seed}); err != nil || sc.Name != "compare" {
		t.Errorf("scenario %s: %v", r.Scenario, err)
	}
}

func TestRunUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"zero rate", []string{"run", "--rate", "0/s"}, "rate"},
		{"bad rate", []string{"run", "--rate", "fast"}, "N/s"},
		{"bad duration", []string{"run", "--duration", "5"}, "duration"},
		{"negative duration", []string{"run", "--duration", "-1s"}, "duration"},
		{"no subscribers", []string{"run", "--subscribers", "0"}, "subscribers"},
		{"unknown pattern", []string{"run", "--patterns", "carrier-pigeon"}, "carrier-pigeon"},
		{"unknown scenario", []string{"run", "nope"}, "nope"},
		{"two scenarios", []string{"run", "a", "b"}, "at most one"},
		{"unknown format", []string{"run", "--format", "pdf"}, "pdf"},
		{"unknown flag", []string{"run", "--frobnicate"}, "frobnicate"},
		{"unknown command", []string{"frobnicate"}, "frobnicate"},
		{"unknown metric", []string{"run", "--threshold", "bogus < 1"}, "bogus"},
		{"unit does not fit", []string{"run", "--threshold", "lost < 5ms"}, "lost"},
		{"threshold on a pattern not run", []string{"run", "-p", "webhook", "--threshold", "polling: p99 < 1s"}, "polling"},
		{"bad set", []string{"run", "--set", "stream.rate=-5/s"}, "--set stream.rate:1:"},
		{"set unknown field", []string{"run", "--set", "stream.colour=red"}, "colour"},
		{"fault without kind", []string{"run", "--fault", "at=1s"}, "kind"},
		{"fault unknown kind", []string{"run", "--fault", "meteor at=1s"}, "meteor"},
		{"fault bad pair", []string{"run", "--fault", "outage at"}, "key=value"},
		{"fault outside the run", []string{"run", "-d", "2s", "--fault", "outage at=5s for=1s"}, "outside"},
		{"fault bad unit", []string{"run", "--fault", "outage at=5 for=1s"}, "at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := hookbench(t, context.Background(), append(tt.args, "--out", t.TempDir())...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr: %s", code, exitUsage, errs)
			}
			if !strings.Contains(errs, tt.want) || strings.Contains(errs, "goroutine") {
				t.Errorf("stderr does not say what to fix (%q):\n%s", tt.want, errs)
			}
			if n := strings.Count(strings.TrimSpace(errs), "\n"); n > 4 {
				t.Errorf("error is %d lines long:\n%s", n+1, errs)
			}
		})
	}
}

func TestRunInterruptedWritesPartialResults(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	start := time.Now()
	code, out, errs := hookbench(t, ctx, "run", "--duration", "30s", "--rate", "50/s", "--out", dir)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 130\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("interrupt took %v to stop the run", el)
	}
	r := readResults(t, dir)
	if !r.Partial || len(r.Patterns) != 1 || !r.Patterns[0].Partial {
		t.Fatalf("results not marked partial: partial=%v patterns=%d", r.Partial, len(r.Patterns))
	}
	if !strings.Contains(out, "partial") {
		t.Errorf("stdout does not say the results are partial:\n%s", out)
	}
}

func TestRunThresholds(t *testing.T) {
	tests := []struct {
		expr string
		code int
	}{
		{"p99 < 1us", exitThresholds},
		{"lost == 0", exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			dir := t.TempDir()
			code, out, errs := hookbench(t, context.Background(), "run", "-p", "webhook", "--duration", "1s", "--rate", "100/s",
				"--subscribers", "1", "--out", dir, "--threshold", tt.expr, "--format", "json,junit")
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errs)
			}
			r := readResults(t, dir)
			var v *bench.Verdict
			for i, got := range r.Patterns[0].Thresholds {
				if got.Expr == tt.expr {
					v = &r.Patterns[0].Thresholds[i]
				}
			}
			if v == nil || v.OK != (tt.code == exitOK) || r.ThresholdsOK != v.OK {
				t.Fatalf("verdicts %+v, thresholds_ok %v", r.Patterns[0].Thresholds, r.ThresholdsOK)
			}
			junit, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.code == exitThresholds {
				if v.Value <= 0.001 {
					t.Errorf("failing verdict carries value %v, want the measured p99", v.Value)
				}
				if !strings.Contains(string(junit), "<failure") || !strings.Contains(string(junit), strconv.FormatFloat(v.Value, 'f', -1, 64)[:3]) {
					t.Errorf("junit.xml has no failure with the measured value %v:\n%s", v.Value, junit)
				}
			} else if strings.Contains(string(junit), "<failure") {
				t.Errorf("junit.xml has a failure on a passing run:\n%s", junit)
			}
		})
	}
}

func TestRunOverridesAndReplay(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := hookbench(t, context.Background(), "run", "-p", "webhook", "-d", "2s", "--subscribers", "1",
		"--set", "stream.rate=5/s", "--set", "stream.arrival=constant", "--set", "patterns.webhook.retry.attempts=1",
		"--fault", "errors p=1 at=1s for=500ms", "--out", dir, "--format", "json")
	if code != exitThresholds { // compare's 'lost == 0' fails: 3 are lost
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	r := readResults(t, dir)
	p := r.Patterns[0]
	// 5/s constant for 2s: seq 0..9 due every 200ms; those due in [1s, 1.5s)
	// (seq 5, 6, 7) meet a 503 and, with one attempt, are lost.
	if p.Events.Published != 10 || p.Events.Lost != 3 || len(p.Faults) != 1 || p.Faults[0].Kind != "errors" {
		t.Fatalf("events %+v faults %+v: --set and --fault did not reach the run", p.Events, p.Faults)
	}

	// The recorded scenario re-runs to the same stream and faults.
	dir2 := t.TempDir()
	code, out, errs = hookbench(t, context.Background(), "run", filepath.Join(dir, "results.json"), "--out", dir2, "--format", "json")
	if code != exitThresholds {
		t.Fatalf("re-run: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	q := readResults(t, dir2).Patterns[0]
	if q.Events != p.Events {
		t.Fatalf("re-run events %+v, first run %+v", q.Events, p.Events)
	}

	code, out, errs = hookbench(t, context.Background(), "run", "--from", filepath.Join(dir, "results.json"), "--dry-run")
	if code != exitOK || !strings.Contains(out, "rate: 5/s") || !strings.Contains(out, "kind: errors") {
		t.Fatalf("dry run: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := hookbench(t, context.Background(), "version")
	if code != exitOK || !strings.HasPrefix(out, "hookbench ") {
		t.Fatalf("exit %d: %q", code, out)
	}
}

func TestMain(m *testing.M) {
	// Runs write into hookbench-out only when a test forgets --out; keep
	// the package directory clean either way.
	code := m.Run()
	os.RemoveAll("hookbench-out")
	os.Exit(code)
}
