package bench

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

func mustThresholds(t *testing.T, exprs ...string) []Threshold {
	t.Helper()
	ths, err := ParseThresholds(nil, exprs)
	if err != nil {
		t.Fatal(err)
	}
	return ths
}

func at(s float64) *float64 { return &s }

func TestEvaluateFixture(t *testing.T) {
	r := readFixture(t)
	ths := mustThresholds(t,
		"lost == 0",
		"lost_rate < 1%",
		"duplicate_rate < 1%",
		"out_of_order_rate <= 2.5",
		"p99 < 400ms",
		"valid == 1",
		"requests_per_event <= 1.1",
		"publish_lag_p99 < 1ms",
		"unexpected == 0",
		"polling: empty_polls < 100",
		"webhook: duplicates <= 1",
		"webhook: p99[1s] < 100ms",
		"webhook: p99[2s] < 100ms",
		"webhook: p50[1s] < 100ms",
		// Over 2s spans the slow window 3 is never the majority.
		"webhook: p50[2s] < 100ms",
		"webhook: lost[1s] == 0",
		// The first 5s span holding window 6 starts at 2s.
		"webhook: lost[5s] == 0",
		"webhook: lost_rate[1s] < 1%",
		"webhook: duplicates[1s] == 0",
		// The drain windows 10 and 11 publish nothing.
		"webhook: published[1s] >= 10",
		"webhook: expected[1s] == 20",
		"webhook: max[1s] < 300ms",
		"webhook: unique[1s] <= 26",
		// Longer than the run: one span of every window.
		"webhook: p99[20s] < 1s",
		"polling: p99[1s] < 100ms",
		"polling: lost[3s] == 0",
	)
	if err := Evaluate(r, ths); err != nil {
		t.Fatal(err)
	}
	want := map[string][]Verdict{
		"webhook": {
			{Expr: "lost == 0", OK: false, Value: 5},
			{Expr: "lost_rate < 1%", OK: false, Value: 2.5},
			{Expr: "duplicate_rate < 1%", OK: true, Value: 100.0 / 196},
			{Expr: "out_of_order_rate <= 2.5", OK: false, Value: 500.0 / 195},
			{Expr: "p99 < 400ms", OK: true, Value: 327.679},
			{Expr: "valid == 1", OK: false, Value: 0},
			{Expr: "requests_per_event <= 1.1", OK: true, Value: 210.0 / 195},
			{Expr: "publish_lag_p99 < 1ms", OK: true, Value: 0.01},
			{Expr: "unexpected == 0", OK: true, Value: 0},
			{Expr: "webhook: duplicates <= 1", OK: true, Value: 1},
			{Expr: "webhook: p99[1s] < 100ms", OK: false, Value: 327.679, Window: at(3)},
			{Expr: "webhook: p99[2s] < 100ms", OK: false, Value: 327.679, Window: at(2)},
			{Expr: "webhook: p50[1s] < 100ms", OK: false, Value: 327.679, Window: at(3)},
			{Expr: "webhook: p50[2s] < 100ms", OK: true, Value: 2.047},
			{Expr: "webhook: lost[1s] == 0", OK: false, Value: 5, Window: at(6)},
			{Expr: "webhook: lost[5s] == 0", OK: false, Value: 5, Window: at(2)},
			{Expr: "webhook: lost_rate[1s] < 1%", OK: false, Value: 25, Window: at(6)},
			{Expr: "webhook: duplicates[1s] == 0", OK: false, Value: 1, Window: at(7)},
			// Due-time counts are judged over the publishing windows only
			// (the fixture publishes 10 events a second for 10 s; its
			// drain window holds none).
			{Expr: "webhook: published[1s] >= 10", OK: true, Value: 10},
			{Expr: "webhook: expected[1s] == 20", OK: true, Value: 20},
			{Expr: "webhook: max[1s] < 300ms", OK: false, Value: 327.679, Window: at(3)},
			{Expr: "webhook: unique[1s] <= 26", OK: true, Value: 26},
			{Expr: "webhook: p99[20s] < 1s", OK: true, Value: 327.679},
		},
		"polling": {
			{Expr: "lost == 0", OK: true, Value: 0},
			{Expr: "lost_rate < 1%", OK: true, Value: 0},
			{Expr: "duplicate_rate < 1%", OK: true, Value: 0},
			{Expr: "out_of_order_rate <= 2.5", OK: true, Value: 0},
			{Expr: "p99 < 400ms", OK: false, Value: 524.287},
			{Expr: "valid == 1", OK: true, Value: 1},
			{Expr: "requests_per_event <= 1.1", OK: false, Value: 2},
			{Expr: "publish_lag_p99 < 1ms", OK: true, Value: 0.01},
			{Expr: "unexpected == 0", OK: true, Value: 0},
			{Expr: "polling: empty_polls < 100", OK: true, Value: 50},
			{Expr: "polling: p99[1s] < 100ms", OK: false, Value: 524.287, Window: at(0)},
			{Expr: "polling: lost[3s] == 0", OK: true, Value: 0},
		},
	}
	for _, p := range r.Patterns {
		got, _ := json.Marshal(p.Thresholds)
		exp, _ := json.Marshal(want[p.Name])
		if string(got) != string(exp) {
			t.Errorf("%s verdicts:\n got %s\nwant %s", p.Name, got, exp)
		}
	}
	if r.ThresholdsOK {
		t.Error("ThresholdsOK = true, want false")
	}
}

