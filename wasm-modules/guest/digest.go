package guest

import (
	"github.com/athena-mesh/athena/internal/bytecount"
	"github.com/athena-mesh/athena/internal/hostabi"
)

// Algorithm is a digest the host computes through the athena.digest import. The values are
// part of the ABI (see ../ABI.md) and internal/hostabi's.
type Algorithm uint32

// The digests athena.digest offers. SSDeep and TLSH are the digests as ssdeep and tlsh print
// them (ASCII, variable length, TLSH empty for inputs too short or uniform for one).
const (
	MD5    Algorithm = hostabi.DigestMD5
	SHA1   Algorithm = hostabi.DigestSHA1
	SHA256 Algorithm = hostabi.DigestSHA256
	SHA512 Algorithm = hostabi.DigestSHA512
	SSDeep Algorithm = hostabi.DigestSSDeep
	TLSH   Algorithm = hostabi.DigestTLSH
	// ByteCounts is not a hash but the same kind of answer, a fixed-size summary of the bytes:
	// how often each byte value occurs, as 256 little-endian uint64 counts, byte value 0 first
	// (internal/bytecount's encoding). Histogram, CountBytes and Entropy use it.
	ByteCounts Algorithm = hostabi.DigestCounts
)

// Size is the digest length in bytes (the longest one for SSDeep and TLSH), 0 for an unknown
// algorithm.
func (a Algorithm) Size() int { return hostabi.DigestRoom(uint32(a)) }

// Sum returns the digest of data, or nil for an unknown algorithm. Inside a wasip1 guest the
// host computes it natively over the guest's memory (athena.digest), about ten times faster
// than Go's generic code compiled to wasm; in native builds and tests it is Go's crypto
// packages, so both give the same bytes.
func Sum(alg Algorithm, data []byte) []byte {
	if alg.Size() == 0 {
		return nil
	}
	return sum(alg, data)
}

// NativeSum computes the digest in Go, wherever the code runs: the host's own code
// (internal/hostabi), so guests and hosts give the same bytes. It is the fallback of Sum.
func NativeSum(alg Algorithm, data []byte) []byte { return hostabi.Sum(uint32(alg), data) }

// hostCountMin is the shortest input Histogram and CountBytes hand to the host: for less,
// the call costs more than counting inside WASM.
const hostCountMin = 1024

// Histogram sets counts to how often each byte value occurs in b. Inside a wasip1 guest the
// host counts inputs of a kilobyte or more (athena.digest's ByteCounts) straight into counts,
// several times faster than Go compiled to wasm; elsewhere, and if the host refuses, it is
// bytecount.Add.
func Histogram(counts *[256]uint64, b []byte) {
	if len(b) >= hostCountMin && hostCounts(counts, b) {
		return
	}
	*counts = [256]uint64{}
	bytecount.Add(counts, b)
}

// CountBytes adds to counts how often each byte value occurs in b (Histogram, added).
func CountBytes(counts *[256]uint64, b []byte) {
	if len(b) < hostCountMin {
		bytecount.Add(counts, b)
		return
	}
	var these [256]uint64
	Histogram(&these, b)
	for i, c := range these {
		counts[i] += c
	}
}

// Entropy is the Shannon entropy of b in bits per byte (0 for empty input), from Histogram.
func Entropy(b []byte) float64 {
	var counts [256]uint64
	Histogram(&counts, b)
	return bytecount.Entropy(&counts, len(b))
}
