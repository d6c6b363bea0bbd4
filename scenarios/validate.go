package scenarios

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"

	"github.com/hookbench/hookbench/bench"
)

// Bounds that keep a scenario within what one machine can run. The
// engine's memory is one bit per event per subscriber plus one histogram
// per window, and instantaneous faults are planned moment by moment.
const (
	maxNameLen       = 64
	maxEvents        = 100_000_000
	maxLedgerBytes   = 1 << 30
	maxWindows       = 100_000
	maxMoments       = 100_000
	minEvery         = 10 * time.Millisecond
	maxPayload       = 16 << 20
	maxKeys          = 1 << 16
	fdsPerSubscriber = 4  // listener, client and server ends of a connection, and a spare
	fdsReserve       = 64 // the process's own files, loopback listeners, the fault proxy
)

// faultFields lists the keys each fault kind takes besides kind, at and
// for. A key of another kind is a mistake worth reporting: {kind: slow,
// p: 0.5} would otherwise run as a slow fault with no delay.
var faultFields = map[string][]string{
	bench.FaultErrors:     {"p", "status"},
	bench.FaultRateLimit:  {"rps"},
	bench.FaultSlow:       {"delay"},
	bench.FaultOutage:     {},
	bench.FaultDisconnect: {"every"},
	bench.FaultLatency:    {"delay", "jitter"},
	bench.FaultBandwidth:  {"rate"},
	bench.FaultReset:      {"every"},
	bench.FaultBlackhole:  {},
}

// failAt reports a problem at the node of path, or of its nearest
// ancestor that the file wrote.
func (d *decoder) failAt(path, format string, args ...any) {
	d.fail(d.lookup(path), path, format, args...)
}

func (d *decoder) lookup(path string) ast.Node {
	for p := path; ; p = parentPath(p) {
		if n, ok := d.nodes[p]; ok {
			return n
		}
		if p == "" {
			return nil
		}
	}
}

// parentPath strips the last ".key" or "[i]" of path.
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// validate reports everything about sc that is well-formed but wrong.
func (d *decoder) validate(sc *bench.Scenario, e env) {
	if !validName(sc.Name) {
		d.failAt("name", "%q is not a usable name: it names output folders, so use letters, digits, '.', '_' and '-' (up to %d, starting with a letter or digit)", sc.Name, maxNameLen)
	}
	if sc.Duration <= 0 {
		d.failAt("duration", "must be > 0, got %v", sc.Duration)
	}
	if sc.Drain <= 0 {
		d.failAt("drain", "must be > 0, got %v (it bounds the wait for pending deliveries; leave it out for the default %v)", sc.Drain, bench.Duration(10*time.Second))
	}
	d.checkWindow(sc)
	if sc.Subscribers <= 0 {
		d.failAt("subscribers", "must be > 0, got %d", sc.Subscribers)
	} else {
		d.checkFiles(sc.Subscribers, e)
	}
	d.checkStream(sc)
	if len(sc.Patterns) == 0 && !d.failedUnder("patterns") {
		d.failAt("patterns", "name at least one pattern to run; this build has: %s", strings.Join(d.pats.names(), ", "))
	}
	for i := range sc.Faults {
		d.checkFault(sc, i)
	}
	d.checkClaims(sc)
	d.checkThresholds(sc)
	if len(d.probs) > 0 {
		return
	}
	// The engine's own rules, in case they grow stricter than ours.
	for _, err := range leaves(sc.Validate()) {
		d.fail(d.lookup(""), "", "%v", err)
	}
}

// failedUnder reports whether a problem was already found at or below
// path, so that a consequence is not reported as a second problem.
func (d *decoder) failedUnder(path string) bool {
	for _, p := range d.probs {
		if p.path == path || strings.HasPrefix(p.path, path+".") || strings.HasPrefix(p.path, path+"[") {
			return true
		}
	}
	return false
}

