package bytecount

import (
	"math/rand/v2"
	"testing"
)

func TestPrefixMatchesAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, PrefixMinBlock - 1, PrefixMinBlock, 5*PrefixMinBlock + 17, 3 << 20} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32N(9) * 31) // few values: counters are hit repeatedly
		}
		p := NewPrefix(data, nil)
		if rows := len(p.rows); rows > PrefixMaxRows+1 {
			t.Errorf("%d bytes: %d rows, bound %d", n, rows, PrefixMaxRows+1)
		}
		ranges := [][2]int{{0, n}, {0, 0}, {n, n}}
		for range 200 {
			a, b := rng.IntN(n+1), rng.IntN(n+1)
			ranges = append(ranges, [2]int{min(a, b), max(a, b)})
		}
		for _, r := range ranges {
			var got, want [256]uint64
			got[7], want[7] = 5, 5 // Add adds to what is there
			p.Add(&got, r[0], r[1])
			Add(&want, data[r[0]:r[1]])
			if got != want {
				t.Fatalf("%d bytes, range %v (block %d): counts differ", n, r, p.Block())
			}
		}
	}
}

func FuzzPrefix(f *testing.F) {
	f.Add(make([]byte, 3*PrefixMinBlock), 10, 5000)
	f.Fuzz(func(t *testing.T, data []byte, from, to int) {
		if len(data) == 0 {
			return
		}
		from, to = min(max(from, 0), len(data)), min(max(to, 0), len(data))
		from, to = min(from, to), max(from, to)
		var got, want [256]uint64
		NewPrefix(data, nil).Add(&got, from, to)
		Add(&want, data[from:to])
		if got != want {
			t.Fatalf("range [%d, %d) of %d bytes: counts differ", from, to, len(data))
		}
	})
}
