package scenarios

import (
	"fmt"
	"strings"
)

// An Error is one problem with a scenario, at a position in its source.
// Line and Col are 1-based; Col counts characters, not bytes. Either is 0
// when unknown.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

// Error formats e as "file:line:col: msg", as compilers do.
func (e Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one scenario source, in source order.
// Parse, Load and Set return it (as *Errors) for anything wrong with the
// scenario itself; the CLI maps it to exit code 2.
type Errors struct {
	List []Error
}

// Error prints one problem per line.
func (e *Errors) Error() string {
	lines := make([]string, len(e.List))
	for i, x := range e.List {
		lines[i] = x.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems one by one, for errors.As.
func (e *Errors) Unwrap() []error {
	out := make([]error, len(e.List))
	for i, x := range e.List {
		out[i] = x
	}
	return out
}
