package websocket

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/hookbench/hookbench/bench"
)

// replayBatch is how many messages a session copies out of the ring per
// hold of the hub lock while it replays.
const replayBatch = 64

// A server accepts subscriptions: it upgrades each request and runs a
// session on the connection until it ends.
type server struct {
	hub   *hub
	opts  Options // defaults filled
	meter *bench.Meter
	stats *stats
	log   *slog.Logger
	bufs  sync.Pool // *[]byte batch buffers, shared by the sessions

	// The per-message faults (errors, ratelimit); see faults.go.
	faults  *bench.FaultTimeline
	born    time.Time // zero of the limiters' clocks
	faultMu sync.Mutex
	subs    map[int]*subFaults // guarded by faultMu
}

// batchBuf returns an empty buffer to pack records into; putBatchBuf
// gives it back.
func (sv *server) batchBuf() *[]byte {
	if b, ok := sv.bufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, maxBatchBytes+4096)
	return &b
}

func (sv *server) putBatchBuf(b *[]byte) {
	if cap(*b) <= 2*maxBatchBytes { // not one grown by a huge record
		*b = (*b)[:0]
		sv.bufs.Put(b)
	}
}

// connKey is the context key under which the http.Server's ConnContext
// stores each accepted connection, for its session's write deadlines.
type connKey struct{}

// ServeHTTP upgrades a subscription request and runs its session until
// the connection ends.
func (sv *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sv.meter.Inc(bench.Requests) // every upgrade request, refused ones too
	sub, from, err := parseResume(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if head := sv.hub.headOffset(); from > head {
		http.Error(w, fmt.Sprintf("resume offset %d is past the head %d", from, head), http.StatusBadRequest)
		return
	}
	raw, ok := r.Context().Value(connKey{}).(net.Conn)
	if !ok {
		http.Error(w, "no connection in the request context", http.StatusInternalServerError)
		return
	}
	if !sv.hub.join() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	defer sv.hub.leaveHandler()
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		sv.log.Warn("websocket: accept", "sub", sub, "err", err)
		return
	}
	conn.SetReadLimit(1024) // clients send no data, only control frames
	// The http.Server may leave deadlines on a hijacked connection; the
	// session sets its own.
	if err := errors.Join(raw.SetReadDeadline(time.Time{}), raw.SetWriteDeadline(time.Time{})); err != nil {
		sv.log.Warn("websocket: clear deadlines", "sub", sub, "err", err)
		_ = conn.CloseNow() // the connection is unusable; the client resumes
		return
	}
	s := &session{
		sv:    sv,
		sub:   sub,
		conn:  conn,
		raw:   raw,
		queue: make(chan []byte, sv.opts.SendQueue),
		slow:  make(chan struct{}),
		idx:   -1,
		f:     sv.subscriberFaults(sub),
	}
	s.run(from)
}

// A session is the server side of one subscriber connection. Its writer
// (the handler goroutine) sends the replay, then the live events from its
// queue, and pings; coder/websocket's CloseRead goroutine reads, which
// answers the client's control frames and receives its pongs.
type session struct {
	sv    *server
	sub   int
	conn  *websocket.Conn
	raw   net.Conn      // the accepted TCP connection, for write deadlines
	queue chan []byte   // live event records; filled by hub.publish
	slow  chan struct{} // closed by the hub when queue was full
	idx   int           // index in hub.live, -1 if not live; guarded by hub.mu
	f     *sendFaults   // errors and ratelimit faults; nil if the plan has none

	deadline bool // a write deadline is set on raw (writer only)
}

// How a session ended.
type ending int

const (
	endPeer     ending = iota // the peer went away or the connection broke
	endShutdown               // the producer is closing: 1001
	endSlow                   // the send queue overflowed: 1013
	endDead                   // a ping went unanswered
	endBroken                 // a write failed
	endError                  // an errors fault: 1011 instead of an event
)

