package chunked

import (
	"fmt"
	"sync/atomic"
)

// Sizes of a chunked table: chunks of 2^16 elements, at most 2^14 of them
// (2^30 elements), so the table of chunk pointers is 128KiB whatever the
// run's length, and memory follows the events actually published.
const (
	chunkBits = 16
	chunkLen  = 1 << chunkBits
	maxChunks = 1 << 14
	// Capacity is how many elements a Table can hold.
	Capacity = maxChunks * chunkLen
)

// A Table is a growable array of words for lock-free per-event state,
// sized by the events a run publishes, which a Target does not know in
// advance. Chunks are allocated by Ensure, on the producer side, before
// any delivery can need them, so the consumer side (At) never allocates.
// Its methods are safe for concurrent use.
type Table[T any] struct {
	chunks [maxChunks]atomic.Pointer[[chunkLen]T]
}

// Ensure allocates the chunk holding element i, unless it exists. It fails
// when i is beyond the table's capacity.
func (c *Table[T]) Ensure(i uint64) error {
	n := i >> chunkBits
	if n >= maxChunks {
		return fmt.Errorf("per-event state is limited to %d entries, got index %d", uint64(maxChunks)*chunkLen, i)
	}
	if c.chunks[n].Load() == nil {
		c.chunks[n].CompareAndSwap(nil, new([chunkLen]T)) // a loser's chunk is garbage
	}
	return nil
}

// At returns element i, or nil if its chunk was never ensured (an index
// that no published event maps to).
func (c *Table[T]) At(i uint64) *T {
	n := i >> chunkBits
	if n >= maxChunks {
		return nil
	}
	ch := c.chunks[n].Load()
	if ch == nil {
		return nil
	}
	return &ch[i&(chunkLen-1)]
}
