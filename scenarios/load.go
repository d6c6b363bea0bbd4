package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hookbench/hookbench/bench"
)

// Load returns the scenario nameOrPath names, resolved and validated:
//
//   - a built-in name without extension ("compare", see Builtins);
//   - a scenario file ending in .yaml or .yml;
//   - a results file ending in .json (schema hookbench/v1), to run again
//     exactly the scenario it records.
//
// Every failure, unreadable files included, is an *Errors.
func Load(nameOrPath string, pats Patterns) (*bench.Scenario, error) {
	return hostEnv().load(nameOrPath, nil, pats)
}

// load reads nameOrPath; only, if not empty, selects patterns (LoadSelect).
func (e env) load(nameOrPath string, only []string, pats Patterns) (*bench.Scenario, error) {
	switch ext := strings.ToLower(filepath.Ext(nameOrPath)); {
	case ext == ".yaml" || ext == ".yml":
		data, err := os.ReadFile(nameOrPath)
		if err != nil {
			return nil, fileError(nameOrPath, err)
		}
		return e.parse(source{file: nameOrPath, data: data, only: only}, pats)
	case ext == ".json":
		data, err := os.ReadFile(nameOrPath)
		if err != nil {
			return nil, fileError(nameOrPath, err)
		}
		return e.parseResults(nameOrPath, data, only, pats)
	case ext == "" && !strings.ContainsAny(nameOrPath, `/\`):
		data, err := builtinFS.ReadFile(builtinPath(nameOrPath))
		if err != nil {
			names := builtinNames()
			return nil, &Errors{List: []Error{{File: nameOrPath, Msg: fmt.Sprintf(
				"no such built-in scenario%s (built-ins: %s); a scenario file needs a .yaml or .yml extension",
				suggest(nameOrPath, names), strings.Join(names, ", "))}}}
		}
		return e.parse(source{file: builtinPath(nameOrPath), data: data, only: only}, pats)
	default:
		return nil, &Errors{List: []Error{{File: nameOrPath, Msg: "not a scenario: want a built-in name, a .yaml or .yml scenario file, or a results .json file"}}}
	}
}

// fileError reports an unreadable file as a scenario error (exit 2 in the
// CLI): naming a file that is not there is a usage mistake.
func fileError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Errors{List: []Error{{File: path, Msg: "cannot read: " + err.Error()}}}
}

// parseResults reads the scenario a results.json embeds. Problems point
// into the results file.
func (e env) parseResults(file string, data []byte, only []string, pats Patterns) (*bench.Scenario, error) {
	schema, raw, at, err := scenarioJSON(data)
	if err != nil {
		line, col := lineCol(data, at)
		return nil, &Errors{List: []Error{{File: file, Line: line, Col: col, Msg: err.Error()}}}
	}
	if schema != bench.Schema {
		return nil, &Errors{List: []Error{{File: file, Msg: fmt.Sprintf("not a hookbench results file: schema %q, want %q", schema, bench.Schema)}}}
	}
	if raw == nil {
		return nil, &Errors{List: []Error{{File: file, Msg: "results file records no scenario"}}}
	}
	line, col := lineCol(data, at)
	return e.parse(source{file: file, data: raw, json: true, line: line, col: col, only: only}, pats)
}

// scenarioJSON returns the schema of a results file and the bytes of its
// scenario object, with the offset where they start (or where the JSON
// went wrong).
func scenarioJSON(data []byte) (schema string, raw []byte, at int64, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(err error) (string, []byte, int64, error) {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			// A Decoder's offsets are not from the start of the input;
			// Unmarshal's are, and point just past the bad byte.
			var x any
			if uerr := json.Unmarshal(data, &x); errors.As(uerr, &se) {
				return "", nil, se.Offset - 1, fmt.Errorf("bad JSON: %w", uerr)
			}
			return "", nil, dec.InputOffset(), fmt.Errorf("bad JSON: %w", err)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return "", nil, int64(len(data)), errors.New("bad JSON: unexpected end of file")
		}
		return "", nil, dec.InputOffset(), fmt.Errorf("bad JSON: %w", err)
	}
	tok, err := dec.Token()
	if err != nil {
		return fail(err)
	}
	if tok != json.Delim('{') {
		return "", nil, 0, errors.New("not a hookbench results file: want a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		start := dec.InputOffset()
		if err := dec.Decode(&v); err != nil {
			return fail(err)
		}
		switch key {
		case "schema":
			if err := json.Unmarshal(v, &schema); err != nil {
				return "", nil, start, fmt.Errorf("schema: want a string: %w", err)
			}
		case "scenario":
			// The value starts after the colon and any space.
			off := start + int64(bytes.IndexFunc(data[start:], func(r rune) bool {
				return r != ':' && r != ' ' && r != '\t' && r != '\n' && r != '\r'
			}))
			if !bytes.HasPrefix(data[off:], v) {
				return "", nil, off, errors.New("cannot locate the scenario in the file")
			}
			raw, at = data[off:off+int64(len(v))], off
			if string(v) == "null" {
				raw = nil
			}
		}
	}
	return schema, raw, at, nil
}

// lineCol converts a byte offset into a 1-based line and column (in
// characters).
func lineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return line, len([]rune(string(before[lineStart:]))) + 1
}
