package hostabi

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"testing"
	"unsafe"

	"github.com/athena-mesh/athena/internal/fuzzyhash"
	"github.com/athena-mesh/athena/internal/textruns"
	"github.com/athena-mesh/athena/internal/windowfilter"
	"github.com/athena-mesh/athena/internal/yield"
)

// sliceMemory is a Memory over a byte slice.
type sliceMemory []byte

func (m sliceMemory) Read(ptr, n uint32) ([]byte, bool) {
	end := uint64(ptr) + uint64(n)
	if end > uint64(len(m)) {
		return nil, false
	}
	return m[ptr:end], true
}

// referenceDigest is what athena.digest must produce for alg, or nil for an unknown alg.
func referenceDigest(alg uint32, b []byte) []byte {
	switch alg {
	case DigestMD5:
		s := md5.Sum(b)
		return s[:]
	case DigestSHA1:
		s := sha1.Sum(b)
		return s[:]
	case DigestSHA256:
		s := sha256.Sum256(b)
		return s[:]
	case DigestSHA512:
		s := sha512.Sum512(b)
		return s[:]
	case DigestSSDeep:
		return []byte(fuzzyhash.SSDeep(b))
	case DigestTLSH:
		return append([]byte{}, fuzzyhash.TLSH(b)...)
	case DigestCounts:
		var counts [256]uint64
		for _, c := range b {
			counts[c]++
		}
		var out []byte
		for _, c := range counts {
			out = binary.LittleEndian.AppendUint64(out, c)
		}
		return out
	}
	return nil
}

// FuzzDigest: any algorithm, pointers and memory. The host never panics, never touches
// memory outside the output range, and answers exactly the documented code.
func FuzzDigest(f *testing.F) {
	f.Add([]byte("abc-and-room-for-a-digest-of-sixty-four-bytes-................................"), uint32(DigestSHA256), uint32(0), uint32(3), uint32(8))
	f.Add(make([]byte, 64), uint32(DigestSHA512), uint32(0), uint32(0), uint32(0))
	f.Add(make([]byte, 64), uint32(DigestSHA512), uint32(0), uint32(0), uint32(1))
	f.Add(make([]byte, 16), uint32(DigestMD5), uint32(0xffffffff), uint32(2), uint32(0))
	f.Add(make([]byte, 16), uint32(DigestMD5), uint32(4), uint32(0xfffffffe), uint32(0))
	f.Add(make([]byte, 32), uint32(DigestSHA1), uint32(0), uint32(8), uint32(0xfffffff0))
	f.Add(make([]byte, 32), uint32(0), uint32(0), uint32(8), uint32(0))
	f.Add(make([]byte, 32), uint32(99), uint32(0), uint32(8), uint32(0))
	f.Add(bytes.Repeat([]byte("ssdeep and tlsh need some text "), 40), uint32(DigestSSDeep), uint32(0), uint32(1000), uint32(1100))
	f.Add(bytes.Repeat([]byte("ssdeep and tlsh need some text "), 40), uint32(DigestTLSH), uint32(0), uint32(1000), uint32(1100))
	f.Add(make([]byte, 100), uint32(DigestTLSH), uint32(0), uint32(10), uint32(20))
	f.Add(bytes.Repeat([]byte("counts\x00\xff"), 200), uint32(DigestCounts), uint32(3), uint32(500), uint32(10))
	f.Add(make([]byte, 2100), uint32(DigestCounts), uint32(0), uint32(10), uint32(40))
	f.Fuzz(func(t *testing.T, memory []byte, alg, ptr, n, out uint32) {
		before := bytes.Clone(memory)
		got := Digest(sliceMemory(memory), alg, ptr, n, out, nil, nil)
		inOK := uint64(ptr)+uint64(n) <= uint64(len(memory))
		room := DigestRoom(alg)
		outOK := uint64(out)+uint64(room) <= uint64(len(memory))
		switch {
		case room == 0:
			if got != DigestErrAlgorithm {
				t.Fatalf("alg %d: got %d, want %d", alg, got, DigestErrAlgorithm)
			}
		case !inOK:
			if got != DigestErrInput {
				t.Fatalf("input [%#x,+%d) of %d bytes: got %d", ptr, n, len(memory), got)
			}
		case !outOK:
			if got != DigestErrOutput {
				t.Fatalf("output at %#x of %d bytes: got %d", out, len(memory), got)
			}
		default:
			sum := referenceDigest(alg, before[ptr:ptr+n])
			if got != int32(len(sum)) || !bytes.Equal(memory[out:out+uint32(len(sum))], sum) {
				t.Fatalf("digest = %d %x, want %x", got, memory[out:out+uint32(len(sum))], sum)
			}
			// Nothing but the output range may change.
			copy(before[out:], sum)
		}
		if !bytes.Equal(before, memory) {
			t.Fatal("memory changed outside the output range")
		}
	})
}

