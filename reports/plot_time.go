package reports

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/hookbench/hookbench/bench"
)

// maxTimePoints is the most points a latency-over-time series draws; longer
// runs merge neighbouring windows (their histograms, so the percentiles
// stay exact) rather than draw more points than the plot has pixels.
const maxTimePoints = 600

// faultFill returns the shading of fault windows: a translucent red.
func faultFill() color.NRGBA { return color.NRGBA{R: 0xD6, G: 0x27, B: 0x28, A: 0x2E} }

// timePoint is one point of a latency-over-time series: the middle of a
// span of windows (s) and its p50 and p99 (ms). ok is false for spans with
// no deliveries.
type timePoint struct {
	t, p50, p99 float64
	ok          bool
}

// timeSeries returns pattern p's latency over time, merged into at most
// maxPoints spans. hm merges the window histograms of a span; it is reset
// for each.
func timeSeries(p *bench.PatternResult, width float64, maxPoints int, hm *hdrMerger) []timePoint {
	ws := p.Windows
	k := max(1, int(math.Ceil(float64(len(ws))/float64(maxPoints))))
	out := make([]timePoint, 0, (len(ws)+k-1)/k)
	for start := 0; start < len(ws); start += k {
		group := ws[start:min(start+k, len(ws))]
		pt := timePoint{t: group[0].T + float64(len(group))*width/2}
		if k == 1 {
			w := group[0]
			pt.p50, pt.p99, pt.ok = w.P50, w.P99, w.Count > 0
		} else {
			pt.p50, pt.p99, pt.ok = mergeWindows(group, hm)
		}
		out = append(out, pt)
	}
	return out
}

// mergeWindows returns the p50 and p99 (ms) of a span of windows: exact,
// from their merged histograms, when every window with deliveries carries
// one; otherwise the worst p99 and the delivery-weighted mean p50.
func mergeWindows(ws []bench.Window, hm *hdrMerger) (p50, p99 float64, ok bool) {
	hm.reset()
	exact := true
	var n int64
	var sum50 float64
	for _, w := range ws {
		if w.Count == 0 {
			continue
		}
		n += w.Count
		sum50 += w.P50 * float64(w.Count)
		p99 = max(p99, w.P99)
		exact = exact && w.HDR != "" && hm.add(w.HDR) == nil
	}
	if n == 0 {
		return 0, 0, false
	}
	if exact {
		v := hm.percentiles(50, 99)
		return float64(v[0]) / 1000, float64(v[1]) / 1000, true
	}
	return sum50 / float64(n), p99, true
}

// timePanels draws p50 and p99 per window for each pattern, over the run's
// timeline, with the fault windows shaded and labelled.
func timePanels(m *model) ([]*plot.Plot, []legendItem, error) {
	p := newPanel("", "time since the start of the run (s)", "latency (ms, log scale)")
	width := m.windowWidth()
	end := 0.0
	for _, f := range m.faults {
		end = max(end, f.At+f.For)
	}
	p.Add(faultBands(m.faults))
	lo, hi := math.Inf(1), math.Inf(-1)
	dashed := []vg.Length{vg.Points(5), vg.Points(3)}
	for i := range m.r.Patterns {
		pr := &m.r.Patterns[i]
		if n := len(pr.Windows); n > 0 {
			end = max(end, pr.Windows[n-1].T+width)
		}
		series := m.timeSeries(i)
		for _, s := range []struct {
			get    func(timePoint) float64
			dashes []vg.Length
		}{{func(t timePoint) float64 { return t.p50 }, dashed}, {func(t timePoint) float64 { return t.p99 }, nil}} {
			for _, seg := range segments(series, s.get) {
				for _, pt := range seg {
					lo, hi = min(lo, pt.Y), max(hi, pt.Y)
				}
				if err := addSegment(p, seg, i, s.dashes); err != nil {
					return nil, nil, err
				}
			}
		}
	}
	p.X.Min, p.X.Max = 0, max(end, width)
	setLogAxis(&p.Y, lo, hi)
	if math.IsInf(lo, 1) {
		p.Add(emptyNote("no per-window latency to plot"))
	}
	gray := color.Gray{Y: 90}
	legend := append(patternItems(m, false, noDeliveries(m)),
		legendItem{label: "p99", color: gray},
		legendItem{label: "p50", color: gray, dashes: dashed})
	if len(m.faults) > 0 {
		legend = append(legend, legendItem{label: "fault window", color: faultFill(), box: true})
	}
	return []*plot.Plot{p}, legend, nil
}

// segments splits a series where a span had no deliveries, so the line
// shows the gap instead of bridging it.
func segments(series []timePoint, get func(timePoint) float64) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for _, pt := range series {
		if !pt.ok {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, plotter.XY{X: pt.t, Y: max(get(pt), lowestMs)})
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// addSegment adds a line through seg in pattern i's colour, or a dot when
// seg is a single point (a line needs two).
func addSegment(p *plot.Plot, seg plotter.XYs, i int, dashes []vg.Length) error {
	if len(seg) == 1 {
		s, err := plotter.NewScatter(seg)
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: patternColor(i), Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
		p.Add(s)
		return nil
	}
	line, err := seriesLine(seg, i, dashes)
	if err != nil {
		return err
	}
	p.Add(line)
	return nil
}

// faultBands is a Plotter shading each fault window over the full height of
// the plot, with its kind written at the top.
type faultBands []bench.FaultWindow

// Plot draws the bands (plot.Plotter).
func (fb faultBands) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	sty := p.Title.TextStyle
	sty.Font.Size = vg.Points(10)
	sty.Color = color.RGBA{R: 0x9E, G: 0x1B, B: 0x1C, A: 0xFF}
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YTop
	for _, f := range fb {
		x0 := trX(max(f.At, p.X.Min))
		x1 := trX(min(f.At+f.For, p.X.Max))
		if x1 <= x0 {
			x1 = x0 + vg.Points(1)
		}
		c.FillPolygon(faultFill(), []vg.Point{
			{X: x0, Y: c.Min.Y}, {X: x0, Y: c.Max.Y}, {X: x1, Y: c.Max.Y}, {X: x1, Y: c.Min.Y},
		})
		c.FillText(sty, vg.Point{X: x0 + vg.Points(3), Y: c.Max.Y - vg.Points(3)}, f.Kind)
	}
}
