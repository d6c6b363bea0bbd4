package websocket

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/hookbench/hookbench/bench"
)

// The wire protocol (see doc.go). A server message is one binary
// WebSocket message holding one or more records; a record is a kind
// byte, the 8-byte big-endian offset it is about, the 4-byte big-endian
// length of its body, and the body.
const (
	// kindEvent carries the event at the offset; the body is the event
	// as made by bench.AppendPayload.
	kindEvent byte = 'e'
	// kindContinuityLost says the events from the client's resume point
	// (or its last event) up to the offset are gone: the resume point is
	// no longer in the replay buffer, or a ratelimit fault dropped them.
	// The server sends the offset next. Its body is empty.
	kindContinuityLost byte = 'l'

	recordHeader = 13
	// maxMessage bounds a message the client accepts: a batch of events,
	// or one event of the largest payload a stream can have (16MiB).
	maxMessage = 16<<20 + recordHeader + maxBatchBytes
	// maxBatchBytes bounds the records the server packs into one message
	// (one record of any size always goes).
	maxBatchBytes = 64 << 10
)

// streamPath is where the server accepts subscriptions.
const streamPath = "/stream"

var errMessage = errors.New("not a hookbench websocket message")

// newEventRecord returns a record with room for an event of size bytes;
// its offset and length are set by sealRecord.
func newEventRecord(size int) []byte {
	b := make([]byte, recordHeader, recordHeader+max(size, 128))
	b[0] = kindEvent
	return b
}

// sealRecord writes off and the body length into the header of rec.
func sealRecord(rec []byte, off uint64) {
	binary.BigEndian.PutUint64(rec[1:9], off)
	binary.BigEndian.PutUint32(rec[9:recordHeader], uint32(len(rec)-recordHeader))
}

// recordOffset returns the offset of the record rec (a whole record, as
// the hub makes them).
func recordOffset(rec []byte) uint64 { return binary.BigEndian.Uint64(rec[1:9]) }

// recordSeq returns the event seq that the event record rec carries, or
// def if its body is not a hookbench event. Offset and seq coincide when
// the engine publishes its stream; fault draws key on the seq, as every
// pattern does.
func recordSeq(rec []byte, def uint64) uint64 {
	seq, _, _, err := bench.ParsePayload(rec[recordHeader:])
	if err != nil {
		return def
	}
	return seq
}

// appendContinuityLost appends a continuity-lost record for first.
func appendContinuityLost(dst []byte, first uint64) []byte {
	dst = append(dst, kindContinuityLost)
	dst = binary.BigEndian.AppendUint64(dst, first)
	return binary.BigEndian.AppendUint32(dst, 0)
}

// nextRecord splits the first record off msg: its kind, offset and body,
// and the rest of msg.
func nextRecord(msg []byte) (kind byte, off uint64, body, rest []byte, err error) {
	if len(msg) < recordHeader {
		return 0, 0, nil, nil, fmt.Errorf("%w: a record of %d bytes", errMessage, len(msg))
	}
	kind, off = msg[0], binary.BigEndian.Uint64(msg[1:9])
	n := uint64(binary.BigEndian.Uint32(msg[9:recordHeader]))
	if n > uint64(len(msg)-recordHeader) {
		return 0, 0, nil, nil, fmt.Errorf("%w: a body of %d bytes in %d", errMessage, n, len(msg)-recordHeader)
	}
	body, rest = msg[recordHeader:recordHeader+n], msg[recordHeader+n:]
	switch {
	case kind == kindEvent:
	case kind == kindContinuityLost && n == 0:
	default:
		return 0, 0, nil, nil, fmt.Errorf("%w: kind %q with a body of %d bytes", errMessage, kind, n)
	}
	return kind, off, body, rest, nil
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
