package polling

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

func TestOptionsDefaults(t *testing.T) {
	o := DefaultOptions()
	want := Options{
		Interval:    bench.Duration(time.Second),
		Jitter:      0.1,
		Limit:       100,
		Retention:   100000,
		Timeout:     bench.Duration(10 * time.Second),
		BackoffBase: bench.Duration(100 * time.Millisecond),
		BackoffMax:  bench.Duration(10 * time.Second),
	}
	if o != want {
		t.Errorf("DefaultOptions() = %+v, want %+v", o, want)
	}
	lo := DefaultLongPollOptions()
	wantLong := LongPollOptions{
		Hold:        bench.Duration(25 * time.Second),
		Timeout:     bench.Duration(35 * time.Second),
		Limit:       100,
		Retention:   100000,
		BackoffBase: bench.Duration(100 * time.Millisecond),
		BackoffMax:  bench.Duration(10 * time.Second),
	}
	if lo != wantLong {
		t.Errorf("DefaultLongPollOptions() = %+v, want %+v", lo, wantLong)
	}
	if c := (Options{Jitter: -1}).config(); c.jitter != 0 {
		t.Errorf("negative jitter gives jitter %v, want 0 (none)", c.jitter)
	}
	if c := (LongPollOptions{Hold: bench.Duration(time.Second)}).config(); c.timeout != 11*time.Second {
		t.Errorf("timeout for a 1s hold = %v, want hold + 10s", c.timeout)
	}
}

func TestOptionsJSON(t *testing.T) {
	var o Options
	in := `{"interval":"250ms","jitter":0.2,"limit":50,"retention":1000,"timeout":"2s","backoff_base":"10ms","backoff_max":"1s"}`
	if err := json.Unmarshal([]byte(in), &o); err != nil {
		t.Fatal(err)
	}
	want := Options{
		Interval: bench.Duration(250 * time.Millisecond), Jitter: 0.2, Limit: 50, Retention: 1000,
		Timeout: bench.Duration(2 * time.Second), BackoffBase: bench.Duration(10 * time.Millisecond), BackoffMax: bench.Duration(time.Second),
	}
	if o != want {
		t.Errorf("decoded %+v, want %+v", o, want)
	}
	out, err := json.Marshal(DefaultLongPollOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out); got != `{"hold":"25s","timeout":"35s","limit":100,"retention":100000,"backoff_base":"100ms","backoff_max":"10s"}` {
		t.Errorf("encoded %s", got)
	}
}

func TestOptionsValidate(t *testing.T) {
	ms := func(n int) bench.Duration { return bench.Duration(time.Duration(n) * time.Millisecond) }
	tests := []struct {
		name string
		opts Options
		want []string // substrings of the error, one per problem; none: valid
	}{
		{name: "zero", opts: Options{}},
		{name: "defaults", opts: DefaultOptions()},
		{name: "no jitter", opts: Options{Jitter: -1}},
		{name: "interval too short", opts: Options{Interval: bench.Duration(time.Microsecond)}, want: []string{"interval must be >= 1ms"}},
		{name: "negative interval", opts: Options{Interval: ms(-1)}, want: []string{"interval"}},
		{name: "jitter of a whole interval", opts: Options{Jitter: 1}, want: []string{"jitter must be below 1"}},
		{name: "limit too large", opts: Options{Limit: MaxLimit + 1}, want: []string{"limit must be between 1 and 1000"}},
		{name: "negative retention", opts: Options{Retention: -5}, want: []string{"retention"}},
		{name: "negative timeout", opts: Options{Timeout: ms(-1)}, want: []string{"timeout must be >= 0"}},
		// A base above the default max needs an explicit max: the
		// default max follows the base.
		{name: "base above max", opts: Options{BackoffBase: ms(500), BackoffMax: ms(100)}, want: []string{"must not exceed backoff_max"}},
		{name: "base only", opts: Options{BackoffBase: bench.Duration(time.Minute)}},
		// Every problem at once.
		{name: "all", opts: Options{Interval: ms(-1), Jitter: 2, Limit: -1, Retention: -1, Timeout: ms(-1)},
			want: []string{"interval", "jitter", "limit", "retention", "timeout"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, tc.opts.Validate(), tc.want)
		})
	}
}

func TestLongPollOptionsValidate(t *testing.T) {
	s := func(n int) bench.Duration { return bench.Duration(time.Duration(n) * time.Second) }
	tests := []struct {
		name string
		opts LongPollOptions
		want []string
	}{
		{name: "zero", opts: LongPollOptions{}},
		{name: "short hold", opts: LongPollOptions{Hold: bench.Duration(50 * time.Millisecond)}},
		{name: "hold too long", opts: LongPollOptions{Hold: s(121)}, want: []string{"hold must be between 0 and 2m0s"}},
		{name: "timeout within the hold", opts: LongPollOptions{Hold: s(10), Timeout: s(10)}, want: []string{"timeout must exceed the hold"}},
		{name: "timeout below the default hold", opts: LongPollOptions{Timeout: s(5)}, want: []string{"timeout must exceed the hold (25s)"}},
		{name: "all", opts: LongPollOptions{Hold: s(-1), Timeout: s(-1), Limit: 5000, Retention: MaxRetention + 1},
			want: []string{"hold", "timeout", "limit", "retention"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, tc.opts.Validate(), tc.want)
		})
	}
}

func checkProblems(t *testing.T, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Errorf("Validate: %v, want nil", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("Validate: nil, want %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Validate: %q, want it to contain %q", err, w)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != len(want) {
		t.Errorf("Validate reported %d problems, want %d: %q", n, len(want), err)
	}
}
