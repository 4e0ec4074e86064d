package bytecount

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAddMatchesByteLoop holds the word-at-a-time count to a plain one on every length around
// the word size, and Of to the textbook sum.
func TestAddMatchesByteLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 300)
	for i := range data {
		data[i] = byte(rng.Uint32N(7)) // few values: counters are hit repeatedly
	}
	for n := range len(data) + 1 {
		var got, want [256]uint64
		Add(&got, data[:n])
		for _, c := range data[:n] {
			want[c]++
		}
		if got != want {
			t.Fatalf("Add of %d bytes differs from a plain count", n)
		}
		e := 0.0
		for _, c := range want {
			if c > 0 {
				p := float64(c) / float64(n)
				e -= p * math.Log2(p)
			}
		}
		if got := Of(data[:n]); got != e && n > 0 {
			t.Fatalf("Of(%d bytes) = %v, want %v", n, got, e)
		}
	}
	if Of(nil) != 0 {
		t.Errorf("Of(nil) = %v", Of(nil))
	}
}

// TestAddWide covers the four-table count of large inputs: lengths around its threshold and
// across a chunk boundary, with long runs of one value, against a plain count.
func TestAddWide(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, 2*wideChunk+13)
	for i := range data {
		if i%5000 < 3000 {
			data[i] = byte(rng.Uint32()) // else zero: runs of one value
		}
	}
	for _, n := range []int{wideMin - 1, wideMin, wideMin + 7, wideChunk - 1, wideChunk + 9, len(data)} {
		got := [256]uint64{7: 3} // Add adds to what is there
		want := got
		Add(&got, data[:n])
		for _, c := range data[:n] {
			want[c]++
		}
		if got != want {
			t.Fatalf("Add of %d bytes differs from a plain count", n)
		}
	}
}

// TestEncodedRoundTrip: what AppendCounts writes, AddEncoded adds back, and a histogram of
// any other length is refused without touching the counts.
func TestEncodedRoundTrip(t *testing.T) {
	data := []byte("an encoded histogram carries every byte value's count\x00\x00\xff")
	var counted [256]uint64
	Add(&counted, data)
	enc := AppendCounts([]byte("prefix"), &counted)
	if len(enc) != len("prefix")+EncodedSize || string(enc[:6]) != "prefix" {
		t.Fatalf("AppendCounts wrote %d bytes after the prefix", len(enc)-6)
	}
	var want, got [256]uint64
	Add(&want, data)
	Add(&want, data)
	Add(&got, data)
	if !AddEncoded(&got, enc[6:]) || got != want {
		t.Fatalf("AddEncoded of the encoded counts differs from counting twice")
	}
	for _, n := range []int{0, EncodedSize - 1, EncodedSize + 1} {
		before := got
		if AddEncoded(&got, make([]byte, n)) || got != before {
			t.Errorf("AddEncoded accepted %d bytes", n)
		}
	}
}
