package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookbench/hookbench/bench"
)

// TestWriteAll writes every format and checks the files, their order and
// that results.json reads back as the same result.
func TestWriteAll(t *testing.T) {
	r := loadFixture(t)
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := WriteAll(dir, r, append(FormatNames(), "md")) // a repeat is ignored
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range Formats() {
		for _, file := range f.Files {
			want = append(want, filepath.Join(dir, file.Name))
		}
	}
	if !slices.Equal(paths, want) {
		t.Fatalf("wrote\n%v\nwant\n%v", paths, want)
	}
	for _, name := range []string{
		"results.json", "report.md", "report.html", "junit.xml", "summary.txt",
		"latency-spectrum.png", "latency-over-time.png", "latency-cdf.png", "overhead.png", "delivery.png",
		"latency-spectrum.svg", "latency-over-time.svg", "latency-cdf.svg", "overhead.svg", "delivery.svg",
	} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || len(data) == 0 {
			t.Errorf("%s: %v (%d bytes)", name, err, len(data))
			continue
		}
		switch filepath.Ext(name) {
		case ".png":
			checkPNG(t, name, data)
		case ".svg":
			svgShapes(t, data) // valid XML
		}
	}
	back, err := bench.ReadResult(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := r.Encode(&a); err != nil {
		t.Fatal(err)
	}
	if err := back.Encode(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Error("results.json does not read back as the same result")
	}
}

func TestWriteAllUnknownFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	_, err := WriteAll(dir, loadFixture(t), []string{"md", "pdf"})
	if err == nil {
		t.Fatal("no error for format pdf")
	}
	for _, name := range FormatNames() {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list format %s", err, name)
		}
	}
	if _, statErr := os.Stat(dir); !os.IsNotExist(statErr) {
		t.Errorf("output folder created despite the bad format (%v)", statErr)
	}
}

func TestParseFormats(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		wantErr  bool
	}{
		{name: "default", in: "json,md,html,png", want: []string{"json", "md", "html", "png"}},
		{name: "spaces, case, repeats and empty items", in: " MD, md,,junit ", want: []string{"md", "junit"}},
		{name: "unknown", in: "json,docx", wantErr: true},
		{name: "empty", in: " , ", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseFormats(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	for _, f := range DefaultFormats() {
		if _, err := Lookup(f); err != nil {
			t.Errorf("default format %s: %v", f, err)
		}
	}
}

// TestRendererFunc checks that the exported renderers fit the seam and
// match the table's files.
func TestRendererFunc(t *testing.T) {
	r := loadFixture(t)
	for _, tc := range []struct {
		format string
		fn     RendererFunc
	}{
		{"json", JSON}, {"md", Markdown}, {"html", HTML}, {"junit", JUnit}, {"text", Text},
	} {
		f, err := Lookup(tc.format)
		if err != nil {
			t.Fatal(err)
		}
		var viaFunc, viaTable bytes.Buffer
		var rd Renderer = tc.fn
		if err := rd.Render(&viaFunc, r); err != nil {
			t.Fatalf("%s: %v", tc.format, err)
		}
		if err := f.Files[0].Render(&viaTable, r); err != nil {
			t.Fatalf("%s: %v", tc.format, err)
		}
		if viaFunc.String() != viaTable.String() {
			t.Errorf("%s: the renderer and the table's file differ", tc.format)
		}
	}
	if err := Markdown(&bytes.Buffer{}, nil); err == nil {
		t.Error("no error for a nil result")
	}
}
