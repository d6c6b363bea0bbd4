package bench

import (
	"bytes"
	"math"
	"testing"
	"time"
)

func TestStreamDeterministic(t *testing.T) {
	spec := StreamSpec{Rate: 500, Arrival: Poisson, Payload: 300, Keys: 5}
	a, b := NewStream(spec, 42, 10*time.Second), NewStream(spec, 42, 10*time.Second)
	var bufA, bufB []byte
	n := 0
	for {
		ea, oka := a.Next()
		eb, okb := b.Next()
		if oka != okb {
			t.Fatalf("streams ended at different events (%d)", n)
		}
		if !oka {
			break
		}
		bufA, bufB = AppendPayload(bufA[:0], ea), AppendPayload(bufB[:0], eb)
		if ea != eb || !bytes.Equal(bufA, bufB) {
			t.Fatalf("event %d differs: %+v vs %+v", n, ea, eb)
		}
		n++
	}
	if n < 4500 || n > 5500 {
		t.Fatalf("got %d events at 500/s for 10s", n)
	}
	other := NewStream(spec, 43, 10*time.Second)
	ea, _ := NewStream(spec, 42, time.Second).Next()
	eo, _ := other.Next()
	if ea == eo {
		t.Fatalf("seeds 42 and 43 gave the same first event %+v", ea)
	}
}

func TestStreamConstantExact(t *testing.T) {
	spec := StreamSpec{Rate: 200, Arrival: Constant, Payload: 100, Keys: 1}
	s := NewStream(spec, 1, 5*time.Second)
	var n uint64
	for ev, ok := s.Next(); ok; ev, ok = s.Next() {
		if want := time.Duration(n) * 5 * time.Millisecond; ev.Due != want || ev.Seq != n {
			t.Fatalf("event %d: due %v seq %d, want due %v", n, ev.Due, ev.Seq, want)
		}
		n++
	}
	if n != 1000 {
		t.Fatalf("got %d events, want exactly 1000", n)
	}
	if got := CountEvents(spec, 1, 5*time.Second); got != 1000 {
		t.Fatalf("CountEvents = %d, want 1000", got)
	}
}

func TestStreamPoissonProperties(t *testing.T) {
	const rate, events = 1000.0, 100_000
	spec := StreamSpec{Rate: rate, Arrival: Poisson, Payload: 64, Keys: 8}
	s := NewStream(spec, 7, time.Hour)
	var prev time.Duration
	var sum, sumSq float64
	keys := make([]int, 8)
	for i := 0; i < events; i++ {
		ev, ok := s.Next()
		if !ok {
			t.Fatal("stream ended early")
		}
		gap := (ev.Due - prev).Seconds()
		if gap < 0 {
			t.Fatalf("event %d due before its predecessor", i)
		}
		prev = ev.Due
		sum += gap
		sumSq += gap * gap
		keys[ev.Key]++
	}
	mean := sum / events
	// The mean of n exponential gaps has standard error (1/rate)/sqrt(n):
	// 0.32% here; 1.5% is ~5 sigma.
	if math.Abs(mean*rate-1) > 0.015 {
		t.Errorf("mean inter-arrival %.6fs, want 1/rate = %.6fs ±1.5%%", mean, 1/rate)
	}
	// Exponential: standard deviation equals the mean.
	sd := math.Sqrt(sumSq/events - mean*mean)
	if math.Abs(sd/mean-1) > 0.03 {
		t.Errorf("inter-arrival sd/mean = %.3f, want 1 ±3%%", sd/mean)
	}
	for k, n := range keys {
		if math.Abs(float64(n)/events*8-1) > 0.05 {
			t.Errorf("key %d drew %d of %d events: not uniform", k, n, events)
		}
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
		want int // body length
	}{
		{"padded", Event{Seq: 12, Key: 3, Due: 60 * time.Millisecond, Size: 512}, 512},
		{"smaller than header", Event{Seq: 1<<40 + 5, Key: 65535, Due: time.Hour, Size: 10}, -1},
		{"zero", Event{}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := AppendPayload(nil, tt.ev)
			if tt.want > 0 && len(b) != tt.want {
				t.Errorf("len = %d, want %d", len(b), tt.want)
			}
			seq, key, due, err := ParsePayload(b)
			if err != nil || seq != tt.ev.Seq || key != tt.ev.Key || due != tt.ev.Due {
				t.Fatalf("ParsePayload(%s) = %d %d %v %v", b, seq, key, due, err)
			}
		})
	}
	for _, bad := range []string{"", "{}", `{"type":"hookbench.event","seq":x`, `{"type":"hookbench.event","seq":1,"key":2}`,
		`{"type":"hookbench.event","seq":99999999999999999999,"key":1,"due_ns":1,"data":""}`} {
		if _, _, _, err := ParsePayload([]byte(bad)); err == nil {
			t.Errorf("ParsePayload(%q) accepted", bad)
		}
	}
}

func TestParseUnits(t *testing.T) {
	rates := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"200/s", 200, true}, {"5/m", 5.0 / 60, true}, {"3/h", 3.0 / 3600, true}, {"0.5/s", 0.5, true},
		{"0/s", 0, false}, {"-3/s", 0, false}, {"200", 0, false}, {"10/d", 0, false}, {"x/s", 0, false}, {"NaN/s", 0, false},
	}
	for _, r := range rates {
		got, err := ParseRate(r.in)
		if (err == nil) != r.ok || (r.ok && math.Abs(float64(got)-r.want) > 1e-12) {
			t.Errorf("ParseRate(%q) = %v, %v", r.in, got, err)
		}
		if r.ok {
			back, err := ParseRate(got.String())
			if err != nil || math.Abs(float64(back-got)) > 1e-9 {
				t.Errorf("rate %q does not round-trip through %q", r.in, got.String())
			}
		}
	}
	sizes := []struct {
		in   string
		want Size
		ok   bool
	}{
		{"512B", 512, true}, {"4KiB", 4096, true}, {"1MiB", 1 << 20, true}, {"0", 0, true},
		{"1KB", 0, false}, {"-1B", 0, false}, {"1.5KiB", 0, false}, {"lots", 0, false},
	}
	for _, s := range sizes {
		got, err := ParseSize(s.in)
		if (err == nil) != s.ok || got != s.want {
			t.Errorf("ParseSize(%q) = %v, %v", s.in, got, err)
		}
	}
	var d Duration
	if err := d.UnmarshalText([]byte("1m30s")); err != nil || d.D() != 90*time.Second {
		t.Errorf("Duration 1m30s = %v, %v", d, err)
	}
	if err := d.UnmarshalText([]byte("10")); err == nil {
		t.Error("Duration accepted a number without unit")
	}
}
