package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hookbench/hookbench/scenarios"
)

// validateFlags are the flags of `hookbench validate`.
type validateFlags struct {
	print bool
}

func newValidateCmd(a *app) *cobra.Command {
	var f validateFlags
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files without running them",
		Long: `Check scenario files (or built-in names, or results.json files) without
running them. Every problem of every file is printed on stderr as
file:line:col: reason; the exit code is 2 if there is any, 0 otherwise.
With --print, each valid scenario is printed on stdout fully resolved,
every default filled in: what 'hookbench run' would run.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("validate takes one or more scenario files")
			}
			return nil
		},
		ValidArgsFunction: completeScenario(true),
		RunE: func(_ *cobra.Command, args []string) error {
			return a.validate(args, &f)
		},
	}
	cmd.Flags().BoolVar(&f.print, "print", false, "print each valid scenario fully resolved, defaults filled in")
	return cmd
}

func (a *app) validate(files []string, f *validateFlags) error {
	pats := a.patterns.scenarioPatterns()
	bad, printed := 0, 0
	for _, file := range files {
		sc, err := scenarios.Load(file, pats)
		if err != nil {
			if err = a.scenarioError(err); !isSilentUsage(err) {
				return fmt.Errorf("%s: %w", file, err)
			}
			bad++
			continue
		}
		if !f.print {
			if _, err := fmt.Fprintf(a.stdout, "%s: ok\n", file); err != nil {
				return err
			}
			continue
		}
		out, err := scenarios.Marshal(sc)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if printed > 0 {
			out = append([]byte("---\n"), out...)
		}
		printed++
		if _, err := a.stdout.Write(out); err != nil {
			return err
		}
	}
	if bad > 0 {
		return &exitErr{code: exitUsage} // the problems are printed
	}
	return nil
}

// scenarioError prints the problems of a scenario error (*scenarios.Errors)
// on stderr, one a line as file:line:col: reason, and returns a silent
// usage error (exit 2). Other errors pass through.
func (a *app) scenarioError(err error) error {
	var errs *scenarios.Errors
	if !errors.As(err, &errs) {
		return err
	}
	for _, e := range errs.List {
		if _, werr := fmt.Fprintln(a.stderr, e.Error()); werr != nil {
			return werr
		}
	}
	return &exitErr{code: exitUsage}
}

func isSilentUsage(err error) bool {
	var e *exitErr
	return errors.As(err, &e) && e.code == exitUsage && e.err == nil
}

// scenarioPatterns returns the table as scenarios reads it: each name with
// the constructor of its default options.
func (t patternTable) scenarioPatterns() scenarios.Patterns {
	out := make(scenarios.Patterns, len(t))
	for _, p := range t {
		out[p.name] = p.options
	}
	return out
}
