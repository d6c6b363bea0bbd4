package scenarios

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// parseTest parses with the fake pattern table on a machine that may open
// 1024 files.
func parseTest(t testing.TB, file string, data []byte) (*bench.Scenario, error) {
	t.Helper()
	return testEnv(1024).parse(source{file: file, data: data}, fakePatterns())
}

// TestBrokenFiles checks every file under testdata/bad against the
// "# want LINE:COL: message" lines at its end: the same errors, in the
// same order, at the same positions.
func TestBrokenFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no broken files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				if w, ok := strings.CutPrefix(sc.Text(), "# want "); ok {
					want = append(want, w)
				}
			}
			if len(want) == 0 {
				t.Fatal("no # want lines")
			}
			_, err = parseTest(t, "f.yaml", data)
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v (%T), want *Errors", err, err)
			}
			for i, e := range errs.List {
				got := strings.TrimPrefix(e.Error(), "f.yaml:")
				if i >= len(want) {
					t.Errorf("unexpected error %s", got)
					continue
				}
				if !strings.HasPrefix(got, want[i]) {
					t.Errorf("error %d:\n got %s\nwant %s...", i, got, want[i])
				}
			}
			for _, w := range want[min(len(want), len(errs.List)):] {
				t.Errorf("missing error %s", w)
			}
		})
	}
}

func TestErrorsFormat(t *testing.T) {
	errs := &Errors{List: []Error{
		{File: "a.yaml", Line: 3, Col: 7, Msg: "stream.rate: must be > 0"},
		{File: "a.yaml", Line: 4, Msg: "no column"},
		{File: "a.yaml", Msg: "whole file"},
	}}
	want := "a.yaml:3:7: stream.rate: must be > 0\na.yaml:4: no column\na.yaml: whole file"
	if got := errs.Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var one Error
	if !errors.As(error(errs), &one) || one.Line != 3 {
		t.Errorf("errors.As found %+v, want the first error", one)
	}
}

