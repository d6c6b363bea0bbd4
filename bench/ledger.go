package bench

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// LedgerConfig sizes a Ledger.
type LedgerConfig struct {
	// Subscribers is the number of consumers (> 0).
	Subscribers int
	// Events is the number of events the run can publish, at most.
	Events uint64
	// Keys is the number of ordering keys (> 0).
	Keys int
	// Window is the width of a time window. If zero, 1s.
	Window time.Duration
	// Span is how long the run can last (publishing plus drain); windows
	// are allocated to cover it, and later observations fall in the last.
	Span time.Duration
}

// A Ledger accounts for every delivery of a run: which (subscriber, event)
// pairs arrived, how often, in what order per subscriber and key, and with
// what latency. Memory is one bit per event per subscriber plus fixed-size
// histograms; nothing is kept per delivery.
//
// Publish and Deliver are safe for concurrent use, take no locks and do not
// allocate (the first delivery into a time window allocates that window's
// histogram once).
type Ledger struct {
	cfg     LedgerConfig
	words   uint64          // bitset words per subscriber
	seen    []uint64        // subscribers × words bits: delivered at least once
	maxSeen []atomic.Uint64 // per subscriber and key: highest seq seen + 1
	subs    []subCounts
	paths   [numPaths]paddedInt64

	published  paddedInt64
	unexpected paddedInt64
	start      time.Time
	latency    *Recorder
	windows    []window
	// sealedTo is the first window not yet sealed; errs the problems
	// Windows met (reported by Err). Both belong to the Runner's goroutine.
	sealedTo int
	errs     []error
}

// Err returns the problems met building windows (a histogram that could not
// be decoded or merged), so that none is dropped silently.
func (l *Ledger) Err() error { return errors.Join(l.errs...) }

type subCounts struct {
	delivered, unique, outOfOrder atomic.Int64
	_                             [40]byte
}

type window struct {
	published  atomic.Int64 // events due in the window
	delivered  atomic.Int64 // deliveries observed in the window
	firstOfDue atomic.Int64 // first deliveries of events due in the window
	latency    atomic.Pointer[Recorder]
	sealed     atomic.Pointer[sealedWindow]
}

// A sealedWindow is the latency histogram of a window that closed, kept
// compressed (a few hundred bytes instead of the recorder's ~30 KiB), so
// that memory stays flat however long the run.
type sealedWindow struct {
	hist *hdrhistogram.Histogram // nil once encoded
	enc  []byte
	max  int64
}

// sealAfter is how long after its end a window is sealed: deliveries are
// windowed by their arrival time, so nothing is recorded into a window
// that long closed but by a goroutine stalled between reading the clock
// and recording (a delivery that late still counts: it lands in a fresh
// recorder merged at the end).
const sealAfter = 5 * time.Second

// windowSigfigs is the precision of per-window histograms: 1% is ample for
// plots and windowed thresholds, at a tenth of the memory of 3 digits.
const windowSigfigs = 2

// NewLedger returns an empty Ledger for cfg.
func NewLedger(cfg LedgerConfig) (*Ledger, error) {
	if cfg.Subscribers <= 0 || cfg.Keys <= 0 {
		return nil, fmt.Errorf("ledger: subscribers and keys must be > 0, got %d and %d", cfg.Subscribers, cfg.Keys)
	}
	if cfg.Window <= 0 {
		cfg.Window = time.Second
	}
	words := (cfg.Events + 63) / 64
	n := int(cfg.Span/cfg.Window) + 2
	return &Ledger{
		cfg:     cfg,
		words:   words,
		seen:    make([]uint64, uint64(cfg.Subscribers)*words),
		maxSeen: make([]atomic.Uint64, cfg.Subscribers*cfg.Keys),
		subs:    make([]subCounts, cfg.Subscribers),
		latency: NewRecorder(histHighest, 3),
		windows: make([]window, n),
	}, nil
}

