package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// A Runner runs a scenario's patterns one after another on the same
// stream. The zero value is ready to use.
type Runner struct {
	// Logger receives diagnostics. If nil, nothing is logged.
	Logger *slog.Logger
	// Version is recorded in the result's tool block.
	Version string
	// Progress, if set, is called about every ProgressEvery while a
	// pattern runs, from a goroutine of the Runner's.
	Progress func(Progress)
	// ProgressEvery is the progress period. If zero, 200ms.
	ProgressEvery time.Duration
}

// Progress describes a running pattern.
type Progress struct {
	Pattern   string
	Index     int // 0-based position of the pattern in the run
	Patterns  int // number of patterns in the run
	Phase     string
	Elapsed   time.Duration
	Duration  time.Duration // publishing time of the scenario
	Published int64
	Events    uint64 // events the stream holds
	Delivered int64  // unique deliveries
	Expected  int64
}

// Drain outcomes.
const (
	DrainIdle        = "idle"
	DrainDeadline    = "deadline"
	DrainInterrupted = "interrupted"
)

// Run runs each target in turn on the scenario's stream and returns the
// result. sc must be valid with its defaults filled; targets[i] runs
// pattern sc.Patterns[i]. When ctx is cancelled the pattern in progress
// stops, the remaining ones are skipped, and the result so far is returned
// marked partial, together with ctx's error. Any other error means a
// target could not run; the result then holds the patterns that did.
func (r *Runner) Run(ctx context.Context, sc *Scenario, targets []Target) (*Result, error) {
	scJSON, err := json.Marshal(sc)
	if err != nil {
		return nil, fmt.Errorf("encode scenario: %w", err)
	}
	res := &Result{
		Schema:       Schema,
		Tool:         Tool{Version: r.Version, Go: runtime.Version()},
		Scenario:     scJSON,
		ThresholdsOK: true,
		Patterns:     []PatternResult{},
	}
	events := sc.Events()
	for i, t := range targets {
		if ctx.Err() != nil {
			res.Partial = true
			break
		}
		pr, err := r.runOne(ctx, sc, t, i, len(targets), events)
		if pr != nil {
			res.Patterns = append(res.Patterns, *pr)
			if pr.Partial {
				res.Partial = true
			}
		}
		if err != nil {
			// The remaining patterns will not run: the result is partial.
			res.Partial = true
			return res, fmt.Errorf("%s: %w", t.Name(), err)
		}
	}
	if ctx.Err() != nil {
		res.Partial = true
		return res, ctx.Err()
	}
	return res, nil
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// run is the state of one pattern's run.
type run struct {
	sc      *Scenario
	target  Target
	ledger  *Ledger
	meter   *Meter
	lag     *Recorder
	faults  *FaultTimeline
	prod    Producer
	events  uint64
	elapsed time.Duration
}

func (r *Runner) runOne(ctx context.Context, sc *Scenario, t Target, idx, total int, events uint64) (*PatternResult, error) {
	ledger, err := NewLedger(LedgerConfig{
		Subscribers: sc.Subscribers,
		Events:      events,
		Keys:        sc.Stream.Keys,
		Window:      sc.Window.D(),
		Span:        sc.Duration.D() + sc.Drain.D() + 5*time.Second,
	})
	if err != nil {
		return nil, err
	}
	ru := &run{sc: sc, target: t, ledger: ledger, meter: NewMeter(), lag: NewRecorder(histHighest, 3), events: events,
		faults: NewFaultTimeline(sc.Faults, sc.Seed, sc.Duration.D())}
	log := r.logger().With("pattern", t.Name())

	// Collect the previous pattern's garbage now, so its collection is not
	// charged to this pattern's CPU.
	runtime.GC()
	cpu0 := CPUTime()
	prod, err := t.Start(ctx, Env{
		Subscribers: sc.Subscribers,
		Sink:        ledger,
		Meter:       ru.meter,
		Seed:        sc.Seed,
		Logger:      log,
		Faults:      ru.faults,
	})
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	ru.prod = prod
	start := time.Now()
	ledger.Start(start)
	ru.faults.Start(start)

	stopProgress := r.startProgress(ru, idx, total)
	stopSealing := ru.startSealing()
	phase := &stopProgress.phase

	interrupted, perr := ru.publish(ctx)
	drain := DrainInterrupted
	if !interrupted && perr == nil {
		phase.Store("draining")
		dctx, cancel := context.WithTimeout(ctx, sc.Drain.D())
		derr := prod.Drain(dctx)
		cancel()
		switch {
		case derr == nil:
			drain = DrainIdle
		case ctx.Err() != nil:
			interrupted = true
		case errors.Is(derr, context.DeadlineExceeded):
			drain = DrainDeadline
			log.Warn("drain deadline passed with deliveries pending", "drain", sc.Drain)
		default:
			perr = fmt.Errorf("drain: %w", derr)
		}
	}
	cerr := prod.Close()
	ru.elapsed = time.Since(start)
	cpu := CPUTime() - cpu0
	stopProgress.stop()
	stopSealing()

	pr := ru.result(drain, cpu)
	pr.Partial = interrupted
	if err := ledger.Err(); err != nil && perr == nil {
		perr = err
	}
	if hr, ok := prod.(HopReporter); ok {
		pr.Hops = hr.Hops()
	}
	if cr, ok := prod.(CounterReporter); ok {
		for k, v := range cr.Counters() {
			if pr.Overhead.Counters == nil {
				pr.Overhead.Counters = map[string]int64{}
			}
			pr.Overhead.Counters[k] = v
		}
	}
	if perr == nil && cerr != nil {
		perr = fmt.Errorf("close: %w", cerr)
	}
	return pr, perr
}

// publish publishes every event at its due time (open model: it never
// waits for deliveries). It reports whether ctx ended the stream early.
func (ru *run) publish(ctx context.Context) (interrupted bool, err error) {
	st := NewStream(ru.sc.Stream, ru.sc.Seed, ru.sc.Duration.D())
	start := ru.ledger.Started()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for ev, ok := st.Next(); ok; ev, ok = st.Next() {
		due := start.Add(ev.Due)
		if wait := time.Until(due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return true, nil
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			return true, nil
		}
		ru.lag.RecordDuration(time.Since(due))
		if err := ru.ledger.Publish(ev); err != nil {
			return false, err
		}
		if err := ru.prod.Publish(ev); err != nil {
			return false, fmt.Errorf("publish seq %d: %w", ev.Seq, err)
		}
	}
	// The stream lasts its whole duration, not until its last event: the
	// quiet tail costs empty polls, pings and CPU too, and faults placed
	// in it must act.
	if wait := time.Until(start.Add(ru.sc.Duration.D())); wait > 0 {
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return true, nil
		case <-timer.C:
		}
	}
	return false, nil
}

