package websocket

import (
	"math/rand/v2"
	"time"
)

// fullJitter returns the wait before the next connection attempt after n
// consecutive failures (n >= 0): uniform in [0, min(limit, base*2^n)), the
// AWS "full jitter" rule, which spreads a crowd of clients that lost the
// server at the same moment instead of bringing them back in step.
func fullJitter(rng *rand.Rand, base, limit time.Duration, n int) time.Duration {
	ceil := limit
	if n < 62 && base <= limit>>n {
		ceil = base << n
	}
	if ceil <= 0 {
		return 0
	}
	return time.Duration(rng.Int64N(int64(ceil)))
}

// sleep waits for d, or until done is closed; it reports whether d passed.
func sleep(done <-chan struct{}, d time.Duration) bool {
	if d <= 0 {
		select {
		case <-done:
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return false
	case <-t.C:
		return true
	}
}
