package reports

import (
	"strings"
	"unicode/utf8"
)

// textTable lays out rows of cells in aligned columns for a terminal. The
// first column is left-aligned, the others right-aligned (numbers).
type textTable struct {
	header []string
	rows   [][]string
}

// add appends a row.
func (t *textTable) add(cells ...string) { t.rows = append(t.rows, cells) }

// write appends the table to b, each line starting with indent.
func (t *textTable) write(b *strings.Builder, indent string) {
	widths := make([]int, len(t.header))
	for _, row := range append([][]string{t.header}, t.rows...) {
		for i, c := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], utf8.RuneCountInString(c))
			}
		}
	}
	line := func(row []string) {
		b.WriteString(indent)
		for i, w := range widths {
			c := ""
			if i < len(row) {
				c = row[i]
			}
			pad := strings.Repeat(" ", w-utf8.RuneCountInString(c))
			switch {
			case i == 0:
				b.WriteString(c)
				if len(widths) > 1 {
					b.WriteString(pad)
				}
			default:
				b.WriteString("  ")
				b.WriteString(pad)
				b.WriteString(c)
			}
		}
		b.WriteByte('\n')
	}
	line(t.header)
	for _, row := range t.rows {
		line(row)
	}
}
