package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

func TestScale(t *testing.T) {
	sc, err := loadTest(t, "receiver-outage") // 8s, outage at 2s for 3s
	if err != nil {
		t.Fatal(err)
	}
	before, _ := Marshal(sc)
	if err := testEnv(1024).scale(sc, 24*time.Second, fakePatterns()); err != nil {
		t.Fatal(err)
	}
	f := sc.Faults[0]
	if sc.Duration != bench.Duration(24*time.Second) || f.At != bench.Duration(6*time.Second) || f.For != bench.Duration(9*time.Second) {
		t.Errorf("duration %v, fault at %v for %v; want 24s, 6s, 9s", sc.Duration, f.At, f.For)
	}
	if err := testEnv(1024).scale(sc, 8*time.Second, fakePatterns()); err != nil {
		t.Fatal(err)
	}
	if after, _ := Marshal(sc); string(after) != string(before) {
		t.Errorf("scaling back does not give the scenario back:\n%s\nwant\n%s", after, before)
	}

	// Every and the drain keep their values.
	sc, err = loadTest(t, "mobile-clients")
	if err != nil {
		t.Fatal(err)
	}
	every, drain := sc.Faults[0].Every, sc.Drain
	if err := testEnv(1024).scale(sc, time.Second, fakePatterns()); err != nil {
		t.Fatal(err)
	}
	if sc.Faults[0].Every != every || sc.Drain != drain || sc.Faults[0].At != bench.Duration(100*time.Millisecond) {
		t.Errorf("every %v drain %v at %v", sc.Faults[0].Every, sc.Drain, sc.Faults[0].At)
	}
}

func TestScaleErrors(t *testing.T) {
	sc, err := loadTest(t, "compare")
	if err != nil {
		t.Fatal(err)
	}
	before, _ := Marshal(sc)
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "--duration: must be > 0, got 0s"},
		{-time.Second, "--duration: must be > 0"},
		{200 * time.Hour, "--duration: window: 1s windows over a run of up to 200h0m9s make 720009 windows"},
	} {
		err := testEnv(1024).scale(sc, tt.d, fakePatterns())
		var errs *Errors
		if !errors.As(err, &errs) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("scale %v: got %v, want %s...", tt.d, err, tt.want)
		}
	}
	sc.Subscribers = 200000 // cannot scale into an invalid scenario either
	if err := testEnv(1024).scale(sc, time.Second, fakePatterns()); err == nil || !strings.Contains(err.Error(), "--duration: subscribers:") {
		t.Errorf("got %v", err)
	}
	sc.Subscribers = 4
	if after, _ := Marshal(sc); string(after) != string(before) {
		t.Errorf("a failed Scale changed the scenario")
	}
}
