// Package scenarios reads, checks and writes hookbench scenario files, and
// holds the built-in scenarios (see Builtins).
//
// A scenario file is one YAML document (DESIGN 'Scenario files'). Every
// key is optional except patterns; a key left out takes the default shown
// here, and Marshal writes every one of them back, so `hookbench validate
// --print` shows exactly what will run:
//
//	name: receiver-outage   # default: the file name without extension
//	description: ""         # one line stating the claim the scenario tests
//	seed: 1                 # the stream, jitter and fault decisions derive from it
//	duration: 10s           # how long events are published; > 0
//	drain: 10s              # longest wait for pending deliveries after the stream; > 0
//	subscribers: 1          # consumers per pattern; each needs about 4 open files
//	window: 1s              # width of the time-series windows; >= 1ms
//	stream:
//	  rate: 10/s            # N/s, N/m or N/h; > 0
//	  arrival: poisson      # constant | poisson
//	  payload: 512B         # B, KiB or MiB; 1B to 16MiB
//	  keys: 8               # ordering keys; 1 to 65536
//	patterns:               # required: pattern name -> options, in run order
//	  webhook: {}           # {} or nothing: the pattern's own defaults
//	  polling: {interval: 1s}
//	faults: []              # see below
//	claims: []              # ids of the claims the reports give a verdict on
//	thresholds: {}          # pattern name or all -> list of expressions
//
// Faults are a list of {kind, at, for, ...}: at (default 0s) and for
// (default 0s: to the end of the run, drain included) place the fault on
// the run's clock; at must fall inside the publishing time. Each kind
// takes its own keys, and a key of another kind is an error:
//
//	errors      p (probability per request, > 0 and <= 1), status (default 503)
//	ratelimit   rps (requests per second above which the answer is 429)
//	slow        delay (time the consumer takes per delivery)
//	outage      (nothing else: the subscriber side is unreachable)
//	disconnect  every (repeat interval, >= 10ms; default 0s: once, at at)
//	latency     delay, jitter
//	bandwidth   rate (bytes per second, as a size: 64KiB)
//	reset       every (as for disconnect)
//	blackhole   (nothing else)
//
// Thresholds follow DESIGN 'Thresholds' ("lost == 0", "p99 < 100ms",
// "websocket: p99 < 50ms"); the pattern they apply to, by key or by
// prefix, must be all or one the scenario runs, so that a threshold never
// passes for want of a pattern to judge.
//
// Decoding is strict: unknown keys, duplicate keys, wrong types and bad
// units are errors, and so are values the engine cannot run (zero or
// negative rates, faults starting after the stream ends, more subscribers
// than the process can open files for, runs whose accounting would not
// fit in memory). Every problem is reported at once, each as
// file:line:col: reason, in an *Errors. Anchors, aliases and merge keys
// (<<) work as in any YAML file; keys starting with "x-" are ignored, to
// hold anchors ("x-retry: &retry {...}").
//
// A results.json (schema hookbench/v1) records the resolved scenario; Load
// reads it back, so a run can be repeated exactly.
package scenarios
