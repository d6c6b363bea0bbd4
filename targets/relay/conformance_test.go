package relay

import (
	"testing"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/targettest"
)

func TestConformance(t *testing.T) {
	targettest.Run(t, func(*testing.T) bench.Target { return New(Options{}) },
		targettest.IgnoreGoroutines(leakOptions...))
}