// Start sets the run's time zero. Call it once, before the first Publish.
func (l *Ledger) Start(t time.Time) { l.start = t }

// Started returns the run's time zero.
func (l *Ledger) Started() time.Time { return l.start }

// Publish records that ev was handed to the producer. Call it before the
// producer's Publish, so that no delivery can precede it. Events beyond the
// ledger's capacity (LedgerConfig.Events) are refused with an error.
func (l *Ledger) Publish(ev Event) error {
	if ev.Seq >= l.cfg.Events {
		return fmt.Errorf("ledger: event seq %d beyond the %d events it was sized for", ev.Seq, l.cfg.Events)
	}
	l.published.Add(1)
	l.windowAt(ev.Due).published.Add(1)
	return nil
}

// Deliver records one delivery. It implements Sink.
func (l *Ledger) Deliver(d Delivery) {
	sub := d.Subscriber
	if sub < 0 || sub >= l.cfg.Subscribers || d.Seq >= uint64(l.published.Load()) || d.Seq >= l.cfg.Events ||
		int(d.Key) >= l.cfg.Keys || d.Path >= numPaths {
		l.unexpected.Add(1)
		return
	}
	sc := &l.subs[sub]
	sc.delivered.Add(1)
	at := d.At.Sub(l.start)
	w := l.windowAt(at)
	w.delivered.Add(1)

	bit := uint64(1) << (d.Seq & 63)
	if atomic.OrUint64(&l.seen[uint64(sub)*l.words+d.Seq>>6], bit)&bit != 0 {
		return // a duplicate
	}
	sc.unique.Add(1)
	l.paths[d.Path].Add(1)
	lat := at - d.Due
	l.latency.RecordDuration(lat)
	w.recorder().RecordDuration(lat)
	l.windowAt(d.Due).firstOfDue.Add(1)

	// Out of order: a first delivery below the highest seq this subscriber
	// already saw on the key.
	ms := &l.maxSeen[sub*l.cfg.Keys+int(d.Key)]
	for {
		m := ms.Load()
		if m > d.Seq+1 {
			sc.outOfOrder.Add(1)
			break
		}
		if ms.CompareAndSwap(m, d.Seq+1) {
			break
		}
	}
}

func (l *Ledger) windowAt(t time.Duration) *window {
	i := int(t / l.cfg.Window)
	if i < 0 {
		i = 0
	}
	if i >= len(l.windows) {
		i = len(l.windows) - 1
	}
	return &l.windows[i]
}

func (w *window) recorder() *Recorder {
	if r := w.latency.Load(); r != nil {
		return r
	}
	r := NewRecorder(histHighest, windowSigfigs)
	if w.latency.CompareAndSwap(nil, r) {
		return r
	}
	return w.latency.Load()
}

// Published returns how many events were published so far.
func (l *Ledger) Published() int64 { return l.published.Load() }

// Complete reports whether every published event reached every subscriber.
func (l *Ledger) Complete() bool {
	want := l.published.Load()
	for i := range l.subs {
		if l.subs[i].unique.Load() < want {
			return false
		}
	}
	return true
}

// Latency returns the recorder of first-delivery latencies, in µs.
func (l *Ledger) Latency() *Recorder { return l.latency }

// Counts returns the delivery counts so far (DESIGN 'What is measured').
func (l *Ledger) Counts() Events {
	e := Events{Published: l.published.Load(), Unexpected: l.unexpected.Load()}
	e.Expected = e.Published * int64(l.cfg.Subscribers)
	for i := range l.subs {
		e.Delivered += l.subs[i].delivered.Load()
		e.Unique += l.subs[i].unique.Load()
		e.OutOfOrder += l.subs[i].outOfOrder.Load()
	}
	e.Lost = e.Expected - e.Unique
	e.Duplicates = e.Delivered - e.Unique
	return e
}

