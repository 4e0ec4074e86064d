// Package textruns finds runs of printable text in bytes, ASCII and UTF-16LE: the strings an
// analyst pulls out of a binary. The wasm runtime answers athena.text_runs with it (see
// wasm-modules/ABI.md) and guests fall back to it, so both give the same runs.
package textruns

import (
	"encoding/binary"
	"math/bits"

	"github.com/athena-mesh/athena/internal/yield"
)

// Kind is what a run is made of. The values are part of the guest ABI.
type Kind uint32

const (
	// ASCII runs are printable bytes: 0x20–0x7e and tab.
	ASCII Kind = 1
	// UTF16LEEven runs are two-byte characters, a printable byte followed by a zero byte,
	// starting at even offsets of the input.
	UTF16LEEven Kind = 2
	// UTF16LEOdd runs are the same characters starting at odd offsets.
	UTF16LEOdd Kind = 3
)

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool { return k >= ASCII && k <= UTF16LEOdd }

// At returns the kind that finds, in b[off:], the runs k finds in b: a UTF-16LE alignment
// flips when off is odd.
func (k Kind) At(off int) Kind {
	if k == ASCII || off%2 == 0 {
		return k
	}
	return UTF16LEEven + UTF16LEOdd - k
}

// Printable reports whether c is text: 0x20–0x7e or a tab.
func Printable(c byte) bool { return c >= 0x20 && c < 0x7f || c == '\t' }

// Scan calls emit with the byte range [start, end) of every run of kind in b of at least
// minLen characters (at least one), in order, until emit returns false. A run is as long as it
// can be: the byte (ASCII) or the two bytes (UTF-16LE) after it are not a character of its
// kind, or b ends. It reports false for an unknown kind.
func Scan(kind Kind, minLen int, b []byte, emit func(start, end int) bool) bool {
	minLen = max(minLen, 1)
	switch kind {
	case ASCII:
		scanASCII(minLen, b, emit)
	case UTF16LEEven, UTF16LEOdd:
		scanUTF16LE(int(kind-UTF16LEEven), minLen, b, emit)
	default:
		return false
	}
	return true
}

const (
	low7 = 0x7f7f7f7f7f7f7f7f
	high = 0x8080808080808080
	ones = 0x0101010101010101
)

// printableMask has bit 7 set in every byte of w that is printable and no other bit: with bit
// 7 cleared, a byte plus 0x60 reaches bit 7 from 0x20 up and a byte plus 1 from 0x7f up, and
// neither sum carries into the next byte; a tab is the byte that XORed with 0x09 is zero.
func printableMask(w uint64) uint64 {
	x := w & low7
	p := (x + 0x60*ones) &^ (x + ones) &^ w & high
	t := w ^ 0x09*ones
	return p | ^((t&low7)+low7)&^t&high
}

// printableBits has bit k set when byte k of w is printable: the multiply gathers bit 7 of
// every byte into the top byte without carries.
func printableBits(w uint64) uint64 {
	return (printableMask(w) >> 7) * 0x0102040810204080 >> 56
}

// runStarts keeps, of a mask with bit k set where position k may begin a run, the bits
// followed by m set bits in a row (for m from 1 to 8): r &= r>>s1; r &= r>>s2; r &= r>>s3,
// each doubling the run a bit vouches for, the last only as far as m. An unused shift is 0,
// which changes nothing. Three fixed steps instead of a loop of m-1 keep the scans' word loops
// free of branches but their exit.
type runStarts struct{ s1, s2, s3 uint }

// newRunStarts returns the steps for runs of m positions, which lie stride bits apart in the
// mask.
func newRunStarts(m int, stride uint) runStarts {
	have := 1
	step := func() uint {
		s := max(0, min(have, m-have))
		have += s
		return stride * uint(s)
	}
	s1 := step()
	s2 := step()
	return runStarts{s1, s2, step()}
}

// of returns the bits of r that begin a run.
func (k runStarts) of(r uint64) uint64 {
	r &= r >> (k.s1 & 63)
	r &= r >> (k.s2 & 63)
	return r & (r >> (k.s3 & 63))
}

// scanASCII looks for where min(minLen, 8) printable bytes in a row start, eight positions per
// step: binaries are mostly short runs between other bytes, and visiting each of those costs
// more than testing a word. It then finds the run's end a word at a time.
func scanASCII(minLen int, b []byte, emit func(start, end int) bool) {
	starts := newRunStarts(min(minLen, 8), 1)
	// Invariant: i is 0 or follows a byte that is not printable, so the first position in a
	// word where min(minLen, 8) printable bytes start is where a run starts.
	for i := 0; i < len(b); {
		start := -1
		if i+16 <= len(b) {
			next := printableBits(binary.LittleEndian.Uint64(b[i:]))
			for ; i+16 <= len(b); i += 8 {
				cur := next
				next = printableBits(binary.LittleEndian.Uint64(b[i+8:]))
				r := starts.of(cur | next<<8)
				if r&0xff != 0 {
					start = i + bits.TrailingZeros64(r)
					break
				}
			}
		}
		if start < 0 {
			// Fewer than 16 bytes left: one at a time.
			for ; i < len(b) && !Printable(b[i]); i++ {
			}
			if i == len(b) {
				return
			}
			start = i
		}
		i = start
		for i+8 <= len(b) {
			if w := ^printableMask(binary.LittleEndian.Uint64(b[i:])) & high; w != 0 {
				i += bits.TrailingZeros64(w) >> 3
				break
			}
			i += 8
		}
		for i < len(b) && Printable(b[i]) {
			i++
		}
		if i-start >= minLen && !emit(start, i) {
			return
		}
	}
}

