package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hookbench/hookbench/bench"
)

// compareFlags are the flags of `hookbench compare`.
type compareFlags struct {
	limits []string
	force  bool
	format string
}

func newCompareCmd(a *app) *cobra.Command {
	var f compareFlags
	cmd := &cobra.Command{
		Use:   "compare BASE.json NEW.json",
		Short: "Compare a results file against a baseline and gate on regressions",
		Long: `Compare NEW.json against the baseline BASE.json: per pattern and metric
the base and new values, the change, and a verdict for every metric with a
--max-regression limit. Exits 99 when a limit is exceeded (or a pattern of
the baseline is missing from NEW.json, or NEW.json is partial).

A limit is METRIC=N% (relative to the base value) or METRIC=N (an absolute
worsening in the metric's unit: ms for latencies, which also take us and s;
percentage points for rates), optionally for one pattern only:
  --max-regression p99=10% --max-regression lost=0
  --max-regression requests_per_event=5% --max-regression 'websocket: p99=5ms'
Worse means higher, except for valid and unique.

The two results must come from the same scenario, except for duration and
seed (and thresholds); otherwise compare refuses (exit 2) and names the
fields that differ, unless --force.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("compare takes two results files, BASE.json and NEW.json, got %d argument(s)", len(args))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			return a.compare(args[0], args[1], &f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.limits, "max-regression", nil, "limit on how much worse a metric may get, METRIC=PCT% or METRIC=AMOUNT (repeatable)")
	fl.BoolVar(&f.force, "force", false, "compare even when the scenarios differ in more than duration and seed")
	fl.StringVar(&f.format, "format", "text", "output format: text or md (Markdown, for pull-request comments)")
	return cmd
}

func (a *app) compare(basePath, newPath string, f *compareFlags) error {
	var render func(*bench.Comparison) string
	switch f.format {
	case "text":
		render = (*bench.Comparison).Text
	case "md", "markdown":
		render = (*bench.Comparison).Markdown
	default:
		return usagef("--format: unknown format %q (known: text, md)", f.format)
	}
	limits, err := bench.ParseRegressions(f.limits)
	if err != nil {
		return usageErr(fmt.Errorf("--max-regression: %w", err))
	}
	// A results file that cannot be read is a bad argument, like a bad
	// scenario file for run.
	base, err := bench.ReadResult(basePath)
	if err != nil {
		return usageErr(fmt.Errorf("base: %w", err))
	}
	next, err := bench.ReadResult(newPath)
	if err != nil {
		return usageErr(fmt.Errorf("new: %w", err))
	}
	c, err := bench.Compare(base, next, limits, f.force)
	var (
		mismatch *bench.ScenarioMismatchError
		bad      *bench.ThresholdError
	)
	switch {
	case errors.As(err, &mismatch):
		return usageErr(fmt.Errorf("refusing to compare %s with %s: %w; pass --force to compare them anyway", basePath, newPath, err))
	case errors.As(err, &bad):
		return usageErr(fmt.Errorf("--max-regression: %w", err))
	case err != nil:
		return err
	}
	c.BaseName, c.NewName = basePath, newPath
	if _, err := io.WriteString(a.stdout, render(c)); err != nil {
		return err
	}
	if !c.OK {
		return failedErr()
	}
	return nil
}
