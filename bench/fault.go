package bench

import (
	"errors"
	"fmt"
	"time"
)

// Fault kinds (DESIGN 'Faults'). Application kinds act inside the targets;
// network kinds act in a fault proxy between the producer and consumer
// sides.
const (
	FaultErrors     = "errors"
	FaultRateLimit  = "ratelimit"
	FaultSlow       = "slow"
	FaultOutage     = "outage"
	FaultDisconnect = "disconnect"
	FaultLatency    = "latency"
	FaultBandwidth  = "bandwidth"
	FaultReset      = "reset"
	FaultBlackhole  = "blackhole"
)

// FaultKinds lists every fault kind, application kinds first.
var FaultKinds = []string{
	FaultErrors, FaultRateLimit, FaultSlow, FaultOutage, FaultDisconnect,
	FaultLatency, FaultBandwidth, FaultReset, FaultBlackhole,
}

// FaultSpec is one fault of a scenario. At and For place it on the run's
// timeline; For == 0 means until the end of the run. The other fields
// apply to some kinds only.
type FaultSpec struct {
	Kind string   `json:"kind" yaml:"kind"`
	At   Duration `json:"at,omitempty" yaml:"at,omitempty"`
	For  Duration `json:"for,omitempty" yaml:"for,omitempty"`
	// P is the probability per request or message (errors).
	P float64 `json:"p,omitempty" yaml:"p,omitempty"`
	// Status is the answer of an errors fault. If zero, 503.
	Status int `json:"status,omitempty" yaml:"status,omitempty"`
	// RPS is the rate above which a ratelimit fault answers 429.
	RPS float64 `json:"rps,omitempty" yaml:"rps,omitempty"`
	// Delay is the added time of slow and latency faults.
	Delay Duration `json:"delay,omitempty" yaml:"delay,omitempty"`
	// Jitter is the spread of a latency fault.
	Jitter Duration `json:"jitter,omitempty" yaml:"jitter,omitempty"`
	// Every repeats a disconnect or reset at this interval; zero means
	// once, at At.
	Every Duration `json:"every,omitempty" yaml:"every,omitempty"`
	// Rate is a bandwidth fault's limit in bytes per second.
	Rate Size `json:"rate,omitempty" yaml:"rate,omitempty"`
}

// Window returns where f acts on a run of the given duration: from At to
// At+For, or to the end of the run when For is zero.
func (f FaultSpec) Window(run time.Duration) (from, to time.Duration) {
	if f.For == 0 {
		return f.At.D(), run
	}
	return f.At.D(), f.At.D() + f.For.D()
}

// Validate reports every problem with f at once, for a run that publishes
// for duration.
func (f FaultSpec) Validate(duration time.Duration) error {
	var errs []error
	known := false
	for _, k := range FaultKinds {
		known = known || k == f.Kind
	}
	if !known {
		errs = append(errs, fmt.Errorf("unknown fault kind %q (kinds: %v)", f.Kind, FaultKinds))
	}
	if f.At < 0 || f.For < 0 {
		errs = append(errs, fmt.Errorf("fault %s: at and for must be >= 0", f.Kind))
	}
	if f.At.D() >= duration && duration > 0 {
		errs = append(errs, fmt.Errorf("fault %s: at=%v is outside the run (duration %v)", f.Kind, f.At, Duration(duration)))
	}
	if f.P < 0 || f.P > 1 {
		errs = append(errs, fmt.Errorf("fault %s: p must be between 0 and 1, got %g", f.Kind, f.P))
	}
	switch f.Kind {
	case FaultErrors:
		if f.P == 0 {
			errs = append(errs, errors.New("fault errors: p must be > 0"))
		}
		if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
			errs = append(errs, fmt.Errorf("fault errors: status must be an HTTP status, got %d", f.Status))
		}
	case FaultRateLimit:
		if f.RPS <= 0 {
			errs = append(errs, fmt.Errorf("fault ratelimit: rps must be > 0, got %g", f.RPS))
		}
	case FaultSlow, FaultLatency:
		if f.Delay <= 0 {
			errs = append(errs, fmt.Errorf("fault %s: delay must be > 0", f.Kind))
		}
	case FaultBandwidth:
		if f.Rate <= 0 {
			errs = append(errs, errors.New("fault bandwidth: rate must be > 0 bytes per second"))
		}
	}
	if f.Jitter < 0 || f.Every < 0 {
		errs = append(errs, fmt.Errorf("fault %s: jitter and every must be >= 0", f.Kind))
	}
	if f.Every > 0 && f.Every.D() < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("fault %s: every must be >= 10ms, got %v", f.Kind, f.Every))
	}
	if f.Kind == FaultLatency && f.Jitter > f.Delay {
		errs = append(errs, fmt.Errorf("fault latency: jitter (%v) must not exceed delay (%v)", f.Jitter, f.Delay))
	}
	return errors.Join(errs...)
}
