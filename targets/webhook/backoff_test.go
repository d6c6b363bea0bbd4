package webhook

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

func TestExponentialFullJitter(t *testing.T) {
	b := newBackoff(Retry{Base: bench.Duration(100 * time.Millisecond), Cap: bench.Duration(time.Second)}.WithDefaults())
	rng := rand.New(rand.NewPCG(1, 2))
	ceilings := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		800 * time.Millisecond, time.Second, time.Second}
	for n, c := range ceilings {
		if got := b.ceiling(n); got != c {
			t.Errorf("ceiling(%d) = %v, want %v", n, got, c)
		}
		// Full jitter spreads over the whole of [0, ceiling].
		var lo, hi time.Duration = c, 0
		for range 2000 {
			d := b.delay(n, rng)
			if d < 0 || d > c {
				t.Fatalf("delay(%d) = %v, outside [0, %v]", n, d, c)
			}
			lo, hi = min(lo, d), max(hi, d)
		}
		if lo > c/10 || hi < c*9/10 {
			t.Errorf("delay(%d) spans [%v, %v], want most of [0, %v]", n, lo, hi, c)
		}
	}
	if got := b.ceiling(200); got != time.Second {
		t.Errorf("ceiling(200) = %v, want the cap (no overflow)", got)
	}
}

func TestNamedSchedules(t *testing.T) {
	tests := []struct {
		schedule Schedule
		total    time.Duration // sum of the published delays
	}{
		{Svix, 27*time.Hour + 35*time.Minute + 5*time.Second},
		{Standard, 75*time.Hour + 35*time.Minute + 5*time.Second},
	}
	for _, tt := range tests {
		delays := namedDelays(tt.schedule)
		var sum time.Duration
		for _, d := range delays {
			sum += d
		}
		if sum != tt.total {
			t.Errorf("%s: delays sum to %v, want %v", tt.schedule, sum, tt.total)
		}
		const k = 3600
		b := newBackoff(Retry{Schedule: tt.schedule, Compress: k}.WithDefaults())
		rng := rand.New(rand.NewPCG(3, 4))
		for n, d := range delays {
			got := b.delay(n, rng)
			lo, hi := time.Duration(float64(d)*(1-namedJitter)/k), time.Duration(float64(d)*(1+namedJitter)/k)
			if got < lo || got > hi {
				t.Errorf("%s delay(%d) = %v with compress %d, want within [%v, %v]", tt.schedule, n, got, k, lo, hi)
			}
		}
	}
}

// Jitter is a function of the run seed, subscriber, seq and attempt only.
func TestJitterIsDeterministic(t *testing.T) {
	b := newBackoff(Retry{}.WithDefaults())
	draw := func(sub int, seq uint64, attempt int) time.Duration {
		pcg := rand.NewPCG(0, 0)
		pcg.Seed(jitterSeed(testSeed, sub), seq<<16|uint64(attempt))
		return b.delay(attempt-1, rand.New(pcg))
	}
	if draw(0, 5, 3) != draw(0, 5, 3) {
		t.Fatal("same inputs, different delays")
	}
	if draw(0, 5, 3) == draw(1, 5, 3) && draw(0, 6, 3) == draw(0, 5, 3) {
		t.Fatal("subscriber and seq do not change the delay")
	}
}
