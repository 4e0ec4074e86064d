package guest

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/athena-mesh/athena/internal/windowfilter"
)

// TestWindowFilter: WindowFilter's blocks are windowfilter.Blocks', over more blocks than one
// call to the host returns and from an offset whose window reaches back before it. Natively
// they are Blocks' own; under a wasip1 runner with the athena imports (make test runs this
// package under internal/wasirun) they are the host's.
func TestWindowFilter(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	data := make([]byte, 200000)
	for i := range data {
		data[i] = byte(rng.IntN(4))
	}
	f := new(windowfilter.Filter)
	for i := 3; i < len(data); i += 61 {
		f.AddWindow(binary.BigEndian.Uint32(data[i-3:]))
	}
	f.AddPair(0x0303)
	type block struct {
		base int
		mask uint32
	}
	var got, want []block
	WindowFilter(f, data, 5, len(data), func(base int, mask uint32) { got = append(got, block{base, mask}) })
	windowfilter.Blocks(f, data, 5, len(data), nil, func(base int, mask uint32) bool { want = append(want, block{base, mask}); return true })
	if len(want) <= windowBatch || !slices.Equal(got, want) {
		t.Fatalf("%d blocks, want the %d of windowfilter.Blocks", len(got), len(want))
	}
	n := 0
	WindowFilter(f, data, 10, 10, func(int, uint32) { n++ })
	WindowFilter(f, data, 20, 10, func(int, uint32) { n++ })
	if n != 0 {
		t.Errorf("%d blocks for empty ranges", n)
	}
}
