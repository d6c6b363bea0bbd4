package scenarios_test

import (
	"fmt"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/scenarios"
)

// pollOptions stands for a target's options struct.
type pollOptions struct {
	Interval bench.Duration `yaml:"interval" json:"interval"`
	Limit    int            `yaml:"limit" json:"limit"`
}

var pats = scenarios.Patterns{
	"polling": func() any { return &pollOptions{Interval: bench.Duration(time.Second), Limit: 100} },
}

func ExampleParse() {
	src := `name: outage
stream: {rate: -5/s, arrival: steady}
patterns:
  polling: {interval: 2s, limt: 10}
  webhook: {}
faults:
  - {kind: outage, at: 12s}
`
	_, err := scenarios.Parse("outage.yaml", []byte(src), pats)
	fmt.Println(err)
	// Output:
	// outage.yaml:2:16: stream.rate: bad rate "-5/s": must be > 0
	// outage.yaml:2:31: stream.arrival: must be constant or poisson, got "steady"
	// outage.yaml:4:27: patterns.polling.limt: unknown key (did you mean "limit"?); known keys: interval, limit
	// outage.yaml:5:3: patterns.webhook: unknown pattern; this build has: polling
	// outage.yaml:7:24: faults[0].at: 12s is outside the run: events are published for 10s (duration), so a fault must start before that
}

func ExampleSet() {
	sc, err := scenarios.Parse("s.yaml", []byte("patterns: {polling: }\n"), pats)
	if err != nil {
		panic(err)
	}
	for _, a := range []string{"stream.rate=5/s", "patterns.polling.limit=10", "subscribers=many"} {
		if err := scenarios.Set(sc, a, pats); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println(sc.Stream.Rate, sc.Patterns[0].Options.(*pollOptions).Limit, sc.Subscribers)
	// Output:
	// --set subscribers:1:13: subscribers: want a whole number, got "many"
	// 5/s 10 1
}

func ExampleMarshal() {
	sc, err := scenarios.Parse("tiny.yaml", []byte("duration: 5s\npatterns: {polling: {limit: 10}}\n"), pats)
	if err != nil {
		panic(err)
	}
	out, err := scenarios.Marshal(sc)
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))
	// Output:
	// # tiny, resolved: every default filled in.
	// name: tiny
	// description: ""
	// seed: 1
	// duration: 5s
	// drain: 10s
	// subscribers: 1
	// window: 1s
	// stream:
	//   rate: 10/s
	//   arrival: poisson
	//   payload: 512B
	//   keys: 8
	// patterns:
	//   polling:
	//     interval: 1s
	//     limit: 10
	// faults: []
	// claims: []
	// thresholds: {}
}
