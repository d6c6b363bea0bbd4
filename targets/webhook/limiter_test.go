package webhook

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	base := time.Unix(1000, 0)
	at := func(d time.Duration) time.Time { return base.Add(d) }
	tests := []struct {
		name string
		rps  float64
		// takes are offsets from base, in order; want says which get a
		// token, wait how long a refused one is told to wait.
		takes []time.Duration
		want  []bool
		wait  []time.Duration
	}{
		{
			// 10/s holds 1 token: strictly one per 100ms.
			name:  "one token",
			rps:   10,
			takes: []time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond, 150 * time.Millisecond, 199 * time.Millisecond, 200 * time.Millisecond},
			want:  []bool{true, false, true, false, false, true},
			wait:  []time.Duration{0, 50 * time.Millisecond, 0, 50 * time.Millisecond, time.Millisecond, 0},
		},
		{
			// 100/s holds 10 (100ms worth): a burst of 10 at once, then
			// one per 10ms.
			name:  "burst",
			rps:   100,
			takes: []time.Duration{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4 * time.Millisecond, 10 * time.Millisecond},
			want:  []bool{true, true, true, true, true, true, true, true, true, true, false, false, true},
			wait:  []time.Duration{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10 * time.Millisecond, 6 * time.Millisecond, 0},
		},
		{
			// An idle bucket refills to its size, not beyond.
			name:  "refill",
			rps:   20,
			takes: []time.Duration{time.Hour, time.Hour, time.Hour, time.Hour + 10*time.Millisecond},
			want:  []bool{true, true, false, false},
			wait:  []time.Duration{0, 0, 50 * time.Millisecond, 40 * time.Millisecond},
		},
		{
			// Below one per second: waits beyond a second.
			name:  "slow rate",
			rps:   0.25,
			takes: []time.Duration{0, time.Second},
			want:  []bool{true, false},
			wait:  []time.Duration{0, 3 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(tt.rps, base)
			for i, d := range tt.takes {
				ok, wait := l.take(at(d))
				if ok != tt.want[i] || wait != tt.wait[i] {
					t.Errorf("take %d at %v = %v, %v; want %v, %v", i, d, ok, wait, tt.want[i], tt.wait[i])
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
		{0, 1},
		{time.Millisecond, 1},
		{time.Second, 1},
		{time.Second + 1, 2},
		{3 * time.Second, 3},
	}
	for _, tt := range tests {
		if got := retryAfterSecs(tt.wait); got != tt.want {
			t.Errorf("retryAfterSecs(%v) = %d, want %d", tt.wait, got, tt.want)
		}
	}
}

func BenchmarkLimiterTake(b *testing.B) {
	l := newLimiter(1e9, time.Now())
	now := time.Now()
	for b.Loop() {
		l.take(now)
	}
}
