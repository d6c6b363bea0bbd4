package scenarios

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

func (d *decoder) decodeDuration(path string, n ast.Node, v reflect.Value) {
	if _, ok := n.(*ast.IntegerNode); ok && d.json {
		// encoding/json writes a time.Duration as nanoseconds.
		x, err := intOf(n, n.GetToken().Value, false)
		if err != nil {
			d.fail(n, path, "want %s, %v", wantOf(typeDuration), err)
			return
		}
		v.SetInt(x)
		return
	}
	text, ok := scalarText(n)
	if !ok {
		d.fail(n, path, "want %s, got %s", wantOf(typeDuration), describe(n))
		return
	}
	x, err := time.ParseDuration(strings.TrimSpace(text))
	if err != nil {
		d.fail(n, path, "bad duration %q: want a number with a unit, such as 500ms, 2s or 1m", text)
		return
	}
	v.SetInt(int64(x))
}

func (d *decoder) decodeText(path string, n ast.Node, u encoding.TextUnmarshaler, t reflect.Type) {
	text, ok := scalarText(n)
	if !ok {
		d.fail(n, path, "want %s, got %s", wantOf(t), describe(n))
		return
	}
	if err := u.UnmarshalText([]byte(text)); err != nil {
		d.fail(n, path, "%v", err)
	}
}

func (d *decoder) decodeScalar(path string, n ast.Node, v reflect.Value, str bool) {
	t := v.Type()
	text, scalar := scalarText(n)
	if !scalar {
		d.fail(n, path, "want %s, got %s", wantOf(t), describe(n))
		return
	}
	quoted := str || isQuoted(n)
	switch t.Kind() {
	case reflect.String:
		if !utf8.ValidString(text) {
			d.fail(n, path, "text is not valid UTF-8")
			return
		}
		v.SetString(text)
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok || quoted {
			d.fail(n, path, "want true or false, got %s", describe(n))
			return
		}
		v.SetBool(b.Value)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x, err := intOf(n, text, quoted)
		if err == nil && v.OverflowInt(x) {
			err = fmt.Errorf("got %s, which is out of range", text)
		}
		if err != nil {
			d.fail(n, path, "want %s, %v", wantOf(t), err)
			return
		}
		v.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		x, err := uintOf(n, text, quoted)
		if err == nil && v.OverflowUint(x) {
			err = fmt.Errorf("got %s, which is out of range", text)
		}
		if err != nil {
			d.fail(n, path, "want %s, %v", wantOf(t), err)
			return
		}
		v.SetUint(x)
	case reflect.Float32, reflect.Float64:
		x, err := floatOf(n, text, quoted)
		if err == nil && v.OverflowFloat(x) {
			err = fmt.Errorf("got %s, which is out of range", text)
		}
		if err != nil {
			d.fail(n, path, "want %s, %v", wantOf(t), err)
			return
		}
		v.SetFloat(x)
	default:
		d.fail(n, path, "cannot decode into %s", t)
	}
}

func intOf(n ast.Node, text string, quoted bool) (int64, error) {
	if i, ok := n.(*ast.IntegerNode); ok && !quoted {
		switch x := i.Value.(type) {
		case int64:
			return x, nil
		case uint64:
			if x <= math.MaxInt64 {
				return int64(x), nil
			}
			return 0, fmt.Errorf("got %s, which is out of range", text)
		}
	}
	return 0, notNumber(n, text, quoted, true)
}

func uintOf(n ast.Node, text string, quoted bool) (uint64, error) {
	if i, ok := n.(*ast.IntegerNode); ok && !quoted {
		switch x := i.Value.(type) {
		case int64:
			if x < 0 {
				return 0, fmt.Errorf("got %s, which is negative", text)
			}
			return uint64(x), nil
		case uint64:
			return x, nil
		}
	}
	return 0, notNumber(n, text, quoted, true)
}

func floatOf(n ast.Node, text string, quoted bool) (float64, error) {
	if !quoted {
		switch x := n.(type) {
		case *ast.FloatNode:
			return x.Value, nil
		case *ast.IntegerNode:
			switch i := x.Value.(type) {
			case int64:
				return float64(i), nil
			case uint64:
				return float64(i), nil
			}
		case *ast.InfinityNode, *ast.NanNode:
			return 0, fmt.Errorf("got %s, which is not a finite number", text)
		case *ast.StringNode:
			// go-yaml reads JSON's exponent form (1e-05) as text.
			f, err := strconv.ParseFloat(text, 64)
			if err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return f, nil
			}
			if err != nil && strings.Contains(err.Error(), "range") {
				return 0, fmt.Errorf("got %s, which is out of range", text)
			}
		}
	}
	return 0, notNumber(n, text, quoted, false)
}

