package webhook_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/webhook"
)

// Sign reproduces the Standard Webhooks test vector.
func ExampleSign() {
	sig, err := webhook.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sig)
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}

// A run by hand: start the target, publish into a ledger, drain, close.
func ExampleNew() {
	const subs, n = 2, 50
	ledger, err := bench.NewLedger(bench.LedgerConfig{Subscribers: subs, Events: n, Keys: 8, Span: time.Minute})
	if err != nil {
		fmt.Println(err)
		return
	}
	meter := bench.NewMeter()
	prod, err := webhook.New(webhook.Options{}).Start(context.Background(), bench.Env{
		Subscribers: subs, Sink: ledger, Meter: meter, Seed: 1, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ledger.Start(time.Now())
	st := bench.NewStream(bench.StreamSpec{Rate: 1e6}.WithDefaults(), 1, time.Hour)
	for range n {
		ev, _ := st.Next()
		ledger.Publish(ev)
		if err := prod.Publish(ev); err != nil {
			fmt.Println(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := prod.Drain(ctx); err != nil {
		fmt.Println(err)
	}
	if err := prod.Close(); err != nil {
		fmt.Println(err)
	}
	c := ledger.Counts()
	fmt.Printf("expected %d, unique %d, lost %d, requests %d\n", c.Expected, c.Unique, c.Lost, meter.Get(bench.Requests))
	// Output: expected 100, unique 100, lost 0, requests 100
}
