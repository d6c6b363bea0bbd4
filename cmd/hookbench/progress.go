package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/hookbench/hookbench/bench"
)

// A progressBar draws a run's progress on a terminal, one line per
// pattern: a bar of the deliveries so far against all the stream needs,
// the published and delivered counts, the elapsed time and the phase.
// Patterns run one after another, so the current line is redrawn in place
// and left as it is when the next pattern starts. It is safe for
// concurrent use.
type progressBar struct {
	mu   sync.Mutex
	w    io.Writer
	cur  int  // index of the pattern on the current line
	open bool // the current line has been drawn and not ended
	err  error
}

// newProgress returns a progress bar drawing on w when w is a terminal,
// and nil otherwise: nothing is drawn, so CI logs stay clean.
func newProgress(w io.Writer) *progressBar {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok || !isatty.IsTerminal(f.Fd()) && !isatty.IsCygwinTerminal(f.Fd()) {
		return nil
	}
	return &progressBar{w: w, cur: -1}
}

// update draws p. It is a bench.Runner's Progress function.
func (b *progressBar) update(p bench.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return
	}
	var out strings.Builder
	if b.open && p.Index != b.cur {
		out.WriteByte('\n')
	}
	out.WriteString("\r")
	out.WriteString(progressLine(p))
	out.WriteString("\x1b[K") // clear what a longer line left
	b.cur, b.open = p.Index, true
	if _, err := io.WriteString(b.w, out.String()); err != nil {
		b.err = err
	}
}

// finish ends the current line. It returns the first error drawing met,
// after which the bar stopped drawing.
func (b *progressBar) finish() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open && b.err == nil {
		if _, err := io.WriteString(b.w, "\n"); err != nil {
			b.err = err
		}
	}
	b.open = false
	return b.err
}

const barWidth = 20

// progressLine renders one pattern's line, such as
//
//	(1/4) webhook            [#########-----------]  45%  published 1125/2500  delivered 4500/10000  2.3s  publishing
func progressLine(p bench.Progress) string {
	var subs, total int64
	if p.Published > 0 {
		subs = p.Expected / p.Published
	}
	total = int64(p.Events) * subs
	frac := 0.0
	if total > 0 {
		frac = min(max(float64(p.Delivered)/float64(total), 0), 1)
	}
	filled := int(frac * barWidth)
	bar := strings.Repeat("#", filled) + strings.Repeat("-", barWidth-filled)
	return fmt.Sprintf("(%d/%d) %-17s [%s] %3.0f%%  published %d/%d  delivered %d/%d  %s  %s",
		p.Index+1, p.Patterns, p.Pattern, bar, 100*frac,
		p.Published, p.Events, p.Delivered, total, p.Elapsed.Round(100*time.Millisecond), p.Phase)
}
