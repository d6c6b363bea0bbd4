package relay

import (
	"bytes"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hookbench/hookbench/bench"
)

// A fakeFanout records what the relay appends.
type fakeFanout struct {
	mu     sync.Mutex
	events []bench.Event
	fail   bool
}

func (f *fakeFanout) Publish(ev bench.Event) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return errors.New("closed")
	}
	f.events = append(f.events, ev)
	return nil
}

func newTestIngest() (*ingest, *fakeFanout) {
	f := &fakeFanout{}
	return &ingest{fanout: f, log: slog.New(slog.DiscardHandler)}, f
}

// The relay re-creates each event from the webhook delivery and the size
// the producer published, and AppendPayload gives the very bytes the
// webhook carried, whatever the size: below the header (the body is then
// the header), exact, padded.
func TestIngestReproducesPayload(t *testing.T) {
	in, fan := newTestIngest()
	for _, size := range []int{0, 1, 80, 92, 512, 4096, 1 << 20} {
		t.Run("", func(t *testing.T) {
			fan.events = nil
			ev := bench.Event{Seq: uint64(size) + 7, Key: 5, Due: 1234567 * time.Microsecond, Size: size}
			if err := in.published(ev); err != nil {
				t.Fatal(err)
			}
			body := bench.AppendPayload(nil, ev) // what the webhook sender POSTs
			seq, key, due, err := bench.ParsePayload(body)
			if err != nil {
				t.Fatal(err)
			}
			// What the receiver hands the relay.
			in.Deliver(bench.Delivery{Subscriber: 0, Seq: seq, Key: key, Due: due, At: time.Now()})
			if len(fan.events) != 1 {
				t.Fatalf("appended %d events, want 1", len(fan.events))
			}
			if got := bench.AppendPayload(nil, fan.events[0]); !bytes.Equal(got, body) {
				t.Errorf("size %d: the fan-out carries %d bytes %.60q..., the webhook carried %d bytes %.60q...",
					size, len(got), got, len(body), body)
			}
		})
	}
}

// A webhook retried after its acknowledgement was lost is acknowledged
// without a second append, even when the deliveries race.
func TestIngestDedupe(t *testing.T) {
	in, fan := newTestIngest()
	const events, copies = 200, 4
	for seq := range uint64(events) {
		if err := in.published(bench.Event{Seq: seq, Size: 100}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range copies {
		wg.Go(func() {
			for seq := range uint64(events) {
				in.Deliver(bench.Delivery{Seq: seq})
			}
		})
	}
	wg.Wait()
	if len(fan.events) != events || in.accepted.Load() != events || in.duplicates.Load() != events*(copies-1) {
		t.Errorf("appended %d, accepted %d, duplicates %d; want %d, %d, %d",
			len(fan.events), in.accepted.Load(), in.duplicates.Load(), events, events, events*(copies-1))
	}
	seen := map[uint64]bool{}
	for _, ev := range fan.events {
		if seen[ev.Seq] || ev.Size != 100 {
			t.Errorf("appended %+v twice or with the wrong size", ev)
		}
		seen[ev.Seq] = true
	}
}

// A refused append is not accepted, and a later delivery tries again; an
// event never published is passed on (for the ledger to flag) and counted.
func TestIngestAppendFailure(t *testing.T) {
	in, fan := newTestIngest()
	if err := in.published(bench.Event{Seq: 1, Size: 100}); err != nil {
		t.Fatal(err)
	}
	fan.fail = true
	in.Deliver(bench.Delivery{Seq: 1})
	if in.accepted.Load() != 0 || in.failed.Load() != 1 {
		t.Errorf("accepted %d, failed %d after a refused append; want 0, 1", in.accepted.Load(), in.failed.Load())
	}
	fan.fail = false
	in.Deliver(bench.Delivery{Seq: 1})
	in.Deliver(bench.Delivery{Seq: 3})
	if in.accepted.Load() != 1 || in.unknown.Load() != 1 || len(fan.events) != 2 {
		t.Errorf("accepted %d, unknown %d, appended %d; want 1, 1, 2", in.accepted.Load(), in.unknown.Load(), len(fan.events))
	}
}

// The clients' sink counts distinct pairs and forwards every delivery.
func TestClientSink(t *testing.T) {
	var n int
	s := &clientSink{next: bench.SinkFunc(func(bench.Delivery) { n++ }), subs: 3}
	for seq := range uint64(100) {
		if err := s.published(bench.Event{Seq: seq}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []bench.Delivery{{Subscriber: 0, Seq: 5}, {Subscriber: 1, Seq: 5}, {Subscriber: 0, Seq: 5},
		{Subscriber: 2, Seq: 99}, {Subscriber: 3, Seq: 1}, {Subscriber: 0, Seq: 1 << 40}} {
		s.Deliver(d)
	}
	if s.unique.Load() != 3 || n != 6 {
		t.Errorf("unique %d, forwarded %d; want 3, 6", s.unique.Load(), n)
	}
}