func validName(s string) bool {
	if s == "" || len(s) > maxNameLen || !isAlnum(s[0]) {
		return false
	}
	for i := range len(s) {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isNameByte(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == '.' }

func (d *decoder) checkWindow(sc *bench.Scenario) {
	w := sc.Window.D()
	if w < time.Millisecond {
		d.failAt("window", "must be >= 1ms, got %v", sc.Window)
		return
	}
	if sc.Duration <= 0 || sc.Drain < 0 {
		return
	}
	span := sc.Duration.D() + sc.Drain.D() + 5*time.Second // the ledger's span
	if n := span / w; n > maxWindows {
		d.failAt("window", "%v windows over a run of up to %v make %d windows; at most %d (use a wider window)", sc.Window, bench.Duration(span), n, maxWindows)
	}
}

func (d *decoder) checkStream(sc *bench.Scenario) {
	st := sc.Stream
	rate := st.Rate.PerSecond()
	switch {
	case !(rate > 0) || math.IsInf(rate, 0):
		d.failAt("stream.rate", "must be > 0, got %v", st.Rate)
	case sc.Duration > 0:
		events := rate * sc.Duration.D().Seconds()
		if events > maxEvents {
			d.failAt("stream.rate", "%v for %v is about %.3g events; at most %d per run (lower the rate or the duration)", st.Rate, sc.Duration, events, maxEvents)
		} else if sc.Subscribers > 0 {
			bytes := math.Ceil(events/64) * 8 * float64(sc.Subscribers)
			if bytes > maxLedgerBytes {
				d.failAt("subscribers", "%d subscribers × about %.3g events need %.1f GiB to account for every delivery; at most 1 GiB (fewer subscribers, a lower rate or a shorter duration)", sc.Subscribers, events, bytes/(1<<30))
			}
		}
	}
	switch st.Arrival {
	case bench.Constant, bench.Poisson:
	case "burst":
		d.failAt("stream.arrival", "burst arrivals are not implemented yet; use constant or poisson")
	default:
		d.failAt("stream.arrival", "must be constant or poisson, got %q%s", st.Arrival, suggest(string(st.Arrival), []string{"constant", "poisson"}))
	}
	if st.Payload <= 0 || st.Payload > maxPayload {
		d.failAt("stream.payload", "must be between 1B and 16MiB, got %v", st.Payload)
	}
	if st.Keys < 1 || st.Keys > maxKeys {
		d.failAt("stream.keys", "must be between 1 and %d, got %d", maxKeys, st.Keys)
	}
}

// checkFiles reports a subscriber count the process cannot hold open at
// once: each subscriber needs a few file descriptors.
func (d *decoder) checkFiles(subs int, e env) {
	if e.fdLimit == nil {
		return
	}
	soft, hard, ok := e.fdLimit()
	if !ok {
		return
	}
	need := uint64(subs)*fdsPerSubscriber + fdsReserve
	if need <= soft {
		return
	}
	fit := uint64(0)
	if soft > fdsReserve {
		fit = (soft - fdsReserve) / fdsPerSubscriber
	}
	how := fmt.Sprintf("raise it with `ulimit -n %d` in the shell that runs hookbench", need)
	if need > hard {
		how = fmt.Sprintf("the hard limit is %d, so raise that first as root (`ulimit -Hn %d`, LimitNOFILE= in a systemd unit, or nofile in /etc/security/limits.conf), then `ulimit -n %d`", hard, need, need)
	}
	d.failAt("subscribers", "%d subscribers need about %d open files (%d each, plus %d), but this process may open %d (RLIMIT_NOFILE), enough for %d subscribers; %s",
		subs, need, fdsPerSubscriber, fdsReserve, soft, fit, how)
}

func (d *decoder) checkFault(sc *bench.Scenario, i int) {
	f := sc.Faults[i]
	p := fmt.Sprintf("faults[%d]", i)
	if d.failedUnder(p) {
		return // a key failed to decode; the rest would mislead
	}
	takes, known := faultFields[f.Kind]
	if !known {
		if f.Kind == "" {
			d.failAt(p, "kind is missing; kinds: %s", strings.Join(bench.FaultKinds, ", "))
		} else {
			d.failAt(p+".kind", "unknown fault kind %q%s; kinds: %s", f.Kind, suggest(f.Kind, bench.FaultKinds), strings.Join(bench.FaultKinds, ", "))
		}
		return
	}
	if f.At < 0 {
		d.failAt(p+".at", "must be >= 0, got %v", f.At)
	} else if sc.Duration > 0 && f.At >= sc.Duration {
		d.failAt(p+".at", "%v is outside the run: events are published for %v (duration), so a fault must start before that", f.At, sc.Duration)
	}
	if f.For < 0 {
		d.failAt(p+".for", "must be >= 0, got %v (leave it out for a fault that lasts to the end)", f.For)
	}
	set := map[string]bool{
		"p": f.P != 0, "status": f.Status != 0, "rps": f.RPS != 0, "delay": f.Delay != 0,
		"jitter": f.Jitter != 0, "every": f.Every != 0, "rate": f.Rate != 0,
	}
	for _, k := range []string{"p", "status", "rps", "delay", "jitter", "every", "rate"} {
		_, written := d.keys[p+"."+k]
		if (set[k] || written) && !slices.Contains(takes, k) {
			d.failAt(p+"."+k, "does not apply to a %s fault (it takes: %s)", f.Kind, strings.Join(append([]string{"at", "for"}, takes...), ", "))
		}
	}
	switch f.Kind {
	case bench.FaultErrors:
		if !(f.P > 0 && f.P <= 1) {
			d.failAt(p+".p", "the probability that a request fails must be > 0 and <= 1, got %g", f.P)
		}
		if f.Status < 100 || f.Status > 599 {
			d.failAt(p+".status", "must be an HTTP status (100-599), got %d", f.Status)
		}
	case bench.FaultRateLimit:
		if !(f.RPS > 0) || math.IsInf(f.RPS, 0) {
			d.failAt(p+".rps", "the request rate above which requests get 429 must be > 0, got %g", f.RPS)
		}
	case bench.FaultSlow, bench.FaultLatency:
		if f.Delay <= 0 {
			d.failAt(p+".delay", "a %s fault needs a delay > 0, got %v", f.Kind, f.Delay)
		}
		if f.Jitter < 0 {
			d.failAt(p+".jitter", "must be >= 0, got %v", f.Jitter)
		} else if f.Jitter > f.Delay && f.Delay > 0 {
			d.failAt(p+".jitter", "must not exceed the delay (%v), got %v: a delay cannot go below zero", f.Delay, f.Jitter)
		}
	case bench.FaultBandwidth:
		if f.Rate <= 0 {
			d.failAt(p+".rate", "a bandwidth fault needs a rate > 0 bytes per second, such as 64KiB, got %v", f.Rate)
		}
	case bench.FaultDisconnect, bench.FaultReset:
		d.checkEvery(sc, f, p)
	}
}

// checkEvery bounds a repeating disconnect or reset: the engine plans
// each moment ahead.
func (d *decoder) checkEvery(sc *bench.Scenario, f bench.FaultSpec, p string) {
	switch {
	case f.Every < 0:
		d.failAt(p+".every", "must be >= 0, got %v", f.Every)
	case f.Every > 0 && f.Every.D() < minEvery:
		d.failAt(p+".every", "must be >= %v, got %v", bench.Duration(minEvery), f.Every)
	case f.Every > 0 && sc.Duration > 0:
		from, to := f.Window(sc.Duration.D())
		if n := (to - from) / f.Every.D(); n > maxMoments {
			d.failAt(p+".every", "every %v from %v to %v is %d moments; at most %d", f.Every, bench.Duration(from), bench.Duration(to), n, maxMoments)
		}
	}
}

// checkClaims checks the form of claim ids; which ids exist is the
// reports' business (an unknown one gets an "unknown claim" verdict).
func (d *decoder) checkClaims(sc *bench.Scenario) {
	for i, c := range sc.Claims {
		p := fmt.Sprintf("claims[%d]", i)
		if j := slices.Index(sc.Claims, c); j < i {
			d.failAt(p, "claim %q is listed twice (first as claims[%d])", c, j)
			continue
		}
		if !claimID(c) {
			d.failAt(p, "a claim id is lower-case words joined by '-', such as polling-wastes-requests, got %q", c)
		}
	}
}

func claimID(s string) bool {
	if s == "" || len(s) > maxNameLen || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// checkThresholds parses every threshold and checks that the pattern it
// applies to runs in the scenario: a threshold on a pattern that never
// runs would pass silently.
func (d *decoder) checkThresholds(sc *bench.Scenario) {
	names := make([]string, len(sc.Patterns))
	for i, p := range sc.Patterns {
		names[i] = p.Name
	}
	runs := func(name string) bool { return name == bench.AllPatterns || slices.Contains(names, name) }
	keys := make([]string, 0, len(sc.Thresholds))
	for k := range sc.Thresholds {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		kp := "thresholds." + k
		if !runs(k) {
			d.fail(d.keyOr(kp), kp, "pattern %q is not among the scenario's patterns (%s)%s; use all or one of them", k, strings.Join(names, ", "), suggest(k, append(names, bench.AllPatterns)))
			continue
		}
		for i, expr := range sc.Thresholds[k] {
			ep := fmt.Sprintf("%s[%d]", kp, i)
			t, err := bench.ParseThreshold(expr)
			if err != nil {
				d.thresholdProblem(ep, expr, err)
				continue
			}
			if err := t.CheckWindow(sc.Window.D()); err != nil {
				d.thresholdProblem(ep, expr, err)
				continue
			}
			switch {
			case !runs(t.Pattern):
				d.failAt(ep, "threshold %q names pattern %q, which is not among the scenario's patterns (%s)", expr, t.Pattern, strings.Join(names, ", "))
			case k != bench.AllPatterns && t.Pattern != bench.AllPatterns && t.Pattern != k:
				d.failAt(ep, "threshold %q names pattern %q but is listed under %s", expr, t.Pattern, k)
			}
		}
	}
}

// keyOr returns the key node of path, or its value's position.
func (d *decoder) keyOr(path string) ast.Node {
	if n, ok := d.keys[path]; ok {
		return n
	}
	return d.lookup(path)
}

// thresholdProblem reports a malformed threshold, with the column of the
// offending character when the expression sits on one line of the file.
func (d *decoder) thresholdProblem(path, expr string, err error) {
	n := d.lookup(path)
	var te *bench.ThresholdError
	if !errors.As(err, &te) {
		d.fail(n, path, "%v", err)
		return
	}
	off := -1
	if s, ok := n.(*ast.StringNode); ok && s.Value == expr && te.Expr == expr && !strings.ContainsAny(expr, "\n\\'") {
		off = utf8.RuneCountInString(expr[:min(max(te.Offset, 0), len(expr))])
	}
	d.probs = append(d.probs, problem{node: n, path: path, off: off, caret: off >= 0, msg: fmt.Sprintf("bad threshold %q: %s", expr, te.Reason)})
}
