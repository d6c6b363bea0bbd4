package bench

import (
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	base := time.Now()
	l := NewRateLimiter(100, base) // a token every 10ms, 10 in the bucket
	got := 0
	for i := 0; i < 1000; i++ {
		// 1000 requests evenly over one second: 100 + the burst pass.
		if ok, _ := l.Take(base.Add(time.Duration(i) * time.Millisecond)); ok {
			got++
		}
	}
	if got < 100 || got > 110 {
		t.Fatalf("%d of 1000 requests in 1s passed a 100/s limiter, want 100-110", got)
	}
	l = NewRateLimiter(2, base)
	if ok, _ := l.Take(base); !ok {
		t.Fatal("a full bucket refused")
	}
	ok, wait := l.Take(base)
	if ok || wait != 500*time.Millisecond || RetryAfterSeconds(wait) != 1 {
		t.Fatalf("second take: ok %v wait %v", ok, wait)
	}
	if RetryAfterSeconds(1500*time.Millisecond) != 2 || RetryAfterSeconds(0) != 1 {
		t.Fatal("RetryAfterSeconds rounds wrong")
	}
}
