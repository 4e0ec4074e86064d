package guest

import (
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/athena-mesh/athena/internal/windowfilter"
)

// TestWindowFilter: inside a wasip1 guest (make test runs this package under
// internal/wasirun) the host's blocks are windowfilter.Blocks', over more blocks than one call
// returns and from an offset whose window reaches back before it. Elsewhere WindowFilter
// declines, so the caller probes.
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
	ok := WindowFilter(f, data, 5, len(data), func(base int, mask uint32) { got = append(got, block{base, mask}) })
	if runtime.GOOS != "wasip1" {
		if ok || len(got) > 0 {
			t.Fatal("WindowFilter answered without a host")
		}
		return
	}
	windowfilter.Blocks(f, data, 5, len(data), func(base int, mask uint32) bool { want = append(want, block{base, mask}); return true })
	if !ok || len(want) <= windowBatch || !slices.Equal(got, want) {
		t.Fatalf("host: %v, %d blocks, want the %d of windowfilter.Blocks", ok, len(got), len(want))
	}
}
