package scenarios

import (
	"reflect"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/hookbench/hookbench/bench"
)

// Patterns maps every pattern name the CLI knows to a constructor of that
// pattern's options: a pointer to the target's options struct with its
// defaults filled, such as
//
//	func() any { o := webhook.DefaultOptions(); return &o }
//
// A scenario's options for the pattern decode into a fresh value of that
// type, strictly, by its yaml (else json) tags. If the type has a method
// WithDefaults() T, the targets' convention holds: the options decode onto
// the zero value and WithDefaults fills what the file leaves out, so that
// defaults derived from other options follow them. Otherwise they decode
// onto the constructor's value. If the options have a method Validate()
// error, it is called on the options as written. The bench package cannot
// import the targets, so the CLI passes this table in.
type Patterns map[string]func() any

// names returns the pattern names in order.
func (p Patterns) names() []string {
	out := make([]string, 0, len(p))
	for n := range p {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// decodePatterns decodes the patterns mapping: each key names a pattern
// of d.pats, in run order, and its value decodes into that pattern's
// options.
//
// Options whose type has a method WithDefaults() T follow the targets'
// convention that a zero field means its default, and some defaults
// derive from other fields (a long-poll timeout from its hold): they
// decode onto the zero value, are validated as written, then get
// WithDefaults. Other options decode onto the constructor's defaults.
// Options with a method Validate() error are checked with it.
func (d *decoder) decodePatterns(path string, n ast.Node, v reflect.Value) {
	es, ok := d.entries(path, n, "a mapping from pattern name to its options, such as {webhook: {}, polling: {interval: 1s}}")
	if !ok {
		return
	}
	list := bench.PatternList{}
	for _, e := range es {
		p := joinPath(path, e.name)
		d.keys[p] = e.key
		mk, ok := d.pats[e.name]
		if !ok {
			names := d.pats.names()
			d.fail(e.key, p, "unknown pattern%s; this build has: %s", suggest(e.name, names), strings.Join(names, ", "))
			continue
		}
		opts := mk()
		rv := reflect.ValueOf(opts)
		if rv.Kind() != reflect.Pointer || rv.IsNil() {
			d.fail(e.key, p, "pattern %s: its options constructor returned %T, not a pointer", e.name, opts)
			continue
		}
		withDefaults := defaultsMethod(rv.Elem().Type())
		if withDefaults != nil {
			rv.Elem().SetZero()
		}
		before := len(d.probs)
		d.nodes[p] = e.val
		d.decode(p, e.val, rv.Elem())
		if len(d.probs) == before {
			d.checkOptions(p, e, opts)
		}
		if withDefaults != nil {
			rv.Elem().Set(withDefaults(rv.Elem()))
		}
		list = append(list, bench.PatternSpec{Name: e.name, Options: opts})
	}
	v.Set(reflect.ValueOf(list))
}

// defaultsMethod returns a call of t's method WithDefaults() t, or nil if t
// has none.
func defaultsMethod(t reflect.Type) func(reflect.Value) reflect.Value {
	m, ok := t.MethodByName("WithDefaults")
	if !ok || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 || m.Type.Out(0) != t {
		return nil
	}
	return func(v reflect.Value) reflect.Value { return v.Method(m.Index).Call(nil)[0] }
}

// checkOptions runs the options' own Validate, if any, and places each
// problem it reports at the option it names when the message starts with
// one ("timeout must be > 0", "longpoll.hold must be ..."), else at the
// pattern.
func (d *decoder) checkOptions(path string, e entry, opts any) {
	val, ok := opts.(interface{ Validate() error })
	if !ok {
		return
	}
	for _, err := range leaves(val.Validate()) {
		msg := err.Error()
		at := e.key
		word, _, _ := strings.Cut(msg, " ")
		word = strings.TrimRight(word, ":=,")
		for _, w := range []string{word, strings.TrimPrefix(word, e.name+".")} {
			if n, ok := d.nodes[joinPath(path, w)]; ok && w != "" {
				at = n
				break
			}
		}
		d.fail(at, path, "%s", msg)
	}
}

// leaves flattens errors.Join trees into their parts.
func leaves(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}