func TestParseDesignExample(t *testing.T) {
	data, err := os.ReadFile("testdata/good/design.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseTest(t, "design.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	pats := fakePatterns()
	hook := pats["webhook"]().(*fakeWebhook)
	hook.Timeout = bench.Duration(2 * time.Second)
	hook.Retry = fakeRetry{Schedule: "exponential", Base: bench.Duration(200 * time.Millisecond), Cap: bench.Duration(5 * time.Second), Attempts: 10}
	poll := pats["polling"]().(*fakePolling)
	poll.Interval, poll.Limit = time.Second, 100
	long := fakeLongpoll{Hold: bench.Duration(10 * time.Second)}.WithDefaults() // timeout derived: 20s
	ws := pats["websocket"]().(*fakeWebSocket)
	ws.Ping, ws.Buffer = bench.Duration(5*time.Second), 10000
	want := &bench.Scenario{
		Name:        "receiver-outage",
		Description: "Subscribers are unreachable for 5 s in the middle of a steady stream.",
		Seed:        7,
		Duration:    bench.Duration(30 * time.Second),
		Drain:       bench.Duration(20 * time.Second),
		Subscribers: 4,
		Window:      bench.Duration(time.Second),
		Stream:      bench.StreamSpec{Rate: 50, Arrival: bench.Poisson, Payload: 512, Keys: 8},
		Patterns: bench.PatternList{
			{Name: "webhook", Options: hook},
			{Name: "polling", Options: poll},
			{Name: "longpoll", Options: &long},
			{Name: "websocket", Options: ws},
		},
		Faults:     []bench.FaultSpec{{Kind: bench.FaultOutage, At: bench.Duration(10 * time.Second), For: bench.Duration(5 * time.Second)}},
		Thresholds: map[string][]string{"all": {"lost == 0", "unexpected == 0"}, "websocket": {"p99 < 100ms"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}

// TestParseDefaults checks that keys left out take the documented
// defaults and that a pattern with no options gets its own.
func TestParseDefaults(t *testing.T) {
	got, err := parseTest(t, "dir/my scenario.yaml", []byte("patterns:\n  webhook:\n  polling: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	pats := fakePatterns()
	want := &bench.Scenario{
		Name:        "my-scenario", // from the file name, made a valid name
		Seed:        1,
		Duration:    bench.Duration(10 * time.Second),
		Drain:       bench.Duration(10 * time.Second),
		Subscribers: 1,
		Window:      bench.Duration(time.Second),
		Stream:      bench.StreamSpec{Rate: 10, Arrival: bench.Poisson, Payload: 512, Keys: 8},
		Patterns:    bench.PatternList{{Name: "webhook", Options: pats["webhook"]()}, {Name: "polling", Options: pats["polling"]()}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	errs, err := parseTest(t, "x.yaml", []byte("faults: [{kind: errors, p: 0.1}]\npatterns: {webhook: }\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s := errs.Faults[0].Status; s != 503 {
		t.Errorf("errors fault status = %d, want the default 503", s)
	}
}

func TestParseYAMLFeatures(t *testing.T) {
	data, err := os.ReadFile("testdata/good/anchors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := parseTest(t, "anchors.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Description != "Two webhook-based patterns\nwith shared retry settings.\n" {
		t.Errorf("description = %q", sc.Description)
	}
	if sc.Stream.Payload != 1024 {
		t.Errorf("payload = %v, want 1KiB", sc.Stream.Payload)
	}
	hook := sc.Patterns[0].Options.(*fakeWebhook)
	rec := sc.Patterns[1].Options.(*fakeReconcile)
	wantRetry := fakeRetry{Schedule: "exponential", Base: bench.Duration(50 * time.Millisecond), Cap: bench.Duration(time.Second), Attempts: 5}
	if hook.Retry != wantRetry || rec.Retry != wantRetry {
		t.Errorf("retry from the alias: webhook %+v, webhook+polling %+v, want %+v", hook.Retry, rec.Retry, wantRetry)
	}
	if rec.Timeout != bench.Duration(time.Second) || rec.Every != 2*time.Second {
		t.Errorf("merged options = %+v, want timeout 1s from the merge and every 2s", rec)
	}
	if got := sc.Faults[1]; got.Kind != bench.FaultDisconnect || got.At != bench.Duration(3*time.Second) {
		t.Errorf("merged fault = %+v, want a disconnect at 3s", got)
	}
}

func TestParseJSONStyle(t *testing.T) {
	data, err := os.ReadFile("testdata/good/json.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := parseTest(t, "json.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Seed != 1<<64-1 || sc.Stream.Rate != 0.5 || sc.Patterns[0].Options.(*fakePolling).Jitter != 1e-05 {
		t.Errorf("got seed %d, rate %v, jitter %v", sc.Seed, sc.Stream.Rate, sc.Patterns[0].Options.(*fakePolling).Jitter)
	}
	if ws := sc.Patterns[1].Options.(*fakeWebSocket); *ws != *fakePatterns()["websocket"]().(*fakeWebSocket) {
		t.Errorf("null options = %+v, want the defaults", ws)
	}
}

// TestEveryProblemAtOnce checks that a file with a problem in every
// section reports each of them, not just the first.
func TestEveryProblemAtOnce(t *testing.T) {
	src := "duration: 0s\nsubscribers: -1\nstream: {rate: 0/s}\npatterns: {webhook: {timeout: x}}\nfaults: [{kind: nope}]\nthresholds: {all: [nope]}\n"
	_, err := parseTest(t, "f.yaml", []byte(src))
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("got %v, want *Errors", err)
	}
	var lines []int
	for _, e := range errs.List {
		lines = append(lines, e.Line)
	}
	if want := []int{1, 2, 3, 4, 5, 6}; !reflect.DeepEqual(lines, want) {
		t.Errorf("errors on lines %v, want %v:\n%v", lines, want, err)
	}
}

func TestMarshalGolden(t *testing.T) {
	for _, name := range []string{"minimal", "design", "anchors"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/good", name+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			sc, err := parseTest(t, name+".yaml", data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Marshal(sc)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata/golden", name+".yaml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Marshal differs from %s (go test -update to accept):\n%s", golden, got)
			}
		})
	}
}

// TestRoundTrip checks that Marshal writes what Parse reads back to an
// equal scenario, for every built-in and good file.
func TestRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.yaml")
	for _, b := range Builtins() {
		files = append(files, "builtin:"+b.Name)
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			var data []byte
			var err error
			if name, ok := strings.CutPrefix(file, "builtin:"); ok {
				data, err = builtinFS.ReadFile(builtinPath(name))
			} else {
				data, err = os.ReadFile(file)
			}
			if err != nil {
				t.Fatal(err)
			}
			sc, err := parseTest(t, filepath.Base(file), data)
			if err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, sc)
		})
	}
}

func checkRoundTrip(t testing.TB, sc *bench.Scenario) {
	t.Helper()
	out, err := Marshal(sc)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	back, err := parseTest(t, "marshalled.yaml", out)
	if err != nil {
		t.Fatalf("Parse(Marshal(sc)): %v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, sc) {
		t.Fatalf("Parse(Marshal(sc)) differs:\n got %+v\nwant %+v\n%s", back, sc, out)
	}
	again, err := Marshal(back)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("Marshal is not stable (%v):\n%s\n---\n%s", err, out, again)
	}
}

func TestMarshalQuoting(t *testing.T) {
	sc := defaults("quoting")
	sc.Patterns = bench.PatternList{{Name: "webhook", Options: &fakeWebhook{Timeout: 1, Retry: fakeRetry{Attempts: 1},
		Headers: map[string]string{"y": "true", "n": "123", "x-a": "a: b", "b": " lead", "c": "#x", "d": "\x00\t\r\n", "e": "é", "f": "1e5", "g": "null", "h": "", "i": "0x1F", "j": "<<", "k": "-x"}}}}
	sc.Description = "multi\nline \"quoted\""
	sc.Thresholds = map[string][]string{"webhook": {"webhook: p99 < 1s"}, "all": {"lost == 0"}}
	checkRoundTrip(t, sc)
}
