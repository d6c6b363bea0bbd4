package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// addCorpus seeds f with every scenario file the package has: the good and
// broken test files and the built-ins.
func addCorpus(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, b := range Builtins() {
		data, err := builtinFS.ReadFile(builtinPath(b.Name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "---", "[", "{", "a: *b", "a: &a [*a]", "<<: {}", "? [a]\n: b", "\ufeffname: x", "patterns: {webhook: !!str}"} {
		f.Add([]byte(s))
	}
}

// FuzzParse checks that no input makes Parse panic, that every failure is
// an *Errors of positioned messages, and that every scenario it accepts
// survives Marshal and Parse unchanged.
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 30s ./scenarios/
func FuzzParse(f *testing.F) {
	addCorpus(f)
	e := testEnv(1 << 20)
	f.Fuzz(func(t *testing.T, data []byte) {
		// LoadSelect's rewriting of the document must not panic either.
		if _, err := e.parse(source{file: "f.yaml", data: data, only: []string{"polling", "webhook", "sse"}}, fakePatterns()); err != nil {
			checkErrors(t, err, "f.yaml")
		}
		sc, err := e.parse(source{file: "f.yaml", data: data}, fakePatterns())
		if err != nil {
			checkErrors(t, err, "f.yaml")
			return
		}
		out, err := Marshal(sc)
		if err != nil {
			t.Fatalf("Marshal of a parsed scenario: %v", err)
		}
		back, err := e.parse(source{file: "m.yaml", data: out}, fakePatterns())
		if err != nil {
			t.Fatalf("Parse(Marshal(sc)): %v\n%s", err, out)
		}
		if !reflect.DeepEqual(back, sc) {
			t.Fatalf("Parse(Marshal(sc)) differs:\n got %+v\nwant %+v\n%s", back, sc, out)
		}
	})
}

// FuzzSet checks that no assignment makes Set panic and that a failed
// Set reports positioned errors.
func FuzzSet(f *testing.F) {
	for _, s := range []string{"stream.rate=5/s", "faults[0]={kind: outage}", "patterns.webhook.retry.attempts=x", "thresholds.all[0]=lost", "a.b[3]=", "=", "patterns={}"} {
		f.Add(s)
	}
	e := testEnv(1 << 20)
	base, err := e.load("receiver-outage", nil, fakePatterns())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, assign string) {
		sc := *base
		if err := e.set(&sc, assign, fakePatterns()); err != nil {
			checkErrors(t, err, "")
		}
	})
}

func checkErrors(t *testing.T, err error, file string) {
	t.Helper()
	var errs *Errors
	if !errors.As(err, &errs) || len(errs.List) == 0 {
		t.Fatalf("error %v (%T) is not a non-empty *Errors", err, err)
	}
	for _, e := range errs.List {
		if file != "" && e.File != file || e.Line < 0 || e.Col < 0 || e.Msg == "" {
			t.Fatalf("malformed error %+v", e)
		}
	}
}
