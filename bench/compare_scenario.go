package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A ScenarioDifference is one field in which the scenarios of two results
// differ. Field is a dotted path ("stream.rate", "faults[0].at"); Base and
// New are the values as JSON, or "" where the field is absent.
type ScenarioDifference struct {
	Field     string
	Base, New string
}

func (d ScenarioDifference) String() string {
	show := func(v string) string {
		if v == "" {
			return "absent"
		}
		return v
	}
	return fmt.Sprintf("%s (base %s, new %s)", d.Field, show(d.Base), show(d.New))
}

// A ScenarioMismatchError is Compare refusing to compare two results
// whose scenarios differ in more than duration and seed.
type ScenarioMismatchError struct {
	Differences []ScenarioDifference
}

func (e *ScenarioMismatchError) Error() string {
	parts := make([]string, len(e.Differences))
	for i, d := range e.Differences {
		parts[i] = d.String()
	}
	return "the results come from different scenarios: they differ in " + strings.Join(parts, ", ") +
		", and only duration and seed may"
}

// ignoredScenarioField reports whether a top-level scenario field may
// differ between two comparable results: the run's length and its seed
// (DESIGN 'CLI'), its description (prose, which notes the command-line
// overrides), and its thresholds, which judge a run but do not change
// what it measures (so that a --threshold given to one run only does not
// block the comparison).
func ignoredScenarioField(name string) bool {
	return name == "duration" || name == "seed" || name == "thresholds" || name == "description"
}

// scenarioDifferences compares two scenarios as JSON, ignoring the fields
// that may differ, and returns the differing fields sorted by path.
func scenarioDifferences(base, next json.RawMessage) ([]ScenarioDifference, error) {
	var a, b map[string]any
	if err := unmarshalScenario(base, &a); err != nil {
		return nil, fmt.Errorf("base: %w", err)
	}
	if err := unmarshalScenario(next, &b); err != nil {
		return nil, fmt.Errorf("new: %w", err)
	}
	// --duration moves fault windows with the run (an outage in the middle
	// stays in the middle), so fault times are compared as fractions of
	// the run, not as times.
	relativeFaults(a)
	relativeFaults(b)
	for k := range a {
		if ignoredScenarioField(k) {
			delete(a, k)
		}
	}
	for k := range b {
		if ignoredScenarioField(k) {
			delete(b, k)
		}
	}
	var out []ScenarioDifference
	diffJSON("", a, b, &out)
	return out, nil
}

// relativeFaults rewrites each fault's at and for (decoded JSON) as a
// fraction of the scenario's duration, when both parse.
func relativeFaults(sc map[string]any) {
	ds, _ := sc["duration"].(string)
	d, err := time.ParseDuration(ds)
	faults, _ := sc["faults"].([]any)
	if err != nil || d <= 0 {
		return
	}
	for _, f := range faults {
		m, ok := f.(map[string]any)
		if !ok {
			continue
		}
		for _, k := range []string{"at", "for"} {
			if v, ok := m[k].(string); ok {
				if fd, err := time.ParseDuration(v); err == nil {
					m[k] = strconv.FormatFloat(100*float64(fd)/float64(d), 'g', 6, 64) + "% of the run"
				}
			}
		}
	}
}

func unmarshalScenario(raw json.RawMessage, into *map[string]any) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		*into = map[string]any{}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // 0.1 and 0.10 are one number; 1e21 and 1000000000000000000000 too
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("read scenario: %w", err)
	}
	return nil
}

// diffJSON appends the paths under path where a and b (decoded JSON)
// differ. Objects are compared key by key, arrays of equal length element
// by element; anything else is compared whole.
func diffJSON(path string, a, b any, out *[]ScenarioDifference) {
	switch av := a.(type) {
	case map[string]any:
		if bv, ok := b.(map[string]any); ok {
			keys := make([]string, 0, len(av)+len(bv))
			for k := range av {
				keys = append(keys, k)
			}
			for k := range bv {
				if _, ok := av[k]; !ok {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			for _, k := range keys {
				sub := k
				if path != "" {
					sub = path + "." + k
				}
				x, xok := av[k]
				y, yok := bv[k]
				if !xok || !yok {
					*out = append(*out, ScenarioDifference{Field: sub, Base: jsonText(x, xok), New: jsonText(y, yok)})
					continue
				}
				diffJSON(sub, x, y, out)
			}
			return
		}
	case []any:
		if bv, ok := b.([]any); ok && len(av) == len(bv) {
			for i := range av {
				diffJSON(path+"["+strconv.Itoa(i)+"]", av[i], bv[i], out)
			}
			return
		}
	}
	if x, y := jsonText(a, true), jsonText(b, true); x != y {
		*out = append(*out, ScenarioDifference{Field: path, Base: x, New: y})
	}
}

// jsonText returns v as compact JSON, or "" when it is absent.
func jsonText(v any, present bool) string {
	if !present {
		return ""
	}
	if n, ok := v.(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// scenarioFacts is what a comparison reports of each side's scenario.
type scenarioFacts struct {
	Name     string   `json:"name"`
	Seed     uint64   `json:"seed"`
	Duration Duration `json:"duration"`
}

func factsOf(raw json.RawMessage) (scenarioFacts, error) {
	var f scenarioFacts
	if len(bytes.TrimSpace(raw)) == 0 {
		return f, nil
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return f, fmt.Errorf("read scenario: %w", err)
	}
	return f, nil
}
