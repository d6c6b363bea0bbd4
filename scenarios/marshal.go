package scenarios

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml"

	"github.com/hookbench/hookbench/bench"
)

// Marshal writes sc as a scenario file: every field, defaults included, in
// the order of the package documentation, pattern options in full, so a
// reader sees exactly what will run. Parse reads it back to an equal
// scenario. It is what `hookbench run --dry-run` and `hookbench validate
// --print` show.
func Marshal(sc *bench.Scenario) ([]byte, error) {
	return writer{}.marshal(sc)
}

// A writer turns a scenario into YAML. A minimal writer leaves out what
// decoding would fill in anyway: options that WithDefaults derives, and
// the default status of an errors fault. Set starts from it, so that a
// default derived from another option follows a change to that option.
type writer struct {
	minimal bool
}

func (w writer) marshal(sc *bench.Scenario) ([]byte, error) {
	if sc == nil {
		return nil, fmt.Errorf("scenarios: marshal a nil scenario")
	}
	t, err := w.tree("", reflect.ValueOf(sc).Elem())
	if err != nil {
		return nil, fmt.Errorf("scenarios: marshal %s: %w", sc.Name, err)
	}
	var b bytes.Buffer
	name := "scenario"
	if validName(sc.Name) {
		name = sc.Name
	}
	fmt.Fprintf(&b, "# %s, resolved: every default filled in.\n", name)
	m, ok := t.(mapping)
	if !ok {
		return nil, fmt.Errorf("scenarios: marshal %s: not a mapping", sc.Name)
	}
	emitMapping(&b, m, 0, "")
	return b.Bytes(), nil
}

// The tree Marshal builds before writing it: a mapping keeps its order,
// a []any is a list, a string is text (quoted when it could be read as
// something else) and a plain is written as is (numbers, true, null).
type (
	mapping []pair
	pair    struct {
		key string
		val any
	}
	plain string
)

