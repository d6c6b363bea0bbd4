package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/hookbench/hookbench/scenarios"
)

func newListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the built-in scenarios and the claim each one tests",
		Long: `List the built-in scenarios, one a line: the name to give to
'hookbench run', and the claim the scenario puts to the test. A scenario
that needs a pattern this build lacks says so.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("list takes no arguments, got %s", strings.Join(args, " "))
			}
			return nil
		},
		RunE: func(*cobra.Command, []string) error { return a.list() },
	}
}

func (a *app) list() error {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	for _, b := range scenarios.Builtins() {
		desc := b.Description
		if missing := a.patterns.missing(b.Patterns); len(missing) > 0 {
			desc += " (needs " + strings.Join(missing, ", ") + ", not in this build)"
		}
		fmt.Fprintf(tw, "%s\t%s\n", b.Name, desc)
	}
	return tw.Flush()
}

// missing returns the names of want that the table does not hold.
func (t patternTable) missing(want []string) []string {
	var out []string
	for _, name := range want {
		if _, ok := t.lookup(name); !ok {
			out = append(out, name)
		}
	}
	return out
}
