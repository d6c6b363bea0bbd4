package polling

import (
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/targettest"
)

func TestPollingConformance(t *testing.T) {
	targettest.Run(t, func(*testing.T) bench.Target {
		return NewPolling(Options{Interval: bench.Duration(20 * time.Millisecond)})
	})
}

// The long-poll target runs with the realistic 25s hold: Close and the
// cancellation subtests then prove that holds end at once.
func TestLongPollConformance(t *testing.T) {
	targettest.Run(t, func(*testing.T) bench.Target {
		return NewLongPoll(DefaultLongPollOptions())
	})
}
