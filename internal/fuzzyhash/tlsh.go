package fuzzyhash

import (
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
	"sync"

	"github.com/athena-mesh/athena/internal/yield"
)

// TLSH (Oliver, Cheng, Chen 2013) as the Debian tlsh tool prints it (tlsh-tools 3.4.4): 128
// buckets, 1-byte checksum, 70 upper-case hex digits without the "T1" version prefix that later
// releases added, and no digest for inputs under 256 bytes or with half the buckets empty.

const (
	tlshMinLength = 256
	tlshBuckets   = 128 // effective buckets; the byte-sized mapping fills 256
	tlshCodeSize  = tlshBuckets / 4
)

// tlshPearson is the Pearson permutation table from the TLSH paper and reference code. It is a
// read-only lookup table (Go has no constant arrays), never written.
var tlshPearson = [256]byte{
	1, 87, 49, 12, 176, 178, 102, 166, 121, 193, 6, 84, 249, 230, 44, 163,
	14, 197, 213, 181, 161, 85, 218, 80, 64, 239, 24, 226, 236, 142, 38, 200,
	110, 177, 104, 103, 141, 253, 255, 50, 77, 101, 81, 18, 45, 96, 31, 222,
	25, 107, 190, 70, 86, 237, 240, 34, 72, 242, 20, 214, 244, 227, 149, 235,
	97, 234, 57, 22, 60, 250, 82, 175, 208, 5, 127, 199, 111, 62, 135, 248,
	174, 169, 211, 58, 66, 154, 106, 195, 245, 171, 17, 187, 182, 179, 0, 243,
	132, 56, 148, 75, 128, 133, 158, 100, 130, 126, 91, 13, 153, 246, 216, 219,
	119, 68, 223, 78, 83, 88, 201, 99, 122, 11, 92, 32, 136, 114, 52, 10,
	138, 30, 48, 183, 156, 35, 61, 26, 143, 74, 251, 94, 129, 162, 63, 152,
	170, 7, 115, 167, 241, 206, 3, 150, 55, 59, 151, 220, 90, 53, 23, 131,
	125, 173, 15, 238, 79, 95, 89, 16, 105, 137, 225, 224, 217, 160, 37, 123,
	118, 73, 2, 157, 46, 116, 9, 145, 134, 228, 207, 212, 202, 215, 69, 229,
	27, 188, 67, 124, 168, 252, 42, 4, 29, 108, 21, 247, 19, 205, 39, 203,
	233, 40, 186, 147, 198, 192, 155, 33, 164, 191, 98, 204, 165, 180, 117, 76,
	140, 36, 210, 172, 41, 54, 159, 8, 185, 232, 113, 196, 231, 47, 146, 120,
	51, 65, 28, 144, 254, 221, 93, 189, 194, 139, 112, 43, 71, 109, 184, 209,
}

// tlshLengthSteps[i] is the smallest input length whose length code is i. The reference computes
// the code with single-precision logf and three piecewise formulas; these thresholds were taken
// by evaluating exactly that code for every 32-bit length (TestTLSHLengthSteps re-checks them
// against a C build of the formula), which avoids depending on libm rounding here.
var tlshLengthSteps = [...]uint32{
	1, 2, 3, 4, 6, 8, 12, 18, 26, 39, 58, 87, 130, 195, 292, 438,
	657, 855, 1111, 1444, 1877, 2440, 3172, 3476, 3824, 4206, 4627, 5089, 5598, 6158, 6773, 7451,
	8196, 9015, 9917, 10908, 11999, 13199, 14519, 15971, 17568, 19324, 21257, 23383, 25721, 28293, 31122, 34234,
	37657, 41423, 45565, 50122, 55134, 60647, 66712, 73383, 80722, 88794, 97673, 107440, 118184, 130003, 143003, 157303,
	173033, 190336, 209370, 230307, 253338, 278671, 306539, 337192, 370912, 408003, 448803, 493683, 543051, 597357, 657092, 722801,
	795082, 874590, 962049, 1058253, 1164079, 1280487, 1408535, 1549389, 1704328, 1874760, 2062237, 2268460, 2495306, 2744837, 3019321, 3321253,
	3653375, 4018712, 4420583, 4862642, 5348906, 5883797, 6472177, 7119395, 7831334, 8614468, 9475910, 10423502, 11465852, 12612438, 13873682, 15261051,
	16787155, 18465871, 20312459, 22343707, 24578078, 27035887, 29739475, 32713426, 35984771, 39583246, 43541574, 47895731, 52685307, 57953838, 63749222, 70124149,
	77136565, 84850229, 93335253, 102668780, 112935660, 124229228, 136652152, 150317385, 165349129, 181884041, 200072457, 220079704, 242087672, 266296457, 292926097, 322218736,
	354440624, 389884689, 428873169, 471760496, 518936560, 570830241, 627913312, 690704608, 759775137, 835752672, 919327968, 1011260768, 1112386881, 1223623233, 1345985728, 1480584257,
	1628642752, 1791507136, 1970657857, 2167723649, 2384496257, 2622945921, 2885240449, 3173764737, 3491141249, 3840255617, 4224281217,
}