// charMask has bit 7 of byte 2k of w set when bytes 2k and 2k+1 are a UTF-16LE character (a
// printable byte, then zero), and no other bit.
func charMask(w uint64) uint64 {
	zero := ^((w&low7 + low7) | w) & high
	return printableMask(w) & (zero >> 8) & 0x0080008000800080
}

// charBits has bit k set when bytes 2k and 2k+1 of w are a character.
func charBits(w uint64) uint64 {
	// The multiply moves bit 16k of the shifted mask to bit 45+k; no two of its partial
	// products meet, so nothing carries.
	return (charMask(w) >> 7) * (1<<45 | 1<<30 | 1<<15 | 1) >> 45 & 0xf
}

// utf16RunEnd returns where the run of UTF-16LE characters at start ends, a word at a time
// while four characters fill it.
func utf16RunEnd(b []byte, start int) int {
	i := start
	for i+8 <= len(b) && charMask(binary.LittleEndian.Uint64(b[i:])) == 0x0080008000800080 {
		i += 8
	}
	for i+1 < len(b) && b[i+1] == 0 && Printable(b[i]) {
		i += 2
	}
	return i
}

// scanUTF16LE finds the runs of characters at offsets align, align+2, ... It looks for where
// min(minLen, 4) characters in a row start, four positions per step, as scanASCII does, then
// finds the run's end a word at a time.
func scanUTF16LE(align, minLen int, b []byte, emit func(start, end int) bool) {
	starts := newRunStarts(min(minLen, 4), 1)
	// Invariant: i is align or follows a pair that is not a character.
	for i := align; i+1 < len(b); {
		start := -1
		if i+16 <= len(b) {
			next := charBits(binary.LittleEndian.Uint64(b[i:]))
			for ; i+16 <= len(b); i += 8 {
				cur := next
				next = charBits(binary.LittleEndian.Uint64(b[i+8:]))
				r := starts.of(cur | next<<4)
				if r&0xf != 0 {
					start = i + 2*bits.TrailingZeros64(r)
					break
				}
			}
		}
		if start < 0 {
			// Fewer than 16 bytes left: a pair at a time.
			for ; i+1 < len(b) && !(b[i+1] == 0 && Printable(b[i])); i += 2 {
			}
			if i+1 >= len(b) {
				return
			}
			start = i
		}
		i = utf16RunEnd(b, start)
		if (i-start)/2 >= minLen && !emit(start, i) {
			return
		}
	}
}

// ScanUTF16LEBoth calls emit with the runs of both UTF-16LE kinds in b, in order of their
// starts: exactly the runs Scan(UTF16LEEven, ...) and Scan(UTF16LEOdd, ...) find, in one pass
// instead of two. The two kinds' runs never overlap (inside a run of one, the bytes where the
// other's characters would start are zeros), so one cursor serves both.
func ScanUTF16LEBoth(minLen int, b []byte, emit func(kind Kind, start, end int) bool) {
	minLen = max(minLen, 1)
	starts := newRunStarts(min(minLen, 4), 2) // one kind's characters are two positions apart
	// Invariant: no run of at least min(minLen, 4) characters starts before i unless it was
	// handled, so the first such start at or after i is where a run starts.
	for i := 0; i+1 < len(b); {
		start := -1
		if i+17 <= len(b) {
			next := charStarts(b, i)
			for ; i+17 <= len(b); i += 8 {
				cur := next
				next = charStarts(b, i+8)
				r := starts.of(cur | next<<8)
				if r&0xff != 0 {
					start = i + bits.TrailingZeros64(r)
					break
				}
			}
		}
		if start < 0 {
			// Fewer than 17 bytes left: a position at a time.
			for ; i+1 < len(b) && !(b[i+1] == 0 && Printable(b[i])); i++ {
			}
			if i+1 >= len(b) {
				return
			}
			start = i
		}
		i = utf16RunEnd(b, start)
		if (i-start)/2 >= minLen && !emit(UTF16LEEven+Kind(start&1), start, i) {
			return
		}
	}
}

// charStarts has bit k set when a UTF-16LE character starts at b[i+k] (b[i+k] printable and
// b[i+k+1] zero), for k from 0 to 7; it reads b[i:i+9].
func charStarts(b []byte, i int) uint64 {
	return printableBits(binary.LittleEndian.Uint64(b[i:])) & zeroBits(binary.LittleEndian.Uint64(b[i+1:]))
}

// zeroBits has bit k set when byte k of w is zero.
func zeroBits(w uint64) uint64 {
	zero := ^((w&low7 + low7) | w) & high
	return (zero >> 7) * 0x0102040810204080 >> 56
}

// PairSize is the encoded size of one run: its start and end, little-endian uint32.
const PairSize = 8

// Encode writes to out, as pairs of little-endian uint32 (start, end), the first runs of kind
// in b, as many as fit in out, and returns how many it wrote; -1 for an unknown kind. When it
// fills out there may be more: the next call should start at the end of the last run, with
// the kind At that offset. It tells y (nil: nobody) where each run ends.
func Encode(kind Kind, minLen int, b, out []byte, y *yield.Point) int {
	if !kind.Valid() {
		return -1
	}
	n := 0
	room := len(out) / PairSize
	if room == 0 {
		return 0
	}
	Scan(kind, minLen, b, func(start, end int) bool {
		binary.LittleEndian.PutUint32(out[n*PairSize:], uint32(start))
		binary.LittleEndian.PutUint32(out[n*PairSize+4:], uint32(end))
		n++
		y.At(end)
		return n < room
	})
	return n
}
