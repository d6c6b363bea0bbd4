package bench

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// chanTarget delivers every event to every subscriber from one goroutine,
// after an optional delay: an in-memory stand-in for a real transport.
type chanTarget struct {
	delay time.Duration
	drop  func(seq uint64) bool
}

func (t *chanTarget) Name() string { return "chan" }

func (t *chanTarget) Start(ctx context.Context, env Env) (Producer, error) {
	p := &chanProducer{env: env, q: make(chan Event, 1<<16), idle: make(chan struct{}, 1), t: t}
	p.wg.Add(1)
	go p.loop()
	return p, nil
}

type chanProducer struct {
	t       *chanTarget
	env     Env
	q       chan Event
	wg      sync.WaitGroup
	mu      sync.Mutex
	pending int
	idle    chan struct{}
	once    sync.Once
}

func (p *chanProducer) Publish(ev Event) error {
	p.mu.Lock()
	p.pending++
	p.mu.Unlock()
	p.q <- ev
	return nil
}

func (p *chanProducer) loop() {
	defer p.wg.Done()
	for ev := range p.q {
		time.Sleep(p.t.delay)
		p.env.Meter.Inc(Requests)
		if p.t.drop == nil || !p.t.drop(ev.Seq) {
			for s := 0; s < p.env.Subscribers; s++ {
				p.env.Sink.Deliver(Delivery{Subscriber: s, Seq: ev.Seq, Key: ev.Key, Due: ev.Due, At: time.Now()})
			}
		}
		p.mu.Lock()
		p.pending--
		if p.pending == 0 {
			select {
			case p.idle <- struct{}{}:
			default:
			}
		}
		p.mu.Unlock()
	}
}

func (p *chanProducer) Drain(ctx context.Context) error {
	for {
		p.mu.Lock()
		n := p.pending
		p.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.idle:
		}
	}
}

func (p *chanProducer) Close() error {
	p.once.Do(func() { close(p.q) })
	p.wg.Wait()
	return nil
}

func testScenario(d time.Duration, rate Rate) *Scenario {
	sc := &Scenario{
		Name: "test", Seed: 3, Duration: Duration(d), Subscribers: 3,
		Stream:   StreamSpec{Rate: rate, Arrival: Constant, Payload: 128, Keys: 4},
		Patterns: PatternList{{Name: "chan"}},
	}
	sc.Defaults()
	return sc
}

