package relay

import (
	"testing"

	"go.uber.org/goleak"
)

// leakOptions ignore the fasthttp housekeeping goroutines that Close cannot
// wait for (see the webhook package's tests): the worker pool's
// idle-worker cleaner of a stopped server and a HostClient's
// idle-connection cleaner, which exit on their own within 10s, and the
// process-wide Date header clock. Anything of ours is still reported.
var leakOptions = []goleak.Option{
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*HostClient).connsCleaner"),
}

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, leakOptions...)
}