// notNumber explains why n is not the number wanted.
func notNumber(n ast.Node, text string, quoted, whole bool) error {
	if _, ok := n.(*ast.FloatNode); ok && whole && !quoted {
		return fmt.Errorf("got %s, which is not a whole number", text)
	}
	if !quoted {
		if _, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64); err != nil && strings.Contains(err.Error(), "range") {
			return fmt.Errorf("got %s, which is out of range", text)
		}
		if _, err := strconv.ParseInt(text, 10, 64); err != nil && strings.Contains(err.Error(), "range") {
			return fmt.Errorf("got %s, which is out of range", text)
		}
	}
	return fmt.Errorf("got %s", describe(n))
}

// toAny decodes n into plain Go values, as go-yaml does for an any.
func (d *decoder) toAny(path string, n ast.Node) (any, bool) {
	d.steps++
	d.depth++
	defer func() { d.depth-- }()
	if d.steps >= maxSteps || d.depth > maxDepth {
		if d.steps == maxSteps || d.depth == maxDepth+1 {
			d.fail(n, path, "document too large or too deeply nested")
		}
		return nil, false
	}
	n, str := d.resolve(path, n)
	if n == nil {
		return nil, false
	}
	switch x := n.(type) {
	case *ast.SequenceNode:
		out := make([]any, 0, len(x.Values))
		for i, item := range x.Values {
			v, ok := d.toAny(fmt.Sprintf("%s[%d]", path, i), item)
			if !ok {
				return nil, false
			}
			out = append(out, v)
		}
		return out, true
	case *ast.MappingNode, *ast.MappingValueNode:
		es, ok := d.entries(path, n, "a mapping")
		if !ok {
			return nil, false
		}
		out := make(map[string]any, len(es))
		for _, e := range es {
			v, ok := d.toAny(joinPath(path, e.name), e.val)
			if !ok {
				return nil, false
			}
			out[e.name] = v
		}
		return out, true
	}
	text, _ := scalarText(n)
	if str || isQuoted(n) {
		return text, true
	}
	switch x := n.(type) {
	case *ast.NullNode:
		return nil, true
	case *ast.IntegerNode:
		return x.Value, true
	case *ast.FloatNode:
		return x.Value, true
	case *ast.BoolNode:
		return x.Value, true
	}
	return text, true
}

// scalarText returns the text of a scalar node: the string's value, or
// the number's or boolean's source text. It is false for collections.
func scalarText(n ast.Node) (string, bool) {
	switch x := n.(type) {
	case *ast.StringNode:
		return x.Value, true
	case *ast.LiteralNode:
		if x.Value == nil {
			return "", true
		}
		return x.Value.Value, true
	case *ast.NullNode:
		return "", true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	return "", false
}

func isQuoted(n ast.Node) bool {
	tk := n.GetToken()
	if tk == nil {
		return false
	}
	if _, ok := n.(*ast.LiteralNode); ok {
		return true
	}
	return tk.Type == token.SingleQuoteType || tk.Type == token.DoubleQuoteType
}

// describe names what n is, for "want X, got Y" messages.
func describe(n ast.Node) string {
	switch x := n.(type) {
	case nil:
		return "nothing"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.NullNode:
		return "null"
	case *ast.BoolNode:
		return fmt.Sprintf("the boolean %v", x.Value)
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		t, _ := scalarText(n)
		return "the number " + t
	case *ast.StringNode, *ast.LiteralNode:
		t, _ := scalarText(n)
		if len(t) > 40 {
			t = t[:37] + "..."
		}
		return strconv.Quote(t)
	}
	return n.Type().String()
}

// wantOf describes what a value of type t is written as.
func wantOf(t reflect.Type) string {
	switch t {
	case typeDuration, typeBenchDur:
		return "a duration such as 500ms or 2s"
	case typeRate:
		return "a rate such as 50/s, 30/m or 2/h"
	case typeSize:
		return "a size such as 512B, 4KiB or 1MiB"
	}
	if reflect.PointerTo(t).Implements(typeText) {
		return "text"
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "a whole number >= 0"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Struct, reflect.Map:
		return "a mapping of key: value"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Pointer:
		return wantOf(t.Elem())
	}
	return t.String()
}
