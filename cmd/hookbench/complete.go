package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookbench/hookbench/scenarios"
)

// withScenarioCompletion makes the shell complete cmd's argument with
// built-in scenario names (or scenario and results files), and its
// --patterns flag, if any, with the patterns of this build.
func withScenarioCompletion(a *app, cmd *cobra.Command) *cobra.Command {
	cmd.ValidArgsFunction = completeScenario(false)
	if cmd.Flags().Lookup("patterns") != nil {
		_ = cmd.RegisterFlagCompletionFunc("patterns", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			var out []string
			for _, p := range a.patterns {
				out = append(out, p.name+"\t"+p.summary)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		})
	}
	return cmd
}

// completeScenario completes a scenario argument: built-in names with
// their claims, or, once the word looks like a path, .yaml, .yml and .json
// files. many says whether the command takes more than one.
func completeScenario(many bool) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 && !many {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		files := []string{"yaml", "yml", "json"}
		if strings.ContainsAny(toComplete, "./~") {
			return files, cobra.ShellCompDirectiveFilterFileExt
		}
		var out []string
		for _, b := range scenarios.Builtins() {
			if strings.HasPrefix(b.Name, toComplete) {
				out = append(out, b.Name+"\t"+b.Description)
			}
		}
		if len(out) == 0 {
			return files, cobra.ShellCompDirectiveFilterFileExt
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
