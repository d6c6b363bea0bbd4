package reports

import (
	"fmt"
	"strings"

	"github.com/hookbench/hookbench/bench"
)

// claimVerdict is the outcome of putting one claim to the test.
type claimVerdict int

const (
	// inconclusive: the run cannot tell (a pattern the claim is about did
	// not run, or nothing happened that the claim is about).
	inconclusive claimVerdict = iota
	supported
	notSupported
)

func (v claimVerdict) String() string {
	switch v {
	case supported:
		return "supported"
	case notSupported:
		return "not supported"
	}
	return "inconclusive"
}

// claimCheck tests one of the usual claims about the patterns (DESIGN 'The
// claims hookbench puts to the test') against a run. Check returns the
// verdict and the numbers behind it.
type claimCheck struct {
	id    string
	claim string
	check func(m *model) (claimVerdict, string)
}

// claimResult is a claim with its verdict, for a report.
type claimResult struct {
	id, claim string
	verdict   claimVerdict
	evidence  string
}

// claimChecks returns the built-in claims, by id. A scenario names the ones
// it tests in its claims list; a new claim is one more row here.
func claimChecks() []claimCheck {
	return []claimCheck{
		{"polling-wastes-requests", "Polling wastes most requests when events are rare", func(m *model) (claimVerdict, string) {
			return emptyPollShare(m, 0.5)
		}},
		{"polls-mostly-wasted", "Over 98.5% of polls are wasted (Zapier)", func(m *model) (claimVerdict, string) {
			return emptyPollShare(m, 0.985)
		}},
		{"webhooks-less-load", "Webhooks put less load on the server than polling", func(m *model) (claimVerdict, string) {
			return webhookLoadRatio(m, 1)
		}},
		{"webhooks-66x-less-load", "Webhooks cause up to 66x less load than polling (REST Hooks)", func(m *model) (claimVerdict, string) {
			return webhookLoadRatio(m, 66)
		}},
		{"websocket-lowest-latency", "WebSockets deliver in real time, with the lowest latency", websocketLowestLatency},
		{"polling-latency-interval", "Polling latency is bound to the interval: slower than push", pollingSlowerThanPush},
		{"websocket-persistent", "WebSockets hold a persistent connection per client", websocketPersistent},
		{"webhooks-need-retries", "Webhook deliveries fail, so senders must retry", webhooksRetry},
		{"webhooks-unordered", "Webhooks do not guarantee order", webhooksUnordered},
		{"reconciliation-catches-missed", "A polling reconciliation catches the events webhooks missed", reconciliationCatches},
		{"websocket-reconnects", "WebSocket clients must reconnect on unreliable networks", websocketReconnects},
	}
}

// ClaimIDs returns the ids of the built-in claims a scenario may list in
// its claims field, for validating scenarios; the reports give a verdict on
// each listed claim (an unknown id is reported as such).
func ClaimIDs() []string {
	var ids []string
	for _, c := range claimChecks() {
		ids = append(ids, c.id)
	}
	return ids
}

// checkClaims returns the verdicts on the claims the scenario lists, in its
// order. An unknown id is reported as such, never skipped.
func checkClaims(m *model) []claimResult {
	checks := claimChecks()
	var out []claimResult
	for _, id := range m.scenario.Claims {
		res := claimResult{id: id, claim: id}
		found := false
		for _, c := range checks {
			if c.id == id {
				res.claim = c.claim
				res.verdict, res.evidence = c.check(m)
				found = true
				break
			}
		}
		if !found {
			res.evidence = "unknown claim; known claims: " + strings.Join(ClaimIDs(), ", ")
		}
		out = append(out, res)
	}
	return out
}

// pattern returns the first pattern of that name, or nil.
func (m *model) pattern(name string) *bench.PatternResult {
	for i := range m.r.Patterns {
		if m.r.Patterns[i].Name == name {
			return &m.r.Patterns[i]
		}
	}
	return nil
}

// missing says which patterns a claim needs that did not run.
func missing(names ...string) string {
	if len(names) == 1 {
		return "needs the " + names[0] + " pattern in the run"
	}
	return "needs the " + strings.Join(names, " and ") + " patterns in the run"
}

func emptyPollShare(m *model, above float64) (claimVerdict, string) {
	p := m.pattern("polling")
	if p == nil {
		return inconclusive, missing("polling")
	}
	if p.Overhead.Requests == 0 {
		return inconclusive, "polling made no requests"
	}
	share := float64(p.Overhead.EmptyPolls) / float64(p.Overhead.Requests)
	ev := fmt.Sprintf("polling: %d of %d requests came back empty (%s)", p.Overhead.EmptyPolls, p.Overhead.Requests,
		fmtPct(float64(p.Overhead.EmptyPolls), float64(p.Overhead.Requests)))
	if share > above {
		return supported, ev
	}
	return notSupported, ev
}

func webhookLoadRatio(m *model, atLeast float64) (claimVerdict, string) {
	wh, po := m.pattern("webhook"), m.pattern("polling")
	if wh == nil || po == nil {
		return inconclusive, missing("webhook", "polling")
	}
	a, b := wh.Overhead.RequestsPerEvent, po.Overhead.RequestsPerEvent
	if a == 0 || b == 0 {
		return inconclusive, "a pattern delivered nothing"
	}
	ratio := b / a
	more := fmt.Sprintf("polling makes %sx the requests of webhooks", fmtSig(ratio))
	if ratio < 1 {
		more = fmt.Sprintf("webhooks make %sx the requests of polling", fmtSig(1/ratio))
	}
	ev := fmt.Sprintf("requests per event: polling %s, webhook %s (%s); bytes per event: polling %s, webhook %s",
		fmtSig(b), fmtSig(a), more, fmtSig(po.Overhead.BytesPerEvent), fmtSig(wh.Overhead.BytesPerEvent))
	if ratio >= atLeast && (atLeast > 1 || ratio > 1) {
		return supported, ev
	}
	return notSupported, ev
}

