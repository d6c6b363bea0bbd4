package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=..."; a plain
// go build or go install falls back to the module version or VCS revision
// the toolchain recorded (see buildVersion).
var version = ""

// app is what every subcommand shares: the output streams and the table of
// delivery patterns.
type app struct {
	stdout, stderr io.Writer
	patterns       patternTable
	logger         *slog.Logger
}

// run executes the command line args and returns the exit code. It installs
// the interrupt handler: the first Ctrl-C cancels the run's context (the
// run stops and writes partial results); a second one kills the process.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // restore default handling: a second signal terminates
	}()
	return runContext(ctx, args, stdout, stderr)
}

// runContext is run without the signal handling: ctx ending interrupts.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{
		stdout:   stdout,
		stderr:   stderr,
		patterns: builtinPatterns(),
		logger:   slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	root := newRootCmd(a)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil && strings.HasPrefix(err.Error(), "unknown command") {
		err = usageErr(err) // cobra's own argument errors are usage errors
	}
	code := exitCode(err)
	if ctx.Err() != nil {
		// Interrupted: the run wrote its partial results and said where;
		// "context canceled" would read like a crash.
		fmt.Fprintln(stderr, "hookbench: interrupted; partial results were written")
		return exitInterrupted
	}
	var e *exitErr
	if err != nil && (!errors.As(err, &e) || e.err != nil) {
		fmt.Fprintf(stderr, "hookbench: %v\n", err)
		if code == exitUsage {
			fmt.Fprintln(stderr, "Run 'hookbench --help' for usage.")
		}
	}
	return code
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "hookbench",
		Short: "Measure webhooks, polling and WebSockets on one seeded event stream",
		Long: `hookbench drives one seeded event stream, identically, through built-in
implementations of each delivery pattern, and measures end-to-end latency,
request and byte overhead per delivered event, and delivery loss,
duplication and reordering.

Exit codes: 0 ok, 1 runtime error, 2 usage or invalid scenario,
99 thresholds or regression gate failed, 130 interrupted.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	root.AddCommand(
		withScenarioCompletion(a, newRunCmd(a)),
		newListCmd(a),
		newValidateCmd(a),
		newCompareCmd(a),
		newReportCmd(a),
		newVersionCmd(a),
	)
	return root
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(a.stdout, "hookbench %s\n", buildVersion())
			return err
		},
	}
}
