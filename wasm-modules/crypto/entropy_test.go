package cryptoscan

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/athena-mesh/athena/internal/bytecount"
)

// referenceEntropies is the whole-file entropy and EntropyProfile as first written: every
// window counted and summed on its own, and the file counted again.
func referenceEntropies(data []byte) (float64, []float64, int) {
	var counts [256]uint64
	for _, b := range data {
		counts[b]++
	}
	total := bytecount.Entropy(&counts, len(data))
	window := minEntropyWindow
	for len(data) > window*maxEntropyWindows {
		window *= 2
	}
	var profile []float64
	for off := 0; off < len(data); off += window {
		var c [256]uint64
		for _, b := range data[off:min(off+window, len(data))] {
			c[b]++
		}
		profile = append(profile, math.Round(bytecount.Entropy(&c, min(window, len(data)-off))*1000)/1000)
	}
	return total, profile, window
}

// sameEntropies compares entropies with referenceEntropies to the bit.
func sameEntropies(t *testing.T, data []byte) {
	t.Helper()
	total, profile, window := entropies(data)
	wantTotal, wantProfile, wantWindow := referenceEntropies(data)
	if math.Float64bits(total) != math.Float64bits(wantTotal) || window != wantWindow ||
		!slices.EqualFunc(profile, wantProfile, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
		t.Fatalf("entropies = %v, %v, %d; reference %v, %v, %d", total, profile, window, wantTotal, wantProfile, wantWindow)
	}
}

// TestEntropiesMatchReference holds the one-pass entropies to separate counts per window.
func TestEntropiesMatchReference(t *testing.T) {
	inputs := realBinaries(t)
	inputs["random 3 windows and a bit"] = randomBytes(3*minEntropyWindow + 17)
	inputs["one value"] = bytes.Repeat([]byte{7}, 5000)
	inputs["window doubled"] = randomBytes(1024*minEntropyWindow*2 + 1)
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) { sameEntropies(t, data) })
	}
}

func FuzzEntropies(f *testing.F) {
	f.Add([]byte("abc"), uint16(0))
	f.Add(bytes.Repeat([]byte{0}, 300), uint16(1000))
	f.Fuzz(func(t *testing.T, data []byte, repeat uint16) {
		// Repeating the input reaches the window sizes above 256 bytes.
		sameEntropies(t, bytes.Repeat(data, 1+int(repeat)%4096))
	})
}
