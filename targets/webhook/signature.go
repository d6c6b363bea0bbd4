package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Standard Webhooks header names (spec/standard-webhooks.md). HTTP header
// names are case-insensitive; fasthttp sends them as "Webhook-Id" and so on.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// DefaultTolerance is how far a webhook-timestamp may lie from the
// verifier's clock, either way, before the message is rejected as a replay.
// It is the reference libraries' value.
const DefaultTolerance = 5 * time.Minute

// Secret sizes allowed by the spec: 24 to 64 random bytes.
const (
	minSecretBytes = 24
	maxSecretBytes = 64
	secretPrefix   = "whsec_"
	sigVersion     = "v1,"
)

// Verification failures. Verify returns one of them, unwrapped, so that a
// receiver can reject a message without allocating.
var (
	// ErrTimestamp reports a webhook-timestamp that is missing or not a
	// whole number of Unix seconds.
	ErrTimestamp = errors.New("webhook: webhook-timestamp is missing or not Unix seconds")
	// ErrTolerance reports a webhook-timestamp too far from the verifier's
	// clock (a replay, or a skewed clock).
	ErrTolerance = errors.New("webhook: webhook-timestamp is outside the tolerance")
	// ErrSignature reports that no v1 signature in webhook-signature
	// matches the message.
	ErrSignature = errors.New("webhook: no webhook-signature matches the message")
)

// ErrSecret reports a secret that is not "whsec_" followed by the base64 of
// 24 to 64 bytes. ParseSecret wraps it with the reason.
var ErrSecret = errors.New("webhook: bad secret")

// ParseSecret returns the HMAC key of a Standard Webhooks secret: the
// base64-decoded part after "whsec_" (padded or not).
func ParseSecret(secret string) ([]byte, error) {
	b64, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: it must start with %q", ErrSecret, secretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		var rawErr error
		if key, rawErr = base64.RawStdEncoding.DecodeString(b64); rawErr != nil {
			return nil, fmt.Errorf("%w: the part after %q is not base64: %w", ErrSecret, secretPrefix, err)
		}
	}
	if len(key) < minSecretBytes || len(key) > maxSecretBytes {
		return nil, fmt.Errorf("%w: it must encode %d to %d bytes, got %d",
			ErrSecret, minSecretBytes, maxSecretBytes, len(key))
	}
	return key, nil
}

// DeriveSecret returns the secret of subscriber sub in a run with seed
// seed: "whsec_" and the base64 of 32 bytes hashed from both. The same seed
// and subscriber always give the same secret, so runs are reproducible.
func DeriveSecret(seed uint64, sub int) string {
	h := sha256.New()
	h.Write([]byte("hookbench/webhook/secret/v1"))
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], seed)
	binary.LittleEndian.PutUint64(b[8:], uint64(sub))
	h.Write(b[:])
	return secretPrefix + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// A Signer signs and verifies Standard Webhooks v1 (HMAC-SHA256) messages
// with one secret. It is safe for concurrent use; AppendSignature and Verify
// do not allocate once warm.
type Signer struct {
	// Tolerance is how far a timestamp may lie from now, either way, for
	// Verify to accept it. If zero, DefaultTolerance. Set it before use.
	Tolerance time.Duration

	key  []byte
	macs sync.Pool // of *macState
}

// macState is one HMAC and its scratch buffers; a Signer pools them.
type macState struct {
	h   hash.Hash
	sum [sha256.Size]byte
	b64 [44]byte // base64 of sum
	dot [1]byte
}

// NewSigner returns a Signer for secret ("whsec_...").
func NewSigner(secret string) (*Signer, error) {
	key, err := ParseSecret(secret)
	if err != nil {
		return nil, err
	}
	return &Signer{key: key}, nil
}

func (s *Signer) state() *macState {
	if st, ok := s.macs.Get().(*macState); ok {
		return st
	}
	return &macState{h: hmac.New(sha256.New, s.key), dot: [1]byte{'.'}}
}

// expected writes the base64 signature of "id.timestamp.body" into st.b64.
func (st *macState) expected(id, timestamp, body []byte) []byte {
	st.h.Reset()
	st.h.Write(id)
	st.h.Write(st.dot[:])
	st.h.Write(timestamp)
	st.h.Write(st.dot[:])
	st.h.Write(body)
	sum := st.h.Sum(st.sum[:0])
	base64.StdEncoding.Encode(st.b64[:], sum)
	return st.b64[:]
}

// AppendSignature appends the webhook-signature value for message id, sent
// at timestamp (decimal Unix seconds) with body, to dst: "v1," and the
// base64 HMAC-SHA256 of "id.timestamp.body".
func (s *Signer) AppendSignature(dst, id, timestamp, body []byte) []byte {
	st := s.state()
	dst = append(dst, sigVersion...)
	dst = append(dst, st.expected(id, timestamp, body)...)
	s.macs.Put(st)
	return dst
}

// Verify checks one received message: timestamp must be within the
// tolerance of now, and one of the space-delimited signatures (several
// allow secret rotation; versions other than v1 are skipped) must match.
// Signatures are compared in constant time. It returns nil, ErrTimestamp,
// ErrTolerance or ErrSignature.
func (s *Signer) Verify(id, timestamp, signatures, body []byte, now time.Time) error {
	ts, ok := parseUnix(timestamp)
	if !ok {
		return ErrTimestamp
	}
	tol := s.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	if skew := now.Sub(time.Unix(ts, 0)); skew > tol || skew < -tol {
		return ErrTolerance
	}
	st := s.state()
	defer s.macs.Put(st)
	want := st.expected(id, timestamp, body)
	for len(signatures) > 0 {
		var sig []byte
		sig, signatures, _ = bytes.Cut(signatures, []byte{' '})
		v, ok := bytes.CutPrefix(sig, []byte(sigVersion))
		if ok && subtle.ConstantTimeCompare(v, want) == 1 {
			return nil
		}
	}
	return ErrSignature
}

// parseUnix reads a positive decimal number of seconds.
func parseUnix(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// Headers are the Standard Webhooks headers of one attempt, as received.
type Headers struct {
	ID        string // webhook-id
	Timestamp string // webhook-timestamp
	Signature string // webhook-signature
}

// Sign returns the webhook-signature value for message id sent at
// timestamp (Unix seconds) with body, signed with secret. It is a
// convenience; senders on a hot path keep a Signer.
func Sign(secret, id string, timestamp int64, body []byte) (string, error) {
	s, err := NewSigner(secret)
	if err != nil {
		return "", err
	}
	ts := strconv.AppendInt(nil, timestamp, 10)
	return string(s.AppendSignature(nil, []byte(id), ts, body)), nil
}

// Verify checks a received message against secret with DefaultTolerance
// around now; see Signer.Verify. A bad secret is reported as ErrSecret.
func Verify(secret string, h Headers, body []byte, now time.Time) error {
	s, err := NewSigner(secret)
	if err != nil {
		return err
	}
	return s.Verify([]byte(h.ID), []byte(h.Timestamp), []byte(h.Signature), body, now)
}