// tree converts v, found at path, to the tree. It follows the decoder's
// naming rules, so that what it writes decodes back to v.
func (w writer) tree(path string, v reflect.Value) (any, error) {
	if !v.IsValid() {
		return plain("null"), nil
	}
	t := v.Type()
	if t == typePatternList {
		return w.patterns(path, v.Interface().(bench.PatternList))
	}
	if t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface {
		if v.IsNil() {
			return plain("null"), nil
		}
	}
	if v.CanInterface() {
		switch x := v.Interface().(type) {
		case yaml.InterfaceMarshaler:
			y, err := x.MarshalYAML()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			return w.tree(path, reflect.ValueOf(y))
		case yaml.BytesMarshaler:
			b, err := x.MarshalYAML()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			var y any
			if err := yaml.UnmarshalWithOptions(b, &y, yaml.UseOrderedMap()); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			return w.tree(path, reflect.ValueOf(y))
		case yaml.MapSlice:
			m := make(mapping, 0, len(x))
			for _, it := range x {
				val, err := w.tree(joinPath(path, fmt.Sprint(it.Key)), reflect.ValueOf(it.Value))
				if err != nil {
					return nil, err
				}
				m = append(m, pair{fmt.Sprint(it.Key), val})
			}
			return m, nil
		case time.Duration:
			return x.String(), nil
		case encoding.TextMarshaler:
			b, err := x.MarshalText()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			return textOf(path, string(b))
		}
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		return w.tree(path, v.Elem())
	case reflect.Struct:
		return w.structTree(path, v, nil)
	case reflect.Map:
		return w.mapTree(path, v)
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range v.Len() {
			x, err := w.tree(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case reflect.String:
		return textOf(path, v.String())
	case reflect.Bool:
		return plain(strconv.FormatBool(v.Bool())), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return plain(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return plain(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		return floatText(v.Float()), nil
	}
	return nil, fmt.Errorf("%s: cannot write a %s", path, t)
}

func textOf(path, s string) (any, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%s: text is not valid UTF-8", path)
	}
	return s, nil
}

func floatText(f float64) plain {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	return plain(strconv.FormatFloat(f, 'g', -1, 64))
}

func (w writer) patterns(path string, l bench.PatternList) (any, error) {
	m := make(mapping, 0, len(l))
	for _, p := range l {
		var opts any = mapping{}
		if p.Options != nil {
			var err error
			if opts, err = w.options(joinPath(path, p.Name), reflect.ValueOf(p.Options)); err != nil {
				return nil, err
			}
			if opts == plain("null") {
				opts = mapping{}
			}
		}
		m = append(m, pair{p.Name, opts})
	}
	return m, nil
}

// options writes a pattern's options. A minimal writer leaves out every
// field of options with WithDefaults that it would derive anyway.
func (w writer) options(path string, v reflect.Value) (any, error) {
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if !w.minimal || v.Kind() != reflect.Struct || defaultsMethod(v.Type()) == nil {
		return w.tree(path, v)
	}
	return w.structTree(path, v, func(index []int) bool { return !derived(v, index) })
}

// derived reports whether the field at index of root, a value with
// WithDefaults, holds what WithDefaults gives it when it is zero.
func derived(root reflect.Value, index []int) bool {
	c := reflect.New(root.Type()).Elem()
	c.Set(root)
	f, err := c.FieldByIndexErr(index)
	if err != nil {
		return false
	}
	f.SetZero()
	out := defaultsMethod(root.Type())(c)
	a, err1 := out.FieldByIndexErr(index)
	b, err2 := root.FieldByIndexErr(index)
	return err1 == nil && err2 == nil && reflect.DeepEqual(a.Interface(), b.Interface())
}

var typeFaultSpec = reflect.TypeFor[bench.FaultSpec]()

// structTree writes a struct's fields in order. keep, if not nil, says
// which leaf fields (by index from the outermost struct) to write; nested
// structs left empty by it are left out.
func (w writer) structTree(path string, v reflect.Value, keep func(index []int) bool) (any, error) {
	return w.fieldsTree(path, v, nil, keep)
}

func (w writer) fieldsTree(path string, v reflect.Value, outer []int, keep func(index []int) bool) (mapping, error) {
	var only func(name string) bool
	if v.Type() == typeFaultSpec {
		// A fault is written with the keys its kind takes, so a reader
		// sees its defaults (status: 503) and no noise.
		f := v.Interface().(bench.FaultSpec)
		if takes, ok := faultFields[f.Kind]; ok {
			only = func(name string) bool {
				if name == "status" && w.minimal && f.Status == defaultStatus {
					return false
				}
				return name == "kind" || name == "at" || name == "for" || slices.Contains(takes, name)
			}
		}
	}
	d := decoder{}
	m := mapping{}
	for _, f := range d.fields(v.Type()) {
		if only != nil && !only(f.name) {
			continue
		}
		fv, err := v.FieldByIndexErr(f.index)
		if err != nil {
			continue // a nil inline pointer: nothing to write
		}
		p := joinPath(path, f.name)
		index := append(slices.Clip(outer), f.index...)
		if keep != nil {
			if fv.Kind() == reflect.Struct && !customDecoding(fv.Type()) {
				sub, err := w.fieldsTree(p, fv, index, keep)
				if err != nil {
					return nil, err
				}
				if len(sub) > 0 {
					m = append(m, pair{f.name, sub})
				}
				continue
			}
			if !keep(index) {
				continue
			}
		}
		x, err := w.tree(p, fv)
		if err != nil {
			return nil, err
		}
		m = append(m, pair{f.name, x})
	}
	return m, nil
}

// mapTree writes a map with sorted keys; thresholds put "all" first.
func (w writer) mapTree(path string, v reflect.Value) (any, error) {
	type kv struct {
		key string
		val reflect.Value
	}
	var kvs []kv
	for it := v.MapRange(); it.Next(); {
		k := it.Key()
		var ks string
		switch {
		case k.Kind() == reflect.String:
			ks = k.String()
		default:
			x, err := w.tree(path, k)
			if err != nil {
				return nil, err
			}
			ks = fmt.Sprint(x)
		}
		kvs = append(kvs, kv{ks, it.Value()})
	}
	slices.SortFunc(kvs, func(a, b kv) int {
		if path == "thresholds" && (a.key == bench.AllPatterns) != (b.key == bench.AllPatterns) {
			if a.key == bench.AllPatterns {
				return -1
			}
			return 1
		}
		return strings.Compare(a.key, b.key)
	})
	m := make(mapping, 0, len(kvs))
	for _, e := range kvs {
		x, err := w.tree(joinPath(path, e.key), e.val)
		if err != nil {
			return nil, err
		}
		m = append(m, pair{e.key, x})
	}
	return m, nil
}

// emitMapping writes m in block style at indent; first, if not empty,
// replaces the indentation of the first line (a list item's "- ").
func emitMapping(b *bytes.Buffer, m mapping, indent int, first string) {
	pad := strings.Repeat(" ", indent)
	for i, p := range m {
		if i == 0 && first != "" {
			b.WriteString(first)
		} else {
			b.WriteString(pad)
		}
		b.WriteString(quote(p.key))
		b.WriteByte(':')
		emitValue(b, p.val, indent)
	}
}

// emitValue writes v after a "key:" or "-" at indent, ending the line.
func emitValue(b *bytes.Buffer, v any, indent int) {
	switch x := v.(type) {
	case mapping:
		if len(x) == 0 {
			b.WriteString(" {}\n")
			return
		}
		b.WriteByte('\n')
		emitMapping(b, x, indent+2, "")
	case []any:
		if len(x) == 0 {
			b.WriteString(" []\n")
			return
		}
		b.WriteByte('\n')
		emitList(b, x, indent+2)
	default:
		b.WriteByte(' ')
		b.WriteString(scalar(v))
		b.WriteByte('\n')
	}
}

func emitList(b *bytes.Buffer, l []any, indent int) {
	pad := strings.Repeat(" ", indent)
	for _, item := range l {
		switch x := item.(type) {
		case mapping:
			if len(x) > 0 {
				emitMapping(b, x, indent+2, pad+"- ")
				continue
			}
		}
		b.WriteString(pad)
		b.WriteByte('-')
		emitValue(b, item, indent)
	}
}

func scalar(v any) string {
	switch x := v.(type) {
	case plain:
		return string(x)
	case string:
		return quote(x)
	}
	return quote(fmt.Sprint(v))
}

// quote returns s as a plain scalar when it reads back as the same text,
// else double-quoted. The test for plain is deliberately narrow.
func quote(s string) string {
	if plainSafe(s) {
		return s
	}
	return strconv.Quote(s) // Go's escapes are a subset of YAML's
}

func plainSafe(s string) bool {
	if s == "" || !isAlnum(s[0]) && !strings.ContainsRune("_./(", rune(s[0])) || s[len(s)-1] == ' ' {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !isAlnum(c) && !strings.ContainsRune(" _./+=<>!()%-", rune(c)) {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "null", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", ".nan":
		return false
	}
	// Anything that reads as a number, in range or not, stays text only
	// when quoted.
	num := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseFloat(num, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return false
	}
	if _, err := strconv.ParseInt(num, 0, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return false
	}
	return true
}
