package bench

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cloneResult deep-copies r through JSON.
func cloneResult(t *testing.T, r *Result) *Result {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var c Result
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// editScenario returns r with its scenario changed by edit.
func editScenario(t *testing.T, r *Result, edit func(sc map[string]any)) *Result {
	t.Helper()
	c := cloneResult(t, r)
	var sc map[string]any
	if err := json.Unmarshal(c.Scenario, &sc); err != nil {
		t.Fatal(err)
	}
	edit(sc)
	raw, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	c.Scenario = raw
	return c
}

func mustRegressions(t *testing.T, exprs ...string) []Regression {
	t.Helper()
	gs, err := ParseRegressions(exprs)
	if err != nil {
		t.Fatal(err)
	}
	return gs
}

// rowOf returns the row of metric in pattern.
func rowOf(t *testing.T, c *Comparison, pattern, metric string) ComparisonRow {
	t.Helper()
	for _, p := range c.Patterns {
		if p.Name != pattern {
			continue
		}
		for _, r := range p.Rows {
			if r.Metric == metric {
				return r
			}
		}
	}
	t.Fatalf("no row %s/%s", pattern, metric)
	return ComparisonRow{}
}

func TestCompareWithItself(t *testing.T) {
	r := readFixture(t)
	c, err := Compare(r, r, mustRegressions(t, "p99=10%", "lost=0", "requests_per_event=5%", "valid=0", "cpu_us_per_event=0"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !c.OK || c.Regressions != 0 || len(c.Problems) != 0 || c.Forced {
		t.Fatalf("comparison = %+v", c)
	}
	if len(c.Patterns) != 2 || len(c.Patterns[0].Rows) != len(comparedMetrics()) {
		t.Fatalf("patterns %+v", c.Patterns)
	}
	row := rowOf(t, c, "webhook", "p99")
	if *row.Base != 327.679 || *row.New != 327.679 || *row.Change != 0 || row.Limit != "10%" || row.Verdict != CompareOK || row.Worse {
		t.Errorf("p99 row = %+v", row)
	}
	if row := rowOf(t, c, "webhook", "out_of_order"); row.Limit != "" || row.Verdict != "" {
		t.Errorf("unlimited row = %+v", row)
	}
}

func TestCompareRegression(t *testing.T) {
	base := readFixture(t)
	next := cloneResult(t, base)
	for i := range next.Patterns {
		next.Patterns[i].Latency.P99 *= 1.2
	}
	next.Patterns[0].Events.Lost = 6                   // one more
	next.Patterns[1].Overhead.RequestsPerEvent = 2.099 // +4.95%
	tests := []struct {
		name        string
		limits      []string
		regressions int
		regressed   []string // pattern/metric
	}{
		{"p99 up 20% against 10%", []string{"p99=10%"}, 2, []string{"webhook/p99", "polling/p99"}},
		{"p99 up 20% against 25%", []string{"p99=25%"}, 0, nil},
		{"p99 up 20% against 20%", []string{"p99=20%"}, 0, nil},
		{"absolute latency limit", []string{"p99=100ms"}, 1, []string{"polling/p99"}},
		{"a pattern's limit wins", []string{"p99=10%", "polling: p99=30%"}, 1, []string{"webhook/p99"}},
		{"no more lost events", []string{"lost=0"}, 1, []string{"webhook/lost"}},
		{"one more lost event allowed", []string{"lost=1"}, 0, nil},
		{"relative on a zero base", []string{"polling: lost=10%"}, 0, nil},
		{"requests per event", []string{"requests_per_event=5%"}, 0, nil},
		{"requests per event, tight", []string{"requests_per_event=4.9%"}, 1, []string{"polling/requests_per_event"}},
		{"lost rate in points", []string{"lost_rate=0.4"}, 1, []string{"webhook/lost_rate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// lost_rate derives from the events: keep it consistent.
			c, err := Compare(base, next, mustRegressions(t, tt.limits...), false)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range c.Patterns {
				for _, r := range p.Rows {
					if r.Verdict == CompareRegressed {
						got = append(got, p.Name+"/"+r.Metric)
					}
				}
			}
			if c.Regressions != tt.regressions || c.OK != (tt.regressions == 0) || strings.Join(got, " ") != strings.Join(tt.regressed, " ") {
				t.Errorf("regressions %d %v (ok %v), want %d %v", c.Regressions, got, c.OK, tt.regressions, tt.regressed)
			}
		})
	}
}

func TestCompareHigherIsBetter(t *testing.T) {
	base := readFixture(t)
	next := cloneResult(t, base)
	next.Patterns[1].Valid = false
	next.Patterns[1].Events.Unique = 190
	c, err := Compare(base, next, mustRegressions(t, "valid=0", "unique=1%"), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.OK || c.Regressions != 2 {
		t.Errorf("ok %v, %d regressions, want 2", c.OK, c.Regressions)
	}
	if r := rowOf(t, c, "polling", "valid"); r.Verdict != CompareRegressed || !r.Worse || *r.Change != -100 {
		t.Errorf("valid row %+v", r)
	}
	// The reverse is an improvement.
	c, err = Compare(next, base, mustRegressions(t, "valid=0", "unique=1%"), false)
	if err != nil || !c.OK {
		t.Errorf("reverse: %v, %+v", err, c)
	}
}

func TestCompareNoData(t *testing.T) {
	// A latency the new run cannot show fails a limit on it.
	base := readFixture(t)
	next := cloneResult(t, base)
	next.Patterns[0].Latency = Latency{}
	c, err := Compare(base, next, mustRegressions(t, "p99=10%"), false)
	if err != nil {
		t.Fatal(err)
	}
	if r := rowOf(t, c, "webhook", "p99"); r.New != nil || r.Change != nil || r.Verdict != CompareRegressed || c.OK {
		t.Errorf("row %+v ok %v", r, c.OK)
	}
}

func TestCompareScenarios(t *testing.T) {
	base := readFixture(t)
	// Duration, seed and thresholds may differ.
	same := editScenario(t, base, func(sc map[string]any) {
		sc["duration"] = "1m"
		sc["seed"] = 99
		sc["thresholds"] = map[string][]string{"all": {"lost == 0"}}
	})
	c, err := Compare(base, same, nil, false)
	if err != nil || !c.OK || c.Forced || c.New.Seed != 99 || c.New.Duration.String() != "1m0s" {
		t.Fatalf("duration and seed: %v, %+v", err, c)
	}

	other := editScenario(t, base, func(sc map[string]any) {
		sc["subscribers"] = 4
		sc["stream"].(map[string]any)["rate"] = "20/s"
		sc["faults"] = []map[string]any{{"kind": "outage", "at": "1s"}}
		delete(sc["patterns"].(map[string]any), "polling")
	})
	_, err = Compare(base, other, nil, false)
	var mismatch *ScenarioMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("error = %v, want *ScenarioMismatchError", err)
	}
	want := []ScenarioDifference{
		{Field: "faults", New: `[{"at":"10% of the run","kind":"outage"}]`},
		{Field: "patterns.polling", Base: "{}"},
		{Field: "stream.rate", Base: `"10/s"`, New: `"20/s"`},
		{Field: "subscribers", Base: "2", New: "4"},
	}
	got, _ := json.Marshal(mismatch.Differences)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		t.Errorf("differences\n got %s\nwant %s", got, exp)
	}
	if !strings.Contains(err.Error(), `stream.rate (base "10/s", new "20/s")`) || !strings.Contains(err.Error(), "subscribers (base 2, new 4)") {
		t.Errorf("error text: %v", err)
	}

	c, err = Compare(base, other, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Forced || len(c.Differences) != 4 || !c.OK {
		t.Errorf("forced: %+v", c)
	}
}

func TestCompareMissingPattern(t *testing.T) {
	base := readFixture(t)
	next := cloneResult(t, base)
	next.Patterns = next.Patterns[:1]
	next.Partial = true
	c, err := Compare(base, next, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.OK || len(c.Problems) != 2 || c.Patterns[1].Missing != "new" {
		t.Errorf("comparison %+v", c)
	}
	// A pattern without a baseline is only a warning.
	c, err = Compare(next, base, nil, false)
	if err != nil || len(c.Warnings) != 2 || c.Patterns[1].Missing != "base" || !c.OK {
		t.Errorf("reverse: %v %+v", err, c)
	}
}

func TestCompareUnknownLimitPattern(t *testing.T) {
	r := readFixture(t)
	_, err := Compare(r, r, mustRegressions(t, "websockt: p99=10%"), false)
	var te *ThresholdError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), `unknown pattern "websockt"`) {
		t.Errorf("error = %v", err)
	}
}

func TestParseRegression(t *testing.T) {
	tests := []struct {
		expr string
		want Regression
	}{
		{"p99=10%", Regression{Pattern: "all", Metric: "p99", Relative: true, Limit: 10}},
		{" lost = 0 ", Regression{Pattern: "all", Metric: "lost", Limit: 0}},
		{"requests_per_event=5%", Regression{Pattern: "all", Metric: "requests_per_event", Relative: true, Limit: 5}},
		{"p99=5ms", Regression{Pattern: "all", Metric: "p99", Limit: 5}},
		{"p999=1s", Regression{Pattern: "all", Metric: "p999", Limit: 1000}},
		{"max=500us", Regression{Pattern: "all", Metric: "max", Limit: 0.5}},
		{"p50=2", Regression{Pattern: "all", Metric: "p50", Limit: 2}},
		{"lost_rate=0.5", Regression{Pattern: "all", Metric: "lost_rate", Limit: 0.5}},
		{"lost_rate=10%", Regression{Pattern: "all", Metric: "lost_rate", Relative: true, Limit: 10}},
		{"webhook: retries=20%", Regression{Pattern: "webhook", Metric: "retries", Relative: true, Limit: 20}},
		{"valid=0", Regression{Pattern: "all", Metric: "valid", Limit: 0}},
	}
	for _, tt := range tests {
		got, err := ParseRegression(tt.expr)
		tt.want.Expr = strings.TrimSpace(tt.expr)
		if err != nil || got != tt.want {
			t.Errorf("ParseRegression(%q) = %+v, %v; want %+v", tt.expr, got, err, tt.want)
		}
	}
}

func TestParseRegressionErrors(t *testing.T) {
	tests := []struct {
		expr   string
		offset int
		reason string
	}{
		{"bogus=1%", 0, `unknown metric "bogus"`},
		{"p99", 3, "expected '=' and a limit after p99"},
		{"p99 < 10%", 4, "expected '='"},
		{"p99==10%", 3, "expected '='"},
		{"p99=", 4, "expected a limit"},
		{"p99=-5%", 4, "limit must be a number >= 0"},
		{"p99=10x", 6, `unit "x" does not fit p99`},
		{"lost=5ms", 6, `unit "ms" does not fit lost, a count: it takes no unit (or % for a relative limit)`},
		{"lost_rate=1ms", 11, `unit "ms" does not fit lost_rate`},
		{"p99=10% more", 8, "unexpected 'm' after the limit"},
		{"published=10%", 0, "published describes the workload"},
		{"webhook: delivered=0", 9, "delivered describes the workload"},
		{"p99[10s]=10%", 3, "expected '='"},
	}
	for _, tt := range tests {
		_, err := ParseRegression(tt.expr)
		var te *ThresholdError
		if !errors.As(err, &te) || te.Offset != tt.offset || !strings.Contains(te.Reason, tt.reason) {
			t.Errorf("ParseRegression(%q) = %v; want offset %d and %q", tt.expr, err, tt.offset, tt.reason)
		}
	}
	_, err := ParseRegressions([]string{"p99=10%", "p99=5%", "webhook: p99=5%", "bogus=1"})
	if err == nil || !strings.Contains(err.Error(), `p99 is already limited by "p99=10%"`) || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("ParseRegressions error = %v", err)
	}
}

func TestComparisonRendering(t *testing.T) {
	base := readFixture(t)
	next := editScenario(t, base, func(sc map[string]any) { sc["seed"] = 8; sc["drain"] = "5s" })
	next.Tool.Version = "fixture-2"
	for i := range next.Patterns {
		next.Patterns[i].Latency.P99 *= 1.2
	}
	next.Patterns[0].Events.Lost = 6
	c, err := Compare(base, next, mustRegressions(t, "p99=10%", "lost=0", "requests_per_event=5%", "webhook: retries=0"), true)
	if err != nil {
		t.Fatal(err)
	}
	c.BaseName, c.NewName = "base.json", "new.json"
	for name, got := range map[string]string{"compare.txt": c.Text(), "compare.md": c.Markdown()} {
		path := filepath.Join("testdata", "thresholds", name)
		if *updateFixtures {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s differs (run with -update to accept):\n%s", name, got)
		}
	}
}

func TestCompareScaledFaults(t *testing.T) {
	// --duration moves faults with the run: 2s..3s of 10s is 4s..6s of 20s.
	withFault := func(d, at, dur string) *Result {
		return editScenario(t, readFixture(t), func(sc map[string]any) {
			sc["duration"] = d
			sc["faults"] = []map[string]any{{"kind": "outage", "at": at, "for": dur}}
		})
	}
	if _, err := Compare(withFault("10s", "2s", "1s"), withFault("20s", "4s", "2s"), nil, false); err != nil {
		t.Fatalf("a scaled run is refused: %v", err)
	}
	_, err := Compare(withFault("10s", "2s", "1s"), withFault("20s", "2s", "1s"), nil, false)
	var mismatch *ScenarioMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("a fault at another point of the run is accepted: %v", err)
	}
}
