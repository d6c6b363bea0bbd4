package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/reports"
	"github.com/hookbench/hookbench/scenarios"
)

// runFlags are the flags of `hookbench run`.
type runFlags struct {
	patterns    []string
	duration    time.Duration
	rate        string
	subscribers int
	seed        uint64
	sets        []string
	faults      []string
	thresholds  []string
	out         string
	formats     []string
	from        string
	dryRun      bool
}

const runLong = `Run a scenario: a built-in name (see 'hookbench list'; default: compare), a
scenario file (.yaml), or a results.json, which re-runs exactly the scenario it
records. Each pattern runs in turn on the identical seeded stream; the summary
table goes to stdout, results and reports to the output folder.

Faults (--fault, repeatable) take the kind, then key=value pairs with the names
of scenario files:
  --fault 'outage at=10s for=5s'        subscribers unreachable for the window
  --fault 'errors p=0.2 status=503'     consumer/server answers 5xx with probability p
  --fault 'ratelimit rps=50'            429 + Retry-After above 50 requests/s
  --fault 'slow delay=3s'               consumer takes 3s per delivery
  --fault 'disconnect at=5s every=2s'   drop live connections
  --fault 'latency delay=50ms jitter=10ms'   network faults, in a proxy on loopback:
  --fault 'bandwidth rate=64KiB'  --fault 'reset at=4s'  --fault 'blackhole at=3s for=2s'
A fault without at/for lasts the whole run.

Thresholds (-t, repeatable): '[PATTERN:] METRIC OP VALUE', e.g. 'lost == 0',
'websocket: p99 < 50ms', 'p99[10s] < 200ms'. A failed threshold exits 99.`

func newRunCmd(a *app) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [SCENARIO]",
		Short: "Run a scenario and report latency, overhead and loss per pattern",
		Long:  runLong,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("run takes at most one scenario, got %d: %s", len(args), strings.Join(args, " "))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			name := "compare"
			switch {
			case len(args) == 1 && f.from != "":
				return usagef("give a scenario or --from, not both")
			case len(args) == 1:
				name = args[0]
			case f.from != "":
				name = f.from
			}
			return a.run(cmd.Context(), cmd, name, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVarP(&f.patterns, "patterns", "p", nil, "patterns to run, comma-separated, in this order (default: the scenario's)")
	fl.DurationVarP(&f.duration, "duration", "d", 0, "how long events are published, e.g. 30s; fault windows scale with it (default: the scenario's)")
	fl.StringVarP(&f.rate, "rate", "r", "", "event rate, N/s, N/m or N/h (default: the scenario's)")
	fl.IntVar(&f.subscribers, "subscribers", 0, "number of subscribers (default: the scenario's)")
	fl.Uint64Var(&f.seed, "seed", 0, "seed of the stream and of every random decision (default: the scenario's)")
	fl.StringArrayVar(&f.sets, "set", nil, "override any scenario field by dotted path (repeatable): stream.rate=5/s, patterns.webhook.retry.attempts=1")
	fl.StringArrayVar(&f.faults, "fault", nil, "add a fault (repeatable): 'outage at=10s for=5s', 'errors p=0.2' (see above)")
	fl.StringArrayVarP(&f.thresholds, "threshold", "t", nil, "add a threshold (repeatable): 'lost == 0', 'websocket: p99 < 50ms', 'p99[10s] < 200ms'")
	fl.StringVarP(&f.out, "out", "o", "", "output folder (default hookbench-out/<scenario>-<UTC time>)")
	fl.StringSliceVar(&f.formats, "format", reports.DefaultFormats(),
		"output formats, comma-separated: "+strings.Join(reports.FormatNames(), ",")+" (results.json is always written)")
	fl.StringVar(&f.from, "from", "", "re-run the scenario recorded in a results.json")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the fully resolved scenario (YAML) and exit without running")
	return cmd
}

