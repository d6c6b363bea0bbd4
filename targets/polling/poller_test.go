package polling

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestBackoffFullJitter(t *testing.T) {
	p := &poller{
		cfg: &config{backoffBase: 10 * time.Millisecond, backoffMax: 100 * time.Millisecond},
		rng: rand.New(rand.NewPCG(1, 2)),
	}
	// The n-th consecutive failure waits in [0, min(max, base*2^n)).
	ceilings := []time.Duration{10, 20, 40, 80, 100, 100, 100}
	for n, c := range ceilings {
		ceil := c * time.Millisecond
		var lo, hi time.Duration = ceil, 0
		for range 200 {
			p.failures = n
			d := p.backoff()
			if p.failures != n+1 {
				t.Fatalf("backoff did not count the failure")
			}
			lo, hi = min(lo, d), max(hi, d)
		}
		if lo < 0 || hi >= ceil || hi < ceil*3/4 || lo > ceil/4 {
			t.Errorf("failure %d: waits spread over [%v, %v], want full jitter over [0, %v)", n, lo, hi, ceil)
		}
	}
	p.failures = 1000 // no overflow however long the outage
	if d := p.backoff(); d < 0 || d >= 100*time.Millisecond {
		t.Errorf("after 1000 failures: %v", d)
	}
}

func TestPeriodJitter(t *testing.T) {
	tests := []struct {
		name   string
		jitter float64
		lo, hi time.Duration
	}{
		{name: "none", jitter: 0, lo: 100 * time.Millisecond, hi: 100 * time.Millisecond},
		{name: "10%", jitter: 0.1, lo: 90 * time.Millisecond, hi: 110 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &poller{cfg: &config{interval: 100 * time.Millisecond, jitter: tc.jitter}, rng: rand.New(rand.NewPCG(3, 4))}
			var sum time.Duration
			lo, hi := time.Hour, time.Duration(0)
			const n = 2000
			for range n {
				d := p.period()
				sum += d
				lo, hi = min(lo, d), max(hi, d)
			}
			if lo < tc.lo || hi > tc.hi {
				t.Errorf("periods in [%v, %v], want within [%v, %v]", lo, hi, tc.lo, tc.hi)
			}
			if mean := sum / n; mean < 99*time.Millisecond || mean > 101*time.Millisecond {
				t.Errorf("mean period %v, want the interval", mean)
			}
			if tc.jitter > 0 && (lo > tc.lo+2*time.Millisecond || hi < tc.hi-2*time.Millisecond) {
				t.Errorf("periods in [%v, %v] do not cover the jitter range", lo, hi)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		value string
		want  time.Duration
		ok    bool
	}{
		{name: "seconds", value: "3", want: 3 * time.Second, ok: true},
		{name: "zero", value: "0", want: 0, ok: true},
		{name: "http date", value: "Sat, 01 Mar 2025 12:00:07 GMT", want: 7 * time.Second, ok: true},
		{name: "date in the past", value: "Sat, 01 Mar 2025 11:00:00 GMT", want: 0, ok: true},
		// A server asking for a day is capped, so a bogus header cannot
		// park a poller for the rest of the run.
		{name: "capped", value: "86400", want: maxRetryAfter, ok: true},
		{name: "absent", value: "", ok: false},
		{name: "negative", value: "-1", ok: false},
		{name: "garbage", value: "soon", ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := retryAfter([]byte(tc.value), now)
			if got != tc.want || ok != tc.ok {
				t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.value, got, ok, tc.want, tc.ok)
			}
		})
	}
}
