package webhook

import (
	"testing"

	"go.uber.org/goleak"
)

// leakOptions ignore three fasthttp housekeeping goroutines that Close
// cannot wait for. Two sleep on a plain time.Sleep (up to 10s) and then
// exit on their own: the worker pool's idle-worker cleaner of a stopped
// server and a HostClient's idle-connection cleaner once its connections
// are closed. The third is fasthttp's process-wide Date header clock,
// started once by the first server and never stopped. Anything of ours,
// and any fasthttp goroutine that serves or holds a connection, is still
// reported.
var leakOptions = []goleak.Option{
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*HostClient).connsCleaner"),
}

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, leakOptions...)
}
