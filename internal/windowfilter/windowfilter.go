// Package windowfilter is the prefilter of a multi-pattern search over bytes: at each position
// the window of the last four bytes is probed in a blocked Bloom filter of hashed windows and
// the last two bytes in an exact bitmap, and only positions that pass are looked at further.
// The pattern-matcher builds a Filter from its atoms and the crypto module from its miner
// words; inside WASM the host runs the probe loop (athena.window_filter, see
// wasm-modules/ABI.md) over the filter in guest memory, natively, with Blocks.
package windowfilter

import (
	"encoding/binary"
	"unsafe"

	"github.com/athena-mesh/athena/internal/yield"
)

const (
	// HashedWords is the size of the hashed filter: 2^20 bits (128 KiB). A window sets two
	// bits of one 64-bit word.
	HashedWords = 1 << 14
	// PairWords is the size of each exact bitmap of two-byte windows.
	PairWords = 1 << 16 / 64
	// Size is a Filter's size in bytes; its layout (Hashed, Pairs, then Tails, little-endian
	// words) is part of the guest ABI.
	Size = (HashedWords + 2*PairWords) * 8
	// BlockSize is how many positions one mask of Blocks covers.
	BlockSize = 32

	// hashMul is the 64-bit golden-ratio constant; the top bits of w*hashMul are well mixed.
	hashMul = 0x9E3779B97F4A7C15
	// hashShift keeps the 26 top bits of the hash: word index, then two bit positions.
	hashShift = 64 - 20 - 6
)

// Filter is a prefilter: which four-byte windows (hashed) and which two-byte windows (exactly)
// may end a pattern.
type Filter struct {
	Hashed [HashedWords]uint64
	Pairs  [PairWords]uint64
	// Tails has a bit for the last two bytes of every window in Hashed: one load from 8 KiB
	// rejects most positions before the hash and the load from 128 KiB.
	Tails [PairWords]uint64
}

// Hash is where window w (its four bytes, the newest lowest) falls in Hashed: word index in
// bits 12 and up, the two bit positions in bits 0–5 and 6–11.
func Hash(w uint64) uint64 { return (w * hashMul) >> hashShift }

// AddWindow lets window w pass the hashed filter.
func (f *Filter) AddWindow(w uint32) {
	h := Hash(uint64(w))
	f.Hashed[h>>12] |= 1<<(h&63) | 1<<(h>>6&63)
	t := uint16(w)
	f.Tails[t>>6] |= 1 << (t & 63)
}

// AddPair lets the two-byte window v (the newer byte lowest) pass the exact bitmap.
func (f *Filter) AddPair(v uint16) { f.Pairs[v>>6] |= 1 << (v & 63) }

// HashedPasses reports (in bit 0) whether window w passes the hashed filter; a window that
// was added always does.
func (f *Filter) HashedPasses(w uint64) uint64 {
	h := Hash(w)
	word := f.Hashed[h>>12&(HashedWords-1)]
	return word >> (h & 63) & (word >> (h >> 6 & 63)) & 1
}

// Passes reports (in bit 0) whether window w passes the filter: its last two bytes are in
// Tails and it passes Hashed, or its last two bytes are in Pairs. A window added with
// AddWindow, or whose last two bytes were added with AddPair, always does.
func (f *Filter) Passes(w uint64) uint64 { return f.passes(w, true) }

// passes is Passes; pairs false skips Pairs when it is empty.
func (f *Filter) passes(w uint64, pairs bool) uint64 {
	var p uint64
	if f.Tails[w&0xffff>>6]>>(w&63)&1 != 0 {
		p = f.HashedPasses(w)
	}
	if pairs {
		p |= f.PairPasses(w)
	}
	return p
}

// PairPasses reports (in bit 0) whether the last two bytes of w pass the exact bitmap.
func (f *Filter) PairPasses(w uint64) uint64 { return f.Pairs[w&0xffff>>6] >> (w & 63) & 1 }

// FromMemory views Size bytes of memory at b as a Filter; b must hold Size bytes and start at
// an 8-byte-aligned address (ok is false otherwise).
func FromMemory(b []byte) (f *Filter, ok bool) {
	if len(b) < Size || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%8 != 0 {
		return nil, false
	}
	return (*Filter)(unsafe.Pointer(unsafe.SliceData(b))), true
}

// Blocks probes the window ending at every position of data[from:to) (bytes before data count
// as zero) and calls emit, in order, for each block of BlockSize positions starting at a
// multiple of BlockSize with a position that passes: mask bit k is set when the window ending
// at base+k Passes. It stops when emit returns false.
//
// It tells y (nil: nobody) each block's base as it goes.
func Blocks(f *Filter, data []byte, from, to int, y *yield.Point, emit func(base int, mask uint32) bool) {
	if from < 0 || to > len(data) || from >= to {
		return
	}
	pairs := f.Pairs != [PairWords]uint64{}
	var w uint64
	for k := max(from-3, 0); k < from; k++ {
		w = w<<8 | uint64(data[k])
	}
	for base := from &^ (BlockSize - 1); base < to; base += BlockSize {
		y.At(base)
		var mask uint32
		if lo, hi := max(base, from), min(base+BlockSize, to); lo == base && hi == base+BlockSize && base >= 3 {
			// Each window read from memory rather than shifted in: no chain from one byte to
			// the next, so the probes of a block overlap.
			d := data[base-3 : base+BlockSize : base+BlockSize]
			for k := range BlockSize {
				// passes, written out: the compiler would not inline it here.
				w := uint64(binary.BigEndian.Uint32(d[k:]))
				var p uint64
				if f.Tails[w&0xffff>>6]>>(w&63)&1 != 0 {
					p = f.HashedPasses(w)
				}
				if pairs {
					p |= f.PairPasses(w)
				}
				mask |= uint32(p) << k
			}
			w = uint64(binary.BigEndian.Uint32(d[BlockSize-1:]))
		} else {
			for j := lo; j < hi; j++ {
				w = (w<<8 | uint64(data[j])) & 0xffffffff
				mask |= uint32(f.passes(w, pairs)) << (j - base)
			}
		}
		if mask != 0 && !emit(base, mask) {
			return
		}
	}
}

// PairSize is the encoded size of one block: base and mask, little-endian uint32.
const PairSize = 8

// Encode writes Blocks' blocks to out, as many as fit, and returns how many. When it fills
// out there may be more: the next call starts at the last block's base plus BlockSize.
func Encode(f *Filter, data []byte, from, to int, out []byte, y *yield.Point) int {
	n, room := 0, len(out)/PairSize
	if room == 0 {
		return 0
	}
	Blocks(f, data, from, to, y, func(base int, mask uint32) bool {
		binary.LittleEndian.PutUint32(out[n*PairSize:], uint32(base))
		binary.LittleEndian.PutUint32(out[n*PairSize+4:], mask)
		n++
		return n < room
	})
	return n
}
