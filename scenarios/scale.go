package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// Scale sets sc's duration to d and moves its faults with it, as
// `hookbench run --duration` does: each fault's at and for are multiplied
// by d over the old duration (to the millisecond), so an outage in the
// middle of the run stays in the middle. Repeat intervals (every), rates,
// delays and the drain keep their values. The result is validated as a
// whole; on error sc is unchanged and the *Errors name the file
// "--duration".
func Scale(sc *bench.Scenario, d time.Duration, pats Patterns) error {
	return hostEnv().scale(sc, d, pats)
}

func (e env) scale(sc *bench.Scenario, d time.Duration, pats Patterns) error {
	src := source{file: "--duration"}
	if d <= 0 {
		return src.errors([]problem{{msg: fmt.Sprintf("must be > 0, got %v", d)}})
	}
	if sc.Duration <= 0 {
		return src.errors([]problem{{msg: fmt.Sprintf("cannot scale a scenario of duration %v", sc.Duration)}})
	}
	// Decode a copy, so that sc is left alone whatever happens.
	data, err := writer{minimal: true}.marshal(sc)
	if err != nil {
		return err
	}
	root, rp := parseYAML(data)
	if rp != nil {
		return fmt.Errorf("scenarios: scale: cannot read back the scenario: %s", rp.msg)
	}
	out := defaults(sc.Name)
	dec := newDecoder(pats, false)
	dec.decode("", root, reflect.ValueOf(out).Elem())
	dec.faultDefaults(out)
	if len(dec.probs) > 0 {
		return src.errors(dec.probs)
	}
	f := float64(d) / float64(sc.Duration)
	out.Duration = bench.Duration(d)
	for i := range out.Faults {
		out.Faults[i].At = scaleDuration(out.Faults[i].At, f)
		out.Faults[i].For = scaleDuration(out.Faults[i].For, f)
	}
	v := newDecoder(pats, false)
	v.validate(out, e)
	if len(v.probs) > 0 {
		return src.errors(v.probs)
	}
	*sc = *out
	return nil
}

// scaleDuration multiplies d by f, to the millisecond when d is at least
// one (a fault at 2.5s of 10s lands at 7.5s of 30s, not at 7.500000001s).
func scaleDuration(d bench.Duration, f float64) bench.Duration {
	x := float64(d) * f
	if x > math.MaxInt64 {
		return bench.Duration(math.MaxInt64)
	}
	s := time.Duration(x)
	if s >= time.Millisecond {
		s = s.Round(time.Millisecond)
	}
	return bench.Duration(s)
}