// scenario loads the scenario and applies the flags to it, in this order:
// --duration (which scales the fault windows), --rate, --subscribers,
// --seed, each --set, each --fault.
func (f *runFlags) scenario(cmd *cobra.Command, name string, pats scenarios.Patterns) (*bench.Scenario, error) {
	fl := cmd.Flags()
	var sc *bench.Scenario
	var err error
	if fl.Changed("patterns") {
		if len(f.patterns) == 0 {
			return nil, usagef("--patterns: name at least one pattern")
		}
		sc, err = scenarios.LoadSelect(name, f.patterns, pats)
	} else {
		sc, err = scenarios.Load(name, pats)
	}
	if err != nil {
		return nil, err
	}
	if fl.Changed("duration") {
		if f.duration <= 0 {
			return nil, usagef("--duration must be > 0, got %v", f.duration)
		}
		if err := scenarios.Scale(sc, f.duration, pats); err != nil {
			return nil, err
		}
	}
	var sets []string
	if fl.Changed("rate") {
		if _, err := bench.ParseRate(f.rate); err != nil {
			return nil, usageErr(fmt.Errorf("--rate: %w", err))
		}
		sets = append(sets, "stream.rate="+f.rate)
	}
	if fl.Changed("subscribers") {
		if f.subscribers <= 0 {
			return nil, usagef("--subscribers must be > 0, got %d", f.subscribers)
		}
		sets = append(sets, "subscribers="+strconv.Itoa(f.subscribers))
	}
	if fl.Changed("seed") {
		sets = append(sets, "seed="+strconv.FormatUint(f.seed, 10))
	}
	sets = append(sets, f.sets...)
	for _, s := range sets {
		if err := scenarios.Set(sc, s, pats); err != nil {
			return nil, err
		}
	}
	for _, spec := range f.faults {
		assign, err := faultAssignment(spec, len(sc.Faults))
		if err != nil {
			return nil, usageErr(err)
		}
		if err := scenarios.Set(sc, assign, pats); err != nil {
			return nil, faultError(spec, err)
		}
	}
	noteOverrides(sc, cmd)
	return sc, nil
}

// noteOverrides appends to the scenario's description the flags that
// changed it, so that results.json and every report say what ran: a
// built-in run with --fault is no longer the built-in's "no faults".
func noteOverrides(sc *bench.Scenario, cmd *cobra.Command) {
	var used []string
	for _, name := range []string{"patterns", "duration", "rate", "subscribers", "seed", "set", "fault"} {
		fl := cmd.Flags().Lookup(name)
		if fl == nil || !fl.Changed {
			continue
		}
		vals := []string{fl.Value.String()}
		if sv, ok := fl.Value.(interface{ GetSlice() []string }); ok && name != "patterns" {
			vals = sv.GetSlice()
		}
		for _, v := range vals {
			used = append(used, fmt.Sprintf("--%s %s", name, strings.Trim(v, "[]")))
		}
	}
	if len(used) > 0 {
		sc.Description = strings.TrimSpace(sc.Description + " (Run with " + strings.Join(used, ", ") + ".)")
	}
}

// faultAssignment turns a --fault value ("outage at=10s for=5s") into the
// --set assignment that appends it to the scenario's faults at index i,
// so that it is decoded and validated exactly as a scenario file's fault.
func faultAssignment(spec string, i int) (string, error) {
	fields := strings.Fields(spec)
	if len(fields) == 0 {
		return "", errors.New("--fault: want a kind and key=value pairs, such as 'outage at=10s for=5s'")
	}
	if strings.Contains(fields[0], "=") {
		return "", fmt.Errorf("--fault %q: the kind comes first (one of %s)", spec, strings.Join(bench.FaultKinds, ", "))
	}
	pairs := []string{"kind: " + fields[0]}
	for _, kv := range fields[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" || strings.ContainsAny(k+v, "{}[],:") {
			return "", fmt.Errorf("--fault %q: %q is not key=value", spec, kv)
		}
		pairs = append(pairs, k+": "+v)
	}
	return fmt.Sprintf("faults[%d]={%s}", i, strings.Join(pairs, ", ")), nil
}