func websocketLowestLatency(m *model) (claimVerdict, string) {
	ws := m.pattern("websocket")
	if ws == nil || len(m.r.Patterns) < 2 {
		return inconclusive, "needs the websocket pattern and another one in the run"
	}
	if ws.Latency.Count == 0 {
		return inconclusive, "websocket delivered nothing"
	}
	// Differences smaller than the generator's own jitter (its publish
	// lag p99, at least 0.5 ms) are noise: within it, a pattern ties.
	tol := 0.5
	for _, p := range m.r.Patterns {
		tol = max(tol, p.PublishLag.P99)
	}
	beaten, tied := false, false
	var parts []string
	for _, p := range m.r.Patterns {
		if p.Latency.Count == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s/%s", p.Name, fmtMs(p.Latency.P50), fmtMs(p.Latency.P99)))
		if p.Name == "websocket" || strings.Contains(p.Name, "websocket") {
			continue // a relay to WebSocket clients is not a rival
		}
		switch {
		case p.Latency.P50 < ws.Latency.P50-tol || p.Latency.P99 < ws.Latency.P99-tol:
			beaten = true
		case p.Latency.P50 < ws.Latency.P50 || p.Latency.P99 < ws.Latency.P99:
			tied = true
		}
	}
	ev := "p50/p99 ms: " + strings.Join(parts, ", ") + fmt.Sprintf("; differences under %s ms are generator noise", fmtMs(tol))
	switch {
	case beaten:
		return notSupported, ev
	case tied:
		return inconclusive, "tied within noise: " + ev
	}
	return supported, ev
}

func pollingSlowerThanPush(m *model) (claimVerdict, string) {
	po := m.pattern("polling")
	if po == nil || po.Latency.Count == 0 {
		return inconclusive, missing("polling")
	}
	slower, pushes := true, 0
	parts := []string{"polling " + fmtMs(po.Latency.P50)}
	for _, name := range []string{"webhook", "websocket"} {
		p := m.pattern(name)
		if p == nil || p.Latency.Count == 0 {
			continue
		}
		pushes++
		parts = append(parts, name+" "+fmtMs(p.Latency.P50))
		slower = slower && po.Latency.P50 > p.Latency.P50
	}
	if pushes == 0 {
		return inconclusive, "needs a webhook or websocket pattern in the run"
	}
	ev := "p50 ms: " + strings.Join(parts, ", ")
	if slower {
		return supported, ev
	}
	return notSupported, ev
}

func websocketPersistent(m *model) (claimVerdict, string) {
	ws := m.pattern("websocket")
	if ws == nil {
		return inconclusive, missing("websocket")
	}
	need := int64(max(m.scenario.Subscribers, 1))
	ev := fmt.Sprintf("websocket held %d connections at peak for %d subscribers (%d opened, %d reconnects)",
		ws.Overhead.PeakConnections, need, ws.Overhead.Connections, ws.Overhead.Reconnects)
	if ws.Overhead.PeakConnections >= need {
		return supported, ev
	}
	return notSupported, ev
}

func webhooksRetry(m *model) (claimVerdict, string) {
	wh := m.pattern("webhook")
	if wh == nil {
		return inconclusive, missing("webhook")
	}
	ev := fmt.Sprintf("webhook: %d retries, %d lost", wh.Overhead.Retries, wh.Events.Lost)
	switch {
	case wh.Overhead.Retries > 0:
		return supported, ev
	case len(m.faults) == 0:
		return inconclusive, ev + "; no faults in this run"
	}
	return notSupported, ev
}

func webhooksUnordered(m *model) (claimVerdict, string) {
	wh := m.pattern("webhook")
	if wh == nil || wh.Events.Unique == 0 {
		return inconclusive, missing("webhook")
	}
	ev := fmt.Sprintf("webhook: %d of %d first deliveries out of order (%s)", wh.Events.OutOfOrder, wh.Events.Unique,
		fmtPct(float64(wh.Events.OutOfOrder), float64(wh.Events.Unique)))
	if wh.Events.OutOfOrder > 0 {
		return supported, ev
	}
	return notSupported, ev
}

func reconciliationCatches(m *model) (claimVerdict, string) {
	wh, wp := m.pattern("webhook"), m.pattern("webhook+polling")
	if wh == nil || wp == nil {
		return inconclusive, missing("webhook", "webhook+polling")
	}
	ev := fmt.Sprintf("lost: webhook %d, webhook+polling %d", wh.Events.Lost, wp.Events.Lost)
	switch {
	case wh.Events.Lost == 0:
		return inconclusive, ev + "; webhooks missed nothing"
	case wp.Events.Lost < wh.Events.Lost:
		return supported, ev
	}
	return notSupported, ev
}

func websocketReconnects(m *model) (claimVerdict, string) {
	ws := m.pattern("websocket")
	if ws == nil {
		return inconclusive, missing("websocket")
	}
	ev := fmt.Sprintf("websocket: %d reconnects, %d lost", ws.Overhead.Reconnects, ws.Events.Lost)
	switch {
	case ws.Overhead.Reconnects > 0:
		return supported, ev
	case len(m.faults) == 0:
		return inconclusive, ev + "; no faults in this run"
	}
	return notSupported, ev
}
