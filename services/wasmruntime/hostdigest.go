package wasmruntime

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// athena.digest(alg, ptr, len, out) -> i32 hashes guest memory natively (see wasm-modules/ABI.md).
// Go compiled to wasm hashes at a few tens of MB/s (no SHA or vector instructions, every access
// bounds-checked); the host's assembly runs at hundreds of MB/s to GB/s on the same bytes,
// without copying them out of the guest.

// Digest algorithms of athena.digest; the values are ABI.
const (
	digestMD5    = 1
	digestSHA1   = 2
	digestSHA256 = 3
	digestSHA512 = 4
)

// Negative results of athena.digest; the values are ABI. The guest keeps running: a bad
// request is answered, not trapped, so a module can fall back to hashing in the guest.
const (
	digestErrAlgorithm = -1 // unknown algorithm
	digestErrInput     = -2 // [ptr, ptr+len) is not inside memory
	digestErrOutput    = -3 // [out, out+digest length) is not inside memory
)

// newDigest returns the hash for an athena.digest algorithm, or nil.
func newDigest(alg uint32) hash.Hash {
	switch alg {
	case digestMD5:
		return md5.New()
	case digestSHA1:
		return sha1.New()
	case digestSHA256:
		return sha256.New()
	case digestSHA512:
		return sha512.New()
	}
	return nil
}

// hostDigest implements athena.digest over a guest memory: it writes the digest of
// [ptr, ptr+n) to out and returns its length, or a negative error code. Both ranges are
// checked before any work, with overflow-safe arithmetic; nothing the guest passes can make the
// host read or write outside memory.
func hostDigest(mem memoryView, alg, ptr, n, out uint32) int32 {
	h := newDigest(alg)
	if h == nil {
		return digestErrAlgorithm
	}
	in, ok := mem.read(ptr, n)
	if !ok {
		return digestErrInput
	}
	if _, ok := mem.read(out, uint32(h.Size())); !ok {
		return digestErrOutput
	}
	// The input is a view of guest memory, hashed in place: the guest is blocked in this call,
	// so nothing changes it meanwhile. The sum is computed before writing, so ranges may overlap.
	h.Write(in)
	var buf [sha512.Size]byte
	sum := h.Sum(buf[:0])
	if !mem.write(out, sum) {
		return digestErrOutput
	}
	return int32(len(sum))
}
