// Package main is the hookbench command line: flags, subcommands, signals
// and exit codes. It is the only package that touches os.Args, os.Exit,
// stdout, stderr and signals; everything else is a library.
//
// Exit codes: 0 ok; 1 runtime error; 2 usage or invalid scenario; 99
// thresholds or regression gate failed; 130 interrupted (partial results
// are still written and marked partial).
package main
