package faultproxy

import (
	"time"

	"github.com/hookbench/hookbench/bench"
)

// keyJitter separates the proxy's jitter draws from the other users of
// the timeline's Uniform.
const keyJitter = 0x6a69747465720001 // "jitter", 1

// delayFor returns the one-way delay of the chunk-th chunk read in
// direction dir of connection conn under the latency fault f: f.Delay plus
// a uniform draw in [-f.Jitter, +f.Jitter), never below zero. The draw is
// a pure function of the timeline's seed and the keys, so the same seed
// gives the same sequence for the same connections and chunks.
func delayFor(t *bench.FaultTimeline, f bench.FaultSpec, conn uint64, dir int, chunk uint64) time.Duration {
	d := f.Delay.D()
	if j := f.Jitter.D(); j > 0 {
		u := t.Uniform(keyJitter, conn, uint64(dir), chunk)
		d += time.Duration((2*u - 1) * float64(j))
	}
	return max(d, 0)
}
