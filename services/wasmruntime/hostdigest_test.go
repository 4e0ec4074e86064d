package wasmruntime

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"io"
	"testing"

	"github.com/athena-mesh/athena/internal/bytecount"
	"github.com/athena-mesh/athena/internal/fuzzyhash"
)

// referenceDigest is what athena.digest must produce for alg, or nil for an unknown alg.
func referenceDigest(alg uint32, b []byte) []byte {
	switch alg {
	case digestMD5:
		s := md5.Sum(b)
		return s[:]
	case digestSHA1:
		s := sha1.Sum(b)
		return s[:]
	case digestSHA256:
		s := sha256.Sum256(b)
		return s[:]
	case digestSHA512:
		s := sha512.Sum512(b)
		return s[:]
	case digestSSDeep:
		return []byte(fuzzyhash.SSDeep(b))
	case digestTLSH:
		return append([]byte{}, fuzzyhash.TLSH(b)...)
	case digestCounts:
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

// digestRoom is the output room athena.digest requires for alg (ABI.md): the digest length,
// or the longest digest for the variable-length ssdeep and TLSH; 0 for an unknown alg.
var digestRoom = map[uint32]int{digestMD5: 16, digestSHA1: 20, digestSHA256: 32, digestSHA512: 64, digestSSDeep: 128, digestTLSH: 72, digestCounts: 2048}

// FuzzHostDigest: any algorithm, pointers and memory. The host never panics, never touches
// memory outside the output range, and answers exactly the documented code.
func FuzzHostDigest(f *testing.F) {
	f.Add([]byte("abc-and-room-for-a-digest-of-sixty-four-bytes-................................"), uint32(digestSHA256), uint32(0), uint32(3), uint32(8))
	f.Add(make([]byte, 64), uint32(digestSHA512), uint32(0), uint32(0), uint32(0))
	f.Add(make([]byte, 64), uint32(digestSHA512), uint32(0), uint32(0), uint32(1))
	f.Add(make([]byte, 16), uint32(digestMD5), uint32(0xffffffff), uint32(2), uint32(0))
	f.Add(make([]byte, 16), uint32(digestMD5), uint32(4), uint32(0xfffffffe), uint32(0))
	f.Add(make([]byte, 32), uint32(digestSHA1), uint32(0), uint32(8), uint32(0xfffffff0))
	f.Add(make([]byte, 32), uint32(0), uint32(0), uint32(8), uint32(0))
	f.Add(make([]byte, 32), uint32(99), uint32(0), uint32(8), uint32(0))
	f.Add(bytes.Repeat([]byte("ssdeep and tlsh need some text "), 40), uint32(digestSSDeep), uint32(0), uint32(1000), uint32(1100))
	f.Add(bytes.Repeat([]byte("ssdeep and tlsh need some text "), 40), uint32(digestTLSH), uint32(0), uint32(1000), uint32(1100))
	f.Add(make([]byte, 100), uint32(digestTLSH), uint32(0), uint32(10), uint32(20))
	f.Add(bytes.Repeat([]byte("counts\x00\xff"), 200), uint32(digestCounts), uint32(3), uint32(500), uint32(10))
	f.Add(make([]byte, 2100), uint32(digestCounts), uint32(0), uint32(10), uint32(40))
	f.Fuzz(func(t *testing.T, memory []byte, alg, ptr, n, out uint32) {
		before := bytes.Clone(memory)
		got := hostDigest(sliceMemory(memory), alg, ptr, n, out)
		inOK := uint64(ptr)+uint64(n) <= uint64(len(memory))
		room := digestRoom[alg]
		outOK := uint64(out)+uint64(room) <= uint64(len(memory))
		switch {
		case room == 0:
			if got != digestErrAlgorithm {
				t.Fatalf("alg %d: got %d, want %d", alg, got, digestErrAlgorithm)
			}
		case !inOK:
			if got != digestErrInput {
				t.Fatalf("input [%#x,+%d) of %d bytes: got %d", ptr, n, len(memory), got)
			}
		case !outOK:
			if got != digestErrOutput {
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

// digestWAT exports memory with "abc" at offset 0 and probe(alg, ptr, len, out), which returns
// athena.digest's answer, so a test can hand the host any pointer a hostile guest could.
const digestWAT = `(module
  (import "athena" "digest" (func $digest (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "abc")
  (func (export "probe") (param i32 i32 i32 i32) (result i32)
    (call $digest (local.get 0) (local.get 1) (local.get 2) (local.get 3))))`

// TestHostDigestEngine calls athena.digest through the engine under test (wazero, or wasmer
// with -tags wasmer) with good and hostile arguments: every answer is a result code, and the
// instance keeps working after each.
func TestHostDigestEngine(t *testing.T) {
	ctx := context.Background()
	eng, err := newEngine(ctx, testEngine(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.close(ctx)
	cm, err := eng.compile(ctx, wat(t, digestWAT), "", 16)
	if err != nil {
		t.Fatal(err)
	}
	defer cm.close(ctx)
	inst, err := cm.instantiate(ctx, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.close(ctx)
	const page = 65536
	abc := []byte("abc")
	for _, tc := range []struct {
		name             string
		alg, ptr, n, out uint32
		want             int32
		wantSum          []byte // expected at out when want > 0
	}{
		{"md5 of abc", digestMD5, 0, 3, 1024, md5.Size, referenceDigest(digestMD5, abc)},
		{"sha1 of abc", digestSHA1, 0, 3, 1024, sha1.Size, referenceDigest(digestSHA1, abc)},
		{"sha256 of abc", digestSHA256, 0, 3, 1024, sha256.Size, referenceDigest(digestSHA256, abc)},
		{"sha512 of abc", digestSHA512, 0, 3, 1024, sha512.Size, referenceDigest(digestSHA512, abc)},
		{"empty input", digestSHA256, 0, 0, 2048, sha256.Size, referenceDigest(digestSHA256, nil)},
		{"output overlaps input", digestSHA256, 0, 3, 0, sha256.Size, referenceDigest(digestSHA256, abc)},
		{"output ends at memory end", digestSHA512, 0, 3, page - sha512.Size, sha512.Size, referenceDigest(digestSHA512, abc)},
		{"ssdeep of abc", digestSSDeep, 0, 3, 1024, int32(len(fuzzyhash.SSDeep(abc))), []byte(fuzzyhash.SSDeep(abc))},
		{"tlsh of abc is empty", digestTLSH, 0, 3, 1024, 0, nil},
		{"byte counts of abc", digestCounts, 0, 3, 1024, bytecount.EncodedSize, referenceDigest(digestCounts, abc)},
		{"byte counts over their own input", digestCounts, 0, 3, 0, bytecount.EncodedSize, referenceDigest(digestCounts, abc)},
		{"byte counts need 2048 bytes of room", digestCounts, 0, 3, page - 2047, digestErrOutput, nil},
		{"ssdeep needs room for its longest digest", digestSSDeep, 0, 3, page - 100, digestErrOutput, nil},
		{"unknown algorithm 0", 0, 0, 3, 1024, digestErrAlgorithm, nil},
		{"unknown algorithm", 0xffffffff, 0, 3, 1024, digestErrAlgorithm, nil},
		{"input past memory end", digestSHA256, page - 2, 3, 1024, digestErrInput, nil},
		{"input pointer at 4 GiB", digestSHA256, 0xffffffff, 1, 1024, digestErrInput, nil},
		{"input length wraps", digestSHA256, 16, 0xfffffff8, 1024, digestErrInput, nil},
		{"output past memory end", digestSHA512, 0, 3, page - sha512.Size + 1, digestErrOutput, nil},
		{"output pointer wraps", digestMD5, 0, 3, 0xfffffff8, digestErrOutput, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := inst.call(ctx, "probe", uint64(tc.alg), uint64(tc.ptr), uint64(tc.n), uint64(tc.out))
			if err != nil {
				t.Fatalf("probe trapped: %v", err)
			}
			if got := int32(uint32(res)); got != tc.want {
				t.Fatalf("athena.digest = %d, want %d", got, tc.want)
			}
			if tc.want > 0 {
				got, ok := inst.memory().read(tc.out, uint32(tc.want))
				if !ok || !bytes.Equal(got, tc.wantSum) {
					t.Fatalf("digest in memory = %x, want %x", got, tc.wantSum)
				}
				// Restore "abc" for the cases after one that wrote over it.
				inst.memory().write(0, abc)
			}
		})
	}
	// The instance is still usable after every rejected call.
	res, err := inst.call(ctx, "probe", digestSHA256, 0, 3, 4096)
	if err != nil || int32(uint32(res)) != sha256.Size {
		t.Fatalf("after hostile calls: %d, %v", int32(uint32(res)), err)
	}
}
