package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Scenario is a resolved run description: what the stream is, which
// patterns carry it and with which options. It is plain data; the CLI
// builds one from a scenario file or a built-in, and results.json embeds it.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Seed makes the run reproducible: the stream, and every target's
	// jitter and fault decisions, derive from it.
	Seed uint64 `json:"seed"`
	// Duration is how long events are published.
	Duration Duration `json:"duration"`
	// Drain is the longest wait for pending deliveries after the stream
	// ends. If zero, 10s.
	Drain Duration `json:"drain"`
	// Subscribers is the number of consumers each pattern delivers to.
	Subscribers int `json:"subscribers"`
	// Window is the width of the time-series windows. If zero, 1s.
	Window   Duration    `json:"window"`
	Stream   StreamSpec  `json:"stream"`
	Patterns PatternList `json:"patterns"`
	// Faults is the fault timeline, applied identically to every pattern.
	Faults []FaultSpec `json:"faults,omitempty"`
	// Claims lists the ids of the claims this scenario puts to the test;
	// reports give a verdict on each.
	Claims []string `json:"claims,omitempty"`
	// Thresholds maps a pattern name, or "all", to threshold expressions.
	Thresholds map[string][]string `json:"thresholds,omitempty"`
}

// PatternSpec names a pattern and carries its options (a target-specific
// struct, or nil for the target's defaults).
type PatternSpec struct {
	Name    string
	Options any
}

// PatternList is an ordered list of patterns. In JSON it is an object from
// pattern name to options, in run order, as in scenario files.
type PatternList []PatternSpec

// MarshalJSON writes the list as an ordered object.
func (l PatternList) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(p.Name)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		opts := p.Options
		if opts == nil {
			opts = struct{}{}
		}
		v, err := json.Marshal(opts)
		if err != nil {
			return nil, fmt.Errorf("pattern %s: %w", p.Name, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Defaults fills the zero fields of s with their documented defaults.
func (s *Scenario) Defaults() {
	if s.Drain == 0 {
		s.Drain = Duration(10 * time.Second)
	}
	if s.Window == 0 {
		s.Window = Duration(time.Second)
	}
	s.Stream = s.Stream.WithDefaults()
}

// Validate reports every problem with s at once.
func (s *Scenario) Validate() error {
	var errs []error
	if s.Duration <= 0 {
		errs = append(errs, fmt.Errorf("duration must be > 0, got %v", s.Duration))
	}
	if s.Drain < 0 {
		errs = append(errs, fmt.Errorf("drain must be >= 0, got %v", s.Drain))
	}
	if s.Window < 0 || (s.Window > 0 && s.Window.D() < time.Millisecond) {
		errs = append(errs, fmt.Errorf("window must be >= 1ms, got %v", s.Window))
	}
	if s.Subscribers <= 0 {
		errs = append(errs, fmt.Errorf("subscribers must be > 0, got %d", s.Subscribers))
	}
	if err := s.Stream.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(s.Patterns) == 0 {
		errs = append(errs, errors.New("patterns: at least one pattern is needed"))
	}
	for i, f := range s.Faults {
		if err := f.Validate(s.Duration.D()); err != nil {
			errs = append(errs, fmt.Errorf("faults[%d]: %w", i, err))
		}
	}
	seen := map[string]bool{}
	for _, p := range s.Patterns {
		if seen[p.Name] {
			errs = append(errs, fmt.Errorf("patterns: %s is listed twice", p.Name))
		}
		seen[p.Name] = true
	}
	return errors.Join(errs...)
}

// Events returns the number of events the scenario's stream holds.
func (s *Scenario) Events() uint64 {
	return CountEvents(s.Stream, s.Seed, s.Duration.D())
}
