package reports

import (
	"fmt"
	"image/color"
	"image/png"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure sizes. PNGs are drawn at pngDPI, so 10 in x 5.5 in is
// 1200 x 660 pixels; SVGs keep the size in points.
const (
	figureWidth  = 10 * vg.Inch
	figureHeight = 5.5 * vg.Inch
	pngDPI       = 120
	seriesWidth  = 1.6 // points
)

// figure is one plot of a report: a file name (without extension), a title,
// and how to build its panels and legend from a model.
type figure struct {
	name  string
	title string
	build func(m *model) (panels []*plot.Plot, legend []legendItem, err error)
}

// figures returns the report's plots, in the order the HTML report shows
// them.
func figures() []figure {
	return []figure{
		{"latency-spectrum", "First-delivery latency by percentile", spectrumPanels},
		{"latency-over-time", "Latency over time (p99 solid, p50 dashed)", timePanels},
		{"latency-cdf", "First-delivery latency distribution (CDF)", cdfPanels},
		{"overhead", "Overhead per delivered event", overheadPanels},
		{"delivery", "Delivery problems", deliveryPanels},
	}
}

// legendItem is one legend row: a label and a line or box in a colour.
type legendItem struct {
	label  string
	color  color.Color
	dashes []vg.Length
	box    bool
}

// Thumbnail draws the item's sample (plot.Thumbnailer).
func (it legendItem) Thumbnail(c *draw.Canvas) {
	if it.box {
		pts := []vg.Point{
			{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X, Y: c.Max.Y},
			{X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y},
		}
		c.FillPolygon(it.color, c.ClipPolygonXY(pts))
		return
	}
	y := c.Center().Y
	c.StrokeLine2(draw.LineStyle{Color: it.color, Width: vg.Points(2.5), Dashes: it.dashes}, c.Min.X, y, c.Max.X, y)
}

// patternItems returns one legend row per pattern, in its colour; note
// adds to the label of patterns it returns text for.
func patternItems(m *model, box bool, note func(i int) string) []legendItem {
	items := make([]legendItem, len(m.r.Patterns))
	for i, p := range m.r.Patterns {
		items[i] = legendItem{label: p.Name, color: patternColor(i), box: box}
		if note != nil {
			if n := note(i); n != "" {
				items[i].label += " (" + n + ")"
			}
		}
	}
	return items
}

// renderFigure draws f for m onto a canvas of the format ("png" or "svg")
// and writes it to w.
func renderFigure(w io.Writer, m *model, f figure, format string) error {
	panels, legend, err := f.build(m)
	if err != nil {
		return fmt.Errorf("reports: plot %s: %w", f.name, err)
	}
	switch format {
	case "png":
		c := vgimg.NewWith(vgimg.UseWH(figureWidth, figureHeight), vgimg.UseDPI(pngDPI))
		drawFigure(draw.New(c), f.title, panels, legend)
		// Fastest compression: plots are flat colours, so it costs little
		// in size and saves most of the encoding time.
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		if err := enc.Encode(w, c.Image()); err != nil {
			return fmt.Errorf("reports: plot %s: write png: %w", f.name, err)
		}
	case "svg":
		c := vgsvg.New(figureWidth, figureHeight)
		drawFigure(draw.New(c), f.title, panels, legend)
		if _, err := c.WriteTo(w); err != nil {
			return fmt.Errorf("reports: plot %s: write svg: %w", f.name, err)
		}
	default:
		return fmt.Errorf("reports: plot %s: unknown image format %q", f.name, format)
	}
	return nil
}

// drawFigure draws the title across the top, the legend in a column on the
// right (so it never hides data) and the panels side by side in the rest.
func drawFigure(dc draw.Canvas, title string, panels []*plot.Plot, legend []legendItem) {
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())

	titleStyle := draw.TextStyle{
		Color:   color.Black,
		Font:    font.From(plot.DefaultFont, 14),
		XAlign:  draw.XCenter,
		YAlign:  draw.YTop,
		Handler: plot.DefaultTextHandler,
	}
	const pad = 8
	dc.FillText(titleStyle, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - pad}, title)
	top := titleStyle.Height(title) + 2*pad

	l := plot.NewLegend()
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(22)
	l.TextStyle.Font.Size = vg.Points(11)
	l.Padding = vg.Points(6)
	var legendWidth vg.Length
	for _, it := range legend {
		l.Add(it.label, it)
		legendWidth = max(legendWidth, l.TextStyle.Width(it.label))
	}
	if len(legend) > 0 {
		legendWidth += l.ThumbnailWidth + 3*pad
		lc := draw.Crop(dc, dc.Max.X-dc.Min.X-legendWidth, 0, pad, -top)
		l.Draw(lc)
	}

	area := draw.Crop(dc, pad, -legendWidth, 0, -top)
	if len(panels) == 1 {
		panels[0].Draw(area)
		return
	}
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Points(14)}
	canvases := plot.Align([][]*plot.Plot{panels}, tiles, area)
	for i, p := range panels {
		p.Draw(canvases[0][i])
	}
}

