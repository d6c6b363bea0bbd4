package reports

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookbench/hookbench/bench"
)

// withClaims returns r with its scenario's claims replaced.
func withClaims(t *testing.T, r *bench.Result, claims ...string) *bench.Result {
	t.Helper()
	var sc map[string]any
	if err := json.Unmarshal(r.Scenario, &sc); err != nil {
		t.Fatal(err)
	}
	sc["claims"] = claims
	b, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	out := *r
	out.Scenario = b
	return &out
}

func TestClaims(t *testing.T) {
	fixture := loadFixture(t)
	wasteful := *fixture
	wasteful.Patterns = append([]bench.PatternResult{}, fixture.Patterns...)
	wasteful.Patterns[1].Overhead.Requests, wasteful.Patterns[1].Overhead.EmptyPolls = 1000, 990
	wasteful.Patterns[1].Overhead.RequestsPerEvent = 150
	for _, tc := range []struct {
		name     string
		r        *bench.Result
		claim    string
		want     claimVerdict
		evidence string
	}{
		{"few empty polls", fixture, "polling-wastes-requests", notSupported, "9 of 131 requests"},
		{"mostly empty polls", &wasteful, "polling-wastes-requests", supported, "990 of 1000"},
		{"beyond Zapier's 98.5%", &wasteful, "polls-mostly-wasted", supported, "99.00%"},
		{"polling batches at 50/s", fixture, "webhooks-less-load", notSupported, "webhooks make 76.1x"},
		{"polling at 150 requests per event", &wasteful, "webhooks-66x-less-load", supported, "polling makes 88.9x"},
		{"outage tail beats websocket p99", fixture, "websocket-lowest-latency", notSupported, "websocket 0.494/4907"},
		{"retries under an outage", fixture, "webhooks-need-retries", supported, "4048 retries"},
		{"reordered webhooks", fixture, "webhooks-unordered", supported, "38 of 5908"},
		// The claim needs a pattern the run did not have: inconclusive, not false.
		{"no webhook+polling pattern", fixture, "reconciliation-catches-missed", inconclusive, "needs the webhook and webhook+polling patterns"},
		{"reconnects under an outage", fixture, "websocket-reconnects", supported, "14 reconnects"},
		{"unknown id", fixture, "polling-is-free", inconclusive, "unknown claim; known claims: polling-wastes-requests"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := newModel(withClaims(t, tc.r, tc.claim))
			if err != nil {
				t.Fatal(err)
			}
			got := checkClaims(m)
			if len(got) != 1 {
				t.Fatalf("%d verdicts, want 1", len(got))
			}
			if got[0].verdict != tc.want || !strings.Contains(got[0].evidence, tc.evidence) {
				t.Errorf("%s: %v (%s), want %v with %q", tc.claim, got[0].verdict, got[0].evidence, tc.want, tc.evidence)
			}
		})
	}
}

// TestClaimsSection checks that a scenario without claims has no claims
// section, and that every built-in claim has a unique id and a check.
func TestClaimsSection(t *testing.T) {
	m, err := newModel(withClaims(t, loadFixture(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range buildDocument(m).sections {
		if s.id == "claims" {
			t.Error("claims section without claims")
		}
	}
	seen := map[string]bool{}
	for _, c := range claimChecks() {
		if seen[c.id] || c.check == nil || c.claim == "" {
			t.Errorf("claim %q: duplicate id, or no check or text", c.id)
		}
		seen[c.id] = true
	}
}
