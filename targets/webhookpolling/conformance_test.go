package webhookpolling

import (
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/targettest"
)

// The reconciler polls every 200ms, so that the suite's drains stay short;
// the settle time is the default.
func TestConformance(t *testing.T) {
	targettest.Run(t, func(*testing.T) bench.Target {
		return New(Options{ReconcileInterval: bench.Duration(200 * time.Millisecond)})
	}, targettest.IgnoreGoroutines(leakOptions...))
}
