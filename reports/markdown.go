package reports

import (
	"io"
	"strings"

	"github.com/hookbench/hookbench/bench"
)

// Markdown writes r as a Markdown report (GitHub-flavoured tables), for a
// CI job summary or a pull-request comment: the headline comparison, the
// threshold verdicts, the fault windows with the loss during each, and the
// verdict on each claim the scenario lists.
func Markdown(w io.Writer, r *bench.Result) error {
	m, err := newModel(r)
	if err != nil {
		return err
	}
	return writeMarkdown(w, m)
}

func writeMarkdown(w io.Writer, m *model) error {
	d := buildDocument(m)
	var b strings.Builder
	b.WriteString("# " + mdEscape(d.title) + "\n\n")
	if d.description != "" {
		b.WriteString(mdEscape(d.description) + "\n\n")
	}
	b.WriteString(mdEscape(d.meta) + "\n\n")
	if d.verdict != "" {
		b.WriteString("**" + d.verdict + "**\n\n")
	}
	if len(d.notes) > 0 {
		b.WriteString("> [!WARNING]\n")
		for _, n := range d.notes {
			b.WriteString("> - " + mdEscape(n) + "\n")
		}
		b.WriteString("\n")
	}
	for _, s := range d.sections {
		b.WriteString("## " + s.title + "\n\n")
		if s.intro != "" {
			b.WriteString(mdEscape(s.intro) + "\n\n")
		}
		writeMarkdownTable(&b, s.table)
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
	return err
}

func writeMarkdownTable(b *strings.Builder, t docTable) {
	line := func(cells []cell) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + mdCell(c) + " |")
		}
		b.WriteString("\n")
	}
	line(t.header)
	b.WriteString("|")
	for i := range t.header {
		if i < len(t.right) && t.right[i] {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		line(r)
	}
}

func mdCell(c cell) string {
	if c.code {
		return "`" + strings.ReplaceAll(c.text, "|", `\|`) + "`"
	}
	return strings.ReplaceAll(mdEscape(c.text), "|", `\|`)
}

// mdEscape escapes the characters that would start Markdown markup inside
// a line of text. ">" starts a quote only at the start of a line, which a
// cell or note never is, so hop names such as producer->relay stay
// readable in raw Markdown (CI logs).
func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;").Replace(s)
}
