package scenarios

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/hookbench/hookbench/bench"
)

// Parse reads a scenario file (YAML, see the package documentation) and
// returns it resolved: defaults filled and validated. filename appears in
// error positions and names the scenario when the file does not. The error
// is an *Errors listing every problem, each with its line and column.
func Parse(filename string, data []byte, pats Patterns) (*bench.Scenario, error) {
	return hostEnv().parse(source{file: filename, data: data}, pats)
}

// env is what validation reads from the machine. Tests replace it.
type env struct {
	// fdLimit returns the soft and hard limits on open files, or false
	// where there is no such limit.
	fdLimit func() (soft, hard uint64, ok bool)
}

func hostEnv() env { return env{fdLimit: fdLimit} }

// source is one scenario text and how its positions read to the user.
type source struct {
	file string
	data []byte
	json bool // results.json: JSON field names and encodings
	// line and col are where data starts in file, if not at 1:1.
	line, col int
	// only, if not empty, selects the patterns to run (LoadSelect).
	only []string
}

// Default scenario values, for keys a file leaves out. The package
// documentation lists them all; bench.Scenario.Defaults fills the rest.
const (
	defaultSeed        = 1
	defaultDuration    = 10 * time.Second
	defaultSubscribers = 1
	defaultRate        = 10 // events per second
	defaultStatus      = 503
)

// defaults returns the scenario a file decodes onto: every field that has
// a default holds it, so a key the file leaves out keeps it and a key it
// sets to zero is validated as zero.
func defaults(name string) *bench.Scenario {
	sc := &bench.Scenario{
		Name:        name,
		Seed:        defaultSeed,
		Duration:    bench.Duration(defaultDuration),
		Subscribers: defaultSubscribers,
		Stream:      bench.StreamSpec{Rate: defaultRate},
	}
	sc.Defaults()
	return sc
}

// nameFromFile turns a file name into a scenario name: its base name
// without extension, with characters a name cannot hold replaced by '-'.
func nameFromFile(file string) string {
	base := filepath.Base(file)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	b := []byte(base)
	for i, c := range b {
		if !isNameByte(c) {
			b[i] = '-'
		}
	}
	name := strings.Trim(string(b), "-.")
	if name == "" || len(name) > maxNameLen {
		return "scenario"
	}
	return name
}

func (e env) parse(src source, pats Patterns) (*bench.Scenario, error) {
	root, perr := parseYAML(src.data)
	if perr != nil {
		return nil, src.errors([]problem{*perr})
	}
	d := newDecoder(pats, src.json)
	sc := defaults(nameFromFile(src.file))
	d.collectAnchors(root, 0)
	if len(src.only) > 0 {
		root = selectPatterns(root, src.only)
	}
	if root != nil {
		d.decode("", root, reflect.ValueOf(sc).Elem())
	}
	d.faultDefaults(sc)
	d.validate(sc, e)
	if len(d.probs) > 0 {
		return nil, src.errors(d.probs)
	}
	return sc, nil
}

// parseYAML parses one YAML document and returns its body (nil for an
// empty document).
func parseYAML(data []byte) (body ast.Node, p *problem) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	// go-yaml's parser has panicked on malformed input in past releases;
	// a bad file must be an error, never a crash of hookbench validate.
	defer func() {
		if r := recover(); r != nil {
			body, p = nil, &problem{msg: fmt.Sprintf("cannot parse YAML (parser failure: %v)", r)}
		}
	}()
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		msg := err.Error()
		var n ast.Node
		if ye, ok := err.(yaml.Error); ok {
			msg = ye.GetMessage()
			if tk := ye.GetToken(); tk != nil {
				n = &ast.StringNode{BaseNode: &ast.BaseNode{}, Token: tk}
			}
		}
		return nil, &problem{node: n, msg: "YAML syntax: " + msg}
	}
	var docs []*ast.DocumentNode
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			docs = append(docs, doc)
		}
	}
	switch len(docs) {
	case 0:
		return nil, nil
	case 1:
		return docs[0].Body, nil
	}
	return nil, &problem{node: docs[1].Body, msg: fmt.Sprintf("a scenario file holds one YAML document; this one has %d", len(docs))}
}

// errors places problems in src and returns them in source order.
func (src source) errors(probs []problem) *Errors {
	out := &Errors{List: make([]Error, 0, len(probs))}
	for _, p := range probs {
		line, col := position(p.node)
		if line > 0 && p.caret {
			col += p.off
			if isQuoted(p.node) {
				col++
			}
		}
		if line > 0 && src.line > 0 {
			if line == 1 {
				col += src.col - 1
			}
			line += src.line - 1
		}
		out.List = append(out.List, Error{File: src.file, Line: line, Col: col, Msg: withPath(p)})
	}
	sortErrors(out.List)
	return out
}

func withPath(p problem) string {
	if p.path == "" {
		return p.msg
	}
	return p.path + ": " + p.msg
}

// sortErrors orders errors by position, those without one last, keeping
// the order of discovery among equals.
func sortErrors(list []Error) {
	slices.SortStableFunc(list, func(a, b Error) int {
		switch {
		case a.Line == b.Line:
			return a.Col - b.Col
		case a.Line == 0:
			return 1
		case b.Line == 0:
			return -1
		}
		return a.Line - b.Line
	})
}

// faultDefaults fills the per-kind defaults of faults: an errors fault
// answers 503 unless it says otherwise.
func (d *decoder) faultDefaults(sc *bench.Scenario) {
	for i := range sc.Faults {
		f := &sc.Faults[i]
		if _, set := d.keys[fmt.Sprintf("faults[%d].status", i)]; f.Kind == bench.FaultErrors && f.Status == 0 && !set {
			f.Status = defaultStatus
		}
	}
}
