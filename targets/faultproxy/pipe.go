package faultproxy

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// Directions of a pipe.
const (
	dirUp   = 0 // accepted side → upstream
	dirDown = 1 // upstream → accepted side
)

func dirName(dir int) string {
	if dir == dirUp {
		return "up"
	}
	return "down"
}

// queueLen is the number of chunks that may wait in one direction of a
// link (at most queueLen × the largest buffer).
const queueLen = 64

// burstTime is the bandwidth bucket's size, as time at the fault's rate.
const burstTime = 20 * time.Millisecond

// errStopped is returned by a pipe's writes when the link was aborted or
// stalled while they waited.
var errStopped = errors.New("faultproxy: link stopped")

// A chunk is the bytes of one read, with the time it may be written
// (zero: at once). An eof chunk carries the reader's end of file.
type chunk struct {
	buf   *[]byte
	n     int
	class int
	due   time.Time
	eof   bool
}

// A pipe carries one direction of a link: its reader reads src and queues
// chunks with their due times (latency); its writer takes them in order,
// waits for each due time, paces them (bandwidth) and writes dst. The
// FIFO keeps byte order: a chunk never overtakes an earlier one.
type pipe struct {
	l        *link
	dir      int
	src, dst net.Conn
	q        chan chunk
	timer    *time.Timer // the writer's
	tat      time.Time   // the writer's bandwidth schedule: when the next slice may go
}

func newPipe(l *link, dir int, src, dst net.Conn) *pipe {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &pipe{l: l, dir: dir, src: src, dst: dst, q: make(chan chunk, queueLen), timer: t}
}

// read runs the reader until end of file, an error, or the link's abort.
func (pp *pipe) read() {
	l, bufs := pp.l, pp.l.p.bufs
	class := 0
	for idx := uint64(0); ; idx++ {
		if l.stalled.Load() {
			l.discard(pp.src)
			return
		}
		buf := bufs.get(class)
		n, err := pp.src.Read(*buf)
		now := time.Now()
		if n > 0 && pp.blackholed(now) {
			l.stall()
		}
		if n > 0 && !l.stalled.Load() {
			c := chunk{buf: buf, n: n, class: class, due: pp.due(now, idx)}
			if !c.due.IsZero() {
				l.p.stats.delayed.Add(uint64(n))
			}
			class = nextClass(class, n, len(*buf))
			if !pp.queue(c) {
				return
			}
		} else {
			l.p.stats.discarded.Add(uint64(n))
			bufs.put(class, buf)
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF) && !l.stalled.Load():
			pp.queue(chunk{eof: true, due: pp.due(now, idx+1)})
			return
		case l.stalled.Load():
			_ = pp.src.Close() // the peer left a stalled link; reading only
			return
		default:
			l.fail(pp.dir, err)
			return
		}
	}
}

// queue hands c to the writer. It reports false when the link was aborted
// first; a chunk that meets a stall is dropped.
func (pp *pipe) queue(c chunk) bool {
	select {
	case pp.q <- c:
		return true
	case <-pp.l.done:
	case <-pp.l.stallc:
		pp.drop(c)
		return true
	}
	pp.drop(c)
	return false
}

// write runs the writer until the reader's end of file has been passed on
// (as a half-close), an error, a stall or the link's abort.
func (pp *pipe) write() {
	l := pp.l
	defer pp.flush()
	for {
		var c chunk
		select {
		case c = <-pp.q:
		case <-l.done:
			return
		case <-l.stallc:
			return
		}
		if (!c.due.IsZero() && !pp.sleep(c.due)) || l.stalled.Load() {
			pp.drop(c)
			return
		}
		if c.eof {
			if cw, ok := pp.dst.(interface{ CloseWrite() error }); ok {
				if err := cw.CloseWrite(); err != nil {
					l.fail(pp.dir, err)
				}
			}
			return
		}
		err := pp.send((*c.buf)[:c.n])
		pp.l.p.bufs.put(c.class, c.buf)
		if err != nil {
			l.fail(pp.dir, err)
			return
		}
	}
}

// send writes b to dst, paced by the bandwidth fault active at each slice.
func (pp *pipe) send(b []byte) error {
	st := &pp.l.p.stats
	fwd := &st.up
	if pp.dir == dirDown {
		fwd = &st.down
	}
	for len(b) > 0 {
		now := time.Now()
		f, ok := pp.l.p.active(bench.FaultBandwidth, now)
		if !ok || f.Rate <= 0 {
			n, err := pp.dst.Write(b)
			fwd.Add(uint64(n))
			return err
		}
		// A token bucket as a schedule: a slice (10 ms worth) goes when
		// the previous ones have been paid for at rate. The bucket holds
		// burstTime worth, so a writer woken late catches up instead of
		// losing the time, and an idle link saves no more than that.
		rate := float64(f.Rate)
		n := min(len(b), max(1, int(rate/100)))
		if floor := now.Add(-burstTime); pp.tat.Before(floor) {
			pp.tat = floor
		}
		if !pp.sleep(pp.tat) {
			return errStopped
		}
		k, err := pp.dst.Write(b[:n])
		fwd.Add(uint64(k))
		st.throttled.Add(uint64(k))
		if err != nil {
			return err
		}
		pp.tat = pp.tat.Add(time.Duration(float64(n) / rate * float64(time.Second)))
		b = b[n:]
	}
	return nil
}

// sleep waits until t; it reports false when the link was aborted or
// stalled first.
func (pp *pipe) sleep(t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	pp.timer.Reset(d)
	select {
	case <-pp.timer.C:
		return true
	case <-pp.l.done:
	case <-pp.l.stallc:
	}
	pp.timer.Stop()
	return false
}

// due returns when a chunk read at now (the idx-th of this direction) may
// be written: zero unless a latency fault is active.
func (pp *pipe) due(now time.Time, idx uint64) time.Time {
	f, ok := pp.l.p.active(bench.FaultLatency, now)
	if !ok {
		return time.Time{}
	}
	d := delayFor(pp.l.p.faults, f, pp.l.idx, pp.dir, idx)
	if d <= 0 {
		return time.Time{}
	}
	return now.Add(d)
}

func (pp *pipe) blackholed(now time.Time) bool {
	_, ok := pp.l.p.active(bench.FaultBlackhole, now)
	return ok
}

// flush drops the chunks left in the queue when the writer stops.
func (pp *pipe) flush() {
	for {
		select {
		case c := <-pp.q:
			pp.drop(c)
		default:
			return
		}
	}
}

// drop releases a chunk that will not be written.
func (pp *pipe) drop(c chunk) {
	if c.buf == nil {
		return
	}
	pp.l.p.stats.discarded.Add(uint64(c.n))
	pp.l.p.bufs.put(c.class, c.buf)
}