// faultError restates the problems of a --fault as problems of that flag:
// the assignment it was turned into is not what the user typed, so its
// file name and columns would mislead.
func faultError(spec string, err error) error {
	var errs *scenarios.Errors
	if !errors.As(err, &errs) {
		return usageErr(fmt.Errorf("--fault %q: %w", spec, err))
	}
	var msgs []error
	for _, e := range errs.List {
		msgs = append(msgs, fmt.Errorf("--fault %q: %s", spec, e.Msg))
	}
	return usageErr(errors.Join(msgs...))
}

func (a *app) run(ctx context.Context, cmd *cobra.Command, name string, f *runFlags) error {
	sc, err := f.scenario(cmd, name, a.patterns.scenarioPatterns())
	if err != nil {
		return a.scenarioError(err)
	}
	formats, err := reports.ParseFormats(strings.Join(f.formats, ","))
	if err != nil {
		return usageErr(fmt.Errorf("--format: %w", err))
	}
	if !slices.Contains(formats, "json") {
		formats = append([]string{"json"}, formats...) // the record every report is made from
	}
	ths, err := bench.ParseThresholds(sc.Thresholds, f.thresholds)
	if err != nil {
		return usageErr(err)
	}
	names := make([]string, len(sc.Patterns))
	for i, p := range sc.Patterns {
		names[i] = p.Name
	}
	if err := bench.CheckThresholds(ths, names, sc.Window.D()); err != nil {
		return usageErr(err)
	}
	if f.dryRun {
		out, err := scenarios.Marshal(sc)
		if err != nil {
			return err
		}
		_, err = a.stdout.Write(out)
		return err
	}
	targets, err := a.patterns.targets(sc)
	if err != nil {
		return err
	}
	dir := f.out
	if dir == "" {
		// Milliseconds, so that two runs started in the same second do
		// not write into one folder.
		dir = filepath.Join("hookbench-out", fmt.Sprintf("%s-%s", sc.Name, time.Now().UTC().Format("20060102-150405.000")))
	}
	if err := checkWritable(dir); err != nil {
		return usageErr(fmt.Errorf("--out: %w", err))
	}

	r := &bench.Runner{Logger: a.logger, Version: buildVersion()}
	pb := newProgress(a.stderr)
	if pb != nil {
		r.Progress = pb.update
	}
	res, runErr := r.Run(ctx, sc, targets)
	if pb != nil {
		if err := pb.finish(); err != nil {
			runErr = errors.Join(runErr, err)
		}
	}
	if res == nil {
		return runErr
	}
	if err := bench.Evaluate(res, ths); err != nil {
		runErr = errors.Join(runErr, err)
	}
	paths, werr := reports.WriteAll(dir, res, formats)
	if werr != nil {
		runErr = errors.Join(runErr, fmt.Errorf("write reports: %w", werr))
	}
	if err := reports.Text(a.stdout, res); err != nil {
		return errors.Join(runErr, err)
	}
	if err := a.printWritten(dir, paths, res.Partial); err != nil {
		return errors.Join(runErr, err)
	}
	if runErr != nil {
		return runErr
	}
	if !res.ThresholdsOK {
		return failedErr()
	}
	return nil
}

// printWritten tells where the results and reports are.
func (a *app) printWritten(dir string, paths []string, partial bool) error {
	note := ""
	if partial {
		note = " (partial: the run was interrupted)"
	}
	var report string
	for _, p := range paths {
		if filepath.Base(p) == "report.html" || report == "" && filepath.Base(p) == "report.md" {
			report = p
		}
	}
	if _, err := fmt.Fprintf(a.stdout, "\nresults: %s%s\n", filepath.Join(dir, "results.json"), note); err != nil {
		return err
	}
	if report != "" {
		if _, err := fmt.Fprintf(a.stdout, "report:  %s\n", report); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(a.stdout, "files:   %d in %s\n", len(paths), dir)
	return err
}

// checkWritable creates dir if needed and checks that files can be written
// in it, before a run that would otherwise fail only at its end.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".hookbench-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	name := f.Name()
	return errors.Join(f.Close(), os.Remove(name))
}
