package polling

import (
	"bytes"
	"errors"
	"fmt"
)

// A small allocation-free JSON scanner for the pages the poller reads. It
// validates structure (strings, escapes, nesting) well enough to split a
// page into its members and the events array into its elements, without
// decoding values it does not need; the event bodies are handed on as the
// raw bytes the server sent.

var errJSON = errors.New("malformed JSON")

// maxDepth bounds nesting, so a hostile body cannot run the scanner deep.
const maxDepth = 64

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanString returns the index after the string starting at b[i] == '"'.
// It jumps from quote to quote (bytes.IndexByte is vectorised: event
// bodies are mostly one long string) and skips escaped bytes; it does not
// check the validity of escapes or control bytes, which it does not decode.
func scanString(b []byte, i int) (int, error) {
	i++
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return 0, errJSON
		}
		k := bytes.IndexByte(b[i:i+j], '\\')
		if k < 0 {
			return i + j + 1, nil
		}
		i += k + 2 // past the backslash and the byte it escapes
		if i > len(b) {
			return 0, errJSON
		}
	}
}

// scanValue returns the index after the value starting at b[i].
func scanValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return 0, errJSON
	}
	switch b[i] {
	case '"':
		return scanString(b, i)
	case '{':
		return scanComposite(b, i, depth, '}', true)
	case '[':
		return scanComposite(b, i, depth, ']', false)
	}
	// A number or a literal: up to the next delimiter.
	j := i
	for j < len(b) {
		c := b[j]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E') {
			return 0, errJSON
		}
		j++
	}
	if j == i {
		return 0, errJSON
	}
	return j, nil
}

// scanComposite scans an object (keyed) or array starting at b[i].
func scanComposite(b []byte, i, depth int, end byte, keyed bool) (int, error) {
	if depth >= maxDepth {
		return 0, errJSON
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == end {
		return i + 1, nil
	}
	for {
		var err error
		if keyed {
			if i >= len(b) || b[i] != '"' {
				return 0, errJSON
			}
			if i, err = scanString(b, i); err != nil {
				return 0, err
			}
			if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
				return 0, errJSON
			}
			i = skipSpace(b, i+1)
		}
		if i, err = scanValue(b, i, depth+1); err != nil {
			return 0, err
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return 0, errJSON
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case end:
			return i + 1, nil
		default:
			return 0, errJSON
		}
	}
}

// eachMember calls fn with the raw key (without quotes) and raw value of
// every member of the object b, in order.
func eachMember(b []byte, fn func(key, val []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errJSON
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return trailing(b, i+1)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return errJSON
		}
		ke, err := scanString(b, i)
		if err != nil {
			return err
		}
		key := b[i+1 : ke-1]
		if i = skipSpace(b, ke); i >= len(b) || b[i] != ':' {
			return errJSON
		}
		vs := skipSpace(b, i+1)
		ve, err := scanValue(b, vs, 1)
		if err != nil {
			return err
		}
		if err := fn(key, b[vs:ve]); err != nil {
			return err
		}
		i = skipSpace(b, ve)
		if i >= len(b) {
			return errJSON
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return trailing(b, i+1)
		default:
			return errJSON
		}
	}
}

// eachElement calls fn with every element of the array b, raw.
func eachElement(b []byte, fn func(elem []byte) error) error {
	if len(b) == 0 || b[0] != '[' {
		return errJSON
	}
	i := skipSpace(b, 1)
	if i < len(b) && b[i] == ']' {
		return nil
	}
	for {
		e, err := scanValue(b, i, 1)
		if err != nil {
			return err
		}
		if err := fn(b[i:e]); err != nil {
			return err
		}
		i = skipSpace(b, e)
		if i >= len(b) {
			return errJSON
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return nil
		default:
			return errJSON
		}
	}
}

func trailing(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return errJSON
	}
	return nil
}

// parseUint reads a non-negative decimal integer that fits in 63 bits.
func parseUint(b []byte) (uint64, error) {
	if len(b) == 0 || len(b) > 18 {
		return 0, fmt.Errorf("%w: bad number %q", errJSON, b)
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: bad number %q", errJSON, b)
		}
		v = v*10 + uint64(c-'0')
	}
	return v, nil
}
