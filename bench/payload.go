package bench

import (
	"errors"
	"strconv"
	"time"
)

// The event body every target carries, a JSON object in the Standard
// Webhooks envelope style:
//
//	{"type":"hookbench.event","seq":12,"key":3,"due_ns":60000000,"data":"abcd..."}
//
// "data" pads the body to the stream's payload size. The consumer side reads
// seq, key and due back with ParsePayload, so latency is computed from the
// event's own due time (no per-event state is kept by the engine).
const payloadPrefix = `{"type":"hookbench.event","seq":`

// AppendPayload appends the body of ev to dst and returns the extended slice.
// The body is ev.Size bytes long, or its header length if that is larger.
// It is deterministic: the same event gives the same bytes.
func AppendPayload(dst []byte, ev Event) []byte {
	start := len(dst)
	dst = append(dst, payloadPrefix...)
	dst = strconv.AppendUint(dst, ev.Seq, 10)
	dst = append(dst, `,"key":`...)
	dst = strconv.AppendUint(dst, uint64(ev.Key), 10)
	dst = append(dst, `,"due_ns":`...)
	dst = strconv.AppendInt(dst, int64(ev.Due), 10)
	dst = append(dst, `,"data":"`...)
	pad := ev.Size - (len(dst) - start) - 2
	// The padding cycles through the alphabet from a seq-dependent letter.
	const alphabet = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
	for off := int(ev.Seq % 26); pad > 0; {
		n := min(pad, 26)
		dst = append(dst, alphabet[off:off+n]...)
		pad -= n
	}
	return append(dst, `"}`...)
}

// ErrPayload reports a body that is not a hookbench event.
var ErrPayload = errors.New("not a hookbench event body")

// ParsePayload reads seq, key and due back from a body made by
// AppendPayload. It does not allocate.
func ParsePayload(b []byte) (seq uint64, key uint32, due time.Duration, err error) {
	if len(b) < len(payloadPrefix) || string(b[:len(payloadPrefix)]) != payloadPrefix {
		return 0, 0, 0, ErrPayload
	}
	b = b[len(payloadPrefix):]
	var v uint64
	if v, b, err = parseField(b, `,"key":`); err != nil {
		return 0, 0, 0, err
	}
	seq = v
	if v, b, err = parseField(b, `,"due_ns":`); err != nil {
		return 0, 0, 0, err
	}
	if v > 1<<32-1 {
		return 0, 0, 0, ErrPayload
	}
	key = uint32(v)
	if v, _, err = parseField(b, `,"data":"`); err != nil {
		return 0, 0, 0, err
	}
	return seq, key, time.Duration(v), nil
}

// parseField reads a decimal number that ends where next begins.
func parseField(b []byte, next string) (uint64, []byte, error) {
	var v uint64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if i >= 19 {
			return 0, nil, ErrPayload
		}
		v = v*10 + uint64(b[i]-'0')
	}
	if i == 0 || len(b)-i < len(next) || string(b[i:i+len(next)]) != next {
		return 0, nil, ErrPayload
	}
	return v, b[i+len(next):], nil
}
