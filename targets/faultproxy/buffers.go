package faultproxy

import "sync"

// numClasses is the number of read buffer classes: 2, 8 and 32 KiB. A
// reader starts small, so an idle link holds 2 KiB per direction, and moves
// up a class after a read that filled its buffer, down after one that used
// under an eighth of it.
const numClasses = 3

// bufSize returns the size in bytes of the buffers of class.
func bufSize(class int) int { return 2 << 10 << (2 * class) }

// buffers pools read buffers per class. Its methods are safe for
// concurrent use.
type buffers struct {
	pools [numClasses]sync.Pool
}

func newBuffers() *buffers {
	b := &buffers{}
	for i := range b.pools {
		size := bufSize(i)
		b.pools[i].New = func() any {
			buf := make([]byte, size)
			return &buf
		}
	}
	return b
}

func (b *buffers) get(class int) *[]byte { return b.pools[class].Get().(*[]byte) }

func (b *buffers) put(class int, buf *[]byte) { b.pools[class].Put(buf) }

// nextClass returns the class for the next read after one that read n
// bytes into a buffer of size bytes of class class.
func nextClass(class, n, size int) int {
	switch {
	case n == size && class < numClasses-1:
		return class + 1
	case n < size/8 && class > 0:
		return class - 1
	}
	return class
}
