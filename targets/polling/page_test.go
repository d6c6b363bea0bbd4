package polling

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/hookbench/hookbench/bench"
)

func TestPageRoundTrip(t *testing.T) {
	evs := []bench.Event{{Seq: 3, Key: 1, Due: 5e6, Size: 120}, {Seq: 4, Key: 7, Due: 6e6, Size: 80}}
	body := appendPage(nil, evs, 5, true)
	if !json.Valid(body) {
		t.Fatalf("page is not valid JSON: %s", body)
	}
	var p page
	if err := parsePage(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.next != 5 || !p.hasMore || len(p.events) != 2 {
		t.Fatalf("parsed next %d has_more %v with %d events", p.next, p.hasMore, len(p.events))
	}
	for i, raw := range p.events {
		if want := bench.AppendPayload(nil, evs[i]); !bytes.Equal(raw, want) {
			t.Errorf("event %d = %s, want the body verbatim %s", i, raw, want)
		}
		seq, key, due, err := bench.ParsePayload(raw)
		if err != nil || seq != evs[i].Seq || key != evs[i].Key || due != evs[i].Due {
			t.Errorf("event %d parses to %d %d %v %v", i, seq, key, due, err)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = parsePage(body, &p) }); n != 0 {
		t.Errorf("parsePage allocates %v times, want 0", n)
	}
}

func TestParsePage(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		next    uint64
		more    bool
		events  int
		wantErr bool
	}{
		{name: "empty page", body: `{"next":0,"has_more":false,"events":[]}`},
		{name: "members in any order, spaces, unknown members",
			body: ` { "events" : [ {"a":"}]\"{"} , [1,{"b":null}] ] , "x":{"y":[true]}, "has_more" : true , "next" : 9 } `,
			next: 9, more: true, events: 2},
		{name: "not an object", body: `[1]`, wantErr: true},
		{name: "missing next", body: `{"has_more":false,"events":[]}`, wantErr: true},
		{name: "missing events", body: `{"next":1,"has_more":false}`, wantErr: true},
		{name: "negative next", body: `{"next":-1,"has_more":false,"events":[]}`, wantErr: true},
		{name: "bad has_more", body: `{"next":1,"has_more":1,"events":[]}`, wantErr: true},
		{name: "truncated", body: `{"next":1,"has_more":false,"events":[{"a":1}`, wantErr: true},
		{name: "unterminated string", body: `{"next":1,"has_more":false,"events":["abc]}`, wantErr: true},
		{name: "trailing garbage", body: `{"next":1,"has_more":false,"events":[]} x`, wantErr: true},
		{name: "missing comma", body: `{"next":1 "has_more":false,"events":[]}`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p page
			err := parsePage([]byte(tc.body), &p)
			if (err != nil) != tc.wantErr {
				t.Fatalf("parsePage: %v, want error %v", err, tc.wantErr)
			}
			if err == nil && (p.next != tc.next || p.hasMore != tc.more || len(p.events) != tc.events) {
				t.Errorf("parsed next %d has_more %v, %d events; want %d %v %d", p.next, p.hasMore, len(p.events), tc.next, tc.more, tc.events)
			}
		})
	}
}

func TestTooOldRoundTrip(t *testing.T) {
	body := appendTooOld(nil, 3, &cursorError{tooOld: true, oldest: 41, head: 50})
	if !json.Valid(body) {
		t.Fatalf("410 body is not valid JSON: %s", body)
	}
	var v struct {
		Error  string `json:"error"`
		Reason string `json:"reason"`
		Oldest uint64 `json:"oldest"`
		Head   uint64 `json:"head"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	if v.Error != "cursor_too_old" || v.Oldest != 41 || v.Head != 50 || v.Reason == "" {
		t.Errorf("410 body %s", body)
	}
	if oldest, err := parseTooOld(body); err != nil || oldest != 41 {
		t.Errorf("parseTooOld = %d, %v; want 41", oldest, err)
	}
	if _, err := parseTooOld([]byte(`{"error":"cursor_too_old"}`)); err == nil {
		t.Error("parseTooOld without oldest: nil error")
	}
}

// FuzzParsePage checks that the scanner never panics and that, on a page
// encoding/json accepts, it splits out elements that are JSON values.
func FuzzParsePage(f *testing.F) {
	f.Add(appendPage(nil, []bench.Event{{Seq: 1, Size: 90}}, 2, false))
	f.Add([]byte(`{"next":1,"has_more":true,"events":[{"a":"\"]"},[]]}`))
	f.Add([]byte(`{"next":`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var p page
		if err := parsePage(body, &p); err != nil {
			return
		}
		if !json.Valid(body) {
			// The scanner is lenient about what it does not read (number
			// syntax, the validity of escapes), not about structure.
			return
		}
		for _, e := range p.events {
			if !json.Valid(e) {
				t.Errorf("element %q of a valid page is not valid JSON", e)
			}
		}
	})
}
