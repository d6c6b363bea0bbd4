package relay

import (
	"log/slog"
	"runtime"
	"sync/atomic"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/internal/chunked"
)

// The relay's state of one event, in one int64: the low 32 bits hold the
// body size + 1 (0: never published), the next two where it stands.
const (
	sizeMask  = 1<<32 - 1
	appending = 1 << 32 // a delivery won the dedupe and is appending it
	appended  = 2 << 32 // it is in the fan-out log
	stateMask = appending | appended
)

// An ingest is the relay's webhook endpoint, as the webhook target's sink
// for its one subscriber: it dedupes by webhook-id (the event's seq),
// appends each new event to the fan-out log (the websocket hub) and only
// then returns, so that the receiver acknowledges only what is appended.
// Its methods are safe for concurrent use.
//
// The webhook receiver has verified the signature and timestamp before it
// calls Deliver, and hands over the event's seq, key and due time read
// from the body. The body's length does not travel in a bench.Delivery:
// the relay takes it from the size the producer published the event
// with, which is the body's length by construction (bench.AppendPayload is
// deterministic), and so re-creates the very bytes the webhook carried.
type ingest struct {
	fanout interface{ Publish(bench.Event) error }
	log    *slog.Logger
	events chunked.Table[int64] // per seq: size + 1 and state

	accepted   atomic.Int64 // events appended: the first hop's unique
	duplicates atomic.Int64 // webhook deliveries of events already appended
	failed     atomic.Int64 // appends the fan-out refused (only after its Close)
	unknown    atomic.Int64 // deliveries of events never published
}

// published records ev's size before the producer sends it.
func (in *ingest) published(ev bench.Event) error {
	if err := in.events.Ensure(ev.Seq); err != nil {
		return err
	}
	atomic.StoreInt64(in.events.At(ev.Seq), int64(uint32(ev.Size))+1)
	return nil
}

// Deliver appends d's event to the fan-out log, once, and returns after
// the append: a retry of an event being appended by another delivery
// waits for that append, so no acknowledgement precedes it.
func (in *ingest) Deliver(d bench.Delivery) {
	e := in.events.At(d.Seq)
	if e == nil || atomic.LoadInt64(e)&sizeMask == 0 {
		// Not an event of ours: pass it on for the ledger to flag.
		in.unknown.Add(1)
		in.append(d, 0)
		return
	}
	for {
		v := atomic.LoadInt64(e)
		switch v & stateMask {
		case appended:
			in.duplicates.Add(1)
			return
		case appending:
			runtime.Gosched() // the append is a lock and a few channel sends away
			continue
		}
		if !atomic.CompareAndSwapInt64(e, v, v|appending) {
			continue
		}
		if in.append(d, int(v&sizeMask)-1) {
			atomic.StoreInt64(e, v|appended)
			in.accepted.Add(1)
		} else {
			atomic.StoreInt64(e, v) // not appended: a retry may try again
		}
		return
	}
}

// append publishes the event of d, of body size size, to the fan-out.
func (in *ingest) append(d bench.Delivery, size int) bool {
	ev := bench.Event{Seq: d.Seq, Key: d.Key, Due: d.Due, Size: size}
	if err := in.fanout.Publish(ev); err != nil {
		in.failed.Add(1)
		in.log.Warn("relay: append to the fan-out log failed; the webhook is acknowledged all the same", "seq", d.Seq, "err", err)
		return false
	}
	return true
}
