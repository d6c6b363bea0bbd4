package scenarios

import (
	"strconv"
	"strings"
	"testing"
)

func TestOpenFileLimit(t *testing.T) {
	tests := []struct {
		name        string
		soft, hard  uint64
		subscribers int
		want        string // "" for no error
	}{
		{"fits", 1024, 1024, 240, ""},
		{"one too many", 1024, 1024, 241, "241 subscribers need about 1028 open files"},
		// Below the hard limit the user can raise it alone.
		{"soft limit", 1024, 65536, 1000, "enough for 240 subscribers; raise it with `ulimit -n 4064`"},
		{"hard limit", 1024, 2048, 1000, "the hard limit is 2048, so raise that first as root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := env{fdLimit: func() (uint64, uint64, bool) { return tt.soft, tt.hard, true }}
			src := "subscribers: " + strconv.Itoa(tt.subscribers) + "\npatterns: {webhook: }\n"
			_, err := e.parse(source{file: "f.yaml", data: []byte(src)}, fakePatterns())
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "f.yaml:1:14: subscribers: ")):
				t.Errorf("got %v, want f.yaml:1:14: subscribers: ...%s...", err, tt.want)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"rate", "arrival", "payload", "keys", "webhook", "websocket"}
	tests := []struct{ in, want string }{
		{"ratee", "rate"},
		{"kyes", "keys"}, // a transposition is one edit
		{"payloads", "payload"},
		{"webhok", "webhook"},
		{"websocket", "websocket"},
		{"sse", ""},
		{"arival", "arrival"},
		{"polling", ""},
	}
	for _, tt := range tests {
		got := suggest(tt.in, names)
		want := ""
		if tt.want != "" {
			want = ` (did you mean "` + tt.want + `"?)`
		}
		if got != want {
			t.Errorf("suggest(%q) = %q, want %q", tt.in, got, want)
		}
	}
}
