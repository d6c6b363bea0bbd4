package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/reports"
)

// reportFlags are the flags of `hookbench report`.
type reportFlags struct {
	out     string
	formats []string
}

func newReportCmd(a *app) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report RESULTS.json",
		Short: "Re-render reports and plots from a saved results file",
		Long: `Re-render the reports and plots of a run from its results.json, without
running it again: the latency histograms saved in the file make every plot
reproducible. The summary table goes to stdout, the files to the output
folder (default: the folder of RESULTS.json).

Formats: ` + strings.Join(reports.FormatNames(), ", ") + `.
  json   results.json         md     report.md (CI job summaries, PR comments)
  html   report.html          junit  junit.xml (threshold verdicts)
  png    five plots, .png     svg    the same plots, .svg
  text   summary.txt

The exit code says whether rendering worked (0, or 1), not whether the run
met its thresholds: run and compare gate on those.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("report takes one results file, got %d argument(s)", len(args))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			return a.report(args[0], &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "out", "o", "", "output folder (default: the folder of RESULTS.json)")
	fl.StringSliceVar(&f.formats, "format", []string{"md", "html", "png"},
		"output formats, comma-separated: "+strings.Join(reports.FormatNames(), ","))
	return cmd
}

func (a *app) report(path string, f *reportFlags) error {
	formats, err := reports.ParseFormats(strings.Join(f.formats, ","))
	if err != nil {
		return usageErr(fmt.Errorf("--format: %w", err))
	}
	// A results file that cannot be read is a bad argument, as in compare.
	res, err := bench.ReadResult(path)
	if err != nil {
		return usageErr(err)
	}
	dir := f.out
	if dir == "" {
		dir = filepath.Dir(path)
	}
	paths, werr := reports.WriteAll(dir, res, formats)
	if err := reports.Text(a.stdout, res); err != nil {
		return err
	}
	if len(paths) > 0 {
		names := make([]string, len(paths))
		for i, p := range paths {
			names[i] = filepath.Base(p)
		}
		if _, err := fmt.Fprintf(a.stdout, "\nwritten to %s: %s\n", dir, strings.Join(names, ", ")); err != nil {
			return err
		}
	}
	if werr != nil {
		return fmt.Errorf("report: %w", werr)
	}
	return nil
}
