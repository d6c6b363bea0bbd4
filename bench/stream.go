package bench

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Arrival names an arrival process for the event stream.
type Arrival string

// Arrival processes.
const (
	// Constant spaces events exactly 1/rate apart.
	Constant Arrival = "constant"
	// Poisson draws exponential inter-arrival gaps with mean 1/rate.
	Poisson Arrival = "poisson"
)

// StreamSpec describes the event stream of a run. The zero value is not
// usable: Rate must be > 0. Use Defaults to fill the other zero fields.
type StreamSpec struct {
	// Rate is the mean event rate.
	Rate Rate `json:"rate" yaml:"rate"`
	// Arrival is the arrival process. If empty, Poisson.
	Arrival Arrival `json:"arrival" yaml:"arrival"`
	// Payload is the size of each event's body in bytes. If zero, 512B.
	// Bodies never get smaller than their header (about 80 bytes).
	Payload Size `json:"payload" yaml:"payload"`
	// Keys is the number of ordering keys; order is judged per subscriber
	// and key. If zero, 8.
	Keys int `json:"keys" yaml:"keys"`
}

// WithDefaults returns s with zero fields set to their documented defaults.
func (s StreamSpec) WithDefaults() StreamSpec {
	if s.Arrival == "" {
		s.Arrival = Poisson
	}
	if s.Payload == 0 {
		s.Payload = 512
	}
	if s.Keys == 0 {
		s.Keys = 8
	}
	return s
}

// Validate reports every problem with s at once.
func (s StreamSpec) Validate() error {
	var errs []error
	if !(s.Rate > 0) {
		errs = append(errs, fmt.Errorf("stream.rate must be > 0, got %v", float64(s.Rate)))
	}
	switch s.Arrival {
	case Constant, Poisson, "":
	default:
		errs = append(errs, fmt.Errorf("stream.arrival must be constant or poisson, got %q", s.Arrival))
	}
	if s.Payload < 0 || s.Payload > 16<<20 {
		errs = append(errs, fmt.Errorf("stream.payload must be between 0 and 16MiB, got %v", s.Payload))
	}
	if s.Keys < 0 || s.Keys > 1<<16 {
		errs = append(errs, fmt.Errorf("stream.keys must be between 1 and 65536, got %d", s.Keys))
	}
	return errors.Join(errs...)
}

// An Event is one element of the stream. Seq numbers the events of a run
// from 0 in due order, gap-free; within one Key, seq order is the order of
// publication.
type Event struct {
	Seq  uint64
	Key  uint32
	Due  time.Duration // offset from the start of the run
	Size int           // body size in bytes
}

// A Stream yields the events of a run in due order. It is deterministic:
// the same spec, seed and duration give the same events, every time and for
// every pattern. A Stream is not safe for concurrent use.
type Stream struct {
	spec     StreamSpec
	duration time.Duration
	gaps     *rand.Rand
	keys     *rand.Rand
	seq      uint64
	due      float64 // nanoseconds
	done     bool
}

// Seed streams used to derive independent generators from one run seed.
const (
	seedGaps uint64 = 0x9e3779b97f4a7c15
	seedKeys uint64 = 0xbf58476d1ce4e5b9
)

// NewStream returns the stream of events due before duration. spec must be
// valid and have its defaults filled.
func NewStream(spec StreamSpec, seed uint64, duration time.Duration) *Stream {
	return &Stream{
		spec:     spec,
		duration: duration,
		gaps:     rand.New(rand.NewPCG(seed, seedGaps)),
		keys:     rand.New(rand.NewPCG(seed, seedKeys)),
	}
}

// Next returns the next event, or false when the stream has ended.
func (s *Stream) Next() (Event, bool) {
	if s.done {
		return Event{}, false
	}
	rate := s.spec.Rate.PerSecond()
	var due float64
	switch s.spec.Arrival {
	case Constant:
		// Computed from the index, not accumulated, so there is no drift.
		due = float64(s.seq) * 1e9 / rate
	default:
		s.due += s.gaps.ExpFloat64() * 1e9 / rate
		due = s.due
	}
	if due >= float64(s.duration) {
		s.done = true
		return Event{}, false
	}
	ev := Event{
		Seq:  s.seq,
		Key:  uint32(s.keys.IntN(s.spec.Keys)),
		Due:  time.Duration(due),
		Size: int(s.spec.Payload),
	}
	s.seq++
	return ev, true
}

// CountEvents returns how many events the stream of spec, seed and duration
// holds, by generating it once.
func CountEvents(spec StreamSpec, seed uint64, duration time.Duration) uint64 {
	s := NewStream(spec, seed, duration)
	for {
		if _, ok := s.Next(); !ok {
			return s.seq
		}
	}
}
