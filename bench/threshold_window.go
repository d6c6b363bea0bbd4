package bench

import (
	"fmt"
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// windowSpans returns metric m over every span of k consecutive windows of
// ws (all of ws when it holds fewer than k), in time order. subs is the
// run's subscriber count (for expected and lost_rate); lat decodes the
// windows' histograms, once, when a percentile or the mean needs them.
// Spans where m has no data (latency without first deliveries) are left
// out.
func windowSpans(ws []Window, k int, subs int64, m metricDef, lat func() (*windowLatencies, error)) ([]spanValue, error) {
	n := len(ws)
	if n == 0 || k <= 0 {
		return nil, nil
	}
	k = min(k, n)
	switch {
	case m.name == "max":
		return maxSpans(ws, k), nil
	case m.kind == kindLatency:
		l, err := lat()
		if err != nil {
			return nil, err
		}
		return latencySpans(ws, k, m.name, l), nil
	case m.kind == kindCount || m.kind == kindRate:
		if (m.name == "expected" || m.name == "lost_rate") && subs <= 0 {
			return nil, fmt.Errorf("%s per window needs the run's subscriber count, which the result's scenario lacks", m.name)
		}
		return countSpans(ws, k, subs, m), nil
	}
	return nil, fmt.Errorf("%s has no per-window series", m.name)
}

// windowCounts returns the numerator and, for rates, the denominator of
// metric on one window. Published, expected and lost count events due in
// the window; delivered, unique and duplicates count deliveries observed
// in it.
func windowCounts(metric string, w *Window, subs int64) (num, den int64) {
	switch metric {
	case "published":
		return w.Published, 0
	case "expected":
		return w.Published * subs, 0
	case "delivered":
		return w.Delivered, 0
	case "unique":
		return w.Count, 0
	case "lost":
		return w.Lost, 0
	case "duplicates":
		return w.Delivered - w.Count, 0
	case "lost_rate":
		return w.Lost, w.Published * subs
	case "duplicate_rate":
		return w.Delivered - w.Count, w.Delivered
	}
	return 0, 0
}

// countSpans sums counts over each span with prefix sums.
func countSpans(ws []Window, k int, subs int64, m metricDef) []spanValue {
	num := make([]int64, len(ws)+1)
	den := make([]int64, len(ws)+1)
	for i := range ws {
		a, b := windowCounts(m.name, &ws[i], subs)
		num[i+1], den[i+1] = num[i]+a, den[i]+b
	}
	out := make([]spanValue, 0, len(ws)-k+1)
	for i := 0; i+k <= len(ws); i++ {
		a, b := num[i+k]-num[i], den[i+k]-den[i]
		v := float64(a)
		if m.kind == kindRate {
			v = percent(a, b)
		}
		out = append(out, spanValue{t: ws[i].T, v: v})
	}
	return out
}

// maxSpans takes the largest exact window max of each span.
func maxSpans(ws []Window, k int) []spanValue {
	var out []spanValue
	for i := 0; i+k <= len(ws); i++ {
		v, seen := 0.0, false
		for j := i; j < i+k; j++ {
			if ws[j].Count > 0 {
				v, seen = math.Max(v, ws[j].Max), true
			}
		}
		if seen {
			out = append(out, spanValue{t: ws[i].T, v: v})
		}
	}
	return out
}

// latencySpans computes a percentile or the mean of each span from the
// merged histograms of its windows. It keeps one running sum of bucket
// counts, adding the window that enters the span and subtracting the one
// that leaves, so the cost is linear in the number of windows whatever k
// is.
func latencySpans(ws []Window, k int, metric string, lat *windowLatencies) []spanValue {
	sum := make([]int64, len(lat.to))
	var total int64
	add := func(i int, sign int64) {
		for _, b := range lat.windows[i] {
			sum[b.idx] += sign * b.count
			total += sign * b.count
		}
	}
	var out []spanValue
	for i := 0; i+k <= len(ws); i++ {
		if i == 0 {
			for j := range k {
				add(j, 1)
			}
		} else {
			add(i-1, -1)
			add(i+k-1, 1)
		}
		if total > 0 {
			v := lat.value(sum, total, metric)
			if metric != "mean" {
				// A bucket's highest value can exceed the exact maximum:
				// no percentile above the span's max (as for whole-run
				// percentiles).
				mx := 0.0
				for j := i; j < i+k; j++ {
					mx = math.Max(mx, ws[j].Max)
				}
				v = math.Min(v, mx)
			}
			out = append(out, spanValue{t: ws[i].T, v: v})
		}
	}
	return out
}

// windowLatencies holds the latency histograms of a pattern's windows,
// decoded once, as the non-zero buckets of each window in one common
// bucket layout.
type windowLatencies struct {
	windows [][]bucketCount // per window
	to      []int64         // per bucket: its highest value (µs)
	median  []int64         // per bucket: its median value (µs)
}

type bucketCount struct {
	idx   int
	count int64
}

// decodeWindowLatencies decodes the histograms of ws. Windows must all use
// one layout; one in another layout is re-bucketed into the first's.
func decodeWindowLatencies(ws []Window) (*windowLatencies, error) {
	lat := &windowLatencies{windows: make([][]bucketCount, len(ws))}
	var layout *hdrhistogram.Snapshot
	for i := range ws {
		w := &ws[i]
		if w.HDR == "" {
			if w.Count > 0 {
				return nil, fmt.Errorf("window at %gs has %d deliveries but no histogram", w.T, w.Count)
			}
			continue
		}
		h, err := hdrhistogram.Decode([]byte(w.HDR))
		if err != nil {
			return nil, fmt.Errorf("window at %gs: decode histogram: %w", w.T, err)
		}
		switch {
		case layout == nil:
			layout = &hdrhistogram.Snapshot{
				LowestTrackableValue:  h.LowestTrackableValue(),
				HighestTrackableValue: h.HighestTrackableValue(),
				SignificantFigures:    h.SignificantFigures(),
			}
		case h.LowestTrackableValue() != layout.LowestTrackableValue ||
			h.HighestTrackableValue() != layout.HighestTrackableValue ||
			h.SignificantFigures() != layout.SignificantFigures:
			into := hdrhistogram.Import(layout)
			if dropped := into.Merge(h); dropped > 0 {
				return nil, fmt.Errorf("window at %gs: %d latencies outside the range of the other windows", w.T, dropped)
			}
			h = into
		}
		if lat.to == nil {
			if err := lat.buckets(layout); err != nil {
				return nil, fmt.Errorf("window at %gs: %w", w.T, err)
			}
		}
		for j, c := range h.Export().Counts {
			if c != 0 {
				lat.windows[i] = append(lat.windows[i], bucketCount{min(j, len(lat.to)-1), c})
			}
		}
	}
	return lat, nil
}

// buckets fills the value tables of the buckets of layout, in index order.
// hdrhistogram-go exposes them only through Distribution, which walks the
// buckets up to the last one holding a value: a probe holding the highest
// trackable value reaches them all.
func (lat *windowLatencies) buckets(layout *hdrhistogram.Snapshot) error {
	probe := hdrhistogram.Import(layout)
	if err := probe.RecordValue(layout.HighestTrackableValue); err != nil {
		return fmt.Errorf("histogram layout: %w", err)
	}
	bars := probe.Distribution()
	lat.to = make([]int64, len(bars))
	lat.median = make([]int64, len(bars))
	for j, b := range bars {
		lat.to[j] = b.To
		lat.median[j] = b.From + (b.To-b.From+1)>>1
	}
	return nil
}

// value returns a percentile or the mean, in ms, of the bucket counts sum
// (holding total values), computed exactly as hdrhistogram-go's
// ValueAtQuantile and Mean do, so that one window's span reproduces the
// window's own figures.
func (lat *windowLatencies) value(sum []int64, total int64, metric string) float64 {
	q := 0.0
	switch metric {
	case "p50":
		q = 50
	case "p90":
		q = 90
	case "p99":
		q = 99
	case "p999":
		q = 99.9
	default:
		mean := 0.0
		for i, c := range sum {
			if c != 0 {
				mean += float64(c) * float64(lat.median[i]) / float64(total)
			}
		}
		return math.Round(mean) / 1000
	}
	rank := int64(1)
	if r := q/100*float64(total) + 0.5; r >= float64(total) {
		rank = total
	} else if r >= 1 {
		rank = int64(r)
	}
	var seen int64
	for i, c := range sum {
		if seen += c; seen >= rank {
			return usToMs(lat.to[i])
		}
	}
	return usToMs(lat.to[len(lat.to)-1])
}
