// Package chunked holds a growable, lock-free table of per-event state
// for the combined patterns, which learn the number of events only as
// they are published.
package chunked
