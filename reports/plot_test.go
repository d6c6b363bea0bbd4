package reports

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/hookbench/hookbench/bench"
)

// checkPNG decodes a plot's PNG and checks its size.
func checkPNG(t *testing.T, name string, data []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Errorf("%s is not a PNG: %v", name, err)
		return
	}
	w, h := float64(figureWidth/vg.Inch)*pngDPI, float64(figureHeight/vg.Inch)*pngDPI
	if got := img.Bounds(); got.Dx() != int(math.Round(w)) || got.Dy() != int(math.Round(h)) {
		t.Errorf("%s is %dx%d, want %.0fx%.0f", name, got.Dx(), got.Dy(), w, h)
	}
}

// svgShape is a path of an SVG plot: its stroke or fill colour and how
// many points it joins.
type svgShape struct {
	stroke, fill string
	points       int
}

// svgShapes returns the paths of an SVG document.
func svgShapes(t *testing.T, svg []byte) []svgShape {
	t.Helper()
	var out []svgShape
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("SVG is not valid XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "path" {
			continue
		}
		var s svgShape
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "d":
				s.points = strings.Count(a.Value, "L") + strings.Count(a.Value, "M")
			case "style":
				for _, decl := range strings.Split(a.Value, ";") {
					k, v, _ := strings.Cut(decl, ":")
					switch k {
					case "stroke":
						s.stroke = strings.ToLower(v)
					case "fill":
						s.fill = strings.ToLower(v)
					}
				}
			}
		}
		out = append(out, s)
	}
}

// TestPlotsSVGSeries checks that each SVG plot draws one series per
// pattern, in the pattern's colour: a long line in the line plots
// (legend samples are two points), a filled bar per pattern with a value
// in the bar plots.
func TestPlotsSVGSeries(t *testing.T) {
	r := loadFixture(t)
	m, err := newModel(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figures() {
		t.Run(f.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := renderFigure(&b, m, f, "svg"); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b.Bytes(), []byte("NaN")) {
				t.Error("SVG holds NaN coordinates")
			}
			shapes := svgShapes(t, b.Bytes())
			for i, p := range r.Patterns {
				color := hexColor(patternColor(i))
				lines, bars := 0, 0
				for _, s := range shapes {
					if s.stroke == color && s.points > 10 {
						lines++
					}
					if s.fill == color && s.points >= 4 {
						bars++
					}
				}
				switch f.name {
				case "latency-spectrum", "latency-cdf":
					if lines != 1 {
						t.Errorf("%s: %d series lines, want 1", p.Name, lines)
					}
				case "latency-over-time":
					// p50 and p99, each broken where the outage left
					// windows without deliveries.
					if lines < 2 {
						t.Errorf("%s: %d series lines, want p50 and p99", p.Name, lines)
					}
				case "overhead":
					// Three panels plus the legend swatch.
					if bars != 4 {
						t.Errorf("%s: %d filled shapes, want 3 bars and a legend swatch", p.Name, bars)
					}
				case "delivery":
					want := 1 // the legend swatch
					for _, n := range []int64{p.Events.Lost, p.Events.Duplicates, p.Events.OutOfOrder} {
						if n > 0 {
							want++
						}
					}
					if bars != want {
						t.Errorf("%s: %d filled shapes, want %d (bars with a value and the legend swatch)", p.Name, bars, want)
					}
				}
			}
		})
	}
}

// TestPlotsEmptyData renders every format for results with nothing to
// plot: a pattern that delivered nothing, one without windows, and a result
// without patterns. None may fail, panic or draw NaN.
func TestPlotsEmptyData(t *testing.T) {
	full := loadFixture(t)
	silent := bench.PatternResult{
		Name: "webhook", Drain: "deadline",
		Events:  bench.Events{Published: 10, Expected: 10, Lost: 10},
		Windows: []bench.Window{{T: 0, Published: 10, Lost: 10}, {T: 1}},
	}
	noWindows := full.Patterns[0]
	noWindows.Name, noWindows.Windows = "polling", nil
	for _, tc := range []struct {
		name     string
		patterns []bench.PatternResult
		png      bool
	}{
		{"zero deliveries", []bench.PatternResult{silent}, false},
		{"zero deliveries and no windows", []bench.PatternResult{silent, noWindows}, true},
		{"no patterns", nil, false},
		{"all zero", []bench.PatternResult{{Name: "websocket"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := *full
			r.Patterns = tc.patterns
			for _, f := range Formats() {
				for _, file := range f.Files {
					// PNGs draw what the SVGs draw and are slow under
					// -race: one case checks them.
					if strings.HasSuffix(file.Name, ".png") && !tc.png {
						continue
					}
					var b bytes.Buffer
					if err := file.Render(&b, &r); err != nil {
						t.Errorf("%s: %v", file.Name, err)
						continue
					}
					if strings.HasSuffix(file.Name, ".svg") && bytes.Contains(b.Bytes(), []byte("NaN")) {
						t.Errorf("%s holds NaN", file.Name)
					}
					if strings.HasSuffix(file.Name, ".png") {
						checkPNG(t, file.Name, b.Bytes())
					}
				}
			}
		})
	}
}

// TestTimeSeriesMerge checks that long runs are drawn from merged windows
// whose percentiles come from the merged histograms.
func TestTimeSeriesMerge(t *testing.T) {
	r := loadFixture(t)
	p := r.Patterns[0]
	var hm hdrMerger
	direct := timeSeries(&p, 1, maxTimePoints, &hm)
	if len(direct) != len(p.Windows) {
		t.Fatalf("%d points for %d windows", len(direct), len(p.Windows))
	}
	merged := timeSeries(&p, 1, 10, &hm)
	if len(merged) > 10 {
		t.Fatalf("%d points, want at most 10", len(merged))
	}
	// The first span merges windows 0-3, all before the outage: its p99
	// lies within the windows' p99s, and its p50 within their p50s.
	k := (len(p.Windows) + 9) / 10
	lo50, hi50, lo99, hi99 := 1e18, 0.0, 1e18, 0.0
	for _, w := range p.Windows[:k] {
		lo50, hi50 = min(lo50, w.P50), max(hi50, w.P50)
		lo99, hi99 = min(lo99, w.P99), max(hi99, w.P99)
	}
	got := merged[0]
	if !got.ok || got.p50 < lo50*0.98 || got.p50 > hi50*1.02 || got.p99 < lo99*0.98 || got.p99 > hi99*1.02 {
		t.Errorf("merged span %+v outside the windows' p50 %g-%g and p99 %g-%g", got, lo50, hi50, lo99, hi99)
	}
	if want := float64(k) / 2; got.t != want {
		t.Errorf("merged span at t=%g, want its middle %g", got.t, want)
	}
}
