package scenarios

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

func setBase(t *testing.T) *bench.Scenario {
	t.Helper()
	sc, err := parseTest(t, "base.yaml", []byte(`name: base
duration: 10s
stream: {rate: 20/s}
patterns:
  webhook: {retry: {attempts: 5}}
  polling: {interval: 500ms}
  longpoll: {}
faults:
  - {kind: outage, at: 8s, for: 1s}
thresholds:
  all: ["lost == 0"]
`))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestSet(t *testing.T) {
	tests := []struct {
		name   string
		assign []string
		check  func(*bench.Scenario) bool
	}{
		{"rate", []string{"stream.rate=5/s"}, func(sc *bench.Scenario) bool { return sc.Stream.Rate == 5 }},
		{"duration", []string{"duration=9s"}, func(sc *bench.Scenario) bool { return sc.Duration == bench.Duration(9*time.Second) }},
		{"text needs no quotes", []string{"description=a: b # c"}, func(sc *bench.Scenario) bool { return sc.Description == "a: b # c" }},
		{"pattern option", []string{"patterns.webhook.retry.attempts=1"}, func(sc *bench.Scenario) bool {
			o := sc.Patterns[0].Options.(*fakeWebhook)
			return o.Retry.Attempts == 1 && o.Retry.Schedule == "exponential"
		}},
		{"time.Duration option", []string{"patterns.polling.interval=2s"}, func(sc *bench.Scenario) bool {
			return sc.Patterns[1].Options.(*fakePolling).Interval == 2*time.Second
		}},
		{"new pattern runs last", []string{"patterns.websocket.ping=1s"}, func(sc *bench.Scenario) bool {
			return len(sc.Patterns) == 4 && sc.Patterns[3].Name == "websocket" && sc.Patterns[3].Options.(*fakeWebSocket).Ping == bench.Duration(time.Second)
		}},
		{"whole pattern list", []string{"patterns={websocket: {}, webhook: {timeout: 1s}}"}, func(sc *bench.Scenario) bool {
			return len(sc.Patterns) == 2 && sc.Patterns[0].Name == "websocket" && sc.Patterns[1].Options.(*fakeWebhook).Retry.Attempts == 10
		}},
		{"empty value restores the default", []string{"patterns.webhook=", "drain="}, func(sc *bench.Scenario) bool {
			return sc.Patterns[0].Options.(*fakeWebhook).Retry.Attempts == 10 && sc.Drain == bench.Duration(10*time.Second)
		}},
		{"list index, both spellings", []string{"faults[0].at=1s", "faults.0.for=2s"}, func(sc *bench.Scenario) bool {
			return sc.Faults[0].At == bench.Duration(time.Second) && sc.Faults[0].For == bench.Duration(2*time.Second)
		}},
		{"append to a list", []string{"faults[1]={kind: errors, p: 0.5}"}, func(sc *bench.Scenario) bool {
			return len(sc.Faults) == 2 && sc.Faults[1].Status == 503
		}},
		{"threshold entry", []string{"thresholds.all[0]=lost <= 1", "thresholds.webhook=[p99 < 1s]"}, func(sc *bench.Scenario) bool {
			return sc.Thresholds["all"][0] == "lost <= 1" && sc.Thresholds["webhook"][0] == "p99 < 1s"
		}},
		{"shorter run, fault moved first", []string{"faults[0].at=1s", "duration=2s"}, func(sc *bench.Scenario) bool { return sc.Duration == bench.Duration(2*time.Second) }},
		{"map entry", []string{"patterns.webhook.headers.x-id=7"}, func(sc *bench.Scenario) bool {
			return sc.Patterns[0].Options.(*fakeWebhook).Headers["x-id"] == "7"
		}},
		{"derived default follows", []string{"patterns.longpoll.hold=60s"}, func(sc *bench.Scenario) bool {
			o := sc.Patterns[2].Options.(*fakeLongpoll)
			return o.Hold == bench.Duration(time.Minute) && o.Timeout == bench.Duration(70*time.Second)
		}},
		{"seed", []string{"seed=42"}, func(sc *bench.Scenario) bool { return sc.Seed == 42 }},
		{"explicit option is kept", []string{"patterns.longpoll.timeout=90s", "patterns.longpoll.hold=60s"}, func(sc *bench.Scenario) bool {
			return sc.Patterns[2].Options.(*fakeLongpoll).Timeout == bench.Duration(90*time.Second)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := setBase(t)
			for _, a := range tt.assign {
				if err := testEnv(1024).set(sc, a, fakePatterns()); err != nil {
					t.Fatalf("Set(%q): %v", a, err)
				}
			}
			if !tt.check(sc) {
				b, _ := Marshal(sc)
				t.Errorf("after %q:\n%s", tt.assign, b)
			}
		})
	}
}

// TestSetErrors checks that a bad override is reported like a file error:
// "--set PATH:1:COL: reason", the column counted in the assignment.
func TestSetErrors(t *testing.T) {
	tests := []struct {
		assign string
		want   []string
	}{
		{"stream.rate=5/x", []string{"--set stream.rate:1:13: stream.rate: bad rate"}},
		{"stream.rate=-5/s", []string{"--set stream.rate:1:13: stream.rate: bad rate \"-5/s\": must be > 0"}},
		{"stream.ratee=5/s", []string{`--set stream.ratee:1:8: unknown key "ratee" (did you mean "rate"?)`}},
		{"patterns.webhok.timeout=1s", []string{`--set patterns.webhok.timeout:1:10: unknown pattern "webhok" (did you mean "webhook"?)`}},
		{"subscribers=four", []string{`--set subscribers:1:13: subscribers: want a whole number, got "four"`}},
		{"patterns.webhook.retry={attempts: x, cap: 1s}", []string{`--set patterns.webhook.retry:1:35: patterns.webhook.retry.attempts: want a whole number, got "x"`}},
		{"patterns.longpoll.timeout=10s", []string{`--set patterns.longpoll.timeout:1:27: patterns.longpoll: longpoll.timeout must exceed the hold (25s), got 10s`}},
		{"patterns.webhook.retry.attempts=0", []string{`--set patterns.webhook.retry.attempts:1:33: patterns.webhook: retry.attempts must be >= 1`}},
		// A consequence elsewhere is reported at the value, naming the field.
		{"duration=5s", []string{"--set duration:1:10: faults[0].at: 8s is outside the run"}},
		{"thresholds.all[0]=lost === 0", []string{`--set thresholds.all[0]:1:26: thresholds.all[0]: bad threshold "lost === 0": expected a number`}},
		{"thresholds.all=[p99 < 5xs]", []string{`--set thresholds.all:1:24: thresholds.all[0]: bad threshold "p99 < 5xs"`}},
		{"faults[3].at=1s", []string{"--set faults[3].at:1:7: index 3 is out of range: the list has 1 entries"}},
		{"faults=[{kind: outage, at: 1s}", []string{"--set faults:1:"}},
		{"stream.rate.x=1", []string{`--set stream.rate.x:1:13: a rate such as 50/s, 30/m or 2/h holds a single value; it has no "x"`}},
		{"rate", []string{`--set:1:1: want PATH=VALUE, such as stream.rate=5/s, got "rate"`}},
		{"=5", []string{`--set:1:1: want PATH=VALUE`}},
		{"stream..rate=5/s", []string{`--set stream..rate:1:8: empty key`}},
		{"faults[x].at=1s", []string{`--set faults[x].at:1:8: bad index`}},
	}
	for _, tt := range tests {
		t.Run(tt.assign, func(t *testing.T) {
			sc := setBase(t)
			before, _ := Marshal(sc)
			err := testEnv(1024).set(sc, tt.assign, fakePatterns())
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v (%T), want *Errors", err, err)
			}
			if len(errs.List) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs.List), len(tt.want), err)
			}
			for i, e := range errs.List {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("got  %s\nwant %s...", e.Error(), tt.want[i])
				}
			}
			if after, _ := Marshal(sc); !reflect.DeepEqual(before, after) {
				t.Errorf("a failed Set changed the scenario")
			}
		})
	}
}
