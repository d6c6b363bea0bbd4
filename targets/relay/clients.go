package relay

import (
	"sync/atomic"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/internal/chunked"
)

// A clientSink stands between the WebSocket clients and the run's sink: it
// forwards every delivery and counts the distinct (subscriber, event)
// pairs, the second hop's unique, in a bitset of its own (the run's sink
// is only a bench.Sink). Deliver takes no locks and does not allocate: the
// bitset grows on the producer side (published).
type clientSink struct {
	next   bench.Sink
	subs   int
	bits   chunked.Table[uint64]
	unique atomic.Int64
}

// published grows the bitset to hold ev for every subscriber.
func (s *clientSink) published(ev bench.Event) error {
	first := ev.Seq * uint64(s.subs)
	if err := s.bits.Ensure(first >> 6); err != nil {
		return err
	}
	return s.bits.Ensure((first + uint64(s.subs) - 1) >> 6)
}

// Deliver counts d if it is the subscriber's first of the event, and
// forwards it.
func (s *clientSink) Deliver(d bench.Delivery) {
	if d.Subscriber >= 0 && d.Subscriber < s.subs {
		bit := d.Seq*uint64(s.subs) + uint64(d.Subscriber)
		if w := s.bits.At(bit >> 6); w != nil && atomic.OrUint64(w, 1<<(bit&63))&(1<<(bit&63)) == 0 {
			s.unique.Add(1)
		}
	}
	s.next.Deliver(d)
}