// tlshLengthCode is the reference's l_capturing for a 32-bit length.
func tlshLengthCode(n uint32) byte {
	i, found := slices.BinarySearch(tlshLengthSteps[:], n)
	if !found {
		i--
	}
	return byte(max(i, 0))
}

// pearson3 is the reference's b_mapping: a Pearson hash of salt and three bytes. The first step
// only depends on the salt, so callers pass tlshPearson[salt] as s.
func pearson3(s, a, b, c byte) byte {
	return tlshPearson[tlshPearson[tlshPearson[s^a]^b]^c]
}

// TLSH returns the TLSH digest of data as the tlsh tool prints it, or "" when the tool gives no
// digest (fewer than 256 bytes, or too few distinct triplets to fill half the buckets).
func TLSH(data []byte) string { return TLSHYielding(data, nil) }

// TLSHYielding is TLSH telling y how far it got every yield.Bytes, so that a host computation
// gives its core away now and then.
func TLSHYielding(data []byte, y *yield.Point) string {
	if len(data) < tlshPairTableMin {
		return tlshWith(data, nil, y)
	}
	return tlshWith(data, sharedPairs(), y)
}

// sharedPairs builds the pair tables (448 KiB) once per process, on the first sample large
// enough to use them.
var sharedPairs = sync.OnceValue(newTLSHPairs)

// tlshWith is TLSH with the pair tables built beforehand; with nil they are built here when the
// input is large enough to use them.
func tlshWith(data []byte, pairs *tlshPairs, y *yield.Point) string {
	if len(data) < tlshMinLength {
		return ""
	}
	var (
		buckets  [256]uint32
		checksum byte
	)
	if len(data) >= tlshPairTableMin {
		if pairs == nil {
			pairs = newTLSHPairs()
		}
		checksum = tlshCountPairs(data, &buckets, pairs, y)
	} else {
		checksum = tlshCount(data, &buckets, y)
	}

	nonzero := 0
	for _, v := range buckets[:tlshBuckets] {
		if v != 0 {
			nonzero++
		}
	}
	if nonzero <= tlshBuckets/2 {
		return ""
	}
	sorted := buckets[:tlshBuckets:tlshBuckets]
	sorted = slices.Clone(sorted)
	slices.Sort(sorted)
	q1, q2, q3 := sorted[tlshBuckets/4-1], sorted[tlshBuckets/2-1], sorted[tlshBuckets*3/4-1]

	var out [3 + tlshCodeSize]byte
	out[0] = swapNibbles(checksum)
	out[1] = swapNibbles(tlshLengthCode(uint32(len(data))))
	// The reference divides in single precision and truncates; mirror it exactly.
	q1r := byte(uint64(float32(q1*100)/float32(q3)) & 0xf)
	q2r := byte(uint64(float32(q2*100)/float32(q3)) & 0xf)
	out[2] = q1r<<4 | q2r
	for i := range tlshCodeSize {
		var code byte
		for j := range 4 {
			k := buckets[4*i+j]
			switch {
			case k > q3:
				code |= 3 << (2 * j)
			case k > q2:
				code |= 2 << (2 * j)
			case k > q1:
				code |= 1 << (2 * j)
			}
		}
		out[3+tlshCodeSize-1-i] = code
	}
	return strings.ToUpper(hex.EncodeToString(out[:]))
}

// tlshPairTableMin is the input size from which building pair tables (448 KiB) pays off.
const tlshPairTableMin = 1 << 20

// Both counting functions count the last Pearson step's input instead of its output: the step
// is a permutation, so bucket tlshPearson[v] receives exactly the count of v, and one pass over
// 256 counters at the end replaces six table lookups per byte.

// tlshCount fills the buckets from every five-byte window and returns the checksum, telling y
// its progress between chunks of yield.Bytes.
func tlshCount(data []byte, buckets *[256]uint32, y *yield.Point) byte {
	var checksum byte
	var pre [256]uint32 // counts before the last Pearson step
	s0, s2, s3, s5 := tlshPearson[0], tlshPearson[2], tlshPearson[3], tlshPearson[5]
	s7, s11, s13 := tlshPearson[7], tlshPearson[11], tlshPearson[13]
	// A window of five bytes kept in variables: a is the newest, e the oldest.
	a, b, c, d := data[3], data[2], data[1], data[0]
	for lo := 4; lo < len(data); lo += yield.Bytes {
		y.At(lo)
		for _, next := range data[lo:min(lo+yield.Bytes, len(data))] {
			e := d
			a, b, c, d = next, a, b, c
			checksum = pearson3(s0, a, b, checksum)
			pre[tlshPearson[tlshPearson[s2^a]^b]^c]++
			pre[tlshPearson[tlshPearson[s3^a]^b]^d]++
			pre[tlshPearson[tlshPearson[s5^a]^c]^d]++
			pre[tlshPearson[tlshPearson[s7^a]^c]^e]++
			pre[tlshPearson[tlshPearson[s11^a]^b]^e]++
			pre[tlshPearson[tlshPearson[s13^a]^d]^e]++
		}
	}
	permuteCounts(&pre, buckets)
	return checksum
}