func TestEvaluatePasses(t *testing.T) {
	r := readFixture(t)
	r.ThresholdsOK = false
	if err := Evaluate(r, mustThresholds(t, "unexpected == 0", "polling: lost[2s] == 0", "webhook: p50[2s] < 10ms")); err != nil {
		t.Fatal(err)
	}
	if !r.ThresholdsOK {
		t.Errorf("ThresholdsOK = false, want true: %+v %+v", r.Patterns[0].Thresholds, r.Patterns[1].Thresholds)
	}
	// Evaluate replaces earlier verdicts.
	if err := Evaluate(r, nil); err != nil || !r.ThresholdsOK || len(r.Patterns[0].Thresholds) != 0 {
		t.Errorf("Evaluate(nil) = %v, ok %v, %d verdicts", err, r.ThresholdsOK, len(r.Patterns[0].Thresholds))
	}
}

func TestEvaluateWindowedMatchesWindows(t *testing.T) {
	// Over one window the merged histogram is that window's own.
	r := readFixture(t)
	for i, w := range r.Patterns[0].Windows {
		if w.Count == 0 {
			continue
		}
		one := r.Patterns[0].Windows[i : i+1]
		lat := func() (*windowLatencies, error) { return decodeWindowLatencies(one) }
		h, err := hdrhistogram.Decode([]byte(w.HDR))
		if err != nil {
			t.Fatal(err)
		}
		for metric, want := range map[string]float64{
			"p50": w.P50, "p99": w.P99, "max": w.Max,
			"p90":  usToMs(h.ValueAtQuantile(90)),
			"p999": usToMs(h.ValueAtQuantile(99.9)),
			"mean": math.Round(h.Mean()) / 1000,
		} {
			spans, err := windowSpans(one, 1, 2, mustMetric(t, metric), lat)
			if err != nil || len(spans) != 1 || spans[0].v != want || spans[0].t != w.T {
				t.Errorf("window %d: %s spans %+v, %v; want %v at %v", i, metric, spans, err, want, w.T)
			}
		}
	}
}

func mustMetric(t *testing.T, name string) metricDef {
	t.Helper()
	m, ok := lookupMetric(name)
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	return m
}

func TestEvaluateNoDataFails(t *testing.T) {
	// Nothing delivered: latencies are undefined, and that is no pass.
	r := &Result{Schema: Schema, Patterns: []PatternResult{{Name: "webhook", Events: Events{Published: 10, Expected: 10, Lost: 10}}}}
	if err := Evaluate(r, mustThresholds(t, "p99 < 1s", "p99[1s] < 1s", "lost[1s] == 0", "publish_lag_max < 1s")); err != nil {
		t.Fatal(err)
	}
	want := []Verdict{
		{Expr: "p99 < 1s"}, {Expr: "p99[1s] < 1s"}, {Expr: "lost[1s] == 0"},
		{Expr: "publish_lag_max < 1s", OK: true},
	}
	got, _ := json.Marshal(r.Patterns[0].Thresholds)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) || r.ThresholdsOK {
		t.Errorf("verdicts %s, ok %v; want %s, false", got, r.ThresholdsOK, exp)
	}
}

