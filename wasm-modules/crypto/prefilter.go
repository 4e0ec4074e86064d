package cryptoscan

import (
	"encoding/binary"
	"math/bits"

	"github.com/athena-mesh/athena/internal/windowfilter"
	"github.com/athena-mesh/athena/wasm-modules/guest"
)

// sampleFilter is the window filter of every scan that looks for fixed bytes: the constants'
// windows, the starts of PEM blocks and DER structures, and the miner words' atoms. The host
// probes a sample with it once (athena.window_filter, natively, a few nanoseconds a byte) and
// each scan gets the positions that concern it. Inside WASM the constants' and the keys' own
// passes over every byte cost more than the host's probe.
type sampleFilter struct {
	filter    *windowfilter.Filter
	constants *ConstantScanner
}

func newSampleFilter(constants *ConstantScanner) *sampleFilter {
	f := *minerFilter()
	constants.addWindows(&f)
	addKeyWindows(&f)
	return &sampleFilter{filter: &f, constants: constants}
}

// candidates are the positions of a sample that passed the filter, by scan.
type candidates struct {
	// constants are the ends of windows that may be a constant's.
	constants *positions
	keys      keyStarts
	// words are all the positions that passed: a superset of where a miner atom ends, which
	// is all findMinerIndicators needs (another scan's window in text only costs it a look).
	words *positions
}

// probe runs the filter over data.
func (f *sampleFilter) probe(data []byte) *candidates {
	c := &candidates{constants: newPositions(len(data)), keys: newKeyStarts(len(data)), words: newPositions(len(data))}
	guest.WindowFilter(f.filter, data, 0, len(data), func(base int, mask uint32) {
		for ; mask != 0; mask &= mask - 1 {
			j := base + bits.TrailingZeros32(mask)
			w := windowAt(data, j)
			c.words.add(j)
			if f.constants.mayBe(w) {
				c.constants.add(j)
			}
			c.keys.add(w, j)
		}
	})
	return c
}

// positions is a set of offsets into a sample, one bit per byte: a hostile sample whose every
// position passes a filter costs an eighth of its size, where a list of offsets would cost
// eight times it.
type positions struct {
	bits []uint64
	// The last query of next and its answer: the scans ask in increasing order, so each word
	// of bits is looked at once however many queries fall between two positions.
	from, at int
}

func newPositions(size int) *positions {
	return &positions{bits: make([]uint64, (size+63)/64), from: -1, at: -1}
}

// add puts j (0 <= j < size) in the set.
func (p *positions) add(j int) { p.bits[j>>6] |= 1 << (j & 63) }

// next returns the smallest position in the set at or after from, or -1 when there is none.
func (p *positions) next(from int) int {
	from = max(from, 0)
	if p.from >= 0 && from >= p.from && (p.at < 0 || from <= p.at) {
		return p.at // the answer to an earlier query still holds
	}
	p.from, p.at = from, -1
	i := from >> 6
	if i >= len(p.bits) {
		return -1
	}
	if w := p.bits[i] >> (from & 63); w != 0 {
		p.at = from + bits.TrailingZeros64(w)
		return p.at
	}
	for i++; i < len(p.bits); i++ {
		if p.bits[i] != 0 {
			p.at = i<<6 + bits.TrailingZeros64(p.bits[i])
			return p.at
		}
	}
	return -1
}

// windowAt is the window the filter probes at data[j]: bytes j-3 to j, the last lowest, those
// before data counting as zero.
func windowAt(data []byte, j int) uint32 {
	if j >= 3 {
		return binary.BigEndian.Uint32(data[j-3:])
	}
	var w uint32
	for _, b := range data[:j+1] {
		w = w<<8 | uint32(b)
	}
	return w
}
