package webhook

import (
	"hash/fnv"
	"slices"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

func TestTurnsOf(t *testing.T) {
	d := func(v time.Duration) bench.Duration { return bench.Duration(v) }
	plan := bench.NewFaultTimeline([]bench.FaultSpec{
		{Kind: bench.FaultOutage, At: d(2 * time.Second), For: d(time.Second)},
		{Kind: bench.FaultDisconnect, At: d(time.Second), Every: d(time.Second), For: d(3 * time.Second)},
		{Kind: bench.FaultOutage, At: d(4 * time.Second)}, // to the end: no turn back up
		{Kind: bench.FaultErrors, P: 0.5},                 // not a turn
	}, 1, 10*time.Second)
	want := []turn{
		{at: time.Second, disconnect: true},
		{at: 2 * time.Second},
		{at: 2 * time.Second, disconnect: true},
		{at: 3 * time.Second},
		{at: 3 * time.Second, disconnect: true},
		{at: 4 * time.Second},
	}
	if got := turnsOf(plan); !slices.Equal(got, want) {
		t.Errorf("turns:\n got %+v\nwant %+v", got, want)
	}
	if got := turnsOf(nil); got != nil {
		t.Errorf("turns of no plan = %+v", got)
	}
}

// The salt is FNV-1a of the kind's name, which another pattern can
// reproduce with hash/fnv.
func TestFaultSalt(t *testing.T) {
	for _, kind := range bench.FaultKinds {
		h := fnv.New64a()
		h.Write([]byte(kind))
		if got, want := bench.FaultSalt(kind), h.Sum64(); got != want {
			t.Errorf("bench.FaultSalt(%q) = %#x, want %#x", kind, got, want)
		}
	}
}

func TestParseUint(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"42", 42, true},
		{"18446744073709551615", 0, false}, // 20 digits: longer than any seq
		{"1234567890123456789", 1234567890123456789, true},
		{"", 0, false},
		{"4x", 0, false},
		{"-1", 0, false},
	}
	for _, tt := range tests {
		if got, ok := parseUint([]byte(tt.in)); got != tt.want || ok != tt.ok {
			t.Errorf("parseUint(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