// FuzzTextRuns: any kind, pointers, capacity and memory. The host never panics, changes
// nothing outside the output range, and answers exactly the documented code; in range, it
// writes the runs textruns finds.
func FuzzTextRuns(f *testing.F) {
	mem := append([]byte("hello world\x00w\x00i\x00d\x00e\x00!\x00\x01\x01"), make([]byte, 64)...)
	f.Add(mem, uint32(textruns.ASCII), uint32(3), uint32(0), uint32(26), uint32(30), uint32(4))
	f.Add(mem, uint32(textruns.UTF16LEEven), uint32(3), uint32(0), uint32(26), uint32(30), uint32(4))
	f.Add(mem, uint32(textruns.UTF16LEOdd), uint32(1), uint32(1), uint32(25), uint32(40), uint32(0))
	f.Add(mem, uint32(0), uint32(3), uint32(0), uint32(26), uint32(30), uint32(4))
	f.Add(mem, uint32(textruns.ASCII), uint32(3), uint32(0xfffffff0), uint32(26), uint32(30), uint32(4))
	f.Add(mem, uint32(textruns.ASCII), uint32(3), uint32(0), uint32(26), uint32(30), uint32(0x20000000))
	f.Add(mem, uint32(textruns.ASCII), uint32(3), uint32(0), uint32(26), uint32(0xfffffffc), uint32(1))
	f.Fuzz(func(t *testing.T, memory []byte, kind, minLen, ptr, n, out, capacity uint32) {
		before := bytes.Clone(memory)
		got := TextRuns(sliceMemory(memory), kind, minLen, ptr, n, out, capacity, nil, nil)
		inOK := uint64(ptr)+uint64(n) <= uint64(len(memory))
		size := uint64(capacity) * textruns.PairSize
		outOK := uint64(out)+size <= uint64(len(memory))
		switch {
		case !textruns.Kind(kind).Valid():
			if got != TextErrKind {
				t.Fatalf("kind %d: got %d", kind, got)
			}
		case !inOK:
			if got != TextErrInput {
				t.Fatalf("input [%#x,+%d) of %d bytes: got %d", ptr, n, len(memory), got)
			}
		case !outOK:
			if got != TextErrOutput {
				t.Fatalf("output at %#x, %d pairs, of %d bytes: got %d", out, capacity, len(memory), got)
			}
		default:
			if got < 0 || uint64(got) > uint64(capacity) {
				t.Fatalf("got %d runs for a capacity of %d", got, capacity)
			}
			// Without overlap the runs are exactly textruns'.
			if uint64(out) >= uint64(ptr)+uint64(n) || uint64(out)+size <= uint64(ptr) {
				want := make([]byte, size)
				if w := textruns.Encode(textruns.Kind(kind), int(minLen), before[ptr:ptr+n], want, nil); int32(w) != got {
					t.Fatalf("%d runs, want %d", got, w)
				}
				if !bytes.Equal(memory[out:uint64(out)+uint64(got)*textruns.PairSize], want[:uint64(got)*textruns.PairSize]) {
					t.Fatal("runs differ from textruns.Encode")
				}
			}
			copy(before[out:], memory[out:uint64(out)+size])
		}
		if !bytes.Equal(before, memory) {
			t.Fatal("memory changed outside the output range")
		}
	})
}

