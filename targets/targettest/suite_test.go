package targettest

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

func TestSuiteAcceptsConformingTarget(t *testing.T) {
	Run(t, func(*testing.T) bench.Target { return &lineTarget{} })
}

// TestSuiteBrokenTarget runs the suite against a broken lineTarget when
// TestSuiteRejectsBrokenTargets asks it to, in a child process (a suite
// that fails must fail a real *testing.T).
func TestSuiteBrokenTarget(t *testing.T) {
	bug := os.Getenv("TARGETTEST_BUG")
	if bug == "" {
		t.Skip("run by TestSuiteRejectsBrokenTargets")
	}
	Run(t, func(*testing.T) bench.Target { return &lineTarget{bug: bug} },
		Duration(300*time.Millisecond), DrainTimeout(time.Second), CloseTimeout(500*time.Millisecond))
}

func TestSuiteRejectsBrokenTargets(t *testing.T) {
	if os.Getenv("TARGETTEST_BUG") != "" {
		return
	}
	tests := []struct {
		bug  string
		fail string // the subtest that must fail
	}{
		{bugLose, "Delivery"},
		{bugKey, "Accounting"},
		{bugEarlyDrain, "DrainCancelled"},
		{bugLeak, "CloseNoLeak"},
		{bugStartCtx, "Delivery"},
		{bugPanic, "PublishAfterClose"},
		{bugSlowClose, "CancelMidStream"},
		{bugNoMeter, "Accounting"},
	}
	// The children mostly wait on their streams: run them all at once,
	// whatever -parallel says.
	outs := make([][]byte, len(tests))
	errs := make([]error, len(tests))
	var wg sync.WaitGroup
	for i, tc := range tests {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSuiteBrokenTarget$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), "TARGETTEST_BUG="+tc.bug)
			outs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	for i, tc := range tests {
		t.Run(tc.bug, func(t *testing.T) {
			if errs[i] == nil {
				t.Fatalf("the suite passed a target with bug %q:\n%s", tc.bug, outs[i])
			}
			if want := "--- FAIL: TestSuiteBrokenTarget/" + tc.fail + " "; !strings.Contains(string(outs[i]), want) {
				t.Errorf("bug %q: want %q in the output:\n%s", tc.bug, want, outs[i])
			}
		})
	}
}
