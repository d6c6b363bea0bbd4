package websocket_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/websocket"
)

// A subscriber cut off for longer than the replay buffer covers misses
// the events that left the buffer; they show up in the ledger as lost.
func ExampleProducer_Disconnect() {
	const subs, events = 2, 30
	ledger, _ := bench.NewLedger(bench.LedgerConfig{Subscribers: subs, Events: events, Keys: 1, Span: time.Minute})
	meter := bench.NewMeter()
	target := websocket.New(websocket.Options{ReplayBuffer: 10})
	prod, err := target.Start(context.Background(), bench.Env{
		Subscribers: subs, Sink: ledger, Meter: meter, Seed: 1, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := prod.(*websocket.Producer)

	ledger.Start(time.Now())
	publish := func(from, to uint64) {
		for seq := from; seq < to; seq++ {
			ev := bench.Event{Seq: seq, Due: time.Since(ledger.Started()), Size: 64}
			ledger.Publish(ev)
			_ = p.Publish(ev)
		}
	}
	publish(0, 5)
	_ = p.Drain(context.Background())
	_ = p.Disconnect(1, 50*time.Millisecond) // subscriber 1 has 0..4
	publish(5, events)                       // the buffer keeps 20..29
	_ = p.Drain(context.Background())

	for i, s := range ledger.SubscriberCounts() {
		fmt.Printf("subscriber %d: unique %d, lost %d\n", i, s.Unique, s.Lost)
	}
	fmt.Println("continuity lost:", meter.Get(bench.ContinuityLost))
	if err := p.Close(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// subscriber 0: unique 30, lost 0
	// subscriber 1: unique 15, lost 15
	// continuity lost: 1
}
