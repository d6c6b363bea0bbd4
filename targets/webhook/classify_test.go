package webhook

import (
	"errors"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		status int
		err    error
		want   outcome
	}{
		{name: "200", status: 200, want: delivered},
		{name: "204", status: 204, want: delivered},
		{name: "299", status: 299, want: delivered},
		// Redirects are failures, never followed.
		{name: "301", status: 301, want: failed},
		{name: "400", status: 400, want: failed},
		{name: "401", status: 401, want: failed},
		{name: "410", status: 410, want: gone},
		{name: "429", status: 429, want: failed},
		{name: "500", status: 500, want: failed},
		{name: "503", status: 503, want: failed},
		{name: "transport error", err: errors.New("timeout"), want: failed},
	}
	for _, tt := range tests {
		if got := classify(tt.status, tt.err); got != tt.want {
			t.Errorf("%s: classify = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		v    string
		want time.Duration
	}{
		{name: "empty", v: "", want: 0},
		{name: "seconds", v: "1", want: time.Second},
		{name: "zero", v: "0", want: 0},
		{name: "large seconds are cut", v: "999999999999999999999", want: maxRetryAfter},
		{name: "not a number", v: "1.5", want: 0},
		{name: "http date", v: "Fri, 02 Jan 2026 03:04:35 GMT", want: 30 * time.Second},
		{name: "past http date", v: "Fri, 02 Jan 2026 03:00:00 GMT", want: 0},
		{name: "far http date is cut", v: "Sat, 03 Jan 2026 03:04:05 GMT", want: maxRetryAfter},
		{name: "garbage", v: "soon", want: 0},
	}
	for _, tt := range tests {
		if got := retryAfter([]byte(tt.v), now); got != tt.want {
			t.Errorf("%s: retryAfter(%q) = %v, want %v", tt.name, tt.v, got, tt.want)
		}
	}
}
