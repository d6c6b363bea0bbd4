package reports

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookbench/hookbench/bench"
)

// TestGolden renders the fixture and compares with the golden files
// (rewritten with -update).
func TestGolden(t *testing.T) {
	r := loadFixture(t)
	for _, tc := range []struct {
		name   string
		golden string
		render func(io.Writer, *bench.Result) error
	}{
		{"markdown", "report.md.golden", Markdown},
		{"text", "summary.txt.golden", Text},
		{"junit", "junit.xml.golden", JUnit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b, r); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("%s differs from %s (run with -update if the change is intended):\n%s", tc.name, path, firstDiff(got, string(want)))
			}
			// Rendering is deterministic.
			var again bytes.Buffer
			if err := tc.render(&again, r); err != nil {
				t.Fatal(err)
			}
			if again.String() != b.String() {
				t.Error("two renderings of the same result differ")
			}
		})
	}
}

// firstDiff returns the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

func itoa(i int) string { return fmtInt(int64(i)) }

// TestJUnitCounts decodes the JUnit XML and checks that every pattern x
// threshold is a test case, failures carry the measured value, and the
// counts add up.
func TestJUnitCounts(t *testing.T) {
	r := loadFixture(t)
	var b bytes.Buffer
	if err := JUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("not valid XML: %v", err)
	}
	wantTests, wantFailures := verdictCounts(r)
	if got.Tests != wantTests || got.Failures != wantFailures {
		t.Errorf("testsuites tests=%d failures=%d, want %d and %d", got.Tests, got.Failures, wantTests, wantFailures)
	}
	if len(got.Suites) != len(r.Patterns) {
		t.Fatalf("%d testsuites, want one per pattern (%d)", len(got.Suites), len(r.Patterns))
	}
	for i, s := range got.Suites {
		p := r.Patterns[i]
		failures := 0
		for _, c := range s.Cases {
			if c.Failure != nil {
				failures++
			}
		}
		if s.Tests != len(p.Thresholds) || len(s.Cases) != len(p.Thresholds) || s.Failures != failures {
			t.Errorf("suite %s: tests=%d cases=%d failures=%d (counted %d), want %d tests", s.Name, s.Tests, len(s.Cases), s.Failures, failures, len(p.Thresholds))
		}
		for k, v := range p.Thresholds {
			c := s.Cases[k]
			if c.Name != v.Expr {
				t.Errorf("suite %s case %d is %q, want %q", s.Name, k, c.Name, v.Expr)
			}
			if (c.Failure == nil) != v.OK {
				t.Errorf("%s / %s: failure=%v, verdict ok=%v", p.Name, v.Expr, c.Failure != nil, v.OK)
			}
			if c.Failure != nil && !strings.Contains(c.Failure.Message, fmtMetric(thresholdMetric(v.Expr), v.Value)) {
				t.Errorf("%s / %s: failure message %q lacks the measured value", p.Name, v.Expr, c.Failure.Message)
			}
		}
	}
}
