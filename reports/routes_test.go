package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookbench/hookbench/bench"
)

func TestRoutesInTextAndMarkdown(t *testing.T) {
	r := &bench.Result{
		Schema:   bench.Schema,
		Scenario: json.RawMessage(`{"name":"outage","seed":1}`),
		Patterns: []bench.PatternResult{
			{Name: "webhook"},
			{Name: "webhook+polling", Paths: map[string]int64{"reconcile": 50, "primary": 950}},
			{Name: "webhook+websocket", Hops: []bench.Hop{
				{Name: "producer->relay", Expected: 100, Unique: 100},
				{Name: "relay->clients", Expected: 400, Unique: 396, Lost: 4},
			}},
		},
	}
	var text bytes.Buffer
	if err := Text(&text, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"paths and hops",
		"webhook+polling    first deliveries by path: primary 950, reconcile 50",
		"webhook+websocket  hop producer->relay: 100 of 100 (lost 0) · hop relay->clients: 396 of 400 (lost 4)",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, text.String())
		}
	}
	var md bytes.Buffer
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "Delivery paths and hops") || !strings.Contains(md.String(), "hop relay->clients") {
		t.Errorf("markdown lacks the paths and hops section:\n%s", md.String())
	}
	r.Patterns = r.Patterns[:1]
	text.Reset()
	if err := Text(&text, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text.String(), "paths and hops") {
		t.Error("a run without combined patterns shows a paths block")
	}
}
