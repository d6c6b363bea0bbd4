package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/reports"
	"github.com/hookbench/hookbench/scenarios"
)

func TestList(t *testing.T) {
	code, out, errs := hookbench(t, context.Background(), "list")
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	infos := scenarios.Builtins()
	if len(lines) != len(infos) {
		t.Fatalf("%d lines, want one per built-in (%d):\n%s", len(lines), len(infos), out)
	}
	for i, b := range infos {
		if !strings.HasPrefix(lines[i], b.Name+" ") || !strings.Contains(lines[i], b.Description) {
			t.Errorf("line %d = %q, want %s and its description", i, lines[i], b.Name)
		}
	}
	if code, _, _ := hookbench(t, context.Background(), "list", "extra"); code != exitUsage {
		t.Errorf("list extra: exit %d, want %d", code, exitUsage)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	write := func(path, src string) {
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(good, "duration: 2s\npatterns: {webhook: {retry: {attempts: 3}}}\n")
	write(bad, "duration: 2s\nstream:\n  rate: -1/s\npatterns: {webhook: {retyr: {}}}\nfaults: [{kind: outage, at: 5s}]\n")

	// Every file is checked, the bad one first.
	code, out, errs := hookbench(t, context.Background(), "validate", bad, good, "nope.yaml")
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	wantErrs := []string{
		bad + ":3:9: stream.rate: bad rate",
		bad + ":4:22: patterns.webhook.retyr: unknown key (did you mean \"retry\"?)",
		bad + ":5:29: faults[0].at: 5s is outside the run",
		"nope.yaml: cannot read: no such file or directory",
	}
	lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
	if len(lines) != len(wantErrs) {
		t.Fatalf("stderr:\n%s\nwant %d lines", errs, len(wantErrs))
	}
	for i, w := range wantErrs {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("stderr line %d:\n got %s\nwant %s...", i, lines[i], w)
		}
	}
	if out != good+": ok\n" {
		t.Errorf("stdout = %q, want the good file ok", out)
	}

	// --print writes the resolved scenario, which reads back the same.
	code, out, errs = hookbench(t, context.Background(), "validate", "--print", good)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	pats := builtinPatterns().scenarioPatterns()
	want, err := scenarios.Load(good, pats)
	if err != nil {
		t.Fatal(err)
	}
	got, err := scenarios.Parse("printed.yaml", []byte(out), pats)
	if err != nil {
		t.Fatalf("printed scenario does not parse: %v\n%s", err, out)
	}
	got.Name = want.Name
	a, _ := scenarios.Marshal(got)
	b, _ := scenarios.Marshal(want)
	if !bytes.Equal(a, b) || !strings.Contains(out, "attempts: 3") {
		t.Errorf("--print:\n%s\nwant\n%s", a, b)
	}

	if code, _, _ := hookbench(t, context.Background(), "validate"); code != exitUsage {
		t.Errorf("validate without files: exit %d, want %d", code, exitUsage)
	}
}

// TestBuiltinsWithThisBuild checks every built-in against the real
// pattern table: each must validate, except for patterns the build does
// not have yet. An option a built-in sets that its target does not know
// fails here.
func TestBuiltinsWithThisBuild(t *testing.T) {
	table := builtinPatterns()
	pats := table.scenarioPatterns()
	for _, b := range scenarios.Builtins() {
		t.Run(b.Name, func(t *testing.T) {
			sc, err := scenarios.Load(b.Name, pats)
			missing := table.missing(b.Patterns)
			var errs *scenarios.Errors
			switch {
			case err == nil && len(missing) > 0:
				t.Fatalf("loaded although %v are missing", missing)
			case err == nil:
				if _, err := table.targets(sc); err != nil {
					t.Errorf("targets: %v", err)
				}
			case !errors.As(err, &errs):
				t.Fatalf("got %v (%T), want *scenarios.Errors", err, err)
			default:
				for _, e := range errs.List {
					if !strings.Contains(e.Msg, "unknown pattern") {
						t.Errorf("%v", e)
					}
				}
				// What this build has of it must still load.
				var have []string
				for _, p := range b.Patterns {
					if _, ok := table.lookup(p); ok {
						have = append(have, p)
					}
				}
				if len(have) > 0 {
					if _, err := scenarios.LoadSelect(b.Name, have, pats); err != nil {
						t.Errorf("with %v only: %v", have, err)
					}
				}
			}
		})
	}
}

// TestBuiltinsAgainstTargets loads every built-in with the options of
// every target package, registered in the CLI's table or not yet, and
// checks that the claims each lists are ones the reports know.
func TestBuiltinsAgainstTargets(t *testing.T) {
	pats := builtinPatterns().scenarioPatterns()
	known := reports.ClaimIDs()
	for _, b := range scenarios.Builtins() {
		sc, err := scenarios.Load(b.Name, pats)
		if err != nil {
			t.Errorf("%s: %v", b.Name, err)
			continue
		}
		for _, c := range sc.Claims {
			if !slices.Contains(known, c) {
				t.Errorf("%s: claim %q is not one the reports know (%v)", b.Name, c, known)
			}
		}
	}
}

// TestBuiltinsRun runs every built-in, shortened to 1s (its faults moved
// with it), with the patterns this build has, to completion.
func TestBuiltinsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every built-in")
	}
	table := builtinPatterns()
	pats := table.scenarioPatterns()
	for _, b := range scenarios.Builtins() {
		var have []string
		for _, p := range b.Patterns {
			if _, ok := table.lookup(p); !ok {
				t.Errorf("%s: pattern %s is not in the CLI's table", b.Name, p)
				continue
			}
			have = append(have, p)
		}
		t.Run(b.Name, func(t *testing.T) {
			sc, err := scenarios.LoadSelect(b.Name, have, pats)
			if err != nil {
				t.Fatal(err)
			}
			if err := scenarios.Scale(sc, time.Second, pats); err != nil {
				t.Fatal(err)
			}
			targets, err := table.targets(sc)
			if err != nil {
				t.Fatal(err)
			}
			res, err := (&bench.Runner{}).Run(context.Background(), sc, targets)
			if err != nil {
				t.Fatal(err)
			}
			if res.Partial || len(res.Patterns) != len(have) {
				t.Fatalf("partial %v, %d patterns, want %d", res.Partial, len(res.Patterns), len(have))
			}
			for _, p := range res.Patterns {
				if p.Events.Published == 0 || p.Events.Unexpected != 0 {
					t.Errorf("%s: events %+v", p.Name, p.Events)
				}
			}
		})
	}
}

