package scenarios

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/hookbench/hookbench/bench"
)

// Limits on what one document may make the decoder do. Aliases can expand
// a small file into an enormous tree ("billion laughs"); these stop that.
const (
	maxSteps = 1 << 20
	maxDepth = 100
)

// A problem is one thing wrong with a scenario, tied to the node it is
// about. Problems become Errors once a locator has placed them.
type problem struct {
	node  ast.Node // where; nil for the document as a whole
	path  string   // the field concerned ("stream.rate"); "" for the document
	off   int      // characters into node's text, if caret
	caret bool     // point at off characters into the node's text
	col   int      // if > 0, the column in a --set assignment
	msg   string
}

// Keys starting with extensionPrefix are ignored wherever a struct is
// decoded: they hold anchors for the rest of the file to alias.
const extensionPrefix = "x-"

// A decoder turns a YAML AST into Go values strictly: unknown and
// duplicate keys, wrong types and bad units are problems, and it goes on
// after each one so that every problem is reported at once. It remembers
// which node every field came from, for validation to point at.
//
// Field names follow go-yaml's rules: the yaml tag, else the json tag,
// else the lower-cased field name; ",inline" flattens a struct. In JSON
// mode (results.json) the json tag comes first and a time.Duration may be
// an integer number of nanoseconds, as encoding/json writes it.
type decoder struct {
	json    bool
	pats    Patterns
	anchors map[string][]anchor
	nodes   map[string]ast.Node // field path -> value node as written
	keys    map[string]ast.Node // field path -> key node
	probs   []problem
	steps   int
	depth   int
}

type anchor struct {
	offset int
	value  ast.Node
}

func newDecoder(pats Patterns, jsonMode bool) *decoder {
	return &decoder{
		json:    jsonMode,
		pats:    pats,
		anchors: map[string][]anchor{},
		nodes:   map[string]ast.Node{},
		keys:    map[string]ast.Node{},
	}
}

func (d *decoder) fail(n ast.Node, path, format string, args ...any) {
	d.probs = append(d.probs, problem{node: n, path: path, msg: fmt.Sprintf(format, args...)})
}

// Types the decoder treats specially.
var (
	typeDuration    = reflect.TypeFor[time.Duration]()
	typeBenchDur    = reflect.TypeFor[bench.Duration]()
	typeRate        = reflect.TypeFor[bench.Rate]()
	typeSize        = reflect.TypeFor[bench.Size]()
	typePatternList = reflect.TypeFor[bench.PatternList]()
	typeText        = reflect.TypeFor[encoding.TextUnmarshaler]()
	typeJSON        = reflect.TypeFor[json.Unmarshaler]()
	typeAny         = reflect.TypeFor[any]()
)

// goccyUnmarshaler reports whether p (a pointer) decodes itself with one
// of go-yaml's unmarshaler interfaces.
func goccyUnmarshaler(p any) bool {
	switch p.(type) {
	case yaml.BytesUnmarshaler, yaml.BytesUnmarshalerContext,
		yaml.InterfaceUnmarshaler, yaml.InterfaceUnmarshalerContext,
		yaml.NodeUnmarshaler, yaml.NodeUnmarshalerContext:
		return true
	}
	return false
}

// collectAnchors records every anchor of the tree, so that an alias finds
// its anchor even when the anchor sits under a key that fails to decode.
func (d *decoder) collectAnchors(n ast.Node, depth int) {
	if n == nil || depth > 10*maxDepth {
		return
	}
	switch n := n.(type) {
	case *ast.AnchorNode:
		if n.Name != nil && n.Value != nil {
			name := n.Name.GetToken().Value
			d.anchors[name] = append(d.anchors[name], anchor{offset: offsetOf(n), value: n.Value})
		}
		d.collectAnchors(n.Value, depth+1)
	case *ast.TagNode:
		d.collectAnchors(n.Value, depth+1)
	case *ast.MappingNode:
		for _, mv := range n.Values {
			d.collectAnchors(mv, depth+1)
		}
	case *ast.MappingValueNode:
		d.collectAnchors(n.Key, depth+1)
		d.collectAnchors(n.Value, depth+1)
	case *ast.MappingKeyNode:
		d.collectAnchors(n.Value, depth+1)
	case *ast.SequenceNode:
		for _, v := range n.Values {
			d.collectAnchors(v, depth+1)
		}
	}
}

func offsetOf(n ast.Node) int {
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Offset
	}
	return 0
}

// resolve looks through anchors, aliases and tags to the node that holds
// the value. str reports a !!str tag: the scalar is text whatever it looks
// like. It returns nil after reporting a problem.
func (d *decoder) resolve(path string, n ast.Node) (_ ast.Node, str bool) {
	for i := 0; ; i++ {
		if i > maxDepth {
			d.fail(n, path, "too many nested anchors, aliases or tags")
			return nil, false
		}
		switch x := n.(type) {
		case *ast.AnchorNode:
			n = x.Value
		case *ast.AliasNode:
			name := ""
			if x.Value != nil {
				name = x.Value.GetToken().Value
			}
			var found ast.Node
			for _, a := range d.anchors[name] {
				if a.offset < offsetOf(x) {
					found = a.value
				}
			}
			if found == nil {
				d.fail(x, path, "alias *%s refers to no anchor &%s before it", name, name)
				return nil, false
			}
			n = found
		case *ast.TagNode:
			switch tag := x.Start.Value; tag {
			case "!!str":
				str = true
			case "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq":
			default:
				d.fail(x, path, "unsupported tag %s", tag)
				return nil, false
			}
			n = x.Value
		case *ast.MappingKeyNode:
			n = x.Value
		default:
			return n, str
		}
	}
}

