// Package bytecount is the byte histogram and Shannon entropy that the host and the analyzer
// modules share: the wasm runtime answers athena.digest's byte-count algorithm with Add (see
// wasm-modules/ABI.md), guests fall back to it when no host answers, and the orchestrator uses
// it for the sample's entropy.
package bytecount

import (
	"encoding/binary"
	"math"
)

// Add adds to counts the number of times each byte value occurs in b. It reads eight bytes per
// load: inside WASM a turn of a byte loop, with its bounds check and the runtime's loop budget,
// costs more than the increment it does.
func Add(counts *[256]uint64, b []byte) {
	if len(b) >= wideMin {
		b = addWide(counts, b)
	}
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

const (
	// wideMin is the input size from which Add counts into four tables (addWide).
	wideMin = 16 << 10
	// wideChunk is how many bytes addWide counts before adding its tables to the result: few
	// enough for uint32 counters.
	wideChunk = 1 << 24
)

// addWide counts the whole eight-byte words of b in four tables of 32-bit counters, used in
// turn, adds them to counts and returns the bytes left (fewer than eight). A long run of one
// byte value (the zero padding of executables) then increments four counters in turn instead
// of one, which each increment would have to wait for: a third faster natively on a Go PE.
func addWide(counts *[256]uint64, b []byte) []byte {
	var t [4][256]uint32
	for len(b) >= 8 {
		n := min(len(b)&^7, wideChunk)
		for i := 0; i < n; i += 8 {
			w := binary.LittleEndian.Uint64(b[i:])
			t[0][byte(w)]++
			t[1][byte(w>>8)]++
			t[2][byte(w>>16)]++
			t[3][byte(w>>24)]++
			t[0][byte(w>>32)]++
			t[1][byte(w>>40)]++
			t[2][byte(w>>48)]++
			t[3][byte(w>>56)]++
		}
		b = b[n:]
		for v := range counts {
			counts[v] += uint64(t[0][v]) + uint64(t[1][v]) + uint64(t[2][v]) + uint64(t[3][v])
		}
		t = [4][256]uint32{}
	}
	return b
}

// EncodedSize is the length of an encoded histogram: 256 little-endian uint64 counts, byte
// value 0 first, which is also how a [256]uint64 lies in a wasm guest's memory.
const EncodedSize = 256 * 8

// AppendCounts appends counts, encoded, to out.
func AppendCounts(out []byte, counts *[256]uint64) []byte {
	for _, c := range counts {
		out = binary.LittleEndian.AppendUint64(out, c)
	}
	return out
}

// AddEncoded adds an encoded histogram to counts. It reports false, adding nothing, when enc
// is not EncodedSize bytes long.
func AddEncoded(counts *[256]uint64, enc []byte) bool {
	if len(enc) != EncodedSize {
		return false
	}
	for i := range counts {
		counts[i] += binary.LittleEndian.Uint64(enc[8*i:])
	}
	return true
}

// Entropy is the Shannon entropy, in bits per byte, of n bytes whose histogram is counts.
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

// Of is the Shannon entropy of b in bits per byte (0 for empty input).
func Of(b []byte) float64 {
	var counts [256]uint64
	Add(&counts, b)
	return Entropy(&counts, len(b))
}
