package main

import (
	"context"
	"errors"
	"fmt"
)

// Exit codes (DESIGN 'CLI').
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitThresholds  = 99
	exitInterrupted = 130
)

// exitErr carries the exit code a failure maps to. Commands return it;
// run picks the code and prints the message.
type exitErr struct {
	code int
	err  error // nil: exit with code, print nothing
}

func (e *exitErr) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitErr) Unwrap() error { return e.err }

// usageErr marks err as a usage or configuration error (exit 2).
func usageErr(err error) error { return &exitErr{code: exitUsage, err: err} }

// usagef formats a usage error (exit 2).
func usagef(format string, args ...any) error { return usageErr(fmt.Errorf(format, args...)) }

// failedErr marks a run whose thresholds or gate failed (exit 99). The
// reports have been written and the verdicts printed, so there is nothing
// more to say.
func failedErr() error { return &exitErr{code: exitThresholds} }

// exitCode maps an error from a command to the process exit code.
func exitCode(err error) int {
	var e *exitErr
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &e):
		return e.code
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	default:
		return exitError
	}
}
