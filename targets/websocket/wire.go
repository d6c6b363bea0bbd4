package websocket

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// The wire protocol (see doc.go). Every server message is one binary
// WebSocket message: a kind byte, the 8-byte big-endian offset it is
// about, then the kind's body.
const (
	// kindEvent carries the event at the offset; the body is the event
	// as made by bench.AppendPayload.
	kindEvent byte = 'e'
	// kindContinuityLost says the resume point is no longer in the
	// replay buffer; the offset is the oldest one still held, which the
	// server sends next. There is no body.
	kindContinuityLost byte = 'l'

	headerLen = 9
	// maxMessage bounds a message the client accepts: the largest
	// payload a stream can have (16MiB) plus the header.
	maxMessage = 16<<20 + headerLen
)

// streamPath is where the server accepts subscriptions.
const streamPath = "/stream"

var errMessage = errors.New("not a hookbench websocket message")

// newEventMessage returns a message with room for an event of size bytes;
// its offset is set by putOffset.
func newEventMessage(size int) []byte {
	b := make([]byte, headerLen, headerLen+max(size, 128))
	b[0] = kindEvent
	return b
}

// putOffset writes off into the header of msg.
func putOffset(msg []byte, off uint64) { binary.BigEndian.PutUint64(msg[1:headerLen], off) }

// appendContinuityLost appends a continuity-lost message for first.
func appendContinuityLost(dst []byte, first uint64) []byte {
	dst = append(dst, kindContinuityLost)
	return binary.BigEndian.AppendUint64(dst, first)
}

// parseMessage splits a server message into kind, offset and body.
func parseMessage(b []byte) (kind byte, off uint64, body []byte, err error) {
	if len(b) < headerLen {
		return 0, 0, nil, fmt.Errorf("%w: %d bytes", errMessage, len(b))
	}
	kind, off, body = b[0], binary.BigEndian.Uint64(b[1:headerLen]), b[headerLen:]
	switch {
	case kind == kindEvent:
	case kind == kindContinuityLost && len(body) == 0:
	default:
		return 0, 0, nil, fmt.Errorf("%w: kind %q, %d bytes", errMessage, kind, len(b))
	}
	return kind, off, body, nil
}

// resumeURL is the subscription URL for subscriber sub resuming at offset
// from (the first offset it has not received).
func resumeURL(base string, sub int, from uint64) string {
	return base + streamPath + "?sub=" + strconv.Itoa(sub) + "&from=" + strconv.FormatUint(from, 10)
}

// parseResume reads the subscriber and resume offset of a subscription.
func parseResume(q url.Values) (sub int, from uint64, err error) {
	sub, err1 := strconv.Atoi(q.Get("sub"))
	from, err2 := strconv.ParseUint(q.Get("from"), 10, 64)
	if err1 != nil || err2 != nil || sub < 0 {
		return 0, 0, fmt.Errorf("want ?sub=N&from=OFFSET, got %q", q.Encode())
	}
	return sub, from, nil
}
