package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
)

// builtinFS holds the built-in scenarios, one file per scenario, named
// after it. It is read-only.
//
//go:embed builtin/*.yaml
var builtinFS embed.FS

// Info describes a built-in scenario.
type Info struct {
	Name string
	// Description states the claim the scenario puts to the test, on one
	// line.
	Description string
	// Patterns are the patterns it runs, in order.
	Patterns []string
}

// Builtins lists the built-in scenarios, sorted by name. Load runs them by
// name.
func Builtins() []Info {
	var out []Info
	for _, name := range builtinNames() {
		data, err := builtinFS.ReadFile(builtinPath(name))
		if err != nil {
			continue
		}
		var head struct {
			Description string        `yaml:"description"`
			Patterns    yaml.MapSlice `yaml:"patterns"`
		}
		// Only the head is wanted here; the tests hold every built-in to
		// the full parse.
		_ = yaml.UnmarshalWithOptions(data, &head, yaml.UseOrderedMap())
		info := Info{Name: name, Description: strings.Join(strings.Fields(head.Description), " ")}
		for _, p := range head.Patterns {
			info.Patterns = append(info.Patterns, fmt.Sprint(p.Key))
		}
		out = append(out, info)
	}
	return out
}

func builtinPath(name string) string { return "builtin/" + name + ".yaml" }

func builtinNames() []string {
	entries, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			names = append(names, path.Base(n))
		}
	}
	slices.Sort(names)
	return names
}
