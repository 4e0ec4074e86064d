package textruns

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"
)

// reference finds the runs one character at a time.
func reference(kind Kind, minLen int, b []byte) [][2]int {
	minLen = max(minLen, 1)
	var out [][2]int
	if kind == ASCII {
		start := -1
		for i := 0; i <= len(b); i++ {
			if i < len(b) && Printable(b[i]) {
				if start < 0 {
					start = i
				}
				continue
			}
			if start >= 0 && i-start >= minLen {
				out = append(out, [2]int{start, i})
			}
			start = -1
		}
		return out
	}
	start := -1
	i := int(kind - UTF16LEEven)
	for ; i+1 < len(b); i += 2 {
		if b[i+1] == 0 && Printable(b[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && (i-start)/2 >= minLen {
			out = append(out, [2]int{start, i})
		}
		start = -1
	}
	if start >= 0 && (i-start)/2 >= minLen {
		out = append(out, [2]int{start, i})
	}
	return out
}

func scanAll(kind Kind, minLen int, b []byte) [][2]int {
	var out [][2]int
	Scan(kind, minLen, b, func(s, e int) bool { out = append(out, [2]int{s, e}); return true })
	return out
}

// resumed finds the runs with Encode and an output of room pairs, resuming after each full
// output the way a guest does.
func resumed(kind Kind, minLen, room int, b []byte) [][2]int {
	var out [][2]int
	buf := make([]byte, room*PairSize)
	for off := 0; ; {
		n := Encode(kind.At(off), minLen, b[off:], buf, nil)
		for k := range n {
			s, e := binary.LittleEndian.Uint32(buf[k*PairSize:]), binary.LittleEndian.Uint32(buf[k*PairSize+4:])
			out = append(out, [2]int{off + int(s), off + int(e)})
		}
		if n < room {
			return out
		}
		off = out[len(out)-1][1]
	}
}

func randomText(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		switch rng.IntN(6) {
		case 0, 1:
			b[i] = 0
		case 2:
			b[i] = byte(rng.IntN(256))
		case 3:
			b[i] = '\t'
		default:
			b[i] = byte('a' + rng.IntN(26))
		}
	}
	return b
}

func TestScanMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	inputs := [][]byte{nil, []byte("x"), []byte("hello"), []byte("h\x00e\x00l\x00l\x00o\x00"), []byte("\x01h\x00e\x00l\x00l\x00o\x00\x01\x01"),
		[]byte("a tab\there, a DEL\x7f, a high byte \x80 and the end")}
	for range 300 {
		inputs = append(inputs, randomText(rng, rng.IntN(200)))
	}
	for _, b := range inputs {
		for _, kind := range []Kind{ASCII, UTF16LEEven, UTF16LEOdd} {
			for _, minLen := range []int{0, 1, 3, 5} {
				want := reference(kind, minLen, b)
				if got := scanAll(kind, minLen, b); !slices.Equal(got, want) {
					t.Fatalf("Scan(%d, %d, %q) = %v, want %v", kind, minLen, b, got, want)
				}
				for _, room := range []int{1, 2, 7} {
					if got := resumed(kind, minLen, room, b); !slices.Equal(got, want) {
						t.Fatalf("Encode with room %d (%d, %d, %q) = %v, want %v", room, kind, minLen, b, got, want)
					}
				}
			}
		}
	}
}

func TestEmitStops(t *testing.T) {
	calls := 0
	Scan(ASCII, 1, []byte("a\x00b\x00c"), func(int, int) bool { calls++; return false })
	if calls != 1 {
		t.Errorf("emit called %d times after returning false", calls)
	}
	if Scan(4, 1, []byte("abc"), func(int, int) bool { return true }) || Encode(0, 1, []byte("abc"), make([]byte, 8), nil) != -1 {
		t.Error("an unknown kind was accepted")
	}
	if Encode(ASCII, 1, []byte("abc"), make([]byte, 7), nil) != 0 {
		t.Error("Encode wrote a run into less than a pair's room")
	}
}

// FuzzScan holds the word-at-a-time scan and the resumed encoding to the reference.
func FuzzScan(f *testing.F) {
	f.Add([]byte("hello\x00w\x00o\x00r\x00l\x00d\x00\x01\x01 and\tmore"), uint8(4), uint8(2))
	f.Fuzz(func(t *testing.T, b []byte, minLen, room uint8) {
		var both [2][][2]int
		ScanUTF16LEBoth(int(minLen%16), b, func(kind Kind, start, end int) bool {
			both[kind-UTF16LEEven] = append(both[kind-UTF16LEEven], [2]int{start, end})
			return true
		})
		for _, kind := range []Kind{ASCII, UTF16LEEven, UTF16LEOdd} {
			want := reference(kind, int(minLen%16), b)
			if got := scanAll(kind, int(minLen%16), b); !slices.Equal(got, want) {
				t.Fatalf("Scan(%d) = %v, want %v", kind, got, want)
			}
			if kind != ASCII && !slices.Equal(both[kind-UTF16LEEven], want) {
				t.Fatalf("ScanUTF16LEBoth's runs of kind %d = %v, want %v", kind, both[kind-UTF16LEEven], want)
			}
			if got := resumed(kind, int(minLen%16), 1+int(room%8), b); !slices.Equal(got, want) {
				t.Fatalf("resumed Encode(%d) = %v, want %v", kind, got, want)
			}
		}
	})
}

// TestRunStarts: the three steps leave exactly the starts of m set bits in a row.
func TestRunStarts(t *testing.T) {
	for m := 1; m <= 8; m++ {
		starts := newRunStarts(m, 1)
		for x := uint64(0); x < 1<<12; x++ {
			r := starts.of(x)
			var want uint64
			for k := 0; k < 12; k++ {
				if x>>k&(1<<m-1) == 1<<m-1 {
					want |= 1 << k
				}
			}
			if r != want {
				t.Fatalf("m=%d x=%b: %b, want %b", m, x, r, want)
			}
		}
	}
}

// TestScanUTF16LEBothMatchesScan: on text of both alignments, cut and mixed with other bytes,
// the one-pass scan finds each kind's runs as Scan does, for every minimum length.
func TestScanUTF16LEBothMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var b []byte
	for len(b) < 1<<16 {
		switch rng.IntN(4) {
		case 0: // a wide string, at whatever alignment b has reached
			for range rng.IntN(12) {
				b = append(b, byte(0x20+rng.IntN(0x5f)), 0)
			}
		case 1:
			b = append(b, byte(rng.IntN(256)))
		case 2:
			b = append(b, 0, 0)
		default:
			b = append(b, "ab"[rng.IntN(2)])
		}
	}
	for minLen := 0; minLen <= 9; minLen++ {
		var both [2][][2]int
		ScanUTF16LEBoth(minLen, b, func(kind Kind, start, end int) bool {
			both[kind-UTF16LEEven] = append(both[kind-UTF16LEEven], [2]int{start, end})
			return true
		})
		for _, kind := range []Kind{UTF16LEEven, UTF16LEOdd} {
			want := scanAll(kind, minLen, b)
			if len(want) < 10 {
				t.Fatalf("minLen %d: only %d runs of kind %d; the test needs more", minLen, len(want), kind)
			}
			if got := both[kind-UTF16LEEven]; !slices.Equal(got, want) {
				t.Fatalf("minLen %d, kind %d: %d runs, Scan finds %d", minLen, kind, len(got), len(want))
			}
		}
	}
}
