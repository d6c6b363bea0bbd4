package polling

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		rps   float64
		takes []time.Duration // offsets from base, in order
		want  []bool
		wait  time.Duration // of the last take, if refused
	}{
		// 10/s holds one token: a second poll 1ms later waits 99ms.
		{name: "one token", rps: 10, takes: []time.Duration{0, time.Millisecond}, want: []bool{true, false}, wait: 99 * time.Millisecond},
		{name: "refilled", rps: 10, takes: []time.Duration{0, 100 * time.Millisecond}, want: []bool{true, true}},
		// 100/s holds 100ms worth, 10 tokens: the 11th at once is refused
		// until the first has been paid back, 10ms on.
		{name: "burst", rps: 100, takes: make([]time.Duration, 11),
			want: []bool{true, true, true, true, true, true, true, true, true, true, false}, wait: 10 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLimiter(tc.rps, base)
			for i, off := range tc.takes {
				ok, wait := l.take(base.Add(off))
				if ok != tc.want[i] {
					t.Fatalf("take %d at %v: %v, want %v", i, off, ok, tc.want[i])
				}
				if !ok && wait != tc.wait {
					t.Errorf("take %d at %v: wait %v, want %v", i, off, wait, tc.wait)
				}
			}
		})
	}
}

func TestRetryAfterSecs(t *testing.T) {
	tests := []struct {
		wait time.Duration
		want int64
	}{
		{0, 1}, // never 0: that would invite the poller back at once
		{time.Millisecond, 1},
		{time.Second, 1},
		{time.Second + time.Millisecond, 2},
	}
	for _, tc := range tests {
		if got := retryAfterSecs(tc.wait); got != tc.want {
			t.Errorf("retryAfterSecs(%v) = %d, want %d", tc.wait, got, tc.want)
		}
	}
}
