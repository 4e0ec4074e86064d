// Package ascii lower-cases ASCII eight bytes at a time for the modules that fold the case of
// large amounts of extracted text (the analysis-engine's strings, crypto's printable runs):
// inside WASM a byte loop's turn costs more than the word arithmetic.
package ascii

import "encoding/binary"

const (
	low7 = 0x7f7f7f7f7f7f7f7f
	high = 0x8080808080808080
	ones = 0x0101010101010101
)

// AppendLower appends s to dst with 'A'–'Z' lowered and every other byte as it is, and
// reports whether s is all ASCII (no byte 0x80 or above).
func AppendLower[S ~string | ~[]byte](dst []byte, s S) ([]byte, bool) {
	n := len(dst)
	dst = append(dst, s...)
	return dst, Lower(dst[n:])
}

// Lower lowers 'A'–'Z' in b in place, leaving every other byte as it is, and reports whether
// b is all ASCII (no byte 0x80 or above).
func Lower(b []byte) bool {
	var seen uint64 // the high bits of every byte
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		seen |= w
		x := w & low7
		// Bit 7 of a byte of upper is set when the byte is in 'A'..'Z': with bit 7 cleared, a
		// byte plus 0x3f reaches bit 7 from 'A' up and a byte plus 0x25 from 'Z'+1 up, and
		// neither sum carries into the next byte.
		upper := (x + (0x80-'A')*ones) &^ (x + (0x7f-'Z')*ones) &^ w & high
		binary.LittleEndian.PutUint64(b[i:], w|upper>>2)
	}
	for ; i < len(b); i++ {
		c := b[i]
		seen |= uint64(c)
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return seen&high == 0
}
