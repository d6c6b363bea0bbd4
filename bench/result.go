package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Schema is the version tag of results.json.
const Schema = "hookbench/v1"

// Result is the outcome of a run: one PatternResult per pattern, in
// scenario order. It is what results.json holds (DESIGN 'results.json').
type Result struct {
	Schema       string          `json:"schema"`
	Tool         Tool            `json:"tool"`
	Scenario     json.RawMessage `json:"scenario"`
	Partial      bool            `json:"partial"`
	ThresholdsOK bool            `json:"thresholds_ok"`
	Patterns     []PatternResult `json:"patterns"`
}

// Tool identifies the build that produced a Result.
type Tool struct {
	Version string `json:"version"`
	Go      string `json:"go"`
}

// PatternResult is what one pattern measured.
type PatternResult struct {
	Name    string `json:"name"`
	Valid   bool   `json:"valid"`
	Partial bool   `json:"partial,omitempty"`
	// Drain says how the drain ended: "idle" (nothing pending),
	// "deadline" (the drain deadline passed first) or "interrupted".
	Drain       string             `json:"drain"`
	Events      Events             `json:"events"`
	Latency     Latency            `json:"latency"`
	Overhead    Overhead           `json:"overhead"`
	PublishLag  Lag                `json:"publish_lag"`
	Paths       map[string]int64   `json:"paths,omitempty"`
	Hops        []Hop              `json:"hops,omitempty"`
	Subscribers []SubscriberEvents `json:"subscribers,omitempty"`
	Windows     []Window           `json:"windows"`
	Faults      []FaultWindow      `json:"faults"`
	Thresholds  []Verdict          `json:"thresholds"`
}

// Events holds the delivery counts (DESIGN 'What is measured').
type Events struct {
	Published  int64 `json:"published"`
	Expected   int64 `json:"expected"`
	Delivered  int64 `json:"delivered"`
	Unique     int64 `json:"unique"`
	Lost       int64 `json:"lost"`
	Duplicates int64 `json:"duplicates"`
	OutOfOrder int64 `json:"out_of_order"`
	Unexpected int64 `json:"unexpected"`
}

// Hop is the accounting of one hop of a multi-hop pattern (producer ->
// relay -> clients): how many deliveries the hop owed, made and lost.
type Hop struct {
	Name     string `json:"name"`
	Expected int64  `json:"expected"`
	Unique   int64  `json:"unique"`
	Lost     int64  `json:"lost"`
}

// SubscriberEvents holds one subscriber's delivery counts.
type SubscriberEvents struct {
	Delivered  int64 `json:"delivered"`
	Unique     int64 `json:"unique"`
	Lost       int64 `json:"lost"`
	Duplicates int64 `json:"duplicates"`
	OutOfOrder int64 `json:"out_of_order"`
}

// Latency summarises first-delivery latency, in milliseconds, measured
// from each event's due time. HDR is the full histogram (values in µs),
// HdrHistogram V2 compressed and base64 encoded.
type Latency struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
	Mean  float64 `json:"mean"`
	HDR   string  `json:"hdr"`
}

// Overhead holds what delivery cost. Per-event figures divide by unique
// deliveries (0 when nothing was delivered).
type Overhead struct {
	Requests         int64   `json:"requests"`
	RequestsPerEvent float64 `json:"requests_per_event"`
	Bytes            int64   `json:"bytes"`
	BytesPerEvent    float64 `json:"bytes_per_event"`
	Connections      int64   `json:"connections"`
	PeakConnections  int64   `json:"peak_connections"`
	Retries          int64   `json:"retries"`
	EmptyPolls       int64   `json:"empty_polls"`
	Reconnects       int64   `json:"reconnects"`
	CPUSeconds       float64 `json:"cpu_seconds"`
	CPUMicrosPerEvt  float64 `json:"cpu_us_per_event"`
	// Counters holds the pattern-specific counters that are not zero
	// (rejected, exhausted, not_modified, frames, ...).
	Counters map[string]int64 `json:"counters,omitempty"`
}

// Lag summarises publish lag (actual publish time minus due time), in ms.
type Lag struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Window is one slot of the per-window time series. T is its start in
// seconds since the run began. Published counts events due in the window;
// Delivered the deliveries observed in it (duplicates included); Lost the
// deliveries of events due in it that never happened; Count, P50, P99 and
// Max describe the latency of first deliveries observed in it (ms).
type Window struct {
	T         float64 `json:"t"`
	Published int64   `json:"published"`
	Delivered int64   `json:"delivered"`
	Lost      int64   `json:"lost"`
	Count     int64   `json:"count"`
	P50       float64 `json:"p50"`
	P99       float64 `json:"p99"`
	Max       float64 `json:"max"`
	// HDR is the window's latency histogram (µs, 2 significant digits),
	// encoded as Latency.HDR, so windowed percentiles over any multiple
	// of the window can be recomputed from results.json.
	HDR string `json:"hdr,omitempty"`
	// Faults lists the kinds of the faults acting during the window.
	Faults []string `json:"faults,omitempty"`
}

// FaultWindow is a fault as it was applied on the run's timeline (seconds).
type FaultWindow struct {
	Kind string  `json:"kind"`
	At   float64 `json:"at"`
	For  float64 `json:"for"`
}

// Verdict is the outcome of one threshold on one pattern.
type Verdict struct {
	Expr  string  `json:"expr"`
	OK    bool    `json:"ok"`
	Value float64 `json:"value"`
	// Window is the start (s) of the first failing window, for windowed
	// thresholds that failed.
	Window *float64 `json:"window,omitempty"`
}

// WriteFile writes r as indented JSON to path.
func (r *Result) WriteFile(path string) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	return r.Encode(f)
}

// Encode writes r as indented JSON.
func (r *Result) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // thresholds read "p99 < 6s", not "p99 \u003c 6s"

	return enc.Encode(r)
}

// ReadResult reads a results.json file and checks its schema.
func ReadResult(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: not a results file: %w", path, err)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("%s: schema %q, want %q", path, r.Schema, Schema)
	}
	return &r, nil
}
