package main

import (
	"time"

	"github.com/hookbench/hookbench/bench"
)

// loadScenario returns the named built-in scenario.
func (a *app) loadScenario(name string) (*bench.Scenario, error) {
	if name != "compare" {
		return nil, usagef("unknown scenario %q (built-in: compare)", name)
	}
	return &bench.Scenario{
		Name:        "compare",
		Description: "Every pattern on a moderate, steady stream with no faults.",
		Seed:        1,
		Duration:    bench.Duration(10 * time.Second),
		Drain:       bench.Duration(10 * time.Second),
		Subscribers: 4,
		Stream:      bench.StreamSpec{Rate: 100, Arrival: bench.Poisson, Payload: 512, Keys: 8},
		Patterns:    bench.PatternList{{Name: "webhook"}},
	}, nil
}
