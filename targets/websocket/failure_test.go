package websocket

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hookbench/hookbench/bench"
)

// eventually fails t unless cond becomes true within d. It polls: the
// conditions it waits for are counters bumped by other goroutines.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestSlowConsumer stalls the only subscriber while a burst far larger
// than its send queue plus the socket buffers is published: the server
// must disconnect it once (1013), and it must resume and get everything.
func TestSlowConsumer(t *testing.T) {
	const events = 4000 // 4000 x 4KiB = 16MiB, more than loopback buffers hold
	r := newRig(t, Options{SendQueue: 8}, 1, events, 4096)
	r.publish(1)
	r.drain()
	if err := r.p.Stall(0, time.Minute); err != nil {
		t.Fatal(err)
	}
	r.publish(1) // the client stalls after this one
	eventually(t, 5*time.Second, "the client stalls", func() bool { return r.ledger.Counts().Unique == 2 })
	r.publish(events - 2)
	if got := r.meter.Get(bench.SlowConsumers); got != 1 {
		t.Errorf("slow_consumers %d right after the burst, want 1", got)
	}
	if err := r.p.Stall(0, 0); err != nil {
		t.Fatal(err)
	}
	r.drain()
	if c := r.ledger.Counts(); c.Lost != 0 || c.Duplicates != 0 || c.OutOfOrder != 0 {
		t.Errorf("counts %+v, want no loss, no duplicate, in order", c)
	}
	if got := r.meter.Get(bench.SlowConsumers); got != 1 {
		t.Errorf("slow_consumers %d, want 1", got)
	}
	if got := r.meter.Get(bench.Reconnects); got != 1 {
		t.Errorf("reconnects %d, want 1", got)
	}
	if got := r.meter.Get(bench.ContinuityLost); got != 0 {
		t.Errorf("continuity_lost %d, want 0 (the buffer holds the burst)", got)
	}
}

// TestDeadPeer connects a bare client that never reads, so never answers
// a ping: the server must close it after PingInterval + PongTimeout, and
// only it.
func TestDeadPeer(t *testing.T) {
	// The real client gives the server up after 150ms without a ping:
	// three ping intervals, room enough for a loaded machine.
	o := Options{PingInterval: bench.Duration(50 * time.Millisecond), PongTimeout: bench.Duration(100 * time.Millisecond)}
	r := newRig(t, o, 1, 1, 128)

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	mute, _, err := websocket.Dial(ctx, r.p.URL()+"?sub=0&from=0", &websocket.DialOptions{HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	defer mute.CloseNow()

	eventually(t, 5*time.Second, "dead peer detected", func() bool { return r.p.Stats().PeerTimeouts > 0 })
	// The real client answered every ping meanwhile and still works.
	r.publish(1)
	r.drain()
	if s := r.p.Stats(); s.PeerTimeouts != 1 || s.ServerTimeouts != 0 {
		t.Errorf("stats %+v, want one peer timeout (the mute client), no server timeout", s)
	}
	if got := r.meter.Get(bench.DeadPeers); got != 1 {
		t.Errorf("dead_peers %d, want 1", got)
	}
	if got := r.meter.Get(bench.Reconnects); got != 0 {
		t.Errorf("reconnects %d, want 0", got)
	}
}

// TestSilentServer points a client at a server that accepts and then
// says nothing, never pinging: the client must give it up after
// PingInterval + PongTimeout and reconnect.
func TestSilentServer(t *testing.T) {
	var accepted atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		accepted.Add(1)
		<-c.CloseRead(context.Background()).Done()
		c.CloseNow()
	}))
	defer srv.Close()

	o := Options{PingInterval: bench.Duration(20 * time.Millisecond), PongTimeout: bench.Duration(20 * time.Millisecond)}.WithDefaults()
	var st stats
	var stopping atomic.Bool
	meter := bench.NewMeter()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &client{
		base:     srv.URL,
		http:     &http.Client{Transport: tr},
		opts:     o,
		sink:     bench.SinkFunc(func(bench.Delivery) { t.Error("a delivery from a silent server") }),
		meter:    meter,
		stats:    &st,
		log:      testLogger(t),
		rng:      newRNG(1, 0),
		stopping: &stopping,
		stall:    newGate(),
		ready:    make(chan error, 1),
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.run(ctx) }()
	if err := <-c.ready; err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "client reconnected", func() bool { return meter.Get(bench.Reconnects) >= 1 && accepted.Load() >= 2 })
	cancel()
	c.abort()
	<-done
	if st.serverTimeouts.Load() < 1 {
		t.Errorf("server timeouts %d, want >= 1", st.serverTimeouts.Load())
	}
}

