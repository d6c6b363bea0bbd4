package polling

import (
	"errors"
	"testing"

	"github.com/hookbench/hookbench/bench"
)

func TestEventLogRetention(t *testing.T) {
	l := newEventLog(4)
	for i := range 10 {
		if err := l.append(bench.Event{Seq: uint64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	// Log seqs 1..10 hold bench seqs 0..9; seqs 7..10 are retained.
	tests := []struct {
		name   string
		after  uint64
		limit  int
		want   []uint64 // bench seqs
		tooOld bool
		ahead  bool
	}{
		{name: "from the oldest retained", after: 6, limit: 10, want: []uint64{6, 7, 8, 9}},
		{name: "a page", after: 6, limit: 2, want: []uint64{6, 7}},
		{name: "at the head", after: 10, limit: 10, want: []uint64{}},
		{name: "just too old", after: 5, limit: 10, tooOld: true},
		{name: "from the start", after: 0, limit: 10, tooOld: true},
		{name: "ahead", after: 11, limit: 10, ahead: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evs, head, ce := l.read(tc.after, make([]bench.Event, 0, tc.limit))
			if head != 10 {
				t.Errorf("head = %d, want 10", head)
			}
			switch {
			case tc.tooOld || tc.ahead:
				if ce == nil || ce.tooOld != tc.tooOld || ce.oldest != 7 || ce.head != 10 {
					t.Errorf("read(%d) error %+v, want too old %v, oldest 7, head 10", tc.after, ce, tc.tooOld)
				}
				return
			case ce != nil:
				t.Fatalf("read(%d): %v", tc.after, ce)
			}
			got := []uint64{}
			for _, ev := range evs {
				got = append(got, ev.Seq)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("read(%d) = %v, want %v", tc.after, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("read(%d) = %v, want %v", tc.after, got, tc.want)
				}
			}
		})
	}
}

func TestEventLogWaitBroadcast(t *testing.T) {
	l := newEventLog(8)
	a, b := l.wait(0), l.wait(0)
	if a == nil || a != b {
		t.Fatalf("waiters of one append share one channel: got %v and %v", a, b)
	}
	if err := l.append(bench.Event{}); err != nil {
		t.Fatal(err)
	}
	<-a // closed by the append
	if c := l.wait(0); c != nil {
		t.Errorf("wait(0) with an entry after the cursor = %v, want nil", c)
	}
	c := l.wait(1)
	l.close()
	<-c // closed by close
	<-l.done
	if err := l.append(bench.Event{}); !errors.Is(err, ErrClosed) {
		t.Errorf("append after close: %v, want ErrClosed", err)
	}
	if w := l.wait(1); w != nil {
		t.Errorf("wait on a closed log = %v, want nil", w)
	}
	l.close() // idempotent
}

func TestEventLogAppendDoesNotAllocate(t *testing.T) {
	l := newEventLog(16)
	ev := bench.Event{Size: 512}
	if n := testing.AllocsPerRun(1000, func() { _ = l.append(ev) }); n != 0 {
		t.Errorf("append allocates %v times, want 0", n)
	}
}
