package wasmruntime

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"

	"github.com/athena-mesh/athena/internal/bytecount"
	"github.com/athena-mesh/athena/internal/fuzzyhash"
)

// athena.digest(alg, ptr, len, out) -> i32 hashes guest memory natively (see wasm-modules/ABI.md).
// Go compiled to wasm hashes at a few tens of MB/s (no SHA or vector instructions, every access
// bounds-checked); the host's assembly runs at hundreds of MB/s to GB/s on the same bytes,
// without copying them out of the guest.

// Digest algorithms of athena.digest; the values are ABI. ssdeep and TLSH are the printed
// digests (ASCII) of variable length up to their maximum; a TLSH of an input too short or too
// uniform for one is empty. Byte counts are not a hash but the same kind of answer: a fixed-size
// summary of the bytes (their histogram) that guests need for entropy and that Go in wasm
// computes several times slower than the host.
const (
	digestMD5    = 1
	digestSHA1   = 2
	digestSHA256 = 3
	digestSHA512 = 4
	digestSSDeep = 5
	digestTLSH   = 6
	digestCounts = 7
)

// Longest ssdeep and TLSH digests: "blocksize:64 chars:32 chars" with a 10-digit block size, and
// 70 hex digits.
const (
	ssdeepMaxSize = 128
	tlshMaxSize   = 72
)

// Negative results of athena.digest; the values are ABI. The guest keeps running: a bad
// request is answered, not trapped, so a module can fall back to hashing in the guest.
const (
	digestErrAlgorithm = -1 // unknown algorithm
	digestErrInput     = -2 // [ptr, ptr+len) is not inside memory
	digestErrOutput    = -3 // [out, out+digest length) is not inside memory
)

// digester computes one athena.digest algorithm: at most max bytes of digest.
type digester struct {
	max int
	sum func(in, out []byte) []byte
}

func hashDigester(h func() hash.Hash) *digester {
	return &digester{max: h().Size(), sum: func(in, out []byte) []byte {
		d := h()
		d.Write(in)
		return d.Sum(out)
	}}
}

// digesters are the athena.digest algorithms by their ABI value.
var digesters = map[uint32]*digester{
	digestMD5:    hashDigester(md5.New),
	digestSHA1:   hashDigester(sha1.New),
	digestSHA256: hashDigester(sha256.New),
	digestSHA512: hashDigester(sha512.New),
	digestSSDeep: {max: ssdeepMaxSize, sum: func(in, out []byte) []byte { return append(out, fuzzyhash.SSDeep(in)...) }},
	digestTLSH:   {max: tlshMaxSize, sum: func(in, out []byte) []byte { return append(out, fuzzyhash.TLSH(in)...) }},
	digestCounts: {max: bytecount.EncodedSize, sum: func(in, out []byte) []byte { return bytecount.AppendEncoded(out, in) }},
}

// hostDigest implements athena.digest over a guest memory: it writes the digest of
// [ptr, ptr+n) to out and returns its length, or a negative error code. Both ranges (out with
// room for the algorithm's longest digest) are checked before any work, with overflow-safe
// arithmetic; nothing the guest passes can make the host read or write outside memory.
func hostDigest(mem memoryView, alg, ptr, n, out uint32) int32 {
	d := digesters[alg]
	if d == nil {
		return digestErrAlgorithm
	}
	in, ok := mem.read(ptr, n)
	if !ok {
		return digestErrInput
	}
	if _, ok := mem.read(out, uint32(d.max)); !ok {
		return digestErrOutput
	}
	// The input is a view of guest memory, hashed in place: the guest is blocked in this call,
	// so nothing changes it meanwhile. The sum is computed before writing, so ranges may overlap.
	var buf [bytecount.EncodedSize]byte // the longest answer
	sum := d.sum(in, buf[:0])
	if len(sum) > d.max || !mem.write(out, sum) {
		return digestErrOutput
	}
	return int32(len(sum))
}
