package websocket

import (
	"errors"
	"fmt"
	"sync"

	"github.com/hookbench/hookbench/bench"
)

// errClosed reports use of a hub (or producer) after Close.
var errClosed = errors.New("websocket: producer closed")

// A hub is the server's event log and fan-out. Published events get
// consecutive offsets from 0 and go into a bounded replay ring; every live
// session gets each one through its bounded send queue, without the
// publisher ever waiting. A session whose queue is full is dropped from
// the fan-out and told to disconnect (a slow consumer); its client resumes
// from the ring.
//
// A session starts in replay: its writer copies messages out of the ring
// (catchUp) until it reaches the head, and only then, under the same lock
// that publish holds to append and fan out, joins the live set. That lock
// is the whole seam: every offset below the head at the moment of joining
// came from the ring, every one from the head on comes from the queue, so
// there is neither a gap nor a duplicate between replay and live.
type hub struct {
	meter *bench.Meter
	queue int // send queue size of a session

	mu     sync.Mutex
	ring   [][]byte // message of offset o at ring[o%len(ring)]
	head   uint64   // offset of the next event; 0..head-1 were published
	live   []*session
	closed bool
	done   chan struct{} // closed by shutdown

	sessions sync.WaitGroup // session handlers, joined under mu
}

func newHub(o Options, meter *bench.Meter) *hub {
	return &hub{
		meter: meter,
		queue: o.SendQueue,
		ring:  make([][]byte, o.ReplayBuffer),
		done:  make(chan struct{}),
	}
}

// publish appends ev to the log and hands it to every live session. It
// never blocks on a session; the message is encoded once, outside the
// lock, and shared (read-only) by the ring and every queue.
func (h *hub) publish(ev bench.Event) error {
	msg := bench.AppendPayload(newEventRecord(ev.Size), ev)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return errClosed
	}
	sealRecord(msg, h.head)
	h.ring[h.head%uint64(len(h.ring))] = msg
	h.head++
	for i := 0; i < len(h.live); {
		s := h.live[i]
		select {
		case s.queue <- msg:
			i++
		default:
			// A full queue: drop the slow consumer from the fan-out (the
			// slot is refilled by the last session, so i stays) and
			// let its writer close it with 1013.
			h.removeLocked(s)
			close(s.slow)
			h.meter.Inc(bench.SlowConsumers)
		}
	}
	return nil
}

// headOffset returns the offset the next event will get.
func (h *hub) headOffset() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.head
}

// firstLocked returns the oldest offset the ring still holds (the head
// when it holds nothing).
func (h *hub) firstLocked() uint64 {
	return h.head - min(h.head, uint64(len(h.ring)))
}

// catchUp serves session s, which has sent everything below from: it
// copies into dst the messages from offset from on, as many as fit, and
// returns how many. If from is no longer in the ring it returns lost, and
// in next the oldest offset held, from which the session continues. If
// from is the head, it makes s live and returns live.
func (h *hub) catchUp(s *session, from uint64, dst [][]byte) (n int, next uint64, lost, live bool, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch first := h.firstLocked(); {
	case h.closed:
		return 0, from, false, false, errClosed
	case from > h.head:
		return 0, from, false, false, fmt.Errorf("resume offset %d is past the head %d", from, h.head)
	case from < first:
		return 0, first, true, false, nil
	case from == h.head:
		s.idx = len(h.live)
		h.live = append(h.live, s)
		return 0, from, false, true, nil
	}
	size := uint64(len(h.ring))
	for n < len(dst) && from < h.head {
		dst[n] = h.ring[from%size]
		n++
		from++
	}
	return n, from, false, false, nil
}

// leave takes s out of the fan-out, if it is in.
func (h *hub) leave(s *session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(s)
}

func (h *hub) removeLocked(s *session) {
	i := s.idx
	if i < 0 {
		return
	}
	last := len(h.live) - 1
	h.live[i] = h.live[last]
	h.live[i].idx = i
	h.live[last] = nil
	h.live = h.live[:last]
	s.idx = -1
}

// liveCount returns the number of sessions in the fan-out.
func (h *hub) liveCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.live)
}

// join registers a session handler, so that wait waits for it. It fails
// once the hub is shut down.
func (h *hub) join() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.sessions.Add(1)
	return true
}

// leaveHandler ends a handler registered by join.
func (h *hub) leaveHandler() { h.sessions.Done() }

// shutdown refuses further events and sessions and tells every session to
// close (1001). It is idempotent.
func (h *hub) shutdown() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// wait waits for every session handler to return.
func (h *hub) wait() { h.sessions.Wait() }
