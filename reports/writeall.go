package reports

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/hookbench/hookbench/bench"
)

// WriteAll renders r in each of the formats (names from Formats; repeats
// are ignored) into dir, creating it if needed, and returns the paths of
// the files written, in the order of formats. An unknown format is an
// error before anything is written. A file that fails to render does not
// stop the others (so results.json survives a broken plot): every failure
// is returned at once, with the paths that were written. Files are
// rendered in parallel, up to GOMAXPROCS at a time.
func WriteAll(dir string, r *bench.Result, formats []string) ([]string, error) {
	var files []File
	seen := map[string]bool{}
	for _, name := range formats {
		f, err := Lookup(name)
		if err != nil {
			return nil, fmt.Errorf("reports: %w", err)
		}
		for _, file := range f.Files {
			if !seen[file.Name] {
				seen[file.Name] = true
				files = append(files, file)
			}
		}
	}
	m, err := newModel(r)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	m.prepare()
	errs := make([]error, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			var buf bytes.Buffer
			for i := range jobs {
				buf.Reset()
				errs[i] = writeFile(filepath.Join(dir, files[i].Name), files[i], m, &buf)
			}
		})
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	var paths []string
	for i, f := range files {
		if errs[i] == nil {
			paths = append(paths, filepath.Join(dir, f.Name))
		}
	}
	return paths, errors.Join(errs...)
}

// writeFile renders f in full into buf, then writes it to path, so a failed
// render leaves no half-written file behind.
func writeFile(path string, f File, m *model, buf *bytes.Buffer) error {
	if err := f.render(buf, m); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}