// decode decodes n into v, which must be settable. A null or missing
// value leaves v as it is: fields keep their defaults.
func (d *decoder) decode(path string, n ast.Node, v reflect.Value) {
	d.steps++
	if d.steps == maxSteps {
		d.fail(n, path, "document too large: more than %d values (aliases included)", maxSteps)
	}
	if d.steps >= maxSteps {
		return
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		d.fail(n, path, "nested more than %d levels deep", maxDepth)
		return
	}
	if n != nil {
		d.nodes[path] = n
	}
	n, str := d.resolve(path, n)
	if n == nil || n.Type() == ast.NullType && !str {
		return
	}
	t := v.Type()

	if t == typePatternList {
		d.decodePatterns(path, n, v)
		return
	}
	if v.CanAddr() {
		p := v.Addr().Interface()
		switch {
		case goccyUnmarshaler(p):
			if err := yaml.NodeToValue(n, p, yaml.Strict()); err != nil {
				d.failYAML(n, path, err)
			}
			return
		case t == typeDuration:
			d.decodeDuration(path, n, v)
			return
		case reflect.PointerTo(t).Implements(typeText):
			d.decodeText(path, n, p.(encoding.TextUnmarshaler), t)
			return
		case d.json && reflect.PointerTo(t).Implements(typeJSON):
			if err := yaml.NodeToValue(n, p, yaml.Strict(), yaml.UseJSONUnmarshaler()); err != nil {
				d.failYAML(n, path, err)
			}
			return
		}
	}

	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.decode(path, n, v.Elem())
	case reflect.Struct:
		d.decodeStruct(path, n, v)
	case reflect.Map:
		d.decodeMap(path, n, v)
	case reflect.Slice, reflect.Array:
		d.decodeList(path, n, v)
	case reflect.Interface:
		if t != typeAny {
			d.fail(n, path, "cannot decode into %s", t)
			return
		}
		if x, ok := d.toAny(path, n); ok {
			v.Set(reflect.ValueOf(&x).Elem())
		}
	default:
		d.decodeScalar(path, n, v, str)
	}
}

// failYAML reports an error from go-yaml, at its token when it has one.
func (d *decoder) failYAML(n ast.Node, path string, err error) {
	var ye yaml.Error
	if e, ok := err.(yaml.Error); ok {
		ye = e
	}
	if ye != nil && ye.GetToken() != nil {
		d.fail(&ast.StringNode{BaseNode: &ast.BaseNode{}, Token: ye.GetToken()}, path, "%s", ye.GetMessage())
		return
	}
	d.fail(n, path, "%v", err)
}

// entry is one key: value pair of a mapping, merge keys expanded.
type entry struct {
	key, val ast.Node
	name     string
}

// entries returns the pairs of mapping n, reporting a problem (and
// returning false) if n is not a mapping. Keys must be scalars and
// distinct; keys merged in with << are overridden by explicit ones.
func (d *decoder) entries(path string, n ast.Node, want string) ([]entry, bool) {
	var pairs []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		pairs = m.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{m}
	default:
		d.fail(n, path, "want %s, got %s", want, describe(n))
		return nil, false
	}
	var out []entry
	first := map[string]ast.Node{}
	var merged []entry
	for _, mv := range pairs {
		if mv == nil || mv.Key == nil {
			continue
		}
		if mv.Key.IsMergeKey() {
			merged = append(merged, d.mergeEntries(path, mv.Value)...)
			continue
		}
		k, _ := d.resolve(path, mv.Key)
		if k == nil {
			continue
		}
		name, ok := scalarText(k)
		if !ok || k.Type() == ast.NullType {
			d.fail(mv.Key, path, "keys must be plain names, got %s", describe(k))
			continue
		}
		if prev, dup := first[name]; dup {
			l, c := position(prev)
			d.fail(mv.Key, joinPath(path, name), "duplicate key %q (first at line %d, column %d)", name, l, c)
			continue
		}
		first[name] = mv.Key
		out = append(out, entry{key: mv.Key, val: mv.Value, name: name})
	}
	for _, e := range merged {
		if _, ok := first[e.name]; !ok {
			first[e.name] = e.key
			out = append(out, e)
		}
	}
	return out, true
}

// mergeEntries returns the pairs a << merge key brings in: from one
// mapping, or from a list of mappings (earlier ones win).
func (d *decoder) mergeEntries(path string, n ast.Node) []entry {
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		d.fail(n, path, "nested more than %d levels deep", maxDepth)
		return nil
	}
	n, _ = d.resolve(path, n)
	if n == nil {
		return nil
	}
	if s, ok := n.(*ast.SequenceNode); ok {
		var out []entry
		for _, v := range s.Values {
			out = append(out, d.mergeEntries(path, v)...)
		}
		return out
	}
	es, _ := d.entries(path, n, "a mapping to merge")
	return es
}

