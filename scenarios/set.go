package scenarios

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"github.com/hookbench/hookbench/bench"
)

// Set applies one override, "PATH=VALUE", to sc, as `hookbench run --set`
// does. PATH is a dotted path of scenario keys: duration,
// stream.rate, patterns.webhook.retry.attempts, thresholds.all[0] (or
// thresholds.all.0), faults[1].at. VALUE is YAML in flow style
// ("[lost == 0]", "{kind: outage, at: 2s}"), except where PATH leads to
// text, a duration, a rate or a size: there it is the text itself, so
// "description=a: b" needs no quotes. An empty VALUE puts the default
// back. A path into a pattern the scenario does not run adds it, after the
// others; an index one past the end of a list appends.
//
// The scenario is validated again as a whole, as Parse does. On error sc
// is unchanged and the error is an *Errors whose file is "--set PATH", at
// line 1 and the column of the assignment where the problem lies (the
// value's first column for consequences elsewhere, such as a fault that
// a shorter duration leaves outside the run).
func Set(sc *bench.Scenario, assignment string, pats Patterns) error {
	return hostEnv().set(sc, assignment, pats)
}

// A step is one segment of a --set path: a key, or a list index.
type step struct {
	key   string
	index int // >= 0 for a list index
	col   int // column of the segment in the assignment
}

// setSource places problems of a --set assignment.
type setSource struct {
	file     string
	valueCol int
	cols     map[*token.Token]int // token of the value or path -> column
}

func (e env) set(sc *bench.Scenario, assignment string, pats Patterns) error {
	path, value, ok := strings.Cut(assignment, "=")
	src := setSource{file: "--set " + path, valueCol: utf8.RuneCountInString(path) + 2, cols: map[*token.Token]int{}}
	if !ok || strings.TrimSpace(path) == "" {
		return &Errors{List: []Error{{File: "--set", Line: 1, Col: 1, Msg: fmt.Sprintf("want PATH=VALUE, such as stream.rate=5/s, got %q", assignment)}}}
	}
	steps, perr := parseSetPath(path)
	if perr != nil {
		return src.errors([]problem{*perr})
	}
	d := newDecoder(pats, false)
	t, perr := d.pathType(steps, pats)
	if perr != nil {
		return src.errors([]problem{*perr})
	}
	val, perr := src.valueNode(value, t)
	if perr != nil {
		return src.errors([]problem{*perr})
	}

	data, err := writer{minimal: true}.marshal(sc)
	if err != nil {
		return err
	}
	root, rp := parseYAML(data)
	if rp != nil {
		return fmt.Errorf("scenarios: set: cannot read back the scenario: %s", rp.msg)
	}
	if root, perr = src.splice(root, steps, val); perr != nil {
		return src.errors([]problem{*perr})
	}
	out := defaults(sc.Name)
	d.decode("", root, reflect.ValueOf(out).Elem())
	d.faultDefaults(out)
	d.validate(out, e)
	if len(d.probs) > 0 {
		return src.errors(d.probs)
	}
	*sc = *out
	return nil
}

// parseSetPath splits "a.b[2].c" into steps; "a.b.2.c" is the same.
func parseSetPath(path string) ([]step, *problem) {
	var steps []step
	col := 1
	for _, part := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		switch {
		case key == "" && len(steps) == 0, key == "" && rest == "":
			return nil, colProblem(col, "empty key in path %q", path)
		case key != "":
			if n, err := strconv.Atoi(key); err == nil && n >= 0 && len(steps) > 0 {
				steps = append(steps, step{index: n, col: col})
			} else {
				steps = append(steps, step{key: key, index: -1, col: col})
			}
		}
		c := col + utf8.RuneCountInString(key)
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			n, err := strconv.Atoi(num)
			if !ok || err != nil || n < 0 {
				return nil, colProblem(c+1, "bad index [%s in path %q: want [N], N >= 0", rest, path)
			}
			steps = append(steps, step{index: n, col: c})
			c += len(num) + 2
			if after == "" {
				break
			}
			if !strings.HasPrefix(after, "[") {
				return nil, colProblem(c, "unexpected %q in path %q", after, path)
			}
			rest = after[1:]
		}
		col += utf8.RuneCountInString(part) + 1
	}
	return steps, nil
}