func TestEvaluateConfigErrors(t *testing.T) {
	r := readFixture(t)
	ths := mustThresholds(t, "websockt: p99 < 1", "p99[1500ms] < 1", "lost == 0")
	err := Evaluate(r, ths)
	var te *ThresholdError
	if !errors.As(err, &te) {
		t.Fatalf("Evaluate error = %v, want *ThresholdError", err)
	}
	for _, want := range []string{`unknown pattern "websockt" (patterns: polling webhook)`, "window 1.5s is not a multiple of the run's 1s windows"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if r.ThresholdsOK {
		t.Error("ThresholdsOK = true despite unusable thresholds")
	}
	// The usable threshold is still judged.
	if v := r.Patterns[1].Thresholds; len(v) != 1 || v[0].Expr != "lost == 0" || !v[0].OK {
		t.Errorf("polling verdicts = %+v", v)
	}
}

func TestEvaluateCorruptHistogram(t *testing.T) {
	r := readFixture(t)
	r.Patterns[0].Windows[3].HDR = "not base64!"
	err := Evaluate(r, mustThresholds(t, "webhook: p99[1s] < 1s"))
	if err == nil || !strings.Contains(err.Error(), "window at 3s: decode histogram") {
		t.Errorf("error = %v", err)
	}
	if v := r.Patterns[0].Thresholds; len(v) != 1 || v[0].OK || r.ThresholdsOK {
		t.Errorf("verdicts %+v ok %v, want one failure", v, r.ThresholdsOK)
	}
}

func TestParseThresholds(t *testing.T) {
	ths, err := ParseThresholds(map[string][]string{
		"websocket": {"p99 < 50ms", "websocket: lost == 0"},
		"all":       {"lost == 0", "unexpected == 0"},
		"polling":   {"empty_polls < 10"},
	}, []string{"webhook: retries < 5", "lost == 0", "websocket: lost == 0"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, th := range ths {
		got = append(got, th.Pattern+" | "+th.Expr)
	}
	want := []string{
		"all | lost == 0", "all | unexpected == 0", "polling | empty_polls < 10",
		"websocket | p99 < 50ms", "websocket | websocket: lost == 0", "webhook | webhook: retries < 5",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ParseThresholds =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseThresholdsReportsEveryError(t *testing.T) {
	_, err := ParseThresholds(map[string][]string{
		"webhook": {"lost < 5ms", "polling: lost == 0", "all: lost == 0"},
		"":        {"lost == 0"},
	}, []string{"bogus < 1", "p99 < 1"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`thresholds.webhook[0]: threshold "lost < 5ms": unit "ms" does not fit lost`,
		`thresholds.webhook[1]: threshold "polling: lost == 0": names pattern polling but is listed under webhook`,
		`thresholds.webhook[2]: threshold "all: lost == 0": names pattern all but is listed under webhook`,
		`listed under an empty pattern name`,
		`threshold "bogus < 1": unknown metric "bogus"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 5 {
		t.Errorf("%d errors, want 5", n)
	}
}

func TestCheckThresholds(t *testing.T) {
	ths, err := ParseThresholds(map[string][]string{"websockt": {"p99 < 1"}}, []string{"webhok: lost == 0", "lost[3s] == 0", "lost[2500ms] == 0"})
	if err != nil {
		t.Fatal(err)
	}
	err = CheckThresholds(ths, []string{"webhook", "websocket"}, time.Second)
	for _, want := range []string{
		`threshold "p99 < 1": unknown pattern "websockt"; did you mean websocket? (the threshold is listed under it in the scenario)`,
		"threshold \"webhok: lost == 0\": unknown pattern \"webhok\"; did you mean webhook?\n  webhok: lost == 0\n  ^",
		"threshold \"lost[2500ms] == 0\": window 2.5s is not a multiple of the run's 1s windows\n  lost[2500ms] == 0\n       ^",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckThresholds error lacks %q:\n%v", want, err)
		}
	}
	if err := CheckThresholds(ths[2:3], nil, 500*time.Millisecond); err != nil {
		t.Errorf("lost[3s] on 500ms windows: %v", err)
	}
}

func TestEvaluateWindowsOfAnotherLayout(t *testing.T) {
	// A window histogram with other bounds and precision is re-bucketed
	// into the layout of the first one.
	r := readFixture(t)
	h := hdrhistogram.New(1, 3_600_000_000, 3)
	for range 26 {
		if err := h.RecordValue(2047); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	r.Patterns[0].Windows[4].HDR = string(enc)
	if err := Evaluate(r, mustThresholds(t, "webhook: p99[2s] < 100ms", "webhook: p50[1s] < 100ms")); err != nil {
		t.Fatal(err)
	}
	v := r.Patterns[0].Thresholds
	if len(v) != 2 || v[0].OK || *v[0].Window != 2 || v[1].OK || *v[1].Window != 3 {
		t.Fatalf("verdicts %+v", v)
	}
	// Window 4 now holds only fast deliveries: the span 4-5 passes.
	spans, err := windowSpans(r.Patterns[0].Windows, 2, 2, mustMetric(t, "p99"), func() (*windowLatencies, error) {
		return decodeWindowLatencies(r.Patterns[0].Windows)
	})
	if err != nil || spans[4].t != 4 || spans[4].v != 2.047 {
		t.Errorf("span at 4 = %+v, %v", spans[4], err)
	}
}

func TestEvaluatePartialResult(t *testing.T) {
	// The run was interrupted before polling ran: its thresholds fail,
	// and that is no configuration error.
	r := readFixture(t)
	r.Partial = true
	r.Patterns = r.Patterns[:1]
	if err := Evaluate(r, mustThresholds(t, "unexpected == 0", "polling: lost == 0")); err != nil {
		t.Fatal(err)
	}
	if r.ThresholdsOK || len(r.Patterns[0].Thresholds) != 1 || !r.Patterns[0].Thresholds[0].OK {
		t.Errorf("ok %v, verdicts %+v", r.ThresholdsOK, r.Patterns[0].Thresholds)
	}
}

func TestJudgeOperators(t *testing.T) {
	// Spans with values 1, 3, 2: which hold, the worst value, and the
	// first failing span, for every operator.
	spans := []spanValue{{t: 0, v: 1}, {t: 1, v: 3}, {t: 2, v: 2}}
	tests := []struct {
		expr   string
		ok     bool
		worst  float64
		window *float64
	}{
		{"lost[1s] < 3", false, 3, at(1)},
		{"lost[1s] <= 3", true, 3, nil},
		{"lost[1s] > 1", false, 1, at(0)},
		{"lost[1s] >= 1", true, 1, nil},
		{"lost[1s] == 2", false, 1, at(0)}, // 1 and 3 are as far from 2: the first is kept
		{"lost[1s] != 3", false, 3, at(1)},
		{"lost[1s] != 5", true, 3, nil},
	}
	for _, tt := range tests {
		th, err := ParseThreshold(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		got := judge(th, spans)
		want := Verdict{Expr: tt.expr, OK: tt.ok, Value: tt.worst, Window: tt.window}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("%s: %s, want %s", tt.expr, g, w)
		}
	}
}

func TestWindowedPercentileNeverExceedsMax(t *testing.T) {
	l := newTestLedger(t, 1, 1000, 1) // due at 0..999 ms: one window
	for s := uint64(0); s < 1000; s++ {
		deliver(l, 0, s, 0, 199900*time.Microsecond)
	}
	r := &Result{
		Scenario: json.RawMessage(`{"window":"1s","duration":"1s","subscribers":1,"patterns":{"chan":{}}}`),
		Patterns: []PatternResult{{Name: "chan", Events: l.Counts(), Windows: l.Windows(1100 * time.Millisecond)}},
	}
	th, err := ParseThreshold("p99[1s] < 200ms")
	if err != nil {
		t.Fatal(err)
	}
	if err := Evaluate(r, []Threshold{th}); err != nil {
		t.Fatal(err)
	}
	if v := r.Patterns[0].Thresholds[0]; !v.OK || v.Value > 199.9 {
		t.Fatalf("every latency is 199.9ms, yet %+v", v)
	}
}
