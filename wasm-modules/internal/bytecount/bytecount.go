// Package bytecount is the byte histogram and Shannon entropy the analyzer modules share
// (crypto's entropy profile, the file-processor's and analysis-engine's section entropies, the
// pattern-matcher's math.entropy).
package bytecount

import (
	"encoding/binary"
	"math"
)

// Add adds to counts the number of times each byte value occurs in b. It reads eight bytes per
// load: inside WASM a turn of a byte loop, with its bounds check and the runtime's loop budget,
// costs more than the increment it does.
func Add(counts *[256]uint64, b []byte) {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		counts[byte(w)]++
		counts[byte(w>>8)]++
		counts[byte(w>>16)]++
		counts[byte(w>>24)]++
		counts[byte(w>>32)]++
		counts[byte(w>>40)]++
		counts[byte(w>>48)]++
		counts[byte(w>>56)]++
	}
	for _, c := range b[i:] {
		counts[c]++
	}
}

// Entropy is the Shannon entropy in bits per byte of n bytes with these counts, 0 when n is 0.
// The terms are added in byte-value order, so callers that used this loop before get the same
// value to the bit.
func Entropy(counts *[256]uint64, n int) float64 {
	if n == 0 {
		return 0
	}
	total := float64(n)
	e := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / total
			e -= p * math.Log2(p)
		}
	}
	return e
}

// Of is the entropy of b.
func Of(b []byte) float64 {
	var counts [256]uint64
	Add(&counts, b)
	return Entropy(&counts, len(b))
}