func (ru *run) result(drain string, cpu time.Duration) *PatternResult {
	ev := ru.ledger.Counts()
	h := ru.ledger.Latency().Histogram()
	tr := ru.meter.Traffic()
	m := ru.meter
	per := func(n float64) float64 {
		if ev.Unique == 0 {
			return 0
		}
		return n / float64(ev.Unique)
	}
	pr := &PatternResult{
		Name:        ru.target.Name(),
		Valid:       ev.Lost == 0 && ev.Unexpected == 0,
		Drain:       drain,
		Events:      ev,
		Latency:     latencyOf(h, ru.ledger.Latency().Max()),
		Subscribers: ru.ledger.SubscriberCounts(),
		Paths:       ru.ledger.PathCounts(),
		Windows:     ru.ledger.Windows(ru.elapsed),
		// The nominal end (publishing + drain deadline), not the measured
		// one, so the same seed gives the same fault windows.
		Faults:     ru.faults.Windows(ru.sc.Duration.D() + ru.sc.Drain.D()),
		Thresholds: []Verdict{},
		Overhead: Overhead{
			Requests:         m.Get(Requests),
			RequestsPerEvent: per(float64(m.Get(Requests))),
			Bytes:            tr.Bytes,
			BytesPerEvent:    per(float64(tr.Bytes)),
			Connections:      tr.Connections,
			PeakConnections:  tr.Peak,
			Retries:          m.Get(Retries),
			EmptyPolls:       m.Get(EmptyPolls),
			Reconnects:       m.Get(Reconnects),
			CPUSeconds:       cpu.Seconds(),
			CPUMicrosPerEvt:  per(float64(cpu.Microseconds())),
		},
	}
	markFaults(pr.Windows, pr.Faults, ru.sc.Window.D().Seconds())
	lag := ru.lag.Histogram()
	lagMax := ru.lag.Max()
	pr.PublishLag = Lag{
		P50: usToMs(min(lag.ValueAtQuantile(50), lagMax)),
		P99: usToMs(min(lag.ValueAtQuantile(99), lagMax)),
		Max: usToMs(lagMax),
	}
	for c := Counter(0); c < numCounters; c++ {
		switch c {
		case Requests, Retries, EmptyPolls, Reconnects:
			continue
		}
		if v := m.Get(c); v != 0 {
			if pr.Overhead.Counters == nil {
				pr.Overhead.Counters = map[string]int64{}
			}
			pr.Overhead.Counters[c.String()] = v
		}
	}
	if n := ru.ledger.Latency().Clamped(); n > 0 {
		if pr.Overhead.Counters == nil {
			pr.Overhead.Counters = map[string]int64{}
		}
		pr.Overhead.Counters["latency_clamped"] = n
	}
	if len(pr.Paths) <= 1 {
		pr.Paths = nil
	}
	if pn, ok := ru.prod.(PathNamer); ok {
		pr.Paths = map[string]int64{}
		for _, p := range Paths() {
			if name := pn.PathName(p); name != "" {
				pr.Paths[name] = ru.ledger.PathCount(p)
			}
		}
	}
	return pr
}

// latencyOf summarises a histogram of µs values in ms. maxUs is the exact
// maximum.
func latencyOf(h *hdrhistogram.Histogram, maxUs int64) Latency {
	l := Latency{Count: h.TotalCount()}
	if l.Count == 0 {
		return l
	}
	// HdrHistogram answers a percentile with the highest value equivalent
	// to its bucket, which can exceed the exact maximum: clamp, so that
	// p99 <= max always holds.
	q := func(p float64) float64 { return usToMs(min(h.ValueAtQuantile(p), maxUs)) }
	l.P50, l.P90, l.P99, l.P999 = q(50), q(90), q(99), q(99.9)
	l.Max = usToMs(maxUs)
	l.Mean = math.Round(h.Mean()) / 1000
	if enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err == nil {
		l.HDR = string(enc)
	}
	return l
}

// markFaults records in each window the kinds of the faults that act
// during any part of it.
func markFaults(ws []Window, faults []FaultWindow, width float64) {
	for i := range ws {
		from, to := ws[i].T, ws[i].T+width
		for _, f := range faults {
			if f.At < to && (f.At+f.For > from || f.For == 0 && f.At >= from) {
				ws[i].Faults = append(ws[i].Faults, f.Kind)
			}
		}
	}
}

// startSealing compresses closed windows about once a window while the
// pattern runs, so that memory stays flat; the returned func stops it.
func (ru *run) startSealing() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(ru.sc.Window.D())
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				ru.ledger.Seal(time.Since(ru.ledger.Started()))
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}
