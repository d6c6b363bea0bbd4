package bench

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds: values are microseconds, from 1 µs to 24 h.
const (
	histLowest  = 1
	histHighest = int64(24 * time.Hour / time.Microsecond)
)

// A Recorder is a lock-free HdrHistogram recorder: any number of goroutines
// may Record at once without locks or allocations. Its bucket layout is
// exactly hdrhistogram-go's for the same bounds and precision, so Histogram
// hands the counts to that library unchanged for percentiles, merging and
// encoding.
type Recorder struct {
	counts   []atomic.Int64
	halfMag  uint  // log2 of half the sub-bucket count
	mask     int64 // sub-bucket count - 1
	half     int64
	highest  int64
	sigfigs  int
	clamped  atomic.Int64
	maxValue atomic.Int64
}

// NewRecorder returns a Recorder for values from 1 to highest (inclusive)
// with sigfigs significant decimal digits (1 to 5).
func NewRecorder(highest int64, sigfigs int) *Recorder {
	// hdrhistogram's geometry: the smallest power of two sub-bucket count
	// that resolves 2*10^sigfigs distinct values at unit resolution.
	single := 2 * math.Pow10(sigfigs)
	countMag := int(math.Ceil(math.Log2(single)))
	halfMag := uint(max(countMag-1, 0))
	n := len(hdrhistogram.New(histLowest, highest, sigfigs).Export().Counts)
	return &Recorder{
		counts:  make([]atomic.Int64, n),
		halfMag: halfMag,
		mask:    int64(1)<<(halfMag+1) - 1,
		half:    int64(1) << halfMag,
		highest: highest,
		sigfigs: sigfigs,
	}
}

// Record adds one observation of v. Values below 0 are recorded as 0;
// values above the highest trackable value are recorded as that value and
// counted in Clamped, never dropped.
func (r *Recorder) Record(v int64) {
	if v < 0 {
		v = 0
	}
	if v > r.highest {
		v = r.highest
		r.clamped.Add(1)
	}
	bucket := int64(64-bits.LeadingZeros64(uint64(v|r.mask))) - int64(r.halfMag+1)
	sub := v >> uint(bucket)
	idx := (bucket+1)<<r.halfMag + sub - r.half
	r.counts[idx].Add(1)
	for {
		m := r.maxValue.Load()
		if v <= m || r.maxValue.CompareAndSwap(m, v) {
			break
		}
	}
}

// RecordDuration records d in microseconds.
func (r *Recorder) RecordDuration(d time.Duration) { r.Record(int64(d / time.Microsecond)) }

// Clamped returns how many values were above the highest trackable value.
func (r *Recorder) Clamped() int64 { return r.clamped.Load() }

// Max returns the largest value recorded, exactly (the histogram's own max
// is rounded to its precision).
func (r *Recorder) Max() int64 { return r.maxValue.Load() }

// Histogram returns a copy of the counts so far as an hdrhistogram.
func (r *Recorder) Histogram() *hdrhistogram.Histogram {
	counts := make([]int64, len(r.counts))
	for i := range r.counts {
		counts[i] = r.counts[i].Load()
	}
	return hdrhistogram.Import(&hdrhistogram.Snapshot{
		LowestTrackableValue:  histLowest,
		HighestTrackableValue: r.highest,
		SignificantFigures:    int64(r.sigfigs),
		Counts:                counts,
	})
}
