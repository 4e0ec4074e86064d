package textruns

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// checkIndex holds ix's answers for b[off:] to Encode's, for every minimum length and output
// room tried, and reports whether it answered.
func checkIndex(t *testing.T, ix *Index, b []byte, off, minLen, room int) bool {
	t.Helper()
	kind := ix.kind.At(off) // the kind relative to b[off:]
	want := make([]byte, room*PairSize)
	got := make([]byte, room*PairSize)
	wn := Encode(kind, minLen, b[off:], want, nil)
	gn, ok := ix.Encode(kind, minLen, off, got)
	if !ok {
		return false
	}
	if gn != wn || !bytes.Equal(got[:gn*PairSize], want[:wn*PairSize]) {
		t.Fatalf("kind %d, off %d, minLen %d, room %d of %q: index gave %d runs %v, Encode %d %v",
			ix.kind, off, minLen, room, b, gn, got[:gn*PairSize], wn, want[:wn*PairSize])
	}
	return true
}

func TestIndexMatchesEncode(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	inputs := [][]byte{nil, []byte("hello world"), []byte("h\x00e\x00l\x00l\x00o\x00\x01x\x00y\x00z\x00w\x00"),
		[]byte("\x01h\x00e\x00l\x00l\x00o\x00\x01\x01abcdefg\x00"), bytes.Repeat([]byte("abcd\x00"), 40)}
	for range 200 {
		inputs = append(inputs, randomText(rng, rng.IntN(300)))
	}
	answered, asked := 0, 0
	for _, b := range inputs {
		for _, kind := range []Kind{ASCII, UTF16LEEven, UTF16LEOdd} {
			ix, ok := NewIndex(kind, b, 1<<20, nil)
			if !ok {
				t.Fatalf("NewIndex(%d) gave up on %d bytes", kind, len(b))
			}
			for _, minLen := range []int{IndexFloor, 5, 8} {
				for _, room := range []int{1, 3, 100} {
					// Every offset: the index answers or declines, never differs.
					for off := 0; off <= len(b); off++ {
						asked++
						if checkIndex(t, ix, b, off, minLen, room) {
							answered++
						}
					}
					// The offsets a guest resumes at are always answered.
					for _, r := range append([][2]int{{0, 0}}, resumed(kind, minLen, room, b)...) {
						if !checkIndex(t, ix, b, r[1], minLen, room) {
							t.Fatalf("kind %d, minLen %d: the index declined the resume at %d of %q", kind, minLen, r[1], b)
						}
					}
				}
			}
			if _, ok := ix.Encode(ix.kind, IndexFloor-1, 0, make([]byte, 8)); ok {
				t.Fatal("the index answered for runs shorter than it holds")
			}
			if _, ok := ix.Encode(ix.kind, IndexFloor, len(b)+1, make([]byte, 8)); ok {
				t.Fatal("the index answered for an offset past its bytes")
			}
		}
	}
	if answered == asked || answered < asked/2 {
		t.Errorf("the index answered %d of %d requests at every offset: the test does not cover both sides", answered, asked)
	}
}

func TestIndexDeclinesCutRunsAndOtherKinds(t *testing.T) {
	b := []byte("..abcdefgh..w\x00x\x00y\x00z\x00v\x00..")
	ascii, _ := NewIndex(ASCII, b, 16, nil)
	if _, ok := ascii.Encode(ASCII, 4, 4, make([]byte, 64)); ok {
		t.Error("offset 4 cuts abcdefgh in two, yet the index answered")
	}
	if _, ok := ascii.Encode(UTF16LEEven, 4, 0, make([]byte, 64)); ok {
		t.Error("an ASCII index answered for UTF-16LE")
	}
	wide, _ := NewIndex(UTF16LEEven, b, 16, nil) // "wxyzv" starts at offset 12
	for _, off := range []int{14, 15} {          // on the second character, and inside it
		if _, ok := wide.Encode(UTF16LEEven.At(off), 4, off, make([]byte, 64)); ok {
			t.Errorf("offset %d cuts the UTF-16LE run in two, yet the index answered", off)
		}
	}
	if n, ok := wide.Encode(UTF16LEEven, 4, 0, make([]byte, 64)); !ok || n != 1 {
		t.Errorf("the UTF-16LE index gave %d runs (answered %v), want the one", n, ok)
	}
}

func TestIndexGivesUpPastMaxRuns(t *testing.T) {
	b := bytes.Repeat([]byte("abcd\x00"), 100) // 100 runs
	if _, ok := NewIndex(ASCII, b, 99, nil); ok {
		t.Error("an index of 100 runs was made with room for 99")
	}
	if ix, ok := NewIndex(ASCII, b, 100, nil); !ok || len(ix.pairs) != 200 {
		t.Error("an index of 100 runs was not made with room for 100")
	}
	if _, ok := NewIndex(0, b, 100, nil); ok {
		t.Error("an index of an unknown kind was made")
	}
}

// FuzzIndex holds the index's answers to Encode's at any offset.
func FuzzIndex(f *testing.F) {
	f.Add([]byte("hello\x00w\x00o\x00r\x00l\x00d\x00\x01\x01 and\tmore"), uint16(3), uint8(4), uint8(2))
	f.Fuzz(func(t *testing.T, b []byte, off uint16, minLen, room uint8) {
		at := int(off) % (len(b) + 1)
		for _, kind := range []Kind{ASCII, UTF16LEEven, UTF16LEOdd} {
			ix, ok := NewIndex(kind, b, len(b)+1, nil)
			if !ok {
				t.Fatalf("NewIndex(%d) gave up on %d bytes", kind, len(b))
			}
			checkIndex(t, ix, b, at, IndexFloor+int(minLen%8), 1+int(room%8))
		}
	})
}

// TestNewUTF16Indexes: the one-pass pair of indexes holds what NewIndex holds for each kind,
// and each gives up past maxRuns on its own.
func TestNewUTF16Indexes(t *testing.T) {
	b := bytes.Repeat([]byte("w\x00i\x00d\x00e\x00\x01"), 100) // 100 runs at even offsets, then odd, ...
	even, odd := NewUTF16Indexes(b, 1000, nil)
	for _, c := range []struct {
		got  *Index
		kind Kind
	}{{even, UTF16LEEven}, {odd, UTF16LEOdd}} {
		want, _ := NewIndex(c.kind, b, 1000, nil)
		if c.got == nil || c.got.kind != c.kind || !slices.Equal(c.got.pairs, want.pairs) {
			t.Errorf("kind %d: not the index NewIndex makes", c.kind)
		}
	}
	if len(even.pairs) != 100 || len(odd.pairs) != 100 { // 50 runs of each
		t.Fatalf("%d and %d pairs, want 100 and 100", len(even.pairs), len(odd.pairs))
	}
	even, odd = NewUTF16Indexes(append(b, bytes.Repeat([]byte("x\x00y\x00z\x00w\x00\x01\x01"), 10)...), 55, nil)
	if even != nil || odd == nil {
		t.Errorf("60 runs at even offsets and 50 at odd ones, room for 55: even %v, odd %v; want only odd", even != nil, odd != nil)
	}
}