func (s *session) run(from uint64) {
	readCtx := s.conn.CloseRead(context.Background())
	p := &pinger{conn: s.conn, ctx: readCtx, timeout: s.sv.opts.PongTimeout.D(), result: make(chan error, 1)}
	end, err := s.serve(readCtx, from, p)
	s.sv.hub.leave(s)
	switch end {
	case endShutdown:
		err = s.close(websocket.StatusGoingAway, "server shutting down")
	case endSlow:
		s.sv.log.Debug("websocket: slow consumer disconnected", "sub", s.sub, "send_queue", cap(s.queue))
		err = s.close(websocket.StatusTryAgainLater, "slow consumer: send queue full")
	case endError:
		s.sv.stats.errors.Add(1)
		err = s.close(websocket.StatusInternalError, "server error (errors fault)")
	case endDead:
		s.sv.stats.peerTimeouts.Add(1)
		s.sv.meter.Inc(bench.DeadPeers)
		s.sv.log.Debug("websocket: peer did not answer a ping", "sub", s.sub, "pong_timeout", s.sv.opts.PongTimeout)
		err = errors.Join(err, s.conn.CloseNow())
	default:
		err = errors.Join(err, s.conn.CloseNow())
	}
	p.wait() // the connection is closed: an outstanding ping ends at once
	if err != nil && !errors.Is(err, net.ErrClosed) {
		s.sv.log.Debug("websocket: session ended", "sub", s.sub, "end", end, "err", err)
	}
}

// serve writes the replay from offset from, then the live events, until
// the session has to end.
func (s *session) serve(readCtx context.Context, from uint64, p *pinger) (ending, error) {
	ticker := time.NewTicker(s.sv.opts.PingInterval.D())
	defer ticker.Stop()

	batch := make([][]byte, replayBatch)
	for live := false; !live; {
		var n int
		var lost bool
		var err error
		n, from, lost, live, err = s.sv.hub.catchUp(s, from, batch)
		switch {
		case errors.Is(err, errClosed):
			return endShutdown, nil
		case err != nil:
			return endBroken, err
		}
		switch cut, err := s.writeReplay(lost, from, batch[:n]); {
		case err != nil:
			return endBroken, err
		case cut:
			return endError, nil
		}
		// Between batches, attend to everything but the queue, which is
		// not fed before the session is live.
		select {
		case <-readCtx.Done():
			return endPeer, nil
		case <-s.sv.hub.done:
			return endShutdown, nil
		case <-ticker.C:
			p.start()
		case err := <-p.result:
			if end, stop := p.done(err); stop {
				return end, err
			}
		default:
		}
	}
	batch = nil

	for {
		s.idle()
		select {
		case rec := <-s.queue:
			switch cut, err := s.writeQueued(rec); {
			case err != nil:
				return endBroken, err
			case cut:
				return endError, nil
			}
		case <-s.slow:
			return endSlow, nil
		case <-s.sv.hub.done:
			return endShutdown, nil
		case <-readCtx.Done():
			return endPeer, nil
		case <-ticker.C:
			p.start()
		case err := <-p.result:
			if end, stop := p.done(err); stop {
				return end, err
			}
		}
	}
}

// writeReplay sends the records of one catchUp in as few messages as
// maxBatchBytes allows, after a continuity-lost record for next if lost.
// It clears recs. cut reports that an errors fault ended the session
// before a record, which with the ones after it was not sent.
func (s *session) writeReplay(lost bool, next uint64, recs [][]byte) (cut bool, err error) {
	buf := s.sv.batchBuf()
	defer s.sv.putBatchBuf(buf)
	b := (*buf)[:0]
	if lost {
		b = appendContinuityLost(b, next)
	}
	var now time.Time
	if s.f != nil {
		now = time.Now()
	}
	for i, rec := range recs {
		recs[i] = nil
		if cut {
			continue
		}
		b, cut = s.add(b, rec, now)
		if len(b) >= maxBatchBytes {
			if err := s.write(b); err != nil {
				return false, err
			}
			b = b[:0]
		}
	}
	b = s.flush(b)
	*buf = b
	if len(b) == 0 {
		return cut, nil
	}
	return cut, s.write(b)
}

