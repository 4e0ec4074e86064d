package textruns

import (
	"encoding/binary"
	"sort"

	"github.com/athena-mesh/athena/internal/yield"
)

// IndexFloor is the shortest run an Index holds, in characters: requests for shorter runs are
// not answered from it.
const IndexFloor = 4

// Index is every run of one kind in some bytes, of at least IndexFloor characters, found
// once: later requests for runs of that kind in those bytes, or in a suffix of them, with a
// minimum length of at least IndexFloor, are answered from it as Encode would answer them.
// Several analyzers of one sample ask the same question of the same bytes.
type Index struct {
	kind  Kind
	b     []byte
	pairs []uint32 // start, end of each run, in order
}

// NewIndex finds the runs of kind in b. It gives up (nil, false) when there are more than
// maxRuns of them, which bounds its memory (8 bytes a run), or for an unknown kind; y (nil:
// nobody) is told where each run ends. b must not change while the index is used.
func NewIndex(kind Kind, b []byte, maxRuns int, y *yield.Point) (*Index, bool) {
	if !kind.Valid() {
		return nil, false
	}
	ix := &Index{kind: kind, b: b}
	ok := true
	Scan(kind, IndexFloor, b, func(start, end int) bool {
		if len(ix.pairs) >= 2*maxRuns {
			ok = false
			return false
		}
		ix.pairs = append(ix.pairs, uint32(start), uint32(end))
		y.At(end)
		return true
	})
	if !ok {
		return nil, false
	}
	return ix, true
}

// NewUTF16Indexes is NewIndex for both UTF-16LE kinds, from one scan (ScanUTF16LEBoth); each
// is nil when it has more than maxRuns runs.
func NewUTF16Indexes(b []byte, maxRuns int, y *yield.Point) (even, odd *Index) {
	ix := [2]*Index{{kind: UTF16LEEven, b: b}, {kind: UTF16LEOdd, b: b}}
	ScanUTF16LEBoth(IndexFloor, b, func(kind Kind, start, end int) bool {
		x := ix[kind-UTF16LEEven]
		if len(x.pairs) > 2*maxRuns {
			return true // given up: the other kind goes on
		}
		x.pairs = append(x.pairs, uint32(start), uint32(end))
		y.At(end)
		return true
	})
	for k, x := range ix {
		if len(x.pairs) > 2*maxRuns {
			ix[k] = nil
		}
	}
	return ix[0], ix[1]
}

// Encode is Encode(kind, minLen, b[off:], out, nil) for the bytes b the index was made of,
// answered from the index; ok is false when it cannot be: minLen is below IndexFloor, off is
// outside b, or b[off:] cuts a run of the index in two (its part in b[off:] is a run of its
// own there, which the index does not hold). kind is relative to b[off:], as Encode takes it.
// A scan that resumes at the end of a run never cuts one.
func (ix *Index) Encode(kind Kind, minLen, off int, out []byte) (n int, ok bool) {
	if !kind.Valid() || kind.At(off) != ix.kind || minLen < IndexFloor || off < 0 || off > len(ix.b) {
		return 0, false
	}
	step, first := 1, off
	if ix.kind != ASCII {
		step = 2
		first += (off - int(ix.kind-UTF16LEEven)) & 1 // the first offset of the run's alignment
	}
	if prev := first - step; prev >= 0 && ix.char(prev) && ix.char(first) {
		return 0, false
	}
	room := len(out) / PairSize
	runs := len(ix.pairs) / 2
	k := sort.Search(runs, func(k int) bool { return int(ix.pairs[2*k]) >= first })
	for ; k < runs && n < room; k++ {
		start, end := int(ix.pairs[2*k]), int(ix.pairs[2*k+1])
		if (end-start)/step < minLen {
			continue
		}
		binary.LittleEndian.PutUint32(out[n*PairSize:], uint32(start-off))
		binary.LittleEndian.PutUint32(out[n*PairSize+4:], uint32(end-off))
		n++
	}
	return n, true
}

// char reports whether a character of the index's kind starts at offset q of its bytes.
func (ix *Index) char(q int) bool {
	if ix.kind == ASCII {
		return q < len(ix.b) && Printable(ix.b[q])
	}
	return q+1 < len(ix.b) && ix.b[q+1] == 0 && Printable(ix.b[q])
}
