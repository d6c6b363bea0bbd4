package webhook

import (
	"time"

	"github.com/valyala/fasthttp"
)

// An outcome is what one attempt means for its delivery
// (reference/delivery-patterns.md 1.2).
type outcome uint8

const (
	// delivered: a 2xx answer; the body is ignored.
	delivered outcome = iota
	// failed: any other answer (3xx included: redirects are never
	// followed), a timeout or a connection error; retried while attempts
	// remain.
	failed
	// gone: 410 Gone; the endpoint is disabled and its remaining jobs are
	// given up.
	gone
)

// classify returns the outcome of an attempt that got status, or err.
func classify(status int, err error) outcome {
	switch {
	case err != nil:
		return failed
	case status >= 200 && status <= 299:
		return delivered
	case status == fasthttp.StatusGone:
		return gone
	}
	return failed
}

// maxRetryAfter bounds how long a receiver's Retry-After can hold a retry
// back, so that a bogus value cannot park a delivery past any drain.
const maxRetryAfter = time.Hour

// retryAfter reads a Retry-After value, delay-seconds or an HTTP-date, as a
// wait from now. Empty, malformed and past values give 0; values beyond
// maxRetryAfter give maxRetryAfter.
func retryAfter(v []byte, now time.Time) time.Duration {
	if len(v) == 0 {
		return 0
	}
	if v[0] >= '0' && v[0] <= '9' {
		var secs int64
		for _, c := range v {
			if c < '0' || c > '9' {
				return 0
			}
			if secs = secs*10 + int64(c-'0'); secs > int64(maxRetryAfter/time.Second) {
				return maxRetryAfter
			}
		}
		return time.Duration(secs) * time.Second
	}
	t, err := fasthttp.ParseHTTPDate(v)
	if err != nil {
		return 0
	}
	return min(max(t.Sub(now), 0), maxRetryAfter)
}