// colProblem is a problem at a column of the assignment.
func colProblem(col int, format string, args ...any) *problem {
	tk := &token.Token{Type: token.StringType, Position: &token.Position{Line: 1, Column: col}}
	return &problem{node: ast.String(tk), msg: fmt.Sprintf(format, args...), col: col}
}

// pathType follows steps through the scenario's types and returns the
// type of the value at the end, reporting a key that does not exist.
func (d *decoder) pathType(steps []step, pats Patterns) (reflect.Type, *problem) {
	t := reflect.TypeFor[bench.Scenario]()
	for _, s := range steps {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t == typePatternList:
			if s.index >= 0 {
				return nil, colProblem(s.col, "patterns are named, not numbered: use patterns.NAME")
			}
			mk, ok := pats[s.key]
			if !ok {
				names := pats.names()
				return nil, colProblem(s.col, "unknown pattern %q%s; this build has: %s", s.key, suggest(s.key, names), strings.Join(names, ", "))
			}
			t = reflect.TypeOf(mk())
		case t.Kind() == reflect.Struct && !customDecoding(t):
			if s.index >= 0 {
				return nil, colProblem(s.col, "a mapping is not a list: index [%d] does not apply", s.index)
			}
			fs := d.fields(t)
			i := indexField(fs, s.key, false)
			if i < 0 {
				names := make([]string, len(fs))
				for j, f := range fs {
					names[j] = f.name
				}
				return nil, colProblem(s.col, "unknown key %q%s; known keys: %s", s.key, suggest(s.key, names), strings.Join(names, ", "))
			}
			t = t.FieldByIndex(fs[i].index).Type
		case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && !customDecoding(t):
			if s.index < 0 {
				return nil, colProblem(s.col, "a list is numbered: use [N], not %q", s.key)
			}
			t = t.Elem()
		case t.Kind() == reflect.Map && !customDecoding(t):
			if s.index >= 0 {
				s.key = strconv.Itoa(s.index)
			}
			t = t.Elem()
		default:
			return nil, colProblem(s.col, "%s holds a single value; it has no %q", wantOf(t), s.key)
		}
	}
	return t, nil
}

// customDecoding reports whether values of t decode themselves, so that a
// path cannot reach inside them.
func customDecoding(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t == typeDuration || p.Implements(typeText) || goccyUnmarshaler(reflect.New(t).Interface())
}

// isText reports whether a value of t is written as text, so that a --set
// value for it is taken literally.
func isText(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.String || t == typeDuration || reflect.PointerTo(t).Implements(typeText)
}

// valueNode turns the VALUE of an assignment into a node whose tokens
// map back to columns of the assignment.
func (src setSource) valueNode(value string, t reflect.Type) (ast.Node, *problem) {
	pos := &token.Position{Line: 1, Column: 1}
	switch {
	case value == "":
		tk := &token.Token{Type: token.NullType, Value: "null", Position: pos}
		src.cols[tk] = src.valueCol
		return ast.Null(tk), nil
	case isText(t):
		tk := &token.Token{Type: token.StringType, Value: value, Origin: value, Position: pos}
		src.cols[tk] = src.valueCol
		return ast.String(tk), nil
	}
	n, p := parseYAML([]byte(value))
	if p != nil {
		if l, c := position(p.node); l == 1 {
			return nil, colProblem(src.valueCol+c-1, "%s", p.msg)
		}
		return nil, colProblem(src.valueCol, "%s", p.msg)
	}
	if n == nil {
		tk := &token.Token{Type: token.NullType, Value: "null", Position: pos}
		src.cols[tk] = src.valueCol
		return ast.Null(tk), nil
	}
	src.mapTokens(n, 0)
	return n, nil
}

