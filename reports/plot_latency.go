package reports

import (
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// spectrumNines is how far right the percentile spectrum reaches:
// 99.999% is five nines, 1/(1-q) = 10^5.
const spectrumNines = 5

// lowestMs is where latencies are floored on log axes: the histograms'
// 1 µs resolution, so a 0 µs delivery stays on the plot.
const lowestMs = 0.001

// spectrumPanels draws the percentile spectrum the HdrHistogram way: x is
// the percentile on a log scale of 1/(1-q), from 0% to 99.999%, y the
// latency, one line per pattern from its full histogram.
func spectrumPanels(m *model) ([]*plot.Plot, []legendItem, error) {
	p := newPanel("", "percentile (log scale of 1/(1-q))", "latency (ms, log scale)")
	p.X.Min, p.X.Max = 0, spectrumNines
	p.X.Tick.Marker = spectrumTicks()
	qs := spectrumQuantiles()
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range m.r.Patterns {
		h, err := m.histogram(i)
		if err != nil {
			return nil, nil, err
		}
		if h == nil {
			continue
		}
		pts := make(plotter.XYs, len(qs))
		for k, v := range h.ValueAtPercentilesSlice(qs) {
			y := max(float64(v)/1000, lowestMs)
			pts[k] = plotter.XY{X: nines(qs[k]), Y: y}
			lo, hi = min(lo, y), max(hi, y)
		}
		line, err := seriesLine(pts, i, nil)
		if err != nil {
			return nil, nil, err
		}
		p.Add(line)
	}
	setLogAxis(&p.Y, lo, hi)
	if math.IsInf(lo, 1) {
		p.Add(emptyNote("no deliveries to plot"))
	}
	return []*plot.Plot{p}, patternItems(m, false, noDeliveries(m)), nil
}

// spectrumQuantiles returns percentiles (0-100) evenly spaced on the
// spectrum's x axis, 40 per nine.
func spectrumQuantiles() []float64 {
	const perNine = 40
	qs := make([]float64, spectrumNines*perNine+1)
	for k := range qs {
		x := float64(k) / perNine
		qs[k] = 100 * (1 - math.Pow(10, -x))
	}
	return qs
}

// nines maps a percentile (0-100) to the spectrum's x axis, log10(1/(1-q)).
func nines(pct float64) float64 {
	if pct >= 100 {
		return spectrumNines
	}
	return min(-math.Log10(1-pct/100), spectrumNines)
}

// spectrumTicks labels 0%, 90%, 99%, ... 99.999% with minor ticks at 50%,
// 75% and 87.5% and their like in between.
func spectrumTicks() plot.ConstantTicks {
	labels := []string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"}
	var ticks plot.ConstantTicks
	for n, l := range labels {
		ticks = append(ticks, plot.Tick{Value: float64(n), Label: l})
		if n == len(labels)-1 {
			break
		}
		for _, f := range []float64{2, 4, 8} { // 50%, 75%, 87.5% of the way to the next nine
			ticks = append(ticks, plot.Tick{Value: float64(n) + math.Log10(f)})
		}
	}
	return ticks
}

// cdfPanels draws the latency distribution: x the latency on a log scale,
// y the share of first deliveries at or below it.
func cdfPanels(m *model) ([]*plot.Plot, []legendItem, error) {
	p := newPanel("", "latency (ms, log scale)", "first deliveries at or below (%)")
	p.Y.Min, p.Y.Max = 0, 100
	p.Y.Tick.Marker = plot.ConstantTicks{
		{Value: 0, Label: "0"}, {Value: 25, Label: "25"}, {Value: 50, Label: "50"},
		{Value: 75, Label: "75"}, {Value: 90, Label: "90"}, {Value: 99}, {Value: 100, Label: "100"},
	}
	qs := cdfQuantiles()
	lo, hi := math.Inf(1), math.Inf(-1)
	var series []plotter.XYs
	var owners []int
	for i := range m.r.Patterns {
		h, err := m.histogram(i)
		if err != nil {
			return nil, nil, err
		}
		if h == nil {
			continue
		}
		pts := cdfPoints(h, qs)
		lo, hi = min(lo, pts[0].X), max(hi, pts[len(pts)-1].X)
		series, owners = append(series, pts), append(owners, i)
	}
	for k, pts := range series {
		line, err := seriesLine(pts, owners[k], nil)
		if err != nil {
			return nil, nil, err
		}
		p.Add(line)
	}
	setLogAxis(&p.X, lo, hi)
	if len(series) == 0 {
		p.Add(emptyNote("no deliveries to plot"))
	}
	return []*plot.Plot{p}, patternItems(m, false, noDeliveries(m)), nil
}

// cdfQuantiles returns the percentiles the CDF is drawn through: every
// half percent, and the tail's nines.
func cdfQuantiles() []float64 {
	var qs []float64
	for k := 0; k <= 199; k++ {
		qs = append(qs, float64(k)/2)
	}
	return append(qs, 99.75, 99.9, 99.95, 99.99, 99.999, 100)
}

// cdfPoints returns (latency ms, percentile) points of h, as a staircase
// that never goes left.
func cdfPoints(h *hdrhistogram.Histogram, qs []float64) plotter.XYs {
	vals := h.ValueAtPercentilesSlice(qs)
	pts := make(plotter.XYs, 0, len(qs))
	for k, v := range vals {
		x := max(float64(v)/1000, lowestMs)
		if n := len(pts); n > 0 && x < pts[n-1].X {
			x = pts[n-1].X
		}
		pts = append(pts, plotter.XY{X: x, Y: qs[k]})
	}
	return pts
}

// noDeliveries returns a legend note for the patterns without latency
// data.
func noDeliveries(m *model) func(i int) string {
	return func(i int) string {
		if m.r.Patterns[i].Latency.HDR == "" || m.r.Patterns[i].Latency.Count == 0 {
			return "no deliveries"
		}
		return ""
	}
}
