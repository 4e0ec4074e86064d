// Package cryptoscan is the logic of the crypto analyzer module: cryptographic and fuzzy hashes
// (ssdeep and TLSH identical to the Debian reference tools), entropy, crypto constants, embedded
// keys and certificates, and cryptominer indicators. The wasip1 shim is in ./wasm.
package cryptoscan

import (
	"encoding/hex"
	"math"

	"github.com/athena-mesh/athena/internal/bytecount"
	"github.com/athena-mesh/athena/wasm-modules/guest"
)

// Digests are the hashes of one sample.
type Digests struct {
	MD5, SHA1, SHA256, SHA512 string
	SSDeep                    string
	// TLSH is empty when the tlsh tool would print no digest.
	TLSH string
}

// Hash computes every digest of data. Inside the guest the host computes all of them natively
// (athena.digest: md5, sha1, sha256, sha512, and ssdeep and TLSH with internal/fuzzyhash, which
// in the guest cost ~50 ms of the module's ~85 ms on a 1.6 MB PE).
func Hash(data []byte) Digests { return HashWith(data, nil) }

// HashWith is Hash reusing the cryptographic digests in known (option name "md5", "sha1",
// "sha256" or "sha512" → lower-case hex), which callers pass when they hashed the sample
// already (the orchestrator passes the SHA-256, its cache key). A value that is not hex of the
// algorithm's length is ignored and computed.
func HashWith(data []byte, known map[string]string) Digests {
	sum := func(name string, alg guest.Algorithm, size int) string {
		if v := known[name]; len(v) == 2*size && isLowerHex(v) {
			return v
		}
		return hex.EncodeToString(guest.Sum(alg, data))
	}
	return Digests{
		MD5:    sum("md5", guest.MD5, 16),
		SHA1:   sum("sha1", guest.SHA1, 20),
		SHA256: sum("sha256", guest.SHA256, 32),
		SHA512: sum("sha512", guest.SHA512, 64),
		SSDeep: string(guest.Sum(guest.SSDeep, data)),
		TLSH:   string(guest.Sum(guest.TLSH, data)),
	}
}

func isLowerHex(s string) bool {
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Entropy is the Shannon entropy of data in bits per byte (0 for empty input).
func Entropy(data []byte) float64 { return guest.Entropy(data) }

const (
	// minEntropyWindow is the smallest profile window: below it entropy says little.
	minEntropyWindow = 256
	// maxEntropyWindows caps the profile's length so large samples keep a small report.
	maxEntropyWindows = 1024
)

// EntropyProfile returns the entropy of consecutive windows of data and the window size: 256
// bytes, doubled until there are at most 1024 windows. The last window may be shorter.
func EntropyProfile(data []byte) (profile []float64, window int) {
	_, profile, window = entropies(data)
	return profile, window
}

// entropies is Entropy and EntropyProfile from one pass over data: the whole file's counts are
// the sum of the windows'. Every full window has the same length, so each count's term of the
// sum is computed once, before the pass; the terms are added in the same order as
// bytecount.Entropy adds them, so the results are the same to the bit.
func entropies(data []byte) (total float64, profile []float64, window int) {
	window = minEntropyWindow
	for len(data) > window*maxEntropyWindows {
		window *= 2
	}
	if len(data) == 0 {
		return 0, nil, window
	}
	var all, counts [256]uint64
	profile = make([]float64, 0, (len(data)+window-1)/window)
	var terms []float64
	if len(data) >= window {
		terms = entropyTerms(window)
	}
	for off := 0; off < len(data); off += window {
		chunk := data[off:min(off+window, len(data))]
		guest.Histogram(&counts, chunk)
		if len(chunk) < window {
			for b, c := range counts {
				all[b] += c
			}
			profile = append(profile, math.Round(bytecount.Entropy(&counts, len(chunk))*1000)/1000)
			continue
		}
		// Eight counts a turn and no branch: inside WASM each turn of a loop costs more than
		// its arithmetic. A zero count's term is 0, and e - 0 is e to the bit, so adding it
		// changes nothing; neither does adding the count.
		var e float64
		for b := 0; b+8 <= len(counts); b += 8 {
			c := (*[8]uint64)(counts[b : b+8])
			e -= terms[c[0]]
			e -= terms[c[1]]
			e -= terms[c[2]]
			e -= terms[c[3]]
			e -= terms[c[4]]
			e -= terms[c[5]]
			e -= terms[c[6]]
			e -= terms[c[7]]
			a := (*[8]uint64)(all[b : b+8])
			a[0] += c[0]
			a[1] += c[1]
			a[2] += c[2]
			a[3] += c[3]
			a[4] += c[4]
			a[5] += c[5]
			a[6] += c[6]
			a[7] += c[7]
		}
		profile = append(profile, math.Round(e*1000)/1000)
	}
	return bytecount.Entropy(&all, len(data)), profile, window
}

// entropyTerms returns p·log2(p) for p = c/window, c = 0 … window, as bytecount.Entropy computes
// it: 0 for c = 0 (a byte value that does not occur adds nothing) and for c = window (p = 1).
func entropyTerms(window int) []float64 {
	terms := make([]float64, window+1)
	for c := 1; c <= window; c++ {
		p := float64(c) / float64(window)
		terms[c] = p * math.Log2(p)
	}
	return terms
}
