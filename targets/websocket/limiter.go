package websocket

import (
	"math"
	"sync/atomic"
	"time"
)

// limiterBurst is how much a ratelimit fault's bucket holds, as a time's
// worth of its rate: 100 ms, as at the webhook receiver, so that in any
// second at most 1.1 × rps events reach a subscriber, while events that
// are published a few microseconds apart are not dropped for being early.
const limiterBurst = 100 * time.Millisecond

// A limiter is the token bucket of a ratelimit fault for one subscriber:
// rps events a second, holding max(1, rps × limiterBurst) of them. It is
// the generic cell rate algorithm (GCRA): the bucket kept as one number,
// the theoretical arrival time of the next event, so that take is one
// atomic compare-and-swap. The webhook receiver's limiter is the same
// algorithm with the same burst, so both patterns limit alike. It is safe
// for concurrent use: a subscriber's old session may still be writing when
// its new one starts.
type limiter struct {
	interval  int64 // ns per token
	tolerance int64 // ns an event may come before its theoretical arrival
	base      time.Time
	tat       atomic.Int64 // theoretical arrival time of the next event, ns since base
}

// newLimiter returns a full bucket of rps tokens a second (rps > 0), on a
// clock whose zero is base.
func newLimiter(rps float64, base time.Time) *limiter {
	interval := int64(math.Max(1, math.Round(float64(time.Second)/rps)))
	burst := math.Max(1, math.Floor(rps*limiterBurst.Seconds()))
	return &limiter{interval: interval, tolerance: int64(burst-1) * interval, base: base}
}

// take takes a token at now and reports whether there was one.
func (l *limiter) take(now time.Time) bool {
	t := int64(now.Sub(l.base))
	for {
		old := l.tat.Load()
		tat := max(old, t)
		if tat-t > l.tolerance {
			return false
		}
		if l.tat.CompareAndSwap(old, tat+l.interval) {
			return true
		}
	}
}
