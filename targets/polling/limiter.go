package polling

import (
	"math"
	"sync/atomic"
	"time"
)

// limiterBurst is how much a ratelimit fault's bucket holds, as a time's
// worth of its rate: 100 ms, so that in any second at most 1.1 × rps
// requests get through, while polls a few microseconds apart (a fleet
// woken by one append) are not refused for being early. The webhook
// receivers use the same figure.
const limiterBurst = 100 * time.Millisecond

// A limiter is the token bucket of a ratelimit fault across the event-log
// API: rps tokens a second, holding max(1, rps × limiterBurst) of them. It
// is kept as the generic cell rate algorithm (GCRA), a single number (the
// theoretical arrival time of the next request), so that take is one
// atomic compare-and-swap and no lock. It is safe for concurrent use.
type limiter struct {
	interval  int64 // ns per token
	tolerance int64 // ns a request may come before its theoretical arrival
	base      time.Time
	tat       atomic.Int64 // theoretical arrival time of the next request, ns since base
}

// newLimiter returns a full bucket of rps tokens a second (rps > 0), on a
// clock whose zero is base.
func newLimiter(rps float64, base time.Time) *limiter {
	interval := int64(math.Max(1, math.Round(float64(time.Second)/rps)))
	burst := math.Max(1, math.Floor(rps*limiterBurst.Seconds()))
	return &limiter{interval: interval, tolerance: int64(burst-1) * interval, base: base}
}

// take takes a token at now. If the bucket is empty it takes nothing and
// returns false and how long until a token is there.
func (l *limiter) take(now time.Time) (bool, time.Duration) {
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

// retryAfterSecs is the Retry-After of a request refused for wait: whole
// seconds (the header's resolution), rounded up, at least 1 (0 would invite
// the poller back at once).
func retryAfterSecs(wait time.Duration) int64 {
	return max(1, int64((wait+time.Second-1)/time.Second))
}
