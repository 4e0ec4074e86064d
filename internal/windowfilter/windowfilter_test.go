package windowfilter

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// reference probes every position one at a time.
func reference(f *Filter, data []byte, from, to int) map[int]uint32 {
	out := map[int]uint32{}
	for j := from; j < to; j++ {
		var w uint64
		for k := max(j-3, 0); k <= j; k++ {
			w = w<<8 | uint64(data[k])
		}
		if f.Passes(w) != 0 {
			out[j&^(BlockSize-1)] |= 1 << (j % BlockSize)
		}
	}
	return out
}

func blocks(f *Filter, data []byte, from, to int) map[int]uint32 {
	out := map[int]uint32{}
	var last = -1
	Blocks(f, data, from, to, nil, func(base int, mask uint32) bool {
		if base <= last || base%BlockSize != 0 || mask == 0 {
			panic("blocks out of order or empty")
		}
		last = base
		out[base] = mask
		return true
	})
	return out
}

func randomFilter(rng *rand.Rand, windows, pairs int) *Filter {
	f := new(Filter)
	for range windows {
		f.AddWindow(rng.Uint32())
	}
	for range pairs {
		f.AddPair(uint16(rng.Uint32()))
	}
	return f
}

func TestBlocksMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct{ windows, pairs int }{{0, 0}, {50, 0}, {5000, 0}, {50, 20}, {0, 300}} {
		f := randomFilter(rng, tc.windows, tc.pairs)
		data := make([]byte, 3000)
		for i := range data {
			data[i] = byte(rng.IntN(8)) // few values: windows repeat
		}
		// Let some windows of the data itself through.
		for i := 3; i < len(data); i += 97 {
			f.AddWindow(binary.BigEndian.Uint32(data[i-3:]))
		}
		for _, r := range [][2]int{{0, len(data)}, {0, 1}, {1, 2}, {5, 37}, {32, 64}, {31, 1000}, {100, len(data)}, {len(data), len(data)}} {
			want := reference(f, data, r[0], r[1])
			if got := blocks(f, data, r[0], r[1]); !mapsEqual(got, want) {
				t.Fatalf("filter %+v, range %v: %d blocks, want %d", tc, r, len(got), len(want))
			}
		}
	}
}

func mapsEqual(a, b map[int]uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestAddedWindowsPass: a Bloom filter has no false negatives.
func TestAddedWindowsPass(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	f := new(Filter)
	var ws []uint32
	for range 20000 {
		w := rng.Uint32()
		ws = append(ws, w)
		f.AddWindow(w)
		f.AddPair(uint16(w))
	}
	for _, w := range ws {
		if f.HashedPasses(uint64(w)) != 1 || f.PairPasses(uint64(w)) != 1 || f.Passes(uint64(w)) != 1 {
			t.Fatalf("window %#x was added but does not pass", w)
		}
	}
}

// TestEncodeResumes: what Encode returns in small outputs, resumed after the last block, is
// what Blocks finds.
func TestEncodeResumes(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	f := randomFilter(rng, 3000, 100)
	data := make([]byte, 5000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	want := blocks(f, data, 3, len(data))
	for _, room := range []int{1, 3, 64} {
		got := map[int]uint32{}
		buf := make([]byte, room*PairSize)
		for from := 3; from < len(data); {
			n := Encode(f, data, from, len(data), buf, nil)
			for k := range n {
				got[int(binary.LittleEndian.Uint32(buf[k*PairSize:]))] = binary.LittleEndian.Uint32(buf[k*PairSize+4:])
			}
			if n < room {
				break
			}
			from = int(binary.LittleEndian.Uint32(buf[(n-1)*PairSize:])) + BlockSize
		}
		if !mapsEqual(got, want) {
			t.Fatalf("room %d: %d blocks, want %d", room, len(got), len(want))
		}
	}
	if Encode(f, data, 0, len(data), make([]byte, PairSize-1), nil) != 0 {
		t.Error("Encode wrote into less than a pair's room")
	}
}

func TestFromMemory(t *testing.T) {
	words := make([]uint64, Size/8+1)
	mem := unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), len(words)*8)
	words[0], words[HashedWords] = 0xff, 0xf0
	f, ok := FromMemory(mem)
	if !ok || f.Hashed[0] != 0xff || f.Pairs[0] != 0xf0 {
		t.Fatalf("FromMemory = %v, %v", f != nil, ok)
	}
	if _, ok := FromMemory(mem[1:]); ok {
		t.Error("an unaligned filter was accepted")
	}
	if _, ok := FromMemory(mem[:Size-1]); ok {
		t.Error("a short filter was accepted")
	}
}

func FuzzBlocks(f *testing.F) {
	f.Add([]byte("some data to probe, with windows"), uint16(3), uint16(20), uint64(1))
	f.Fuzz(func(t *testing.T, data []byte, from, to uint16, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 1))
		fl := randomFilter(rng, rng.IntN(2000), rng.IntN(50))
		for i := 3; i < len(data); i += 1 + rng.IntN(16) {
			fl.AddWindow(binary.BigEndian.Uint32(data[i-3:]))
		}
		lo, hi := min(int(from), len(data)), min(int(to), len(data))
		want := map[int]uint32{}
		if lo < hi {
			want = reference(fl, data, lo, hi)
		}
		if got := blocks(fl, data, lo, hi); !mapsEqual(got, want) {
			t.Fatalf("range [%d,%d): %v, want %v", lo, hi, got, want)
		}
	})
}