// mapTokens records the assignment column of every token under n.
func (src setSource) mapTokens(n ast.Node, depth int) {
	if n == nil || depth > 10*maxDepth {
		return
	}
	if tk := tokenOf(n); tk != nil && tk.Position != nil {
		col := src.valueCol
		if tk.Position.Line == 1 {
			col += tk.Position.Column - 1
		}
		src.cols[tk] = col
	}
	switch x := n.(type) {
	case *ast.MappingNode:
		for _, mv := range x.Values {
			src.mapTokens(mv, depth+1)
		}
	case *ast.MappingValueNode:
		src.mapTokens(x.Key, depth+1)
		src.mapTokens(x.Value, depth+1)
	case *ast.SequenceNode:
		for _, v := range x.Values {
			src.mapTokens(v, depth+1)
		}
	case *ast.AnchorNode:
		src.mapTokens(x.Value, depth+1)
	case *ast.TagNode:
		src.mapTokens(x.Value, depth+1)
	case *ast.MappingKeyNode:
		src.mapTokens(x.Value, depth+1)
	}
}

// tokenOf returns the token position uses for n.
func tokenOf(n ast.Node) *token.Token {
	switch x := n.(type) {
	case nil:
		return nil
	case *ast.MappingNode:
		if !x.IsFlowStyle && len(x.Values) > 0 && x.Values[0] != nil {
			return tokenOf(x.Values[0].Key)
		}
	case *ast.MappingValueNode:
		return tokenOf(x.Key)
	}
	return n.GetToken()
}

// splice puts val at steps in the tree root, creating the mappings and
// list entries on the way that do not exist yet.
func (src setSource) splice(root ast.Node, steps []step, val ast.Node) (ast.Node, *problem) {
	if root == nil {
		root = newMapping()
	}
	cur := &root
	for i, s := range steps {
		last := i == len(steps)-1
		next := func() ast.Node {
			if last {
				return val
			}
			if steps[i+1].index >= 0 {
				return newSequence()
			}
			return newMapping()
		}
		if _, isNull := (*cur).(*ast.NullNode); isNull {
			if s.index >= 0 {
				*cur = newSequence()
			} else {
				*cur = newMapping()
			}
		}
		switch x := (*cur).(type) {
		case *ast.MappingNode:
			if s.index >= 0 {
				s.key = strconv.Itoa(s.index)
			}
			found := false
			for _, mv := range x.Values {
				if name, ok := scalarText(mv.Key); ok && name == s.key && !mv.Key.IsMergeKey() {
					if last {
						mv.Value = val
					}
					cur, found = &mv.Value, true
					break
				}
			}
			if !found {
				ktk := &token.Token{Type: token.StringType, Value: s.key, Origin: s.key, Position: &token.Position{Line: 1, Column: s.col}}
				src.cols[ktk] = s.col
				mv := ast.MappingValue(&token.Token{Type: token.MappingValueType, Value: ":", Position: &token.Position{}}, ast.String(ktk), next())
				x.Values = append(x.Values, mv)
				cur = &mv.Value
			}
		case *ast.SequenceNode:
			if s.index < 0 || s.index > len(x.Values) {
				return nil, colProblem(s.col, "index %d is out of range: the list has %d entries (use %d to append)", s.index, len(x.Values), len(x.Values))
			}
			if s.index == len(x.Values) {
				x.Values = append(x.Values, next())
			} else if last {
				x.Values[s.index] = val
			}
			cur = &x.Values[s.index]
		default:
			return nil, colProblem(s.col, "cannot set %q: what holds it is %s", s.key, describe(*cur))
		}
	}
	return root, nil
}

func newSequence() *ast.SequenceNode {
	return ast.Sequence(&token.Token{Type: token.SequenceStartType, Value: "[", Position: &token.Position{}}, true)
}

func newMapping() *ast.MappingNode {
	return ast.Mapping(&token.Token{Type: token.MappingStartType, Value: "{", Position: &token.Position{}}, true)
}

// errors places problems in the assignment.
func (src setSource) errors(probs []problem) *Errors {
	out := &Errors{List: make([]Error, 0, len(probs))}
	for _, p := range probs {
		col := src.valueCol
		switch {
		case p.col > 0:
			col = p.col
		default:
			if c, ok := src.cols[tokenOf(p.node)]; ok {
				col = c
				if p.caret {
					col += p.off
					if isQuoted(p.node) {
						col++
					}
				}
			}
		}
		out.List = append(out.List, Error{File: src.file, Line: 1, Col: col, Msg: withPath(p)})
	}
	sortErrors(out.List)
	return out
}
