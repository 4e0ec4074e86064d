package yara

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestEntropyMatchesByteLoop holds the eight-bytes-per-load entropy to the plain byte loop
// on every length around the word size and on larger random and skewed inputs.
func TestEntropyMatchesByteLoop(t *testing.T) {
	plain := func(b []byte) float64 {
		if len(b) == 0 {
			return 0
		}
		var counts [256]int
		for _, c := range b {
			counts[c]++
		}
		e := 0.0
		for _, c := range counts {
			if c > 0 {
				p := float64(c) / float64(len(b))
				e -= p * math.Log2(p)
			}
		}
		return e
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 4096, 100_003} {
		for _, skew := range []uint32{256, 4} {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rng.Uint32N(skew))
			}
			if got, want := entropy(b), plain(b); got != want {
				t.Errorf("entropy of %d bytes (%d values) = %v, the byte loop says %v", n, skew, got, want)
			}
		}
	}
}