// A field is one settable key of a struct.
type field struct {
	name  string
	index []int
}

// fields lists the keys of struct type t, inline structs flattened.
func (d *decoder) fields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		name, inline, skip := fieldName(f, d.json)
		if skip {
			continue
		}
		if inline && f.Type.Kind() == reflect.Struct {
			for _, sub := range d.fields(f.Type) {
				out = append(out, field{name: sub.name, index: append([]int{i}, sub.index...)})
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		out = append(out, field{name: name, index: []int{i}})
	}
	return out
}

// fieldName returns the key of f: go-yaml's rule (yaml tag, json tag,
// lower-cased name), or encoding/json's in JSON mode.
func fieldName(f reflect.StructField, jsonMode bool) (name string, inline, skip bool) {
	tag := f.Tag.Get("yaml")
	if tag == "" || jsonMode && f.Tag.Get("json") != "" {
		tag = f.Tag.Get("json")
	}
	if tag == "-" {
		return "", false, true
	}
	parts := strings.Split(tag, ",")
	name = parts[0]
	for _, o := range parts[1:] {
		inline = inline || o == "inline"
	}
	if name == "" {
		name = strings.ToLower(f.Name)
		if jsonMode {
			name = f.Name
		}
	}
	return name, inline, false
}

func (d *decoder) decodeStruct(path string, n ast.Node, v reflect.Value) {
	es, ok := d.entries(path, n, "a mapping of key: value")
	if !ok {
		return
	}
	fs := d.fields(v.Type())
	for _, e := range es {
		if strings.HasPrefix(e.name, extensionPrefix) {
			continue // a place to keep anchors, as in docker-compose files
		}
		i := indexField(fs, e.name, d.json)
		p := joinPath(path, e.name)
		if i < 0 {
			names := make([]string, len(fs))
			for j, f := range fs {
				names[j] = f.name
			}
			d.fail(e.key, p, "unknown key%s; known keys: %s", suggest(e.name, names), strings.Join(names, ", "))
			continue
		}
		d.keys[p] = e.key
		fv, err := v.FieldByIndexErr(fs[i].index)
		if err != nil {
			d.fail(e.key, p, "cannot set %s: %v", e.name, err)
			continue
		}
		d.decode(p, e.val, fv)
	}
}

// indexField finds name among fs; encoding/json matches names without
// regard to case, so JSON mode does too.
func indexField(fs []field, name string, jsonMode bool) int {
	for i, f := range fs {
		if f.name == name {
			return i
		}
	}
	if jsonMode {
		for i, f := range fs {
			if strings.EqualFold(f.name, name) {
				return i
			}
		}
	}
	return -1
}

func (d *decoder) decodeMap(path string, n ast.Node, v reflect.Value) {
	es, ok := d.entries(path, n, "a mapping of key: value")
	if !ok {
		return
	}
	t := v.Type()
	if len(es) == 0 && v.IsNil() {
		return // {} on nothing stays nothing, so that values compare equal
	}
	m := reflect.MakeMapWithSize(t, len(es))
	for _, e := range es {
		p := joinPath(path, e.name)
		k := reflect.New(t.Key()).Elem()
		if t.Key().Kind() == reflect.String {
			k.SetString(e.name)
		} else {
			d.decode(p, e.key, k)
		}
		d.keys[p] = e.key
		val := reflect.New(t.Elem()).Elem()
		d.decode(p, e.val, val)
		m.SetMapIndex(k, val)
	}
	v.Set(m)
}

func (d *decoder) decodeList(path string, n ast.Node, v reflect.Value) {
	s, ok := n.(*ast.SequenceNode)
	if !ok {
		d.fail(n, path, "want %s, got %s", wantOf(v.Type()), describe(n))
		return
	}
	t := v.Type()
	if t.Kind() == reflect.Array {
		if len(s.Values) != t.Len() {
			d.fail(n, path, "want a list of %d, got %d", t.Len(), len(s.Values))
			return
		}
		for i, item := range s.Values {
			d.decode(fmt.Sprintf("%s[%d]", path, i), item, v.Index(i))
		}
		return
	}
	if len(s.Values) == 0 && v.IsNil() {
		return // [] on nothing stays nothing, so that values compare equal
	}
	out := reflect.MakeSlice(t, len(s.Values), len(s.Values))
	for i, item := range s.Values {
		d.decode(fmt.Sprintf("%s[%d]", path, i), item, out.Index(i))
	}
	v.Set(out)
}

// position returns where n starts, 1-based; 0, 0 if unknown.
func position(n ast.Node) (line, col int) {
	switch x := n.(type) {
	case nil:
		return 0, 0
	case *ast.MappingNode:
		if !x.IsFlowStyle && len(x.Values) > 0 && x.Values[0] != nil {
			return position(x.Values[0].Key)
		}
	case *ast.MappingValueNode:
		return position(x.Key)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
