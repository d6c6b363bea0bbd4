package websocket

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/scenarios"
)

func TestDefaultOptions(t *testing.T) {
	want := Options{
		PingInterval: bench.Duration(5 * time.Second),
		PongTimeout:  bench.Duration(3 * time.Second),
		WriteTimeout: bench.Duration(5 * time.Second),
		ReplayBuffer: 10000,
		SendQueue:    256,
		BackoffBase:  bench.Duration(100 * time.Millisecond),
		BackoffCap:   bench.Duration(5 * time.Second),
	}
	if got := DefaultOptions(); got != want {
		t.Errorf("DefaultOptions() = %+v, want %+v", got, want)
	}
	if err := (Options{}).Validate(); err != nil {
		t.Errorf("zero Options: %v, want valid (every field defaults)", err)
	}
	if err := DefaultOptions().Validate(); err != nil {
		t.Errorf("DefaultOptions: %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []string // substrings of the error; none for valid options
	}{
		{name: "zero", opts: Options{}},
		{name: "negative durations", opts: Options{PingInterval: -1, PongTimeout: -1, WriteTimeout: -1}, want: []string{"ping_interval", "pong_timeout", "write_timeout"}},
		{name: "negative sizes", opts: Options{ReplayBuffer: -1, SendQueue: -5}, want: []string{"replay_buffer", "got -1", "send_queue", "got -5"}},
		{name: "huge buffer", opts: Options{ReplayBuffer: maxQueue + 1}, want: []string{"replay_buffer"}},
		{name: "base above cap", opts: Options{BackoffBase: bench.Duration(time.Second), BackoffCap: bench.Duration(time.Millisecond)}, want: []string{"backoff_base (1s) must not exceed backoff_cap (1ms)"}},
		// The default cap (5s) applies when only the base is set.
		{name: "base above default cap", opts: Options{BackoffBase: bench.Duration(time.Minute)}, want: []string{"backoff_cap (5s)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("Validate: %v, want nil", err)
				}
				return
			}
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
	in := `{"ping_interval":"250ms","pong_timeout":"100ms","write_timeout":"1s","replay_buffer":50,"send_queue":8,"backoff_base":"10ms","backoff_cap":"1s"}`
	var o Options
	if err := json.Unmarshal([]byte(in), &o); err != nil {
		t.Fatal(err)
	}
	want := Options{
		PingInterval: bench.Duration(250 * time.Millisecond),
		PongTimeout:  bench.Duration(100 * time.Millisecond),
		WriteTimeout: bench.Duration(time.Second),
		ReplayBuffer: 50,
		SendQueue:    8,
		BackoffBase:  bench.Duration(10 * time.Millisecond),
		BackoffCap:   bench.Duration(time.Second),
	}
	if o != want {
		t.Errorf("decoded %+v, want %+v", o, want)
	}
	out, err := json.Marshal(o)
	if err != nil || string(out) != in {
		t.Errorf("encoded %s (%v), want %s", out, err, in)
	}
}

func TestFullJitter(t *testing.T) {
	rng := newRNG(1, 0)
	const base, limit = 100 * time.Millisecond, 5 * time.Second
	for n := range 70 {
		ceil := min(limit, base<<min(n, 20))
		for range 50 {
			if d := fullJitter(rng, base, limit, n); d < 0 || d >= ceil {
				t.Fatalf("fullJitter(n=%d) = %v, want in [0, %v)", n, d, ceil)
			}
		}
	}
	if d := fullJitter(rng, 0, 0, 3); d != 0 {
		t.Errorf("fullJitter with a zero cap = %v, want 0", d)
	}
}

// TestScenarioOptions decodes the pattern's block of a scenario file the
// way the CLI does: snake_case keys, durations as text, zero fields
// defaulted, every problem reported at once.
func TestScenarioOptions(t *testing.T) {
	pats := scenarios.Patterns{"websocket": func() any { o := DefaultOptions(); return &o }}
	const head = "name: t\nduration: 1s\nsubscribers: 1\nstream: {rate: 10/s}\npatterns:\n  websocket: "
	sc, err := scenarios.Parse("t.yaml", []byte(head+"{ping_interval: 250ms, send_queue: 8, backoff_cap: 1s}\n"), pats)
	if err != nil {
		t.Fatal(err)
	}
	got := *sc.Patterns[0].Options.(*Options)
	want := DefaultOptions()
	want.PingInterval = bench.Duration(250 * time.Millisecond)
	want.SendQueue = 8
	want.BackoffCap = bench.Duration(time.Second)
	if got != want {
		t.Errorf("decoded %+v, want %+v", got, want)
	}

	_, err = scenarios.Parse("t.yaml", []byte(head+"{replay_buffer: -1, pong_timeout: -1s}\n"), pats)
	for _, w := range []string{"websocket.replay_buffer must be between 1 and", "websocket.pong_timeout must be >= 0"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Parse: %v, want a problem %q", err, w)
		}
	}
	_, err = scenarios.Parse("t.yaml", []byte(head+"{ping: 1s}\n"), pats)
	if err == nil || !strings.Contains(err.Error(), "ping: unknown key") {
		t.Errorf("Parse: %v, want ping refused as an unknown key", err)
	}
}
