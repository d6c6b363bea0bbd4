package webhookpolling

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/scenarios"
	"github.com/hookbench/hookbench/targets/webhook"
)

func TestDefaultOptions(t *testing.T) {
	want := Options{
		Webhook:           webhook.DefaultOptions(),
		ReconcileInterval: bench.Duration(2 * time.Second),
		Limit:             100,
		Settle:            bench.Duration(time.Second),
	}
	if got := DefaultOptions(); got != want {
		t.Errorf("DefaultOptions() = %+v, want %+v", got, want)
	}
	for _, o := range []Options{{}, DefaultOptions(), {Settle: -1}} {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v, want valid", o, err)
		}
	}
	if got := New(Options{}).Options(); got != want {
		t.Errorf("New(Options{}).Options() = %+v, want the defaults", got)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []string // substrings of the error
	}{
		{name: "interval", opts: Options{ReconcileInterval: bench.Duration(time.Microsecond)}, want: []string{"reconcile_interval must be >= 1ms", "got 1µs"}},
		{name: "negative interval", opts: Options{ReconcileInterval: -1}, want: []string{"reconcile_interval"}},
		{name: "limit", opts: Options{Limit: 1001}, want: []string{"limit must be between 1 and 1000", "got 1001"}},
		{name: "settle", opts: Options{Settle: bench.Duration(2 * time.Hour)}, want: []string{"settle must be at most 1h0m0s"}},
		// The webhook options' problems carry their block's path, so that
		// a scenario file's error points at the right key.
		{name: "webhook", opts: Options{Webhook: webhook.Options{Concurrency: -1, Retry: webhook.Retry{Attempts: -2}}},
			want: []string{"webhook.concurrency must be", "webhook.retry.attempts must be"}},
		{name: "all at once", opts: Options{Limit: -1, ReconcileInterval: -1, Webhook: webhook.Options{Timeout: -1}},
			want: []string{"limit", "reconcile_interval", "webhook.timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if err == nil {
				t.Fatalf("Validate: nil, want an error about %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate: %q, want it to mention %q", err, w)
				}
			}
		})
	}
}

func TestOptionsJSON(t *testing.T) {
	in := `{"webhook":{"timeout":"1s","concurrency":4,"retry":{"schedule":"exponential","base":"10ms","cap":"1s","attempts":3}},"reconcile_interval":"500ms","limit":50,"settle":"-1ns"}`
	var o Options
	if err := json.Unmarshal([]byte(in), &o); err != nil {
		t.Fatal(err)
	}
	want := Options{
		Webhook: webhook.Options{Timeout: bench.Duration(time.Second), Concurrency: 4,
			Retry: webhook.Retry{Schedule: webhook.Exponential, Base: bench.Duration(10 * time.Millisecond), Cap: bench.Duration(time.Second), Attempts: 3}},
		ReconcileInterval: bench.Duration(500 * time.Millisecond),
		Limit:             50,
		Settle:            -1,
	}
	if o != want {
		t.Errorf("decoded %+v, want %+v", o, want)
	}
	out, err := json.Marshal(o)
	if err != nil || string(out) != in {
		t.Errorf("encoded %s (%v), want %s", out, err, in)
	}
}

// TestScenarioOptions decodes the pattern's block of a scenario file the
// way the CLI does: snake_case keys, the webhook block nested, zero fields
// defaulted, problems reported with their path.
func TestScenarioOptions(t *testing.T) {
	pats := scenarios.Patterns{Name: func() any { o := DefaultOptions(); return &o }}
	const head = "name: t\nduration: 1s\nsubscribers: 1\nstream: {rate: 10/s}\npatterns:\n  webhook+polling: "
	sc, err := scenarios.Parse("t.yaml", []byte(head+"{webhook: {retry: {attempts: 3}}, reconcile_interval: 250ms, settle: 0.5s}\n"), pats)
	if err != nil {
		t.Fatal(err)
	}
	got := *sc.Patterns[0].Options.(*Options)
	want := DefaultOptions()
	want.Webhook.Retry.Attempts = 3
	want.ReconcileInterval = bench.Duration(250 * time.Millisecond)
	want.Settle = bench.Duration(500 * time.Millisecond)
	if got != want {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	_, err = scenarios.Parse("t.yaml", []byte(head+"{limit: 5000, webhook: {concurrency: -1}}\n"), pats)
	for _, w := range []string{"limit must be between 1 and 1000", "webhook.concurrency must be between"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Parse: %v, want a problem %q", err, w)
		}
	}
	_, err = scenarios.Parse("t.yaml", []byte(head+"{interval: 1s}\n"), pats)
	if err == nil || !strings.Contains(err.Error(), "interval: unknown key") {
		t.Errorf("Parse: %v, want interval refused as an unknown key", err)
	}
}
