package polling

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/hookbench/hookbench/bench"
)

// newTestServer returns a server over a log of retention 5 holding log
// seqs 1..8 (bench seqs 0..7): seqs 4..8 are retained.
func newTestServer(t *testing.T) *server {
	t.Helper()
	l := newEventLog(5)
	for i := range 8 {
		if err := l.append(bench.Event{Seq: uint64(i), Key: 1, Size: 100}); err != nil {
			t.Fatal(err)
		}
	}
	return newServer(l, slog.New(slog.DiscardHandler), nil)
}

func request(s *server, method, uri, ifNoneMatch string) *fasthttp.RequestCtx {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(uri)
	if ifNoneMatch != "" {
		ctx.Request.Header.Set("If-None-Match", ifNoneMatch)
	}
	s.handle(&ctx)
	return &ctx
}

func TestServerAnswers(t *testing.T) {
	tests := []struct {
		name   string
		method string
		uri    string
		inm    string
		status int
		next   uint64 // for 200
		more   bool
		seqs   int    // events in a 200 page
		body   string // substring of a non-200 body
	}{
		{name: "a page", uri: "/events?after=3&limit=2", status: 200, next: 5, more: true, seqs: 2},
		{name: "the rest", uri: "/events?after=6", status: 200, next: 8, seqs: 2},
		{name: "limit above the maximum is clamped", uri: "/events?after=3&limit=5000", status: 200, next: 8, seqs: 5},
		{name: "caught up, unconditional", uri: "/events?after=8", status: 200, next: 8},
		{name: "caught up, tag of the head", uri: "/events?after=8", inm: `"8"`, status: 304},
		{name: "caught up, stale tag", uri: "/events?after=8", inm: `"7"`, status: 200, next: 8},
		// A tag of the head does not hide events the cursor has not seen.
		{name: "behind, tag of the head", uri: "/events?after=7", inm: `"8"`, status: 200, next: 8, seqs: 1},
		{name: "too old", uri: "/events?after=2", status: 410, body: `"oldest":4,"head":8`},
		{name: "from the start of a trimmed log", uri: "/events", status: 410, body: "cursor_too_old"},
		{name: "ahead of the head", uri: "/events?after=9", status: 400, body: "bad_cursor"},
		{name: "bad after", uri: "/events?after=x", status: 400, body: "after must be a seq"},
		{name: "zero limit", uri: "/events?after=8&limit=0", status: 400, body: "limit must be"},
		{name: "bad wait", uri: "/events?after=8&wait=soon", status: 400, body: "wait must be a duration"},
		{name: "every problem", uri: "/events?after=-1&limit=x&wait=-3s", status: 400, body: `after must be a seq (a whole number >= 0), got \"-1\"\nlimit`},
		{name: "not found", uri: "/other", status: 404, body: "not_found"},
		{name: "method", method: "POST", uri: "/events", status: 405, body: "method_not_allowed"},
	}
	s := newTestServer(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "GET"
			}
			ctx := request(s, method, tc.uri, tc.inm)
			if got := ctx.Response.StatusCode(); got != tc.status {
				t.Fatalf("status %d, want %d: %s", got, tc.status, ctx.Response.Body())
			}
			body := ctx.Response.Body()
			switch tc.status {
			case 200:
				var p page
				if err := parsePage(body, &p); err != nil {
					t.Fatal(err)
				}
				if p.next != tc.next || p.hasMore != tc.more || len(p.events) != tc.seqs {
					t.Errorf("page next %d has_more %v with %d events; want %d %v %d", p.next, p.hasMore, len(p.events), tc.next, tc.more, tc.seqs)
				}
				if tag := string(ctx.Response.Header.Peek("ETag")); tag != `"8"` {
					t.Errorf("ETag %s, want \"8\"", tag)
				}
				if ct := string(ctx.Response.Header.ContentType()); ct != "application/json" {
					t.Errorf("Content-Type %s", ct)
				}
			case 304:
				if len(body) != 0 {
					t.Errorf("304 with a body: %s", body)
				}
			default:
				if !json.Valid(body) || !strings.Contains(string(body), tc.body) {
					t.Errorf("body %s, want JSON containing %s", body, tc.body)
				}
			}
		})
	}
}

func TestServerLongPoll(t *testing.T) {
	s := newTestServer(t)
	t.Run("hold expires with an empty page", func(t *testing.T) {
		began := time.Now()
		ctx := request(s, "GET", "/events?after=8&wait=30ms", "")
		if took := time.Since(began); took < 30*time.Millisecond {
			t.Errorf("answered after %v, before the 30ms hold expired", took)
		}
		var p page
		if err := parsePage(ctx.Response.Body(), &p); err != nil || len(p.events) != 0 || p.next != 8 {
			t.Errorf("page %s (%v), want empty with next 8", ctx.Response.Body(), err)
		}
	})
	t.Run("events past the cursor answer at once", func(t *testing.T) {
		ctx := request(s, "GET", "/events?after=7&wait=1m", "")
		if n := len(ctx.Response.Body()); ctx.Response.StatusCode() != 200 || n == 0 {
			t.Errorf("status %d", ctx.Response.StatusCode())
		}
	})
	t.Run("an append wakes every waiter", func(t *testing.T) {
		const waiters = 3
		done := make(chan *fasthttp.RequestCtx, waiters)
		for range waiters {
			go func() { done <- request(s, "GET", "/events?after=8&wait=1m", "") }()
		}
		// Wait until the three are parked on the log's channel.
		for waiting(s) == nil {
			time.Sleep(time.Millisecond)
		}
		if err := s.log.append(bench.Event{Seq: 8, Size: 100}); err != nil {
			t.Fatal(err)
		}
		for range waiters {
			ctx := <-done
			var p page
			if err := parsePage(ctx.Response.Body(), &p); err != nil || len(p.events) != 1 || p.next != 9 {
				t.Errorf("woken page %s (%v), want one event and next 9", ctx.Response.Body(), err)
			}
		}
	})
	t.Run("close ends a hold at once", func(t *testing.T) {
		done := make(chan *fasthttp.RequestCtx, 1)
		go func() { done <- request(s, "GET", "/events?after=9&wait=1m", "") }()
		for waiting(s) == nil {
			time.Sleep(time.Millisecond)
		}
		s.log.close()
		select {
		case ctx := <-done:
			if ctx.Response.StatusCode() != 200 {
				t.Errorf("status %d", ctx.Response.StatusCode())
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the held request did not end when the log closed")
		}
	})
}

// waiting returns the log's wake-up channel if someone waits on it.
func waiting(s *server) chan struct{} {
	s.log.mu.RLock()
	defer s.log.mu.RUnlock()
	return s.log.changed
}

func TestServerHotPathAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under -race")
	}
	s := newTestServer(t)
	for _, uri := range []string{"/events?after=8&limit=100", "/events?after=3&limit=100"} {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetMethod("GET")
		ctx.Request.SetRequestURI(uri)
		ctx.Request.Header.Set("If-None-Match", `"8"`)
		s.handle(&ctx) // warm the pools
		n := testing.AllocsPerRun(200, func() {
			ctx.Response.Reset()
			s.handle(&ctx)
		})
		if n != 0 {
			t.Errorf("%s: %v allocations per request, want 0", uri, n)
		}
	}
}
