package webhook

import (
	"math/rand/v2"
	"time"
)

// namedDelays returns the waits of a named schedule, delays[n] before retry
// n (the attempt n+2), or nil for exponential. It returns a new slice.
func namedDelays(s Schedule) []time.Duration {
	const (
		sec  = time.Second
		mins = time.Minute
		hour = time.Hour
	)
	switch s {
	case Svix:
		return []time.Duration{5 * sec, 5 * mins, 30 * mins, 2 * hour, 5 * hour, 10 * hour, 10 * hour}
	case Standard:
		return []time.Duration{5 * sec, 5 * mins, 30 * mins, 2 * hour, 5 * hour, 10 * hour, 14 * hour, 20 * hour, 24 * hour}
	}
	return nil
}

// namedJitter is the spread of a named schedule's delays: each is drawn
// uniformly within ±10% of the published value. The spec asks for "some
// level of random jitter" so that retries after an outage do not arrive in
// lockstep; 10% keeps the published shape recognisable.
const namedJitter = 0.10

// A backoff computes the wait before each retry. It is immutable, and
// shared by every worker.
type backoff struct {
	base, cap time.Duration   // exponential
	delays    []time.Duration // named schedules; nil for exponential
	compress  float64
	attempts  int
}

// newBackoff returns the backoff of r, which must be valid with its
// defaults filled.
func newBackoff(r Retry) *backoff {
	return &backoff{
		base:     r.Base.D(),
		cap:      r.Cap.D(),
		delays:   namedDelays(r.Schedule),
		compress: r.Compress,
		attempts: r.Attempts,
	}
}

// delay returns the wait before retry n (0 for the first retry), drawing
// the jitter from rng.
func (b *backoff) delay(n int, rng *rand.Rand) time.Duration {
	var d time.Duration
	if b.delays == nil {
		d = time.Duration(rng.Int64N(int64(b.ceiling(n)) + 1))
	} else {
		d = b.delays[min(n, len(b.delays)-1)]
		d = time.Duration(float64(d) * (1 - namedJitter + 2*namedJitter*rng.Float64()))
	}
	return time.Duration(float64(d) / b.compress)
}

// wait returns the wait before the attempt that follows attempts failed
// ones (attempts >= 1) at event seq of the endpoint whose jitter seed is
// seed. The generator is reseeded from (seed, seq, attempts) first, so
// every delivery's waits are a function of the run seed alone, whichever
// worker sends it; pcg and rng are the caller's (rng draws from pcg).
func (b *backoff) wait(pcg *rand.PCG, rng *rand.Rand, seed, seq uint64, attempts int) time.Duration {
	pcg.Seed(seed, seq<<16|uint64(attempts))
	return b.delay(attempts-1, rng)
}

// ceiling returns min(cap, base*2^n) without overflowing.
func (b *backoff) ceiling(n int) time.Duration {
	if n >= 62 || b.base > b.cap>>n {
		return b.cap
	}
	return b.base << n
}

// jitterSeed returns the first PCG seed word of subscriber sub's jitter in
// a run with seed seed (a splitmix64 finaliser, so that neighbouring
// subscribers get unrelated streams).
func jitterSeed(seed uint64, sub int) uint64 {
	z := seed + (uint64(sub)+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
