package scenarios

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// The built-ins the issue asks for; more may come.
var requiredBuiltins = []string{
	"compare", "infrequent", "firehose", "receiver-outage", "flaky-network",
	"mobile-clients", "rate-limited", "slow-consumer", "fanout",
}

func TestBuiltins(t *testing.T) {
	infos := Builtins()
	var names []string
	for _, b := range infos {
		names = append(names, b.Name)
	}
	if !slices.IsSorted(names) {
		t.Errorf("Builtins not sorted: %v", names)
	}
	for _, want := range requiredBuiltins {
		if !slices.Contains(names, want) {
			t.Errorf("built-in %q missing", want)
		}
	}
	for _, b := range infos {
		t.Run(b.Name, func(t *testing.T) {
			if !strings.Contains(b.Description, "tests") || strings.Contains(b.Description, "\n") || len(b.Description) > 400 {
				t.Errorf("description must state, on one line, the claim it tests: %q", b.Description)
			}
			sc, err := loadTest(t, b.Name)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Name != b.Name {
				t.Errorf("name %q, want the file's name %q", sc.Name, b.Name)
			}
			var pats []string
			for _, p := range sc.Patterns {
				pats = append(pats, p.Name)
			}
			if !slices.Equal(pats, b.Patterns) {
				t.Errorf("Info.Patterns %v, want %v", b.Patterns, pats)
			}
			// Patterns run one after another, each for its duration
			// plus, at worst, the whole drain.
			worst := time.Duration(len(sc.Patterns)) * (sc.Duration.D() + sc.Drain.D())
			if worst >= time.Minute {
				t.Errorf("%d patterns × (%v + %v drain) = %v, want under a minute", len(sc.Patterns), sc.Duration, sc.Drain, worst)
			}
			if len(sc.Claims) == 0 {
				t.Errorf("no claims listed")
			}
			if len(sc.Thresholds["all"]) == 0 {
				t.Errorf("no thresholds for all patterns")
			}
		})
	}
}

// TestBuiltinNeedsPattern checks that a built-in whose patterns the build
// lacks fails clearly, naming the pattern where the file lists it.
func TestBuiltinNeedsPattern(t *testing.T) {
	pats := Patterns{"webhook": fakePatterns()["webhook"]}
	_, err := testEnv(1024).load("compare", nil, pats)
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("got %v, want *Errors", err)
	}
	var got []string
	for _, e := range errs.List {
		got = append(got, e.Error())
	}
	want := []string{
		"builtin/compare.yaml:22:3: patterns.polling: unknown pattern; this build has: webhook",
		"builtin/compare.yaml:23:3: patterns.longpoll: unknown pattern; this build has: webhook",
		"builtin/compare.yaml:24:3: patterns.websocket: unknown pattern; this build has: webhook",
		"builtin/compare.yaml:25:3: patterns.webhook+polling: unknown pattern; this build has: webhook",
		"builtin/compare.yaml:26:3: patterns.webhook+websocket: unknown pattern; this build has: webhook",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
