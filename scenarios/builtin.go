package scenarios

import (
	"embed"
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
			Description string `yaml:"description"`
		}
		// Only the description is wanted here; the tests hold every
		// built-in to the full parse.
		_ = yaml.Unmarshal(data, &head)
		out = append(out, Info{Name: name, Description: strings.Join(strings.Fields(head.Description), " ")})
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
