package polling_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hookbench/hookbench/bench"
	"github.com/hookbench/hookbench/targets/polling"
)

// Options are plain data: zero fields take their defaults, and the JSON
// (or YAML) names are snake_case.
func ExampleDefaultOptions() {
	b, _ := json.Marshal(polling.DefaultOptions())
	fmt.Println(string(b))
	// Output: {"interval":"1s","jitter":0.1,"limit":100,"retention":100000,"timeout":"10s","backoff_base":"100ms","backoff_max":"10s"}
}

// A scenario's options are decoded over the defaults and validated; every
// problem is reported at once.
func ExampleLongPollOptions_Validate() {
	opts := polling.LongPollOptions{Hold: bench.Duration(10 * time.Second), Timeout: bench.Duration(5 * time.Second), Limit: 5000}
	fmt.Println(opts.Validate())
	// Output:
	// longpoll.timeout must exceed the hold (10s) or a held request always times out, got 5s
	// longpoll.limit must be between 1 and 1000, got 5000
}
