package polling

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind: every
// server, poller, fault schedule and fault proxy must be gone once its
// test's Close has returned. fasthttp's Date header updater is the one
// exception: it is started once per process and never stops.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"))
}
