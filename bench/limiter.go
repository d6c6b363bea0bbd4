package bench

import (
	"math"
	"sync/atomic"
	"time"
)

// LimiterBurst is how much a ratelimit fault's bucket holds, as a time's
// worth of its rate: 100 ms, so that in any second at most 1.1 × rps
// requests (or messages) get through, which is what "above rps per second"
// means to a reader of the results, while requests a few microseconds
// apart are not refused for being early. Every pattern uses it, so all
// limit alike.
const LimiterBurst = 100 * time.Millisecond

// A RateLimiter is the token bucket of a ratelimit fault: rps tokens a
// second, holding max(1, rps × LimiterBurst) of them. It is the generic
// cell rate algorithm (GCRA), the bucket kept as one number (the
// theoretical arrival time of the next request) so that Take is one
// atomic compare-and-swap and no lock. It is safe for concurrent use.
type RateLimiter struct {
	interval  int64 // ns per token
	tolerance int64 // ns a request may come before its theoretical arrival
	base      time.Time
	tat       atomic.Int64 // theoretical arrival time of the next request, ns since base
}

// NewRateLimiter returns a full bucket of rps tokens a second (rps > 0),
// on a clock whose zero is base.
func NewRateLimiter(rps float64, base time.Time) *RateLimiter {
	interval := int64(math.Max(1, math.Round(float64(time.Second)/rps)))
	burst := math.Max(1, math.Floor(rps*LimiterBurst.Seconds()))
	return &RateLimiter{interval: interval, tolerance: int64(burst-1) * interval, base: base}
}

// Take takes a token at now. If the bucket is empty it takes nothing and
// returns false and how long until a token is there.
func (l *RateLimiter) Take(now time.Time) (bool, time.Duration) {
	t := int64(now.Sub(l.base))
	for {
		old := l.tat.Load()
		tat := max(old, t)
		if early := tat - t; early > l.tolerance {
			return false, time.Duration(early - l.tolerance)
		}
		if l.tat.CompareAndSwap(old, tat+l.interval) {
			return true, 0
		}
	}
}

// RetryAfterSeconds is the Retry-After of a request refused for wait:
// whole seconds (the header's resolution), rounded up, at least 1 (0 would
// invite the client back at once).
func RetryAfterSeconds(wait time.Duration) int64 {
	return max(1, int64((wait+time.Second-1)/time.Second))
}
