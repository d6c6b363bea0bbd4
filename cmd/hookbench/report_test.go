package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureResults is the reports package's results.json fixture.
const fixtureResults = "../../reports/testdata/results.json"

func TestReportRerenders(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := hookbench(t, context.Background(), "report", fixtureResults, "-o", dir, "--format", "md,junit,svg")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	for _, name := range []string{"report.md", "junit.xml", "latency-spectrum.svg", "latency-over-time.svg", "latency-cdf.svg", "overhead.svg", "delivery.svg"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	for _, want := range []string{"websocket", "thresholds: 3 of 11 failed", "written to " + dir + ": report.md, junit.xml, latency-spectrum.svg"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

func TestReportUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown format", []string{"report", fixtureResults, "-o", dir, "--format", "md,pdf"}, `unknown format "pdf" (formats: json, md, html, junit, png, svg, text)`},
		{"no file", []string{"report"}, "report takes one results file"},
		{"missing file", []string{"report", filepath.Join(dir, "nope.json")}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := hookbench(t, context.Background(), tc.args...)
			if code != exitUsage || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errs, exitUsage, tc.want)
			}
		})
	}
}
