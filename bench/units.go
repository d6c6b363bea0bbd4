package bench

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that reads and writes itself as text ("250ms",
// "1m30s") in scenario files and results.json.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes d in time.Duration notation.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a Go duration ("500ms", "2s", "1h"). A bare "0" is
// accepted; any other number needs a unit.
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("bad duration %q: want a number with a unit, such as 500ms, 2s or 1m", s)
	}
	*d = Duration(v)
	return nil
}

// Rate is an event rate in events per second. It reads and writes itself as
// "N/s", "N/m" or "N/h".
type Rate float64

// PerSecond returns r in events per second.
func (r Rate) PerSecond() float64 { return float64(r) }

// Interval returns the mean time between two events at rate r.
func (r Rate) Interval() time.Duration {
	if r <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / float64(r))
}

func (r Rate) String() string {
	v := float64(r)
	switch {
	case v == 0:
		return "0/s"
	case v >= 1 || v*60 != math.Trunc(v*60):
		return strconv.FormatFloat(v, 'f', -1, 64) + "/s"
	case v*60 >= 1 || v*3600 != math.Trunc(v*3600):
		return strconv.FormatFloat(v*60, 'f', -1, 64) + "/m"
	default:
		return strconv.FormatFloat(v*3600, 'f', -1, 64) + "/h"
	}
}

// MarshalText writes r as "N/s", "N/m" or "N/h", whichever reads best.
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText parses "N/s", "N/m" or "N/h" (N may be fractional). The rate
// must be positive and finite.
func (r *Rate) UnmarshalText(b []byte) error {
	v, err := ParseRate(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// ParseRate parses "N/s", "N/m" or "N/h" into a positive Rate.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	num, unit, ok := strings.Cut(s, "/")
	if !ok {
		return 0, fmt.Errorf("bad rate %q: want N/s, N/m or N/h, such as 200/s", s)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("bad rate %q: %q is not a number", s, num)
	}
	var per float64
	switch strings.TrimSpace(unit) {
	case "s":
		per = 1
	case "m":
		per = 60
	case "h":
		per = 3600
	default:
		return 0, fmt.Errorf("bad rate %q: unit must be /s, /m or /h", s)
	}
	if v <= 0 {
		return 0, fmt.Errorf("bad rate %q: must be > 0", s)
	}
	return Rate(v / per), nil
}

// Size is a number of bytes. It reads and writes itself as "512B", "4KiB" or
// "1MiB".
type Size int64

func (s Size) String() string {
	switch {
	case s != 0 && s%(1<<20) == 0:
		return strconv.FormatInt(int64(s)>>20, 10) + "MiB"
	case s != 0 && s%(1<<10) == 0:
		return strconv.FormatInt(int64(s)>>10, 10) + "KiB"
	default:
		return strconv.FormatInt(int64(s), 10) + "B"
	}
}

// MarshalText writes s with the largest exact binary unit.
func (s Size) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a size with a unit: B, KiB or MiB. Decimal units (KB,
// MB) are rejected rather than guessed at.
func (s *Size) UnmarshalText(b []byte) error {
	v, err := ParseSize(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSize parses "N", "NB", "NKiB" or "NMiB" into a non-negative Size.
func ParseSize(str string) (Size, error) {
	t := strings.TrimSpace(str)
	mult := int64(1)
	switch {
	case strings.HasSuffix(t, "MiB"):
		mult, t = 1<<20, strings.TrimSuffix(t, "MiB")
	case strings.HasSuffix(t, "KiB"):
		mult, t = 1<<10, strings.TrimSuffix(t, "KiB")
	case strings.HasSuffix(t, "B"):
		t = strings.TrimSuffix(t, "B")
		if strings.HasSuffix(t, "K") || strings.HasSuffix(t, "M") || strings.HasSuffix(t, "G") {
			return 0, fmt.Errorf("bad size %q: use binary units B, KiB or MiB", str)
		}
	}
	v, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q: want a whole number with a unit B, KiB or MiB, such as 512B", str)
	}
	if v < 0 {
		return 0, fmt.Errorf("bad size %q: must be >= 0", str)
	}
	if v > math.MaxInt64/mult {
		return 0, fmt.Errorf("bad size %q: too large", str)
	}
	return Size(v * mult), nil
}