// SubscriberCounts returns the counts of each subscriber.
func (l *Ledger) SubscriberCounts() []SubscriberEvents {
	pub := l.published.Load()
	out := make([]SubscriberEvents, len(l.subs))
	for i := range l.subs {
		s := &l.subs[i]
		d, u := s.delivered.Load(), s.unique.Load()
		out[i] = SubscriberEvents{Delivered: d, Unique: u, Lost: pub - u, Duplicates: d - u, OutOfOrder: s.outOfOrder.Load()}
	}
	return out
}

// PathCount returns the first deliveries by path p.
func (l *Ledger) PathCount(p Path) int64 {
	if p >= numPaths {
		return 0
	}
	return l.paths[p].Load()
}

// PathCounts returns first deliveries per path, for paths that delivered.
func (l *Ledger) PathCounts() map[string]int64 {
	out := map[string]int64{}
	for p := range numPaths {
		if n := l.paths[p].Load(); n > 0 {
			out[p.String()] = n
		}
	}
	return out
}

// Windows returns the time series up to and including the window holding
// end (a time since Start).
// Seal compresses the latency histograms of the windows that ended at
// least sealAfter before now (a time since Start). The Runner calls it
// about once a window; it is safe to call concurrently with Deliver, but
// not with itself or Windows.
func (l *Ledger) Seal(now time.Duration) {
	last := int((now - sealAfter) / l.cfg.Window) // windows before it ended long enough ago
	for i := l.sealedTo; i < min(last, len(l.windows)-1); i++ {
		w := &l.windows[i]
		if r := w.latency.Swap(nil); r != nil {
			h := r.Histogram()
			enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
			if err != nil {
				enc = nil // keep the histogram itself rather than lose it
			} else {
				h = nil
			}
			w.sealed.Store(&sealedWindow{hist: h, enc: enc, max: r.Max()})
		}
		l.sealedTo = i + 1
	}
}

// windowHistogram returns the latency histogram of w, sealed part and live
// part merged, and its exact max; nil if it holds none.
func windowHistogram(w *window) (*hdrhistogram.Histogram, int64, error) {
	var h *hdrhistogram.Histogram
	var mx int64
	if sw := w.sealed.Load(); sw != nil {
		h, mx = sw.hist, sw.max
		if h == nil {
			var err error
			if h, err = hdrhistogram.Decode(sw.enc); err != nil {
				return nil, 0, fmt.Errorf("ledger: sealed window: %w", err)
			}
		}
	}
	if r := w.latency.Load(); r != nil {
		live := r.Histogram()
		if h == nil {
			h = live
		} else if dropped := h.Merge(live); dropped > 0 {
			return nil, 0, fmt.Errorf("ledger: %d values dropped merging a window", dropped)
		}
		mx = max(mx, r.Max())
	}
	return h, mx, nil
}

func (l *Ledger) Windows(end time.Duration) []Window {
	n := min(int(end/l.cfg.Window)+1, len(l.windows))
	out := make([]Window, 0, n)
	subs := int64(l.cfg.Subscribers)
	for i := range n {
		w := &l.windows[i]
		pub := w.published.Load()
		row := Window{
			T:         (time.Duration(i) * l.cfg.Window).Seconds(),
			Published: pub,
			Delivered: w.delivered.Load(),
			Lost:      pub*subs - w.firstOfDue.Load(),
		}
		h, mx, err := windowHistogram(w)
		if err != nil {
			l.errs = append(l.errs, err)
		}
		if h != nil {
			row.Count = h.TotalCount()
			row.P50 = usToMs(min(h.ValueAtQuantile(50), mx))
			row.P99 = usToMs(min(h.ValueAtQuantile(99), mx))
			row.Max = usToMs(mx)
			if enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err == nil {
				row.HDR = string(enc)
			}
		}
		out = append(out, row)
	}
	return out
}

func usToMs(us int64) float64 { return float64(us) / 1000 }
