package guest

import "github.com/athena-mesh/athena/internal/windowfilter"

// windowBatch is how many blocks one call to the host returns at most.
const windowBatch = 2048

// WindowFilter has the host probe f for the windows ending at data[from:to) and calls emit for
// each block of windowfilter.BlockSize positions where some window passes (windowfilter.Blocks),
// then reports true. Outside a wasip1 guest, or if the host refuses, it does nothing and
// reports false: the caller then probes in the guest, with its own loop.
func WindowFilter(f *windowfilter.Filter, data []byte, from, to int, emit func(base int, mask uint32)) bool {
	return windowFilter(f, data, from, to, emit)
}
