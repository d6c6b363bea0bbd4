package webhook

import "time"

// A retryItem is a job waiting until at for its next attempt.
type retryItem struct {
	at  time.Time
	job job
}

// A retryHeap is a binary min-heap of retries by due time. It is typed
// rather than built on container/heap so that pushing and popping do not
// box each item into an interface.
type retryHeap []retryItem

func (h *retryHeap) push(it retryItem) {
	*h = append(*h, it)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].at.Before(s[p].at) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

// pop removes and returns the earliest item; h must not be empty.
func (h *retryHeap) pop() retryItem {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s[last] = retryItem{}
	s = s[:last]
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < len(s) && s[l].at.Before(s[small].at) {
			small = l
		}
		if r := l + 1; r < len(s) && s[r].at.Before(s[small].at) {
			small = r
		}
		if small == i {
			break
		}
		s[i], s[small] = s[small], s[i]
		i = small
	}
	*h = s
	return top
}
