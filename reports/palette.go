package reports

import "image/color"

// patternColor returns the colour of the i-th pattern of a Result, so a
// pattern keeps its colour in every plot and table of a report. The palette
// is Okabe–Ito's colour-blind-safe set, most distinct first; yellow comes
// last as it reads poorly on white. Past its end the colours repeat.
func patternColor(i int) color.RGBA {
	palette := [...]color.RGBA{
		{0x00, 0x72, 0xB2, 0xFF}, // blue
		{0xE6, 0x9F, 0x00, 0xFF}, // orange
		{0x00, 0x9E, 0x73, 0xFF}, // bluish green
		{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
		{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
		{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
		{0x00, 0x00, 0x00, 0xFF}, // black
		{0xB8, 0x9B, 0x00, 0xFF}, // dark yellow
	}
	return palette[i%len(palette)]
}

// hexColor returns c as a CSS colour, "#0072b2".
func hexColor(c color.RGBA) string {
	const digits = "0123456789abcdef"
	b := []byte{'#', 0, 0, 0, 0, 0, 0}
	for i, v := range [...]uint8{c.R, c.G, c.B} {
		b[1+2*i] = digits[v>>4]
		b[2+2*i] = digits[v&0xF]
	}
	return string(b)
}
