package reports

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// hdrGeometry is the bucket layout of an HdrHistogram, as its V2 header
// states it.
type hdrGeometry struct {
	lowest, highest int64
	sigfigs         int32
}

// hdrMerger sums base64 V2-compressed HdrHistograms (the results.json
// encoding) into one dense counts array and answers percentiles of the sum.
// It exists for speed: an hour's run has thousands of window histograms,
// and hdrhistogram.Decode allocates a new inflater and counts array for
// each, which costs more than the whole rest of a report. The merger
// reuses its buffers and zlib reader, so merging a window costs about its
// inflate. The sum's percentiles are the library's: the counts go back
// through hdrhistogram.Import. Not safe for concurrent use.
type hdrMerger struct {
	geom    hdrGeometry
	counts  []int64
	added   int
	raw     []byte
	src     bytes.Reader
	zr      io.ReadCloser
	inflate bytes.Buffer
}

// reset empties the sum, keeping its geometry and buffers.
func (m *hdrMerger) reset() {
	clear(m.counts)
	m.added = 0
}

// add decodes one encoded histogram and adds its counts to the sum.
func (m *hdrMerger) add(encoded string) error {
	var err error
	m.raw, err = base64.StdEncoding.AppendDecode(m.raw[:0], []byte(encoded))
	if err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	raw := m.raw
	if len(raw) < 8 || int32(binary.BigEndian.Uint32(raw))&^0xf0 != hdrhistogram.V2CompressedEncodingCookieBase {
		return errors.New("histogram: not V2 compressed")
	}
	n := int(binary.BigEndian.Uint32(raw[4:]))
	if n < 0 || n > len(raw)-8 {
		return errors.New("histogram: truncated")
	}
	m.src.Reset(raw[8 : 8+n])
	if m.zr == nil {
		m.zr, err = zlib.NewReader(&m.src)
	} else {
		err = m.zr.(zlib.Resetter).Reset(&m.src, nil)
	}
	if err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	m.inflate.Reset()
	if _, err := m.inflate.ReadFrom(m.zr); err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	return m.addPayload(m.inflate.Bytes())
}

// addPayload reads an inflated V2 histogram: a 40-byte header, then counts
// as ZigZag LEB128 varints, negative values being runs of empty buckets.
func (m *hdrMerger) addPayload(b []byte) error {
	const header = 40
	if len(b) < header || int32(binary.BigEndian.Uint32(b))&^0xf0 != hdrhistogram.V2EncodingCookieBase {
		return errors.New("histogram: bad payload header")
	}
	n := int(int32(binary.BigEndian.Uint32(b[4:])))
	if n < 0 || n > len(b)-header {
		return errors.New("histogram: truncated payload")
	}
	g := hdrGeometry{
		sigfigs: int32(binary.BigEndian.Uint32(b[12:])),
		lowest:  int64(binary.BigEndian.Uint64(b[16:])),
		highest: int64(binary.BigEndian.Uint64(b[24:])),
	}
	switch {
	case m.counts == nil:
		if g.sigfigs < 1 || g.sigfigs > 5 || g.lowest < 1 || g.highest < 2*g.lowest {
			return fmt.Errorf("histogram: unsupported geometry %+v", g)
		}
		m.geom = g
		m.counts = make([]int64, len(hdrhistogram.New(g.lowest, g.highest, int(g.sigfigs)).Export().Counts))
	case g != m.geom:
		return fmt.Errorf("histogram: geometry %+v differs from the sum's %+v", g, m.geom)
	}
	payload, idx := b[header:header+n], 0
	for len(payload) > 0 {
		v, k := zigzag(payload)
		if k == 0 {
			return errors.New("histogram: truncated varint")
		}
		payload = payload[k:]
		switch {
		case v < 0 && -v <= int64(len(m.counts)-idx):
			idx += int(-v)
		case v >= 0 && idx < len(m.counts):
			m.counts[idx] += v
			idx++
		default:
			return errors.New("histogram: payload overflows its buckets")
		}
	}
	m.added++
	return nil
}

// percentiles returns the sum's values (in the histograms' unit) at the
// percentiles (0-100).
func (m *hdrMerger) percentiles(ps ...float64) []int64 {
	if m.added == 0 {
		return make([]int64, len(ps))
	}
	h := hdrhistogram.Import(&hdrhistogram.Snapshot{
		LowestTrackableValue:  m.geom.lowest,
		HighestTrackableValue: m.geom.highest,
		SignificantFigures:    int64(m.geom.sigfigs),
		Counts:                m.counts,
	})
	return h.ValueAtPercentilesSlice(ps)
}

// zigzag decodes HdrHistogram's ZigZag LEB128-64b9B varint at the start of
// b (the ninth byte carries eight bits), returning it and its length, or a
// length of 0 when b ends first.
func zigzag(b []byte) (int64, int) {
	var u uint64
	for i := 0; i < 9 && i < len(b); i++ {
		if i == 8 {
			u |= uint64(b[8]) << 56
			return int64(u>>1) ^ -int64(u&1), 9
		}
		u |= uint64(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return int64(u>>1) ^ -int64(u&1), i + 1
		}
	}
	return 0, 0
}
