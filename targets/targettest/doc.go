// Package targettest is the conformance suite every hookbench delivery
// pattern passes, in the manner of testing/fstest: a target's own tests
// call Run with a constructor, and the suite checks the bench.Target
// contract on real loopback sockets.
//
// The suite drives the target the way bench.Runner does (a bench.Ledger
// as the sink, events published at their due times, Drain, Close) and
// checks: every event reaches every subscriber (lost == 0, unexpected ==
// 0) at 4 subscribers and 200 events/s; exact accounting (each delivery
// carries the published event's key and due time, never precedes its
// publication nor follows Close, and the wire is metered); that the start
// context bounds the start-up only; Drain with nothing pending and with
// ctx cancelled while a delivery is stuck; Close without goroutine leaks;
// Close right after a cancelled stream; and Publish after Close.
//
// Run takes a few seconds per target. It must not be called from a
// parallel test: the leak checks look at every goroutine of the process.
package targettest
