package guest

import "github.com/athena-mesh/athena/internal/windowfilter"

// windowBatch is how many blocks one call to the host returns at most.
const windowBatch = 2048

// WindowFilter calls emit for each block of windowfilter.BlockSize positions of data[from:to)
// where some window passes f, in order: windowfilter.Blocks. Inside a wasip1 guest the host
// probes (athena.window_filter), natively and without copying; elsewhere, and if the host
// refuses, Blocks runs here.
func WindowFilter(f *windowfilter.Filter, data []byte, from, to int, emit func(base int, mask uint32)) {
	windowFilter(f, data, from, to, emit)
}

// probeHere is WindowFilter in Go.
func probeHere(f *windowfilter.Filter, data []byte, from, to int, emit func(base int, mask uint32)) {
	windowfilter.Blocks(f, data, from, to, nil, func(base int, mask uint32) bool { emit(base, mask); return true })
}
