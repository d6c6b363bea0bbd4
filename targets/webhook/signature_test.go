package webhook

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The published Standard Webhooks test vector (reference/delivery-patterns.md 1.1).
const (
	vecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vecID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vecTS     = 1614265330
	vecBody   = `{"test": 2432232314}`
	vecSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignVector(t *testing.T) {
	got, err := Sign(vecSecret, vecID, vecTS, []byte(vecBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != vecSig {
		t.Fatalf("Sign = %q, want %q", got, vecSig)
	}
}

func TestVerify(t *testing.T) {
	at := time.Unix(vecTS, 0)
	ts := strconv.Itoa(vecTS)
	other := DeriveSecret(1, 0)
	tests := []struct {
		name   string
		secret string
		h      Headers
		body   string
		now    time.Time
		want   error
	}{
		{name: "vector", secret: vecSecret, h: Headers{vecID, ts, vecSig}, body: vecBody, now: at},
		{name: "within tolerance", secret: vecSecret, h: Headers{vecID, ts, vecSig}, body: vecBody, now: at.Add(DefaultTolerance)},
		// Rotation: the header carries an unknown version and an old signature first.
		{name: "one of several", secret: vecSecret, h: Headers{vecID, ts, "v1a,abcd v1,AAAA " + vecSig}, body: vecBody, now: at},
		{name: "tampered body", secret: vecSecret, h: Headers{vecID, ts, vecSig}, body: `{"test": 2432232315}`, now: at, want: ErrSignature},
		{name: "tampered id", secret: vecSecret, h: Headers{vecID + "x", ts, vecSig}, body: vecBody, now: at, want: ErrSignature},
		{name: "wrong secret", secret: other, h: Headers{vecID, ts, vecSig}, body: vecBody, now: at, want: ErrSignature},
		{name: "too old", secret: vecSecret, h: Headers{vecID, ts, vecSig}, body: vecBody, now: at.Add(DefaultTolerance + time.Second), want: ErrTolerance},
		{name: "in the future", secret: vecSecret, h: Headers{vecID, ts, vecSig}, body: vecBody, now: at.Add(-DefaultTolerance - time.Second), want: ErrTolerance},
		{name: "timestamp not a number", secret: vecSecret, h: Headers{vecID, ts + "x", vecSig}, body: vecBody, now: at, want: ErrTimestamp},
		{name: "timestamp missing", secret: vecSecret, h: Headers{vecID, "", vecSig}, body: vecBody, now: at, want: ErrTimestamp},
		{name: "no version prefix", secret: vecSecret, h: Headers{vecID, ts, strings.TrimPrefix(vecSig, "v1,")}, body: vecBody, now: at, want: ErrSignature},
		{name: "signature missing", secret: vecSecret, h: Headers{vecID, ts, ""}, body: vecBody, now: at, want: ErrSignature},
		{name: "bad secret", secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", h: Headers{vecID, ts, vecSig}, body: vecBody, now: at, want: ErrSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secret, tt.h, []byte(tt.body), tt.now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignerTolerance(t *testing.T) {
	s, err := NewSigner(vecSecret)
	if err != nil {
		t.Fatal(err)
	}
	s.Tolerance = time.Second
	ts := []byte(strconv.Itoa(vecTS))
	now := time.Unix(vecTS, 0).Add(2 * time.Second)
	if err := s.Verify([]byte(vecID), ts, []byte(vecSig), []byte(vecBody), now); !errors.Is(err, ErrTolerance) {
		t.Fatalf("Verify 2s late with 1s tolerance = %v, want ErrTolerance", err)
	}
}

func TestParseSecret(t *testing.T) {
	tests := []struct {
		name    string
		secret  string
		wantLen int // 0: an error is wanted
	}{
		{name: "vector", secret: vecSecret, wantLen: 24},
		{name: "derived", secret: DeriveSecret(7, 3), wantLen: 32},
		// 32 bytes without the trailing "=" padding.
		{name: "unpadded", secret: strings.TrimRight(DeriveSecret(7, 3), "="), wantLen: 32},
		{name: "no prefix", secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
		{name: "not base64", secret: "whsec_not*base64"},
		{name: "too short", secret: "whsec_c2hvcnQ="},
		{name: "empty", secret: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := ParseSecret(tt.secret)
			switch {
			case tt.wantLen == 0 && !errors.Is(err, ErrSecret):
				t.Fatalf("ParseSecret(%q) error = %v, want ErrSecret", tt.secret, err)
			case tt.wantLen != 0 && (err != nil || len(key) != tt.wantLen):
				t.Fatalf("ParseSecret(%q) = %d bytes, %v; want %d bytes", tt.secret, len(key), err, tt.wantLen)
			}
		})
	}
}

func TestDeriveSecret(t *testing.T) {
	if DeriveSecret(1, 0) != DeriveSecret(1, 0) {
		t.Fatal("DeriveSecret is not deterministic")
	}
	seen := map[string]bool{}
	for _, s := range []string{DeriveSecret(1, 0), DeriveSecret(1, 1), DeriveSecret(2, 0)} {
		if seen[s] {
			t.Fatalf("DeriveSecret repeats %q", s)
		}
		seen[s] = true
	}
}

func TestSignerAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	s, err := NewSigner(vecSecret)
	if err != nil {
		t.Fatal(err)
	}
	id, ts, body := []byte(vecID), []byte(strconv.Itoa(vecTS)), []byte(vecBody)
	sig := s.AppendSignature(nil, id, ts, body)
	now := time.Unix(vecTS, 0)
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		buf = s.AppendSignature(buf[:0], id, ts, body)
		if s.Verify(id, ts, sig, body, now) != nil {
			t.Fatal("Verify failed")
		}
	})
	if allocs != 0 {
		t.Fatalf("AppendSignature+Verify allocate %v times per run, want 0", allocs)
	}
}

// Verify rejects, and never panics on, whatever a peer sends.
func FuzzVerify(f *testing.F) {
	f.Add(vecID, strconv.Itoa(vecTS), vecSig, vecBody)
	f.Add("", "", "", "")
	f.Add(vecID, "99999999999999999999", "v1, v1,,", "x")
	s, err := NewSigner(vecSecret)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(vecTS, 0)
	f.Fuzz(func(t *testing.T, id, ts, sig, body string) {
		err := s.Verify([]byte(id), []byte(ts), []byte(sig), []byte(body), now)
		valid := id == vecID && ts == strconv.Itoa(vecTS) && body == vecBody && strings.Contains(" "+sig+" ", " "+vecSig+" ")
		if valid && err != nil {
			t.Fatalf("valid message rejected: %v", err)
		}
		if err == nil && (id != vecID || body != vecBody) {
			t.Fatalf("forged message (id %q, body %q) accepted", id, body)
		}
	})
}