// TestClose checks that Close says goodbye with 1001, stops every
// goroutine, and that the producer refuses events afterwards.
func TestClose(t *testing.T) {
	meter := bench.NewMeter()
	var got atomic.Int64
	sink := bench.SinkFunc(func(bench.Delivery) { got.Add(1) })
	p, err := New(Options{}).start(context.Background(), bench.Env{Subscribers: 3, Sink: sink, Meter: meter, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := p.Publish(bench.Event{Seq: uint64(i), Size: 64}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A bare client beside the real ones, to see the close code.
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	bare, _, err := websocket.Dial(context.Background(), p.URL()+"?sub=0&from=10", &websocket.DialOptions{HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	bareErr := make(chan error, 1)
	go func() {
		_, _, err := bare.Read(context.Background())
		bareErr <- err
	}()
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-bareErr; websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("bare client read %v, want close status 1001 (going away)", err)
	}
	bare.CloseNow()
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := p.Publish(bench.Event{Seq: 10}); err == nil {
		t.Error("Publish after Close: want an error")
	}
	if got.Load() != 30 {
		t.Errorf("%d deliveries, want 30", got.Load())
	}
	if meter.Get(bench.Reconnects) != 0 {
		t.Errorf("reconnects %d after Close, want 0: clients must not come back after 1001", meter.Get(bench.Reconnects))
	}
	assertNoLeaks(t)
}

// TestCloseStalled closes while a client is not reading: the close
// handshake cannot complete, and Close must still return within about
// WriteTimeout.
func TestCloseStalled(t *testing.T) {
	const wt = 200 * time.Millisecond
	r := newRig(t, Options{WriteTimeout: bench.Duration(wt)}, 2, 2, 128)
	if err := r.p.Stall(0, time.Minute); err != nil {
		t.Fatal(err)
	}
	r.publish(1) // subscriber 0 stalls after it
	r.drain()
	start := time.Now()
	if err := r.p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > wt+2*time.Second {
		t.Errorf("Close took %v with a stalled client, want about %v", d, wt)
	}
	assertNoLeaks(t)
}

// TestStartErrors checks that Start reports bad options and environments,
// and a context that ends before the clients are in, without leaking.
func TestStartErrors(t *testing.T) {
	env := bench.Env{Subscribers: 2, Sink: bench.SinkFunc(func(bench.Delivery) {}), Meter: bench.NewMeter()}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		opts Options
		env  bench.Env
		ctx  context.Context
		want string
	}{
		{name: "bad options", opts: Options{SendQueue: -1}, env: env, ctx: context.Background(), want: "send_queue"},
		{name: "no subscribers", env: bench.Env{Sink: env.Sink, Meter: env.Meter}, ctx: context.Background(), want: "subscribers"},
		{name: "no sink", env: bench.Env{Subscribers: 1, Meter: env.Meter}, ctx: context.Background(), want: "Sink"},
		{name: "cancelled", env: env, ctx: cancelled, want: "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.opts).Start(tt.ctx, tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start: %v, want an error about %q", err, tt.want)
			}
			if p != nil {
				t.Errorf("Start returned a producer with its error")
			}
		})
	}
	assertNoLeaks(t)
}

// TestBadSubscriptions checks that the server refuses malformed resume
// requests with 400 before upgrading, and counts them as requests.
func TestBadSubscriptions(t *testing.T) {
	r := newRig(t, Options{}, 1, 1, 64)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, q := range []string{"?sub=0", "?sub=0&from=x", "?sub=0&from=5"} { // the head is 0
		_, resp, err := websocket.Dial(ctx, r.p.URL()+q, &websocket.DialOptions{HTTPClient: hc})
		if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("subscribe %s: %v (response %v), want 400", q, err, resp)
		}
	}
	if got := r.meter.Get(bench.Requests); got != 4 {
		t.Errorf("requests %d, want 4 (one subscription, three refused)", got)
	}
}
