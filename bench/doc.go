// Package bench is the hookbench engine: the seeded event stream and its
// pacing, the run loop, the delivery ledger, latency histograms, the
// overhead meter and the Result model written as results.json.
//
// bench imports nothing else of hookbench. Delivery patterns plug in through
// the Target interface; the CLI builds targets from a Scenario and hands them
// to a Runner.
package bench
