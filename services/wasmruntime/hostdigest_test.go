package wasmruntime

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"testing"

	"github.com/athena-mesh/athena/internal/bytecount"
	"github.com/athena-mesh/athena/internal/fuzzyhash"
	"github.com/athena-mesh/athena/internal/hostabi"
)

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
	inst := watInstance(t, digestWAT)
	const page = 65536
	abc := []byte("abc")
	// direct is what hostabi.Digest writes for alg over b, called without an engine: the
	// engine must pass arguments and answers through unchanged (hostabi's tests hold the
	// digests themselves to the reference tools' and Go's).
	direct := func(alg uint32, b []byte) []byte {
		mem := make(sliceMemory, 4096)
		copy(mem, b)
		n := hostabi.Digest(abiMemory{mem}, alg, 0, uint32(len(b)), 1024, nil, nil)
		return mem[1024 : 1024+n]
	}
	for _, tc := range []struct {
		name             string
		alg, ptr, n, out uint32
		want             int32
		wantSum          []byte // expected at out when want > 0
	}{
		{"md5 of abc", hostabi.DigestMD5, 0, 3, 1024, md5.Size, direct(hostabi.DigestMD5, abc)},
		{"sha1 of abc", hostabi.DigestSHA1, 0, 3, 1024, sha1.Size, direct(hostabi.DigestSHA1, abc)},
		{"sha256 of abc", hostabi.DigestSHA256, 0, 3, 1024, sha256.Size, direct(hostabi.DigestSHA256, abc)},
		{"sha512 of abc", hostabi.DigestSHA512, 0, 3, 1024, sha512.Size, direct(hostabi.DigestSHA512, abc)},
		{"empty input", hostabi.DigestSHA256, 0, 0, 2048, sha256.Size, direct(hostabi.DigestSHA256, nil)},
		{"output overlaps input", hostabi.DigestSHA256, 0, 3, 0, sha256.Size, direct(hostabi.DigestSHA256, abc)},
		{"output ends at memory end", hostabi.DigestSHA512, 0, 3, page - sha512.Size, sha512.Size, direct(hostabi.DigestSHA512, abc)},
		{"ssdeep of abc", hostabi.DigestSSDeep, 0, 3, 1024, int32(len(fuzzyhash.SSDeep(abc))), []byte(fuzzyhash.SSDeep(abc))},
		{"tlsh of abc is empty", hostabi.DigestTLSH, 0, 3, 1024, 0, nil},
		{"byte counts of abc", hostabi.DigestCounts, 0, 3, 1024, bytecount.EncodedSize, direct(hostabi.DigestCounts, abc)},
		{"byte counts over their own input", hostabi.DigestCounts, 0, 3, 0, bytecount.EncodedSize, direct(hostabi.DigestCounts, abc)},
		{"byte counts need 2048 bytes of room", hostabi.DigestCounts, 0, 3, page - 2047, hostabi.DigestErrOutput, nil},
		{"ssdeep needs room for its longest digest", hostabi.DigestSSDeep, 0, 3, page - 100, hostabi.DigestErrOutput, nil},
		{"unknown algorithm 0", 0, 0, 3, 1024, hostabi.DigestErrAlgorithm, nil},
		{"unknown algorithm", 0xffffffff, 0, 3, 1024, hostabi.DigestErrAlgorithm, nil},
		{"input past memory end", hostabi.DigestSHA256, page - 2, 3, 1024, hostabi.DigestErrInput, nil},
		{"input pointer at 4 GiB", hostabi.DigestSHA256, 0xffffffff, 1, 1024, hostabi.DigestErrInput, nil},
		{"input length wraps", hostabi.DigestSHA256, 16, 0xfffffff8, 1024, hostabi.DigestErrInput, nil},
		{"output past memory end", hostabi.DigestSHA512, 0, 3, page - sha512.Size + 1, hostabi.DigestErrOutput, nil},
		{"output pointer wraps", hostabi.DigestMD5, 0, 3, 0xfffffff8, hostabi.DigestErrOutput, nil},
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
	res, err := inst.call(ctx, "probe", hostabi.DigestSHA256, 0, 3, 4096)
	if err != nil || int32(uint32(res)) != sha256.Size {
		t.Fatalf("after hostile calls: %d, %v", int32(uint32(res)), err)
	}
}
