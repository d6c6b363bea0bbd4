package websocket

import (
	"bytes"
	"errors"
	"net/url"
	"testing"

	"github.com/hookbench/hookbench/bench"
)

func TestRecords(t *testing.T) {
	ev := bench.Event{Seq: 41, Key: 3, Due: 1234, Size: 200}
	rec := bench.AppendPayload(newEventRecord(ev.Size), ev)
	sealRecord(rec, 41)
	var msg []byte
	msg = appendContinuityLost(msg, 41)
	msg = append(msg, rec...)
	msg = append(msg, rec...)

	kind, off, body, rest, err := nextRecord(msg)
	if err != nil || kind != kindContinuityLost || off != 41 || len(body) != 0 {
		t.Fatalf("first record: %q %d %q %v, want a continuity-lost record for 41", kind, off, body, err)
	}
	for i := range 2 {
		kind, off, body, rest, err = nextRecord(rest)
		if err != nil || kind != kindEvent || off != 41 {
			t.Fatalf("event record %d: %q %d %v", i, kind, off, err)
		}
		seq, key, due, err := bench.ParsePayload(body)
		if err != nil || seq != 41 || key != 3 || due != 1234 || len(body) != 200 {
			t.Errorf("event record %d: seq %d key %d due %v, %d bytes, %v", i, seq, key, due, len(body), err)
		}
	}
	if len(rest) != 0 {
		t.Errorf("%d bytes left over", len(rest))
	}
}

func TestBadRecords(t *testing.T) {
	good := appendContinuityLost(nil, 7)
	tests := []struct {
		name string
		msg  []byte
	}{
		{name: "short header", msg: good[:recordHeader-1]},
		{name: "unknown kind", msg: append([]byte{'x'}, good[1:]...)},
		{name: "body past the end", msg: append(append([]byte{kindEvent}, good[1:9]...), 0, 0, 0, 5, 'a')},
		{name: "continuity lost with a body", msg: append(append([]byte{kindContinuityLost}, good[1:9]...), 0, 0, 0, 1, 'a')},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, _, _, err := nextRecord(tt.msg); !errors.Is(err, errMessage) {
				t.Errorf("nextRecord: %v, want errMessage", err)
			}
		})
	}
}

func TestResumeURL(t *testing.T) {
	u, err := url.Parse(resumeURL("http://127.0.0.1:1", 3, 1<<40))
	if err != nil {
		t.Fatal(err)
	}
	sub, from, err := parseResume(u.Query())
	if err != nil || sub != 3 || from != 1<<40 || u.Path != streamPath {
		t.Errorf("parseResume(%s): %d %d %v", u, sub, from, err)
	}
	for _, q := range []string{"", "sub=1", "from=2", "sub=-1&from=2", "sub=1&from=-2", "sub=x&from=1"} {
		v, _ := url.ParseQuery(q)
		if _, _, err := parseResume(v); err == nil {
			t.Errorf("parseResume(%q): want an error", q)
		}
	}
}

func FuzzNextRecord(f *testing.F) {
	rec := bench.AppendPayload(newEventRecord(0), bench.Event{Seq: 1})
	sealRecord(rec, 1)
	f.Add(rec)
	f.Add(appendContinuityLost(nil, 9))
	f.Fuzz(func(t *testing.T, msg []byte) {
		for len(msg) > 0 {
			_, _, body, rest, err := nextRecord(msg)
			if err != nil {
				return
			}
			if len(rest) >= len(msg) || !bytes.HasSuffix(msg, rest) || len(body)+len(rest)+recordHeader != len(msg) {
				t.Fatalf("record split of %d bytes: body %d, rest %d", len(msg), len(body), len(rest))
			}
			msg = rest
		}
	})
}
