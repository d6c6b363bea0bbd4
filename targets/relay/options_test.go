package relay

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookbench/hookbench/scenarios"
	"github.com/hookbench/hookbench/targets/webhook"
	"github.com/hookbench/hookbench/targets/websocket"
)

func TestDefaultOptions(t *testing.T) {
	want := Options{Webhook: webhook.DefaultOptions(), Websocket: websocket.DefaultOptions()}
	if got := DefaultOptions(); got != want {
		t.Errorf("DefaultOptions() = %+v, want %+v", got, want)
	}
	if got := New(Options{}).Options(); got != want {
		t.Errorf("New(Options{}).Options() = %+v, want the defaults", got)
	}
	for _, o := range []Options{{}, DefaultOptions()} {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v, want valid", o, err)
		}
	}
}

func TestValidate(t *testing.T) {
	err := Options{
		Webhook:   webhook.Options{Concurrency: -1, Retry: webhook.Retry{Attempts: -2}},
		Websocket: websocket.Options{ReplayBuffer: -1},
	}.Validate()
	for _, w := range []string{"webhook.concurrency must be", "webhook.retry.attempts must be", "websocket.replay_buffer must be"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Validate: %v, want it to mention %q", err, w)
		}
	}
}

func TestOptionsJSON(t *testing.T) {
	o := DefaultOptions()
	o.Webhook.Concurrency = 1
	o.Websocket.ReplayBuffer = 50
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`"webhook":{"timeout":"2s","concurrency":1,`, `"websocket":{"ping_interval":"5s",`, `"replay_buffer":50`} {
		if !strings.Contains(string(b), w) {
			t.Errorf("encoded %s, want it to hold %s", b, w)
		}
	}
	var back Options
	if err := json.Unmarshal(b, &back); err != nil || back != o {
		t.Errorf("decoded %+v (%v), want %+v", back, err, o)
	}
}

// TestScenarioOptions decodes the pattern's block of a scenario file the
// way the CLI does, and places problems at their keys.
func TestScenarioOptions(t *testing.T) {
	pats := scenarios.Patterns{Name: func() any { o := DefaultOptions(); return &o }}
	const head = "name: t\nduration: 1s\nsubscribers: 1\nstream: {rate: 10/s}\npatterns:\n  webhook+websocket: "
	sc, err := scenarios.Parse("t.yaml", []byte(head+"{webhook: {concurrency: 1}, websocket: {replay_buffer: 100}}\n"), pats)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultOptions()
	want.Webhook.Concurrency = 1
	want.Websocket.ReplayBuffer = 100
	if got := *sc.Patterns[0].Options.(*Options); got != want {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	_, err = scenarios.Parse("t.yaml", []byte(head+"{webhook: {timeout: -1s}, websocket: {send_queue: -1}}\n"), pats)
	for _, w := range []string{"6:42: patterns.webhook+websocket: webhook.timeout must be >= 0", "6:72: patterns.webhook+websocket: websocket.send_queue must be between"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Parse: %v, want a problem %q", err, w)
		}
	}
}
