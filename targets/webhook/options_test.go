package webhook

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

func TestDefaultOptions(t *testing.T) {
	o := DefaultOptions()
	if err := o.Validate(); err != nil {
		t.Fatalf("DefaultOptions invalid: %v", err)
	}
	want := Options{
		Timeout:     bench.Duration(2 * time.Second),
		Concurrency: 16,
		Retry: Retry{Schedule: Exponential, Base: bench.Duration(100 * time.Millisecond),
			Cap: bench.Duration(5 * time.Second), Attempts: 10, Compress: 1},
	}
	if o != want {
		t.Fatalf("DefaultOptions = %+v, want %+v", o, want)
	}
	if New(Options{}).Options() != want {
		t.Fatalf("New(Options{}) does not fill the defaults")
	}
}

func TestNamedScheduleDefaults(t *testing.T) {
	tests := []struct {
		schedule Schedule
		attempts int
	}{
		{Svix, 8},
		{Standard, 10},
	}
	for _, tt := range tests {
		r := Retry{Schedule: tt.schedule}.WithDefaults()
		if r.Attempts != tt.attempts || r.Base != 0 || r.Cap != 0 || r.Compress != 1 {
			t.Errorf("%s defaults = %+v, want %d attempts, no base or cap, compress 1", tt.schedule, r, tt.attempts)
		}
		if err := (Options{Retry: r}).Validate(); err != nil {
			t.Errorf("%s defaults invalid: %v", tt.schedule, err)
		}
	}
}

func TestOptionsJSON(t *testing.T) {
	b, err := json.Marshal(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"timeout":"2s","concurrency":16,"retry":{"schedule":"exponential","base":"100ms","cap":"5s","attempts":10,"compress":1}}`
	if string(b) != want {
		t.Fatalf("JSON = %s\nwant   %s", b, want)
	}
	var o Options
	if err := json.Unmarshal([]byte(`{"timeout":"500ms","retry":{"schedule":"svix","compress":3600}}`), &o); err != nil {
		t.Fatal(err)
	}
	if o.Timeout.D() != 500*time.Millisecond || o.Retry.Schedule != Svix || o.Retry.Compress != 3600 {
		t.Fatalf("decoded %+v", o)
	}
}

func TestValidate(t *testing.T) {
	d := func(v time.Duration) bench.Duration { return bench.Duration(v) }
	tests := []struct {
		name string
		opts Options
		want []string // substrings of the error; none: valid
	}{
		{name: "zero", opts: Options{}},
		{name: "named with compress", opts: Options{Retry: Retry{Schedule: Standard, Attempts: 3, Compress: 3600}}},
		{name: "negative timeout", opts: Options{Timeout: d(-time.Second)}, want: []string{"timeout must be >= 0"}},
		{name: "concurrency", opts: Options{Concurrency: 5000}, want: []string{"concurrency must be between 1 and 4096"}},
		{name: "schedule", opts: Options{Retry: Retry{Schedule: "linear"}}, want: []string{`retry.schedule must be exponential, svix or standard, got "linear"`}},
		// A base above the default cap is a mistake even with cap left empty.
		{name: "base above cap", opts: Options{Retry: Retry{Base: d(10 * time.Second)}}, want: []string{"retry.base (10s) must be <= retry.cap (5s)"}},
		{name: "negative base and cap", opts: Options{Retry: Retry{Base: d(-1), Cap: d(-1)}}, want: []string{"retry.base must be >= 0", "retry.cap must be >= 0"}},
		{name: "base with svix", opts: Options{Retry: Retry{Schedule: Svix, Base: d(time.Second)}}, want: []string{"apply to the exponential schedule only"}},
		{name: "attempts beyond svix", opts: Options{Retry: Retry{Schedule: Svix, Attempts: 9}}, want: []string{"retry.attempts must be between 1 and 8 for schedule svix"}},
		{name: "negative attempts", opts: Options{Retry: Retry{Attempts: -1}}, want: []string{"retry.attempts must be between 1 and 1000"}},
		{name: "compress NaN", opts: Options{Retry: Retry{Compress: math.NaN()}}, want: []string{"retry.compress must be a finite number > 0"}},
		{name: "secret", opts: Options{Secret: "hunter2"}, want: []string{"secret:", `must start with "whsec_"`}},
		// Every problem is reported at once.
		{name: "several", opts: Options{Timeout: d(-1), Concurrency: -1, Retry: Retry{Attempts: -1}},
			want: []string{"timeout", "concurrency", "retry.attempts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want errors containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}
