package bench

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Text renders c as plain-text tables for a terminal: a verdict line, the
// two runs, any problems and warnings, then one table per pattern.
func (c *Comparison) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hookbench compare: %s\n", c.headline())
	fmt.Fprintf(&b, "scenario %s; base: %s; new: %s\n", orDash(c.Scenario), c.Base.describe(c.BaseName), c.New.describe(c.NewName))
	if c.Forced {
		fmt.Fprintf(&b, "warning: forced: %s\n", c.differenceText(false))
	}
	for _, p := range c.Problems {
		fmt.Fprintf(&b, "problem: %s\n", p)
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	for _, p := range c.Patterns {
		fmt.Fprintf(&b, "\n%s\n", p.Name)
		if p.Missing != "" {
			fmt.Fprintf(&b, "  missing from the %s result\n", p.Missing)
			continue
		}
		var table strings.Builder
		tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  metric\tbase\tnew\tchange\tlimit\tverdict")
		for _, r := range p.Rows {
			verdict := r.Verdict
			if verdict == CompareRegressed {
				verdict = "REGRESSED"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", r.label(), formatValue(r.Base), formatValue(r.New), r.changeText(), r.Limit, verdict)
		}
		tw.Flush() // writes to a strings.Builder cannot fail
		// Empty last cells leave the padding of the ones before them.
		for line := range strings.Lines(table.String()) {
			b.WriteString(strings.TrimRight(line, " \n") + "\n")
		}
	}
	return b.String()
}

// Markdown renders c as GitHub-flavoured Markdown for a pull-request
// comment or a CI job summary.
func (c *Comparison) Markdown() string {
	var b strings.Builder
	mark := "✅"
	if !c.OK {
		mark = "❌"
	}
	fmt.Fprintf(&b, "### %s hookbench compare: %s\n\n", mark, c.headline())
	fmt.Fprintf(&b, "Scenario `%s` · **base** %s · **new** %s\n", mdCode(orDash(c.Scenario)), mdText(c.Base.describe(c.BaseName)), mdText(c.New.describe(c.NewName)))
	if c.Forced || len(c.Problems) > 0 || len(c.Warnings) > 0 {
		b.WriteString("\n")
	}
	if c.Forced {
		fmt.Fprintf(&b, "- ⚠️ Forced comparison: %s\n", c.differenceText(true))
	}
	for _, p := range c.Problems {
		fmt.Fprintf(&b, "- ❌ %s\n", mdText(p))
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(&b, "- ⚠️ %s\n", mdText(w))
	}
	for _, p := range c.Patterns {
		fmt.Fprintf(&b, "\n#### %s\n\n", mdText(p.Name))
		if p.Missing != "" {
			fmt.Fprintf(&b, "Missing from the %s result.\n", p.Missing)
			continue
		}
		b.WriteString("| metric | base | new | change | limit | verdict |\n|:--|--:|--:|--:|:--|:--|\n")
		for _, r := range p.Rows {
			verdict := ""
			switch r.Verdict {
			case CompareOK:
				verdict = "✅ ok"
			case CompareRegressed:
				verdict = "❌ **regressed**"
			}
			change := r.changeText()
			if r.Worse && change != "" {
				change = "**" + change + "**"
			}
			label := "`" + r.Metric + "`"
			if r.Unit != "" {
				label += " (" + r.Unit + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", label, formatValue(r.Base), formatValue(r.New), change, mdText(r.Limit), verdict)
		}
	}
	return b.String()
}

func (c *Comparison) headline() string {
	if c.OK {
		return "pass"
	}
	var why []string
	switch c.Regressions {
	case 0:
	case 1:
		why = append(why, "1 regression")
	default:
		why = append(why, strconv.Itoa(c.Regressions)+" regressions")
	}
	switch len(c.Problems) {
	case 0:
	case 1:
		why = append(why, "1 problem")
	default:
		why = append(why, strconv.Itoa(len(c.Problems))+" problems")
	}
	return "FAIL (" + strings.Join(why, ", ") + ")"
}

func (c *Comparison) differenceText(md bool) string {
	parts := make([]string, len(c.Differences))
	for i, d := range c.Differences {
		parts[i] = d.String()
		if md {
			parts[i] = "`" + mdCode(d.Field) + "` " + mdText(strings.TrimPrefix(d.String(), d.Field+" "))
		}
	}
	return "the scenarios differ in " + strings.Join(parts, ", ")
}

func (r ComparedRun) describe(name string) string {
	s := fmt.Sprintf("seed %d, %v", r.Seed, r.Duration)
	if r.Version != "" {
		s += ", hookbench " + r.Version
	}
	if r.Partial {
		s += ", partial"
	}
	if name != "" {
		s = name + " (" + s + ")"
	}
	return s
}

func (r ComparisonRow) label() string {
	if r.Unit == "" {
		return r.Metric
	}
	return r.Metric + " (" + r.Unit + ")"
}

func (r ComparisonRow) changeText() string {
	switch {
	case r.Change != nil && *r.Change == 0:
		return "0%"
	case r.Change != nil:
		return fmt.Sprintf("%+.1f%%", *r.Change)
	case r.Base != nil && r.New != nil:
		return "new" // from 0 to something
	}
	return ""
}

// formatValue shows v with at most 3 decimals, "-" when there is none.
func formatValue(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(math.Round(*v*1000)/1000, 'f', -1, 64)
}

// mdText escapes the characters that would break a Markdown table cell or
// start markup.
func mdText(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;").Replace(s)
}

// mdCode makes s safe inside a `code span` within a table.
func mdCode(s string) string {
	return strings.NewReplacer("`", "'", "|", `\|`).Replace(s)
}