// writeQueued sends rec and, in the same message, whatever else the queue
// holds, up to maxBatchBytes: a writer that fell behind catches up with
// one write instead of one per event. It never waits for more; without
// per-message faults a lone record goes as it is, without a copy. cut is
// as for writeReplay.
func (s *session) writeQueued(rec []byte) (cut bool, err error) {
	if s.f == nil && len(s.queue) == 0 {
		return false, s.write(rec)
	}
	buf := s.sv.batchBuf()
	defer s.sv.putBatchBuf(buf)
	var now time.Time
	if s.f != nil {
		now = time.Now()
	}
	b, cut := s.add((*buf)[:0], rec, now)
	for more := !cut; more && len(b) < maxBatchBytes; {
		select {
		case rec := <-s.queue:
			b, cut = s.add(b, rec, now)
			more = !cut
		default:
			more = false
		}
	}
	b = s.flush(b)
	*buf = b
	if len(b) == 0 {
		return cut, nil
	}
	return cut, s.write(b)
}

// add appends rec to the message b, through the per-message faults if
// the plan has any (see sendFaults.add).
func (s *session) add(b, rec []byte, now time.Time) ([]byte, bool) {
	if s.f == nil {
		return append(b, rec...), false
	}
	return s.f.add(b, rec, now)
}

// flush closes a gap the per-message faults left open (see
// sendFaults.flush).
func (s *session) flush(b []byte) []byte {
	if s.f == nil {
		return b
	}
	return s.f.flush(b)
}

// write sends one message with a write deadline.
func (s *session) write(msg []byte) error {
	if err := s.raw.SetWriteDeadline(time.Now().Add(s.sv.opts.WriteTimeout.D())); err != nil {
		return err
	}
	s.deadline = true
	if err := s.conn.Write(context.Background(), websocket.MessageBinary, msg); err != nil {
		return err
	}
	s.sv.meter.Inc(bench.Frames)
	return nil
}

// idle clears the write deadline when nothing is queued: left in place it
// would expire during the lull and fail the next ping or close frame.
func (s *session) idle() {
	if s.deadline && len(s.queue) == 0 {
		s.deadline = false
		_ = s.raw.SetWriteDeadline(time.Time{}) // fails only on a closed conn, which the next write reports
	}
}

// close sends a close frame with code and waits for the peer's, at most
// WriteTimeout: a peer that does not read gets its TCP connection closed.
func (s *session) close(code websocket.StatusCode, reason string) error {
	_ = s.raw.SetWriteDeadline(time.Time{}) // coder/websocket bounds the close handshake itself
	watchdog := time.AfterFunc(s.sv.opts.WriteTimeout.D(), func() { _ = s.raw.Close() })
	defer watchdog.Stop()
	return s.conn.Close(code, reason)
}

// A pinger sends one ping at a time from its own goroutine, so that the
// writer never waits for a pong: coder/websocket's Ping blocks until the
// pong arrives, which the CloseRead goroutine receives.
type pinger struct {
	conn    *websocket.Conn
	ctx     context.Context // ends when the connection closes
	timeout time.Duration
	result  chan error // the outcome of the ping in flight
	busy    bool       // a ping is in flight (writer only)
}

// start sends a ping, unless one is still waiting for its pong.
func (p *pinger) start() {
	if p.busy {
		return
	}
	p.busy = true
	go func() {
		ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
		defer cancel()
		p.result <- p.conn.Ping(ctx)
	}()
}

// done takes the outcome of the ping in flight and says whether the
// session must end, and how.
func (p *pinger) done(err error) (ending, bool) {
	p.busy = false
	switch {
	case err == nil:
		return 0, false
	case p.ctx.Err() != nil:
		return endPeer, true
	case errors.Is(err, context.DeadlineExceeded):
		return endDead, true
	default:
		return endBroken, true
	}
}

// wait waits for the ping in flight, if any. Call it after closing the
// connection.
func (p *pinger) wait() {
	if p.busy {
		<-p.result
		p.busy = false
	}
}
