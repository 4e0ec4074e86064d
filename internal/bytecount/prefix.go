package bytecount

import "github.com/athena-mesh/athena/internal/yield"

// Prefix holds the byte counts of every prefix of some bytes that ends at a block boundary, so
// that the counts of any range of them cost 256 subtractions and the counting of at most two
// partial blocks: the wasm runtime keeps one per sample, whose sections and windows several
// modules count (athena.digest's byte counts).
type Prefix struct {
	data  []byte
	block int
	// rows[k] counts data[:k·block]; row 0 is all zeros. uint32 is enough: data is a wasm32
	// guest's input, under 4 GiB.
	rows [][256]uint32
}

// PrefixMinBlock is the smallest block of a Prefix; PrefixMaxRows bounds its rows (1 KiB each),
// by growing the block with the input: 2 KiB blocks up to 2 MiB of input.
const (
	PrefixMinBlock = 2 << 10
	PrefixMaxRows  = 1 << 10
)

// NewPrefix counts data once, telling y (nil: nobody) how far it got. It keeps data, which must
// not change afterwards.
func NewPrefix(data []byte, y *yield.Point) *Prefix {
	block := PrefixBlock(len(data))
	p := &Prefix{data: data, block: block, rows: make([][256]uint32, len(data)/block+1)}
	var counts [256]uint64
	for k := 1; k < len(p.rows); k++ {
		y.At((k - 1) * block)
		Add(&counts, data[(k-1)*block:k*block])
		for v, c := range counts {
			p.rows[k][v] = uint32(c)
		}
	}
	return p
}

// PrefixBlock is the block size of the Prefix of n bytes.
func PrefixBlock(n int) int {
	block := PrefixMinBlock
	for n/block >= PrefixMaxRows {
		block *= 2
	}
	return block
}

// Len is the length of the counted bytes.
func (p *Prefix) Len() int { return len(p.data) }

// Block is the block size: ranges shorter than two blocks gain little over counting them.
func (p *Prefix) Block() int { return p.block }

// Add adds to counts the counts of data[from:to], which must lie inside the counted bytes.
func (p *Prefix) Add(counts *[256]uint64, from, to int) {
	first := (from + p.block - 1) / p.block // the first whole block's index
	last := to / p.block                    // one past the last whole block's
	if first >= last {
		Add(counts, p.data[from:to])
		return
	}
	Add(counts, p.data[from:first*p.block])
	Add(counts, p.data[last*p.block:to])
	hi, lo := &p.rows[last], &p.rows[first]
	for v := range counts {
		counts[v] += uint64(hi[v] - lo[v])
	}
}