// alignedMemory is a guest memory of n bytes whose first byte is 8-byte aligned in the host,
// as a real linear memory's is.
func alignedMemory(n int) []byte {
	words := make([]uint64, (n+7)/8)
	if len(words) == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), n)
}

// FuzzWindowFilter: any pointers, offsets and capacity over a memory holding a filter. The
// host never panics, changes nothing outside the output range, answers exactly the documented
// code, and in range writes the blocks windowfilter finds.
func FuzzWindowFilter(f *testing.F) {
	const filterAt = 64
	f.Add([]byte("data with some windows in it"), uint32(filterAt), uint32(0), uint32(0), uint32(28), uint32(0), uint32(4))
	f.Add([]byte("abc"), uint32(filterAt+4), uint32(0), uint32(0), uint32(3), uint32(0), uint32(4))
	f.Add([]byte("abc"), uint32(0xfffffff8), uint32(0), uint32(0), uint32(3), uint32(0), uint32(4))
	f.Add([]byte("abc"), uint32(filterAt), uint32(0), uint32(3), uint32(1), uint32(0), uint32(4))
	f.Add([]byte("abc"), uint32(filterAt), uint32(0), uint32(0), uint32(0xffffffff), uint32(0), uint32(4))
	f.Add([]byte("abc"), uint32(filterAt), uint32(0), uint32(0), uint32(3), uint32(0xfffffffc), uint32(1))
	f.Add([]byte("abc"), uint32(filterAt), uint32(0), uint32(0), uint32(3), uint32(0), uint32(0x20000000))
	f.Fuzz(func(t *testing.T, data []byte, filter, ptr, from, to, out, capacity uint32) {
		// Memory: data, then at filterAt+len(data)... a filter that lets the data's windows
		// through, then room for output.
		base := filterAt + ((len(data) + 7) &^ 7)
		memory := alignedMemory(base + windowfilter.Size + 1024)
		copy(memory, data)
		fl, _ := windowfilter.FromMemory(memory[base:])
		for i := 3; i < len(data); i += 3 {
			fl.AddWindow(binary.BigEndian.Uint32(data[i-3:]))
		}
		fl.AddPair(0x6162)
		if filter == filterAt {
			filter = uint32(base)
		}
		before := bytes.Clone(memory)
		got := WindowFilter(sliceMemory(memory), filter, ptr, from, to, out, capacity, nil)
		size := uint64(capacity) * windowfilter.PairSize
		switch {
		case filter%8 != 0 || uint64(filter)+windowfilter.Size > uint64(len(memory)):
			if got != WindowErrFilter {
				t.Fatalf("filter at %#x: got %d", filter, got)
			}
		case uint64(ptr)+uint64(to) > uint64(len(memory)) || from > to:
			if got != WindowErrInput {
				t.Fatalf("data [%#x,+%d) from %d: got %d", ptr, to, from, got)
			}
		case uint64(out)+size > uint64(len(memory)):
			if got != WindowErrOutput {
				t.Fatalf("output at %#x, %d blocks: got %d", out, capacity, got)
			}
		default:
			if got < 0 || uint64(got) > uint64(capacity) {
				t.Fatalf("got %d blocks for a capacity of %d", got, capacity)
			}
			overlap := func(a, an, b, bn uint64) bool { return a < b+bn && b < a+an }
			if !overlap(uint64(out), size, uint64(ptr), uint64(to)) && !overlap(uint64(out), size, uint64(filter), windowfilter.Size) {
				want := make([]byte, size)
				bf, _ := windowfilter.FromMemory(before[filter:])
				if w := windowfilter.Encode(bf, before[ptr:ptr+to], int(from), int(to), want, nil); int32(w) != got {
					t.Fatalf("%d blocks, want %d", got, w)
				}
				if !bytes.Equal(memory[out:uint64(out)+uint64(got)*windowfilter.PairSize], want[:uint64(got)*windowfilter.PairSize]) {
					t.Fatal("blocks differ from windowfilter.Encode")
				}
			}
			copy(before[out:], memory[out:uint64(out)+size])
		}
		if !bytes.Equal(before, memory) {
			t.Fatal("memory changed outside the output range")
		}
	})
}