func TestRunnerCountsEverything(t *testing.T) {
	sc := testScenario(time.Second, 200)
	var progress int
	r := &Runner{Progress: func(Progress) { progress++ }, ProgressEvery: 50 * time.Millisecond}
	res, err := r.Run(context.Background(), sc, []Target{&chanTarget{drop: func(s uint64) bool { return s == 100 }}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Partial || len(res.Patterns) != 1 || res.Schema != Schema {
		t.Fatalf("result: partial %v, %d patterns, schema %q", res.Partial, len(res.Patterns), res.Schema)
	}
	p := res.Patterns[0]
	want := Events{Published: 200, Expected: 600, Delivered: 597, Unique: 597, Lost: 3}
	if p.Events != want {
		t.Fatalf("events = %+v\nwant     %+v", p.Events, want)
	}
	if p.Valid || p.Drain != DrainIdle {
		t.Errorf("valid = %v (want false: 3 lost), drain = %q", p.Valid, p.Drain)
	}
	if p.Overhead.Requests != 200 || p.Latency.Count != 597 || p.Latency.HDR == "" || p.Latency.P50 <= 0 {
		t.Errorf("overhead %+v latency %+v", p.Overhead, p.Latency)
	}
	if p.PublishLag.Max <= 0 || p.PublishLag.Max > 1000 {
		t.Errorf("publish lag = %+v", p.PublishLag)
	}
	var pub int64
	for _, w := range p.Windows {
		pub += w.Published
	}
	if pub != 200 || len(p.Windows) < 1 {
		t.Errorf("windows publish %d events in %d windows", pub, len(p.Windows))
	}
	if progress == 0 {
		t.Error("no progress reported")
	}
}

func TestRunnerMeasuresFromDueTime(t *testing.T) {
	// The transport takes 20ms per event at 100 events/s: it cannot keep up
	// (it needs 2 s for 1 s of events), so queueing must show in latency
	// (no coordinated omission): the last events wait about 1 s.
	sc := testScenario(time.Second, 100)
	res, err := (&Runner{}).Run(context.Background(), sc, []Target{&chanTarget{delay: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	l := res.Patterns[0].Latency
	if l.Max < 700 || l.P50 < 200 {
		t.Fatalf("latency %+v: queueing behind a slow transport was not counted", l)
	}
}

func TestRunnerInterrupted(t *testing.T) {
	sc := testScenario(10*time.Second, 100)
	sc.Patterns = append(sc.Patterns, PatternSpec{Name: "second"})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := (&Runner{}).Run(ctx, sc, []Target{&chanTarget{}, &chanTarget{}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Fatalf("interrupted run took %v", time.Since(start))
	}
	if !res.Partial || len(res.Patterns) != 1 || !res.Patterns[0].Partial || res.Patterns[0].Drain != DrainInterrupted {
		t.Fatalf("partial result: %+v", res)
	}
	if p := res.Patterns[0].Events.Published; p < 10 || p > 60 {
		t.Fatalf("published %d events in 300ms at 100/s", p)
	}
}

type failingTarget struct{}

func (failingTarget) Name() string { return "failing" }
func (failingTarget) Start(context.Context, Env) (Producer, error) {
	return nil, errors.New("no port")
}

func TestRunnerStartError(t *testing.T) {
	_, err := (&Runner{}).Run(context.Background(), testScenario(time.Second, 10), []Target{failingTarget{}})
	if err == nil || err.Error() != "failing: start: no port" {
		t.Fatalf("err = %v", err)
	}
}

func TestMeterCountsBothEnds(t *testing.T) {
	m := NewMeter()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln = m.Listener(ln)
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		buf := make([]byte, 5)
		if _, err := io.ReadFull(c, buf); err != nil {
			done <- err
			return
		}
		_, err = c.Write([]byte("pong!!!"))
		done <- err
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := m.Dialed(raw)
	if _, err := c.Write([]byte("ping!")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if tr := m.Traffic(); tr.Connections != 1 || tr.Peak != 1 {
		t.Fatalf("connections %+v", tr)
	}
	c.Close()
	c.Close() // a second Close must not count twice
	ln.Close()
	tr := m.Traffic()
	if tr.Bytes != 12 || tr.BytesRead != 12 || tr.Accepted != 1 || m.open.Load() != 0 {
		t.Fatalf("traffic %+v open %d: want 12 bytes each way counted once", tr, m.open.Load())
	}
}

func TestMeterChild(t *testing.T) {
	parent := NewMeter()
	child := parent.Child()
	child.Inc(Requests)
	parent.Inc(Requests)
	a, b := net.Pipe()
	defer b.Close()
	go io.Copy(io.Discard, b)
	c := child.Dialed(a)
	if _, err := c.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if parent.Get(Requests) != 2 || child.Get(Requests) != 1 {
		t.Fatalf("requests: parent %d child %d", parent.Get(Requests), child.Get(Requests))
	}
	if pt, ct := parent.Traffic(), child.Traffic(); pt.Bytes != 3 || ct.Bytes != 3 || pt.Connections != 1 || pt.Peak != 1 {
		t.Fatalf("traffic: parent %+v child %+v", pt, ct)
	}
}

func TestRunnerPublishesForTheWholeDuration(t *testing.T) {
	// 2/s constant for 2s: events at 0 and 0.5, 1, 1.5s; the stream still
	// lasts 2s.
	sc := testScenario(2*time.Second, 2)
	start := time.Now()
	if _, err := (&Runner{}).Run(context.Background(), sc, []Target{&chanTarget{}}); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 2*time.Second {
		t.Fatalf("run took %v: it ended at its last event, not at the end of its duration", el)
	}
}

func TestLatencyPercentilesNeverExceedMax(t *testing.T) {
	r := NewRecorder(histHighest, 3)
	for _, v := range []int64{1000, 2000, 625_400} {
		r.Record(v)
	}
	l := latencyOf(r.Histogram(), r.Max())
	if l.P99 > l.Max || l.P999 > l.Max || l.Max != 625.4 {
		t.Fatalf("latency %+v: a percentile exceeds the exact max", l)
	}
}