// newPanel returns a plot with the report's look: a title, axis labels and
// a light grid.
func newPanel(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Title.TextStyle.Font.Size = vg.Points(12)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(11)
		a.Tick.Label.Font.Size = vg.Points(10)
	}
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 225}
	g.Horizontal.Color = color.Gray{Y: 225}
	p.Add(g)
	return p
}

// seriesLine returns a line through pts in pattern i's colour.
func seriesLine(pts plotter.XYs, i int, dashes []vg.Length) (*plotter.Line, error) {
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	l.Color = patternColor(i)
	l.Width = vg.Points(seriesWidth)
	l.Dashes = dashes
	return l, nil
}

// setLogAxis puts a on a log scale spanning whole decades around [lo, hi]
// (both > 0; without data, 1..1000), with labelled decades.
func setLogAxis(a *plot.Axis, lo, hi float64) {
	if !(lo > 0) || math.IsInf(lo, 0) {
		lo, hi = 1, 1000
	}
	if !(hi >= lo) || math.IsInf(hi, 0) {
		hi = lo
	}
	a.Scale = plot.LogScale{}
	a.Min = math.Pow(10, math.Floor(math.Log10(lo)))
	a.Max = math.Pow(10, math.Ceil(math.Log10(hi)))
	if a.Max <= a.Min {
		a.Max = a.Min * 10
	}
	a.Tick.Marker = logTicks{}
}

// logTicks marks every decade with a label and the multiples between with
// minor ticks; when the axis spans at most two decades, 2x and 5x are
// labelled too.
type logTicks struct{}

// Ticks returns the ticks between min and max (plot.Ticker).
func (logTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max > min) {
		return nil
	}
	few := math.Log10(max/min) <= 2.01
	var ticks []plot.Tick
	for d := math.Pow(10, math.Floor(math.Log10(min))); d <= max*1.0001; d *= 10 {
		for k := 1; k < 10; k++ {
			v := d * float64(k)
			if v < min*0.9999 || v > max*1.0001 {
				continue
			}
			t := plot.Tick{Value: v}
			if k == 1 || few && (k == 2 || k == 5) {
				t.Label = strconv.FormatFloat(v, 'g', 4, 64)
				if v >= 1 {
					t.Label = strconv.FormatFloat(v, 'f', -1, 64)
				}
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// emptyNote is a Plotter that writes a note in the middle of an empty
// panel, so "no data" is said rather than shown as a blank.
type emptyNote string

// Plot draws the note (plot.Plotter).
func (n emptyNote) Plot(c draw.Canvas, p *plot.Plot) {
	sty := p.Title.TextStyle
	sty.Font.Size = vg.Points(11)
	sty.Color = color.Gray{Y: 110}
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	c.FillText(sty, c.Center(), string(n))
}

// niceTicks marks a linear axis at 1, 2 or 5 times a power of ten, about
// five labels, written with no more decimals than the step needs.
type niceTicks struct{}

// Ticks returns the ticks between lo and hi (plot.Ticker).
func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, f := range []float64{2, 5, 10} {
		if step >= raw {
			break
		}
		step = f * mag
	}
	decimals := max(0, int(-math.Floor(math.Log10(step))))
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
		if half := v + step/2; half < hi {
			ticks = append(ticks, plot.Tick{Value: half})
		}
	}
	return ticks
}
