package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hookbench/hookbench/bench"
)

func loadTest(t *testing.T, nameOrPath string) (*bench.Scenario, error) {
	t.Helper()
	return testEnv(1024).load(nameOrPath, nil, fakePatterns())
}

// writeResults writes a results.json holding sc, as a run does.
func writeResults(t *testing.T, sc *bench.Scenario) string {
	t.Helper()
	raw, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	res := &bench.Result{Schema: bench.Schema, Scenario: raw, Patterns: []bench.PatternResult{}}
	path := filepath.Join(t.TempDir(), "results.json")
	if err := res.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoadResults checks that a results.json gives back the scenario that
// produced it, for every built-in and good file.
func TestLoadResults(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.yaml")
	for _, b := range Builtins() {
		files = append(files, b.Name)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			sc, err := loadTest(t, file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := loadTest(t, writeResults(t, sc))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, sc) {
				a, _ := Marshal(got)
				b, _ := Marshal(sc)
				t.Errorf("Load(results.json) differs:\n%s\nwant\n%s", a, b)
			}
		})
	}
}

// TestLoadResultsErrors checks that problems in a results file point into
// it.
func TestLoadResultsErrors(t *testing.T) {
	sc, err := loadTest(t, "testdata/good/design.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := writeResults(t, sc)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A build without the longpoll pattern cannot run these results.
	pats := fakePatterns()
	delete(pats, "longpoll")
	_, err = testEnv(1024).load(path, nil, pats)
	line, col := lineCol(data, int64(bytes.Index(data, []byte(`"longpoll"`))))
	want := Error{File: path, Line: line, Col: col, Msg: "patterns.longpoll: unknown pattern"}
	var errs *Errors
	if !errors.As(err, &errs) || len(errs.List) != 1 || !strings.HasPrefix(errs.List[0].Error(), want.Error()) {
		t.Errorf("got %v, want %v...", err, want)
	}

	for _, tt := range []struct{ name, data, want string }{
		{"schema", `{"schema": "other/v2", "scenario": {}}`, `not a hookbench results file: schema "other/v2"`},
		{"syntax", "{\"schema\": \"hookbench/v1\",\n \"scenario\": {,}}", ":2:15: bad JSON"},
		{"no scenario", `{"schema": "hookbench/v1"}`, "records no scenario"},
		{"not an object", `[1]`, "want a JSON object"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "r.json")
			if err := os.WriteFile(p, []byte(tt.data), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadTest(t, p)
			var errs *Errors
			if !errors.As(err, &errs) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want *Errors with %q", err, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	sc, err := loadTest(t, "compare")
	if err != nil || sc.Name != "compare" {
		t.Fatalf("Load(compare) = %v, %v", sc, err)
	}
	if _, err := loadTest(t, "testdata/good/minimal.yml"); err == nil || !strings.Contains(err.Error(), "cannot read: no such file") {
		t.Errorf("missing file: got %v", err)
	}
	for _, tt := range []struct{ arg, want string }{
		{"compar", `compar: no such built-in scenario (did you mean "compare"?)`},
		{"missing.yaml", "missing.yaml: cannot read: no such file or directory"},
		{"scenario.toml", "scenario.toml: not a scenario"},
		{"testdata/bad/syntax.yaml", "testdata/bad/syntax.yaml:4:1: YAML syntax"},
	} {
		_, err := loadTest(t, tt.arg)
		var errs *Errors
		if !errors.As(err, &errs) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Load(%q) = %v, want *Errors starting %q", tt.arg, err, tt.want)
		}
	}
}