func TestCompletion(t *testing.T) {
	code, out, errs := hookbench(t, context.Background(), "__complete", "run", "r")
	if code != exitOK || !strings.Contains(out, "receiver-outage\t") || !strings.Contains(out, "rate-limited\t") || strings.Contains(out, "compare") {
		t.Errorf("exit %d, completions:\n%s%s", code, out, errs)
	}
	code, out, _ = hookbench(t, context.Background(), "__complete", "run", "./")
	if code != exitOK || !strings.Contains(out, "yaml") {
		t.Errorf("a path completes scenario files: exit %d\n%s", code, out)
	}
	code, out, _ = hookbench(t, context.Background(), "__complete", "run", "--patterns", "")
	if code != exitOK || !strings.Contains(out, "webhook\t") {
		t.Errorf("--patterns completes pattern names: exit %d\n%s", code, out)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, _ := hookbench(t, context.Background(), "completion", shell)
		if code != exitOK || !strings.Contains(out, "hookbench") {
			t.Errorf("completion %s: exit %d, %d bytes", shell, code, len(out))
		}
	}
}

func TestProgressLine(t *testing.T) {
	p := bench.Progress{Pattern: "webhook", Index: 0, Patterns: 4, Phase: "publishing", Elapsed: 2340 * time.Millisecond,
		Published: 1125, Events: 2500, Delivered: 4500, Expected: 4500}
	want := "(1/4) webhook           [#########-----------]  45%  published 1125/2500  delivered 4500/10000  2.3s  publishing"
	if got := progressLine(p); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Before the first event nothing is known of the subscribers.
	if got := progressLine(bench.Progress{Pattern: "polling", Index: 1, Patterns: 2, Events: 10}); !strings.Contains(got, "[--------------------]   0%") {
		t.Errorf("got %s", got)
	}
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	b := &progressBar{w: &buf, cur: -1}
	b.update(bench.Progress{Pattern: "webhook", Index: 0, Patterns: 2, Events: 10, Published: 5, Expected: 5, Delivered: 5})
	b.update(bench.Progress{Pattern: "webhook", Index: 0, Patterns: 2, Events: 10, Published: 10, Expected: 10, Delivered: 10})
	b.update(bench.Progress{Pattern: "polling", Index: 1, Patterns: 2, Events: 10})
	if err := b.finish(); err != nil {
		t.Fatal(err)
	}
	// Each pattern's line is redrawn in place (\r) and ended when the next
	// pattern starts, and at the end.
	got := strings.Split(buf.String(), "\n")
	if len(got) != 3 || got[2] != "" || strings.Count(got[0], "\r") != 2 || !strings.Contains(got[0], "100%") || !strings.Contains(got[1], "polling") {
		t.Errorf("output %q", buf.String())
	}
	// Nothing is drawn where stderr is not a terminal.
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if newProgress(f) != nil || newProgress(&buf) != nil {
		t.Error("progress bar on a file")
	}
}