// tlshPairs holds the first two Pearson steps of every salt over all byte pairs, packed by the
// pair they read: one load yields four (pairs of the newest two bytes), two or one value. Each
// value sits in the byte where a little-endian load of the window's older bytes has the byte it
// is next xored with (e, d, c, b from the lowest byte up), so one xor applies three of them.
type tlshPairs struct {
	ab [1 << 16]uint32 // salts 11, 3, 2 (xored with e, d, c) and 0 (the checksum), byte 0 first
	ac [1 << 16]uint16 // salts 7 and 5 (xored with e, d)
	ad [1 << 16]byte   // salt 13 (xored with e)
}

func newTLSHPairs() *tlshPairs {
	p := &tlshPairs{}
	two := func(salt, x, y byte) byte { return tlshPearson[tlshPearson[tlshPearson[salt]^x]^y] }
	for x := range 256 {
		for y := range 256 {
			i, a, b := x<<8|y, byte(x), byte(y)
			p.ab[i] = uint32(two(11, a, b)) | uint32(two(3, a, b))<<8 | uint32(two(2, a, b))<<16 | uint32(two(0, a, b))<<24
			p.ac[i] = uint16(two(7, a, b)) | uint16(two(5, a, b))<<8
			p.ad[i] = two(13, a, b)
		}
	}
	return p
}

// tlshCountPaired computes the same as tlshCount with the pair tables: four table loads per
// byte instead of nineteen, which matters most inside WASM where every load is bounds-checked.
func tlshCountPaired(data []byte, buckets *[256]uint32) byte {
	return tlshCountPairs(data, buckets, newTLSHPairs(), nil)
}

// tlshSaltCounts counts the last Pearson step's inputs separately per salt.
type tlshSaltCounts [6][256]uint32

// tlshCountPairs is tlshCountPaired with the tables p. Two habits make it about a fifth faster
// natively than counting into one [256]uint32 with the window kept in variables: the window's
// bytes are loaded from data where needed (the older four in one load, xored with three
// looked-up values at once) instead of being shifted through variables the compiler spills; and
// each salt has its own counters, with even and odd positions alternating between two sets of
// them (12 KiB, within L1), so that increments of one counter seldom wait for the previous
// one's store, as they did in runs of equal bytes (PE padding) where every salt bumps the same
// counter at every byte. It tells y its progress between chunks of yield.Bytes.
func tlshCountPairs(data []byte, buckets *[256]uint32, p *tlshPairs, y *yield.Point) byte {
	var checksum byte
	var sets [2]tlshSaltCounts
	c, other := &sets[0], &sets[1]
	for lo := 4; lo < len(data); lo += yield.Bytes {
		y.At(lo)
		checksum, c, other = tlshCountRange(data, lo, min(lo+yield.Bytes, len(data)), p, checksum, c, other)
	}
	var pre [256]uint32
	for v := range pre {
		for k := range sets[0] {
			pre[v] += sets[0][k][v] + sets[1][k][v]
		}
	}
	permuteCounts(&pre, buckets)
	return checksum
}

// tlshCountRange counts the windows ending at data[from:to] into c and other, alternating, and
// returns the checksum and the two sets in the order the next window takes them.
func tlshCountRange(data []byte, from, to int, p *tlshPairs, checksum byte, c, other *tlshSaltCounts) (byte, *tlshSaltCounts, *tlshSaltCounts) {
	for i := from; i < to; i++ {
		s := data[i-4 : i+1] // the window e, d, c, b, a: the newest byte a last
		w := binary.LittleEndian.Uint32(s)
		q := p.ab[binary.LittleEndian.Uint16(s[3:])] // index a<<8 | b
		checksum = tlshPearson[byte(q>>24)^checksum]
		x := q ^ w
		c[0][byte(x)]++
		c[1][byte(x>>8)]++
		c[2][byte(x>>16)]++
		hi := uint(s[4]) << 8
		r := p.ac[hi|uint(s[2])] ^ uint16(w)
		c[3][byte(r)]++
		c[4][byte(r>>8)]++
		c[5][p.ad[hi|uint(s[1])]^byte(w)]++
		c, other = other, c
	}
	return checksum, c, other
}

// permuteCounts adds the counts of Pearson inputs to the buckets of their outputs.
func permuteCounts(pre, buckets *[256]uint32) {
	for v, n := range pre {
		buckets[tlshPearson[v]] += n
	}
}

func swapNibbles(b byte) byte { return b<<4 | b>>4 }
