package reports

import (
	"slices"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// TestHDRMergerMatchesLibrary checks that merging window histograms gives
// exactly the percentiles of hdrhistogram's own Decode and Merge.
func TestHDRMergerMatchesLibrary(t *testing.T) {
	r := loadFixture(t)
	ps := []float64{0, 50, 90, 99, 99.9, 100}
	var hm hdrMerger
	groups := 0
	for _, p := range r.Patterns {
		for start := 0; start < len(p.Windows); start += 3 {
			hm.reset()
			var want *hdrhistogram.Histogram
			for _, w := range p.Windows[start:min(start+3, len(p.Windows))] {
				if w.HDR == "" {
					continue
				}
				if err := hm.add(w.HDR); err != nil {
					t.Fatal(err)
				}
				h, err := hdrhistogram.Decode([]byte(w.HDR))
				if err != nil {
					t.Fatal(err)
				}
				if want == nil {
					want = h
				} else {
					want.Merge(h)
				}
			}
			if want == nil {
				continue
			}
			groups++
			if got, exp := hm.percentiles(ps...), want.ValueAtPercentilesSlice(ps); !slices.Equal(got, exp) {
				t.Errorf("%s windows %d-%d: merged %v, library %v", p.Name, start, start+2, got, exp)
			}
		}
	}
	if groups < 20 {
		t.Fatalf("only %d groups compared", groups)
	}
}

func TestHDRMergerRejectsCorrupt(t *testing.T) {
	good := loadFixture(t).Patterns[0].Windows[0].HDR
	other := loadFixture(t).Patterns[0].Latency.HDR // 3 digits, not 2
	for _, tc := range []struct{ name, in string }{
		{"not base64", "!!!"},
		{"too short", "HISTFAAA"},
		{"truncated", good[:len(good)/2]},
		{"another geometry", other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hm hdrMerger
			if tc.name == "another geometry" {
				if err := hm.add(good); err != nil {
					t.Fatal(err)
				}
			}
			if err := hm.add(tc.in); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestZigzag(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want int64
		n    int
	}{
		{[]byte{0x00}, 0, 1},
		{[]byte{0x02}, 1, 1},
		{[]byte{0x01}, -1, 1},
		{[]byte{0x80, 0x01}, 64, 2},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, -1 << 63, 9}, // the ninth byte carries 8 bits
		{[]byte{0x80}, 0, 0}, // truncated
	} {
		if got, n := zigzag(tc.in); got != tc.want || n != tc.n {
			t.Errorf("zigzag(%x) = %d, %d; want %d, %d", tc.in, got, n, tc.want, tc.n)
		}
	}
}