// TestSumYielding: every algorithm gives its reference digest when it tells a point its
// progress (the byte-exact hashes and the counts once per whole chunk before the last).
func TestSumYielding(t *testing.T) {
	data := make([]byte, 3*yield.Bytes+1000)
	for i := range data {
		data[i] = byte(i*7 + i>>9)
	}
	for alg := uint32(DigestMD5); alg <= DigestCounts; alg++ {
		yields := 0
		got := SumYielding(alg, data, yield.New(func() { yields++ }))
		if want := referenceDigest(alg, data); !bytes.Equal(got, want) {
			t.Errorf("alg %d: SumYielding %q, want %q", alg, got, want)
		}
		if alg != DigestSSDeep && alg != DigestTLSH && yields != 3 {
			t.Errorf("alg %d: yielded %d times over %d bytes, want 3", alg, yields, len(data))
		}
		if yields == 0 {
			t.Errorf("alg %d: never yielded over %d bytes", alg, len(data))
		}
	}
	if SumYielding(99, data, yield.New(func() { t.Error("an unknown algorithm yielded") })) != nil {
		t.Error("an unknown algorithm gave a digest")
	}
}

// TestHostCallsYield: over a large input the three scanning host functions call their yield
// function and answer what they answer without one.
func TestHostCallsYield(t *testing.T) {
	const n = 8 * yield.Bytes
	memory := make([]byte, n+windowfilter.Size+64*1024)
	for i := range n {
		if i%50 < 30 {
			memory[i] = 'a' + byte(i%26)
		} else {
			memory[i] = byte(i * 131)
		}
	}
	var f windowfilter.Filter
	f.AddWindow(binary.BigEndian.Uint32([]byte("abcd")))
	filterAt := uint32(n)
	copy(memory[filterAt:], unsafe.Slice((*byte)(unsafe.Pointer(&f)), windowfilter.Size))
	out := filterAt + windowfilter.Size
	capacity := uint32(len(memory)-int(out)) / 8

	calls := map[string]func(yieldFn func()) (int32, []byte){
		"digest": func(y func()) (int32, []byte) {
			r := Digest(sliceMemory(memory), DigestTLSH, 0, n, out, nil, y)
			return r, bytes.Clone(memory[out : out+72])
		},
		"text_runs": func(y func()) (int32, []byte) {
			r := TextRuns(sliceMemory(memory), uint32(textruns.ASCII), 4, 0, n, out, capacity, nil, y)
			return r, bytes.Clone(memory[out : out+8*uint32(max(r, 0))])
		},
		"window_filter": func(y func()) (int32, []byte) {
			r := WindowFilter(sliceMemory(memory), filterAt, 0, 0, n, out, capacity, y)
			return r, bytes.Clone(memory[out : out+8*uint32(max(r, 0))])
		},
	}
	for name, call := range calls {
		want, wantOut := call(nil)
		yields := 0
		got, gotOut := call(func() { yields++ })
		if got != want || !bytes.Equal(gotOut, wantOut) || want <= 0 {
			t.Errorf("%s: %d with a yield function, %d without (outputs equal: %v)", name, got, want, bytes.Equal(gotOut, wantOut))
		}
		if yields < 4 {
			t.Errorf("%s: yielded %d times over %d bytes", name, yields, n)
		}
	}
}
