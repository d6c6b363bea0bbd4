package reports

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/hookbench/hookbench/bench"
)

// barMetric is one panel of a bar figure: a title with its unit, and the
// value of a pattern.
type barMetric struct {
	title  string
	value  func(p *bench.PatternResult) float64
	format func(v float64) string
}

// overheadPanels draws what delivery cost, per delivered event, one panel
// per measure (each on its own scale), one bar per pattern.
func overheadPanels(m *model) ([]*plot.Plot, []legendItem, error) {
	return barPanels(m, []barMetric{
		{"requests per event", func(p *bench.PatternResult) float64 { return p.Overhead.RequestsPerEvent }, fmtSig},
		{"bytes per event (B)", func(p *bench.PatternResult) float64 { return p.Overhead.BytesPerEvent }, fmtSig},
		{"CPU per event (µs)", func(p *bench.PatternResult) float64 { return p.Overhead.CPUMicrosPerEvt }, fmtSig},
	})
}

// deliveryPanels draws the delivery problems, counts of deliveries: lost,
// duplicated, out of order.
func deliveryPanels(m *model) ([]*plot.Plot, []legendItem, error) {
	count := func(v float64) string { return fmtFixed(v, 0) }
	return barPanels(m, []barMetric{
		{"lost (deliveries)", func(p *bench.PatternResult) float64 { return float64(p.Events.Lost) }, count},
		{"duplicates (deliveries)", func(p *bench.PatternResult) float64 { return float64(p.Events.Duplicates) }, count},
		{"out of order (deliveries)", func(p *bench.PatternResult) float64 { return float64(p.Events.OutOfOrder) }, count},
	})
}

// barPanels draws one panel per metric with a horizontal bar per pattern,
// first pattern on top, each labelled with its value.
func barPanels(m *model, metrics []barMetric) ([]*plot.Plot, []legendItem, error) {
	n := len(m.r.Patterns)
	names := make([]string, n)
	for i, p := range m.r.Patterns {
		names[n-1-i] = p.Name
	}
	// Bars fill about half of their row, up to a thickness that still
	// reads as a bar rather than a block.
	thick := vg.Length(min(36, 0.5*float64(figureHeight-110)/float64(max(n, 1))))
	var panels []*plot.Plot
	for _, mt := range metrics {
		p := newPanel(mt.title, "", "")
		top := 0.0
		labels := plotter.XYLabels{}
		for i := range m.r.Patterns {
			v := mt.value(&m.r.Patterns[i])
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				v = 0
			}
			top = max(top, v)
			if v > 0 { // a zero is its label alone
				bar, err := plotter.NewBarChart(plotter.Values{v}, thick)
				if err != nil {
					return nil, nil, err
				}
				bar.Horizontal = true
				bar.XMin = float64(n - 1 - i)
				bar.Color = patternColor(i)
				bar.LineStyle.Width = 0
				p.Add(bar)
			}
			labels.XYs = append(labels.XYs, plotter.XY{X: v, Y: float64(n - 1 - i)})
			labels.Labels = append(labels.Labels, mt.format(v))
		}
		if top == 0 {
			top = 1
		}
		p.X.Min, p.X.Max = 0, top*1.3 // room for the value labels
		p.X.Tick.Marker = niceTicks{}
		if n > 0 {
			l, err := plotter.NewLabels(labels)
			if err != nil {
				return nil, nil, err
			}
			l.Offset = vg.Point{X: vg.Points(3)}
			for k := range l.TextStyle {
				l.TextStyle[k].Font.Size = vg.Points(9)
				l.TextStyle[k].YAlign = -0.5
			}
			p.Add(l)
			p.NominalY(names...)
			p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4 // half a row around the outer bars
		} else {
			p.Add(emptyNote("no patterns"))
		}
		panels = append(panels, p)
	}
	return panels, patternItems(m, true, nil), nil
}
