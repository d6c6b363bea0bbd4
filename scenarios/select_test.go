package scenarios

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hookbench/hookbench/bench"
)

func TestLoadSelect(t *testing.T) {
	webhookOnly := Patterns{"webhook": fakePatterns()["webhook"]}
	tests := []struct {
		name, scenario string
		only           []string
		pats           Patterns
		patterns       []string
		thresholds     map[string][]string
		wantErr        string
	}{
		// The build lacks the scenario's other patterns: they are never read.
		{name: "subset on a smaller build", scenario: "compare", only: []string{"webhook"}, pats: webhookOnly,
			patterns: []string{"webhook"}, thresholds: map[string][]string{"all": {"lost == 0", "unexpected == 0"}}},
		{name: "reorder and add", scenario: "testdata/good/design.yaml", only: []string{"websocket", "webhook+polling", "webhook"}, pats: fakePatterns(),
			patterns:   []string{"websocket", "webhook+polling", "webhook"},
			thresholds: map[string][]string{"all": {"lost == 0", "unexpected == 0"}, "websocket": {"p99 < 100ms"}}},
		// Thresholds of dropped patterns go, by key and by prefix.
		{name: "thresholds follow", scenario: "testdata/good/anchors.yaml", only: []string{"webhook+polling"}, pats: fakePatterns(),
			patterns: []string{"webhook+polling"}, thresholds: map[string][]string{"all": {"lost == 0", "p99[1s] < 2s"}}},
		{name: "unknown pattern", scenario: "compare", only: []string{"carrier-pigeon"}, pats: webhookOnly,
			wantErr: "builtin/compare.yaml: patterns.carrier-pigeon: unknown pattern; this build has: webhook"},
		{name: "results file", scenario: "results", only: []string{"polling"}, pats: fakePatterns(), patterns: []string{"polling"},
			thresholds: map[string][]string{"all": {"lost == 0", "unexpected == 0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := tt.scenario
			if name == "results" {
				sc, err := loadTest(t, "compare")
				if err != nil {
					t.Fatal(err)
				}
				name = writeResults(t, sc)
			}
			sc, err := testEnv(1024).load(name, tt.only, tt.pats)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range sc.Patterns {
				got = append(got, p.Name)
			}
			if !reflect.DeepEqual(got, tt.patterns) || !reflect.DeepEqual(sc.Thresholds, tt.thresholds) {
				t.Errorf("patterns %v thresholds %v, want %v %v", got, sc.Thresholds, tt.patterns, tt.thresholds)
			}
		})
	}
}

// TestLoadSelectKeepsOptions checks that a selected pattern keeps the
// options the file gives it, and that an empty selection changes nothing.
func TestLoadSelectKeepsOptions(t *testing.T) {
	all, err := loadTest(t, "testdata/good/design.yaml")
	if err != nil {
		t.Fatal(err)
	}
	none, err := testEnv(1024).load("testdata/good/design.yaml", nil, fakePatterns())
	if err != nil || !reflect.DeepEqual(none, all) {
		t.Fatalf("empty selection: %v", err)
	}
	sc, err := testEnv(1024).load("testdata/good/design.yaml", []string{"polling"}, fakePatterns())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sc.Patterns, bench.PatternList{all.Patterns[1]}) {
		t.Errorf("got %+v, want %+v", sc.Patterns[0].Options, all.Patterns[1].Options)
	}
	// A file without patterns gets them from the selection.
	path := filepath.Join(t.TempDir(), "bare.yaml")
	if err := os.WriteFile(path, []byte("duration: 2s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if sc, err := testEnv(1024).load(path, []string{"webhook"}, fakePatterns()); err != nil || len(sc.Patterns) != 1 {
		t.Errorf("bare file: %v, %v", sc, err)
	}
}
