package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hookbench/hookbench/bench"
)

// A Renderer writes one rendering of a Result to w.
type Renderer interface {
	Render(w io.Writer, r *bench.Result) error
}

// RendererFunc adapts a function to Renderer, as reports.Text, Markdown,
// HTML, JUnit and JSON are: RendererFunc(reports.Markdown).
type RendererFunc func(w io.Writer, r *bench.Result) error

// Render calls f(w, r).
func (f RendererFunc) Render(w io.Writer, r *bench.Result) error { return f(w, r) }

// JSON writes r as results.json (bench.Result.Encode).
func JSON(w io.Writer, r *bench.Result) error {
	if r == nil {
		return fmt.Errorf("reports: no result")
	}
	return r.Encode(w)
}

// A Format is a named way to render a Result, as the CLI's --format offers
// it: one or more files (png and svg write one file per plot).
type Format struct {
	Name        string
	Description string
	Files       []File
}

// A File is one output of a Format: its name inside the output folder and
// how to render it. A File is a Renderer.
type File struct {
	Name   string
	render func(w io.Writer, m *model) error
}

// Render writes the file's content for r to w.
func (f File) Render(w io.Writer, r *bench.Result) error {
	m, err := newModel(r)
	if err != nil {
		return err
	}
	return f.render(w, m)
}

// Formats returns every format, in the order WriteAll writes them.
func Formats() []Format {
	plots := func(ext string) []File {
		var files []File
		for _, f := range figures() {
			files = append(files, File{Name: f.name + "." + ext, render: func(w io.Writer, m *model) error {
				return renderFigure(w, m, f, ext)
			}})
		}
		return files
	}
	return []Format{
		{"json", "results.json: the full results, re-renderable (schema " + bench.Schema + ")",
			[]File{{"results.json", func(w io.Writer, m *model) error { return m.r.Encode(w) }}}},
		{"md", "report.md: Markdown for CI job summaries and pull-request comments",
			[]File{{"report.md", writeMarkdown}}},
		{"html", "report.html: one self-contained page with every table and plot",
			[]File{{"report.html", writeHTML}}},
		{"junit", "junit.xml: threshold verdicts as JUnit test cases",
			[]File{{"junit.xml", writeJUnit}}},
		{"png", "the plots as PNG images", plots("png")},
		{"svg", "the plots as SVG images", plots("svg")},
		{"text", "summary.txt: the terminal summary table",
			[]File{{"summary.txt", writeText}}},
	}
}

// FormatNames returns the names of every format.
func FormatNames() []string {
	var names []string
	for _, f := range Formats() {
		names = append(names, f.Name)
	}
	return names
}

// DefaultFormats returns the formats a run writes when none are asked for.
func DefaultFormats() []string { return []string{"json", "md", "html", "png"} }

// Lookup returns the format of that name. An unknown name is an error
// listing the known ones.
func Lookup(name string) (Format, error) {
	for _, f := range Formats() {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("unknown format %q (formats: %s)", name, strings.Join(FormatNames(), ", "))
}

// ParseFormats splits a comma-separated list of format names ("json,md"),
// ignoring spaces, empty items and repeats, and checks every name.
func ParseFormats(list string) ([]string, error) {
	var out []string
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" || slices.Contains(out, name) {
			continue
		}
		if _, err := Lookup(name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no format given (formats: %s)", strings.Join(FormatNames(), ", "))
	}
	return out, nil
}
