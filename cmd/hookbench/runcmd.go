package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/reports"
)

// runFlags are the flags of `hookbench run`.
type runFlags struct {
	patterns    []string
	duration    time.Duration
	rate        string
	subscribers int
	seed        uint64
	out         string
	formats     []string
	thresholds  []string
}

func newRunCmd(a *app) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [SCENARIO]",
		Short: "Run a scenario and report latency, overhead and loss per pattern",
		Long: `Run a scenario: a built-in name (default: compare) or a scenario file.
Each pattern runs in turn on the identical seeded stream; the summary table
goes to stdout and results to the output folder.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("run takes at most one scenario, got %d: %s", len(args), strings.Join(args, " "))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			name := "compare"
			if len(args) == 1 {
				name = args[0]
			}
			return a.run(cmd.Context(), cmd, name, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVarP(&f.patterns, "patterns", "p", nil, "patterns to run, comma-separated (default: the scenario's)")
	fl.DurationVarP(&f.duration, "duration", "d", 0, "how long events are published, e.g. 30s (default: the scenario's)")
	fl.StringVarP(&f.rate, "rate", "r", "", "event rate, N/s, N/m or N/h (default: the scenario's)")
	fl.IntVar(&f.subscribers, "subscribers", 0, "number of subscribers (default: the scenario's)")
	fl.Uint64Var(&f.seed, "seed", 0, "seed of the stream and of every random decision (default: the scenario's)")
	fl.StringVarP(&f.out, "out", "o", "", "output folder (default hookbench-out/<scenario>-<UTC time>)")
	fl.StringArrayVarP(&f.thresholds, "threshold", "t", nil, "add a threshold (repeatable): 'lost == 0', 'websocket: p99 < 50ms', 'p99[10s] < 200ms'")
	fl.StringSliceVar(&f.formats, "format", reports.DefaultFormats(),
		"output formats, comma-separated: "+strings.Join(reports.FormatNames(), ",")+" (results.json is always written)")
	return cmd
}

// apply overrides sc with the flags that were set.
func (f *runFlags) apply(cmd *cobra.Command, sc *bench.Scenario, pats patternTable) error {
	var errs []error
	fl := cmd.Flags()
	if fl.Changed("duration") {
		if f.duration <= 0 {
			errs = append(errs, fmt.Errorf("--duration must be > 0, got %v", f.duration))
		}
		sc.Duration = bench.Duration(f.duration)
	}
	if fl.Changed("rate") {
		r, err := bench.ParseRate(f.rate)
		if err != nil {
			errs = append(errs, fmt.Errorf("--rate: %w", err))
		}
		sc.Stream.Rate = r
	}
	if fl.Changed("subscribers") {
		if f.subscribers <= 0 {
			errs = append(errs, fmt.Errorf("--subscribers must be > 0, got %d", f.subscribers))
		}
		sc.Subscribers = f.subscribers
	}
	if fl.Changed("seed") {
		sc.Seed = f.seed
	}
	if fl.Changed("patterns") {
		sel, err := selectPatterns(sc.Patterns, f.patterns, pats)
		if err != nil {
			errs = append(errs, err)
		}
		sc.Patterns = sel
	}
	return errors.Join(errs...)
}

// selectPatterns returns the patterns named in want, in the order given,
// keeping the scenario's options for those it lists.
func selectPatterns(have bench.PatternList, want []string, pats patternTable) (bench.PatternList, error) {
	var out bench.PatternList
	var errs []error
	for _, name := range want {
		name = strings.TrimSpace(name)
		if _, ok := pats.lookup(name); !ok {
			errs = append(errs, fmt.Errorf("--patterns: unknown pattern %q (known: %s)", name, strings.Join(pats.names(), ", ")))
			continue
		}
		spec := bench.PatternSpec{Name: name}
		for _, h := range have {
			if h.Name == name {
				spec = h
			}
		}
		out = append(out, spec)
	}
	if len(want) == 0 {
		errs = append(errs, errors.New("--patterns: name at least one pattern"))
	}
	return out, errors.Join(errs...)
}

func (a *app) run(ctx context.Context, cmd *cobra.Command, name string, f *runFlags) error {
	sc, err := a.loadScenario(name)
	if err != nil {
		return err
	}
	if err := f.apply(cmd, sc, a.patterns); err != nil {
		return usageErr(err)
	}
	sc.Defaults()
	if err := sc.Validate(); err != nil {
		return usageErr(err)
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
	formats, err := reports.ParseFormats(strings.Join(f.formats, ","))
	if err != nil {
		return usageErr(fmt.Errorf("--format: %w", err))
	}
	if !slices.Contains(formats, "json") {
		formats = append([]string{"json"}, formats...) // the record every report is made from
	}
	targets, err := a.patterns.targets(sc)
	if err != nil {
		return err
	}
	dir := f.out
	if dir == "" {
		dir = filepath.Join("hookbench-out", fmt.Sprintf("%s-%s", sc.Name, time.Now().UTC().Format("20060102-150405")))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}

	r := &bench.Runner{Logger: a.logger, Version: version}
	res, runErr := r.Run(ctx, sc, targets)
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
