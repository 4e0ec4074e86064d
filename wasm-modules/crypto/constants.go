package cryptoscan

import (
	"encoding/binary"
	"math/bits"

	"github.com/athena-mesh/athena/internal/windowfilter"
	"github.com/athena-mesh/athena/wasm-modules/guest"
)

// A constant is a byte signature of a cryptographic table or magic value. Word tables are
// searched in both byte orders, because compilers store them as native words: little-endian on
// x86 and ARM, big-endian on some embedded targets and in hand-written tables.
type constant struct {
	id        string // finding id suffix, e.g. aes_sbox
	algorithm string // e.g. AES
	name      string // what the table is, e.g. "S-box"
	order     string // "", "le" or "be" for word tables
	sig       []byte // at least 4 bytes
	cipher    bool   // a cipher (or a cipher's key schedule) rather than a hash or checksum
}

// ConstantMatch is one crypto constant found in a sample.
type ConstantMatch struct {
	ID        string // e.g. crypto.aes_sbox
	Algorithm string
	Name      string
	Order     string
	Offsets   []int64 // the first maxConstantOffsets offsets
	Count     int     // all occurrences
	Cipher    bool
}

// maxConstantOffsets is how many offsets a match keeps.
const maxConstantOffsets = 8

// ConstantScanner finds crypto constants from one four-byte window of each signature: the
// window filter (guest.WindowFilter, the host inside WASM) passes the positions where one may
// end, and only those are compared with the signatures in the guest. Module shares the host's
// pass with the keys and miners scans (sampleFilter); Scan makes its own.
type ConstantScanner struct {
	consts []constant
	// windows holds the signatures by their window (four bytes, the last lowest, as the
	// window filter reads them).
	windows map[uint32][]windowSig
	// tails has a bit for the last two bytes of every window: most positions another scan's
	// filter passes are rejected without a map lookup.
	tails  [1 << 16 / 64]uint64
	filter *windowfilter.Filter // the windows alone, for Scan
}

// windowSig is a signature whose window starts at its byte k.
type windowSig struct{ ci, k int }

// NewConstantScanner builds the signature set. The AES and CRC tables are computed from their
// definitions rather than typed in, so a typo cannot hide a table.
func NewConstantScanner() *ConstantScanner {
	s := &ConstantScanner{windows: map[uint32][]windowSig{}, filter: new(windowfilter.Filter)}
	add := func(c constant) { s.consts = append(s.consts, c) }
	bytesConst := func(id, algo, name string, sig []byte, cipher bool) {
		add(constant{id: id, algorithm: algo, name: name, sig: sig, cipher: cipher})
	}
	words32 := func(id, algo, name string, words []uint32, cipher bool) {
		le, be := make([]byte, 4*len(words)), make([]byte, 4*len(words))
		for i, w := range words {
			binary.LittleEndian.PutUint32(le[4*i:], w)
			binary.BigEndian.PutUint32(be[4*i:], w)
		}
		add(constant{id: id, algorithm: algo, name: name, order: "le", sig: le, cipher: cipher})
		if string(le) != string(be) {
			add(constant{id: id, algorithm: algo, name: name, order: "be", sig: be, cipher: cipher})
		}
	}
	words64 := func(id, algo, name string, words []uint64) {
		le, be := make([]byte, 8*len(words)), make([]byte, 8*len(words))
		for i, w := range words {
			binary.LittleEndian.PutUint64(le[8*i:], w)
			binary.BigEndian.PutUint64(be[8*i:], w)
		}
		add(constant{id: id, algorithm: algo, name: name, order: "le", sig: le})
		add(constant{id: id, algorithm: algo, name: name, order: "be", sig: be})
	}

	sbox, inv := aesSBoxes()
	bytesConst("aes_sbox", "AES", "S-box", sbox[:32], true)
	bytesConst("aes_inv_sbox", "AES", "inverse S-box", inv[:32], true)
	te, td := make([]uint32, 8), make([]uint32, 8)
	for i := range te {
		s := sbox[i]
		te[i] = uint32(gfMul(s, 2))<<24 | uint32(s)<<16 | uint32(s)<<8 | uint32(gfMul(s, 3))
		si := inv[i]
		td[i] = uint32(gfMul(si, 14))<<24 | uint32(gfMul(si, 9))<<16 | uint32(gfMul(si, 13))<<8 | uint32(gfMul(si, 11))
	}
	words32("aes_te", "AES", "encryption T-table (Te0)", te, true)
	words32("aes_td", "AES", "decryption T-table (Td0)", td, true)

	words32("sha256_iv", "SHA-256", "initial hash values", []uint32{
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}, false)
	words32("sha256_k", "SHA-256", "round constants", []uint32{
		0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5}, false)
	words64("sha512_iv", "SHA-512", "initial hash values", []uint64{
		0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1})
	words64("sha512_k", "SHA-512", "round constants", []uint64{
		0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc})
	words32("sha1_iv", "SHA-1", "initial hash values", []uint32{
		0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0}, false)
	words32("sha1_k", "SHA-1", "round constants", []uint32{0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6}, false)
	words32("md5_t", "MD5", "sine table T", []uint32{
		0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501}, false)
	words32("crc32_table", "CRC-32", "IEEE lookup table", crc32Table()[1:9], false)
	ident := make([]byte, 256)
	for i := range ident {
		ident[i] = byte(i)
	}
	bytesConst("rc4_ksa", "RC4", "identity permutation of the key schedule", ident, true)
	bytesConst("chacha_sigma", "ChaCha/Salsa20", `"expand 32-byte k"`, []byte("expand 32-byte k"), true)
	bytesConst("chacha_tau", "ChaCha/Salsa20", `"expand 16-byte k"`, []byte("expand 16-byte k"), true)
	// As little-endian words the sigma constant is the string itself; only the big-endian
	// word order is a separate signature.
	add(constant{id: "chacha_sigma", algorithm: "ChaCha/Salsa20", name: `"expand 32-byte k" as words`,
		order: "be", sig: []byte("apxe3 dnyb-2k et"), cipher: true})
	words32("blowfish_p", "Blowfish", "P-array", []uint32{
		0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0x082efa98, 0xec4e6c89}, true)
	words32("blowfish_s", "Blowfish", "S-box 0", []uint32{0xd1310ba6, 0x98dfb5ac, 0x2ffd72db, 0xd01adfb7}, true)
	words32("tea_delta", "TEA/XTEA", "delta 0x9E3779B9", []uint32{0x9e3779b9}, true)
	words32("tea_delta", "TEA/XTEA", "negated delta 0x61C88647", []uint32{0x61c88647}, true)
	s.index()
	return s
}

// index picks each signature's window: the one whose bytes are rarest in programs and text
// (not 0x00 or 0xff, then not letters or spaces), the first of equals. A window of common bytes
// would make the guest compare every occurrence: the RC4 identity's first four bytes 00 01 02 03
// occur dozens of times in a Go executable, its 80 81 82 83 not once.
func (s *ConstantScanner) index() {
	rank := func(b byte) int {
		switch {
		case b == 0 || b == 0xff:
			return 0
		case b == ' ' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z':
			return 1
		case b >= 0x20 && b < 0x7f:
			return 2
		}
		return 3
	}
	for ci, c := range s.consts {
		best, bestRank := 0, -1
		for k := 0; k+4 <= len(c.sig); k++ {
			if r := rank(c.sig[k]) + rank(c.sig[k+1]) + rank(c.sig[k+2]) + rank(c.sig[k+3]); r > bestRank {
				best, bestRank = k, r
			}
		}
		w := binary.BigEndian.Uint32(c.sig[best:])
		s.windows[w] = append(s.windows[w], windowSig{ci, best})
		t := uint16(w)
		s.tails[t/64] |= 1 << (t % 64)
		s.filter.AddWindow(w)
	}
}

// addWindows lets every signature's window pass f.
func (s *ConstantScanner) addWindows(f *windowfilter.Filter) {
	for w := range s.windows {
		f.AddWindow(w)
	}
}

// Scan returns the constants found in data, in signature order, with up to eight offsets each.
// Several signatures of one id (e.g. both byte orders) are merged into one match per order.
func (s *ConstantScanner) Scan(data []byte) []ConstantMatch {
	ends := newPositions(len(data))
	guest.WindowFilter(s.filter, data, 0, len(data), func(base int, mask uint32) {
		for ; mask != 0; mask &= mask - 1 {
			if j := base + bits.TrailingZeros32(mask); s.mayBe(windowAt(data, j)) {
				ends.add(j)
			}
		}
	})
	return s.match(data, ends)
}

// mayBe reports whether w may be a signature's window: a quick test of its last two bytes,
// for windows another scan's filter passed.
func (s *ConstantScanner) mayBe(w uint32) bool {
	t := uint16(w)
	return s.tails[t/64]&(1<<(t%64)) != 0
}

// match compares the signatures whose window ends at each of ends (ascending) with data.
func (s *ConstantScanner) match(data []byte, ends *positions) []ConstantMatch {
	found := make([]ConstantMatch, len(s.consts))
	for j := ends.next(0); j >= 0; j = ends.next(j + 1) {
		for _, ws := range s.windows[windowAt(data, j)] {
			c := &s.consts[ws.ci]
			if p := j - 3 - ws.k; p >= 0 && p+len(c.sig) <= len(data) && string(data[p:p+len(c.sig)]) == string(c.sig) {
				found[ws.ci].add(int64(p))
			}
		}
	}
	var out []ConstantMatch
	for ci, m := range found {
		if m.Count == 0 {
			continue
		}
		c := s.consts[ci]
		m.ID, m.Algorithm, m.Name, m.Order, m.Cipher = "crypto."+c.id, c.algorithm, c.name, c.order, c.cipher
		out = append(out, m)
	}
	return out
}

// add counts an occurrence and keeps the first maxConstantOffsets offsets. A signature has
// one window, so its occurrences come in order.
func (m *ConstantMatch) add(off int64) {
	m.Count++
	if len(m.Offsets) < maxConstantOffsets {
		m.Offsets = append(m.Offsets, off)
	}
}

// aesSBoxes computes the AES S-box and its inverse from the field inverse and affine map.
func aesSBoxes() (sbox, inv [256]byte) {
	for x := range 256 {
		b := gfInverse(byte(x))
		s := b ^ bits.RotateLeft8(b, 1) ^ bits.RotateLeft8(b, 2) ^ bits.RotateLeft8(b, 3) ^ bits.RotateLeft8(b, 4) ^ 0x63
		sbox[x] = s
		inv[s] = byte(x)
	}
	return sbox, inv
}

// gfMul multiplies in GF(2^8) modulo the AES polynomial x^8+x^4+x^3+x+1.
func gfMul(a, b byte) byte {
	var p byte
	for b != 0 {
		if b&1 != 0 {
			p ^= a
		}
		hi := a & 0x80
		a <<= 1
		if hi != 0 {
			a ^= 0x1b
		}
		b >>= 1
	}
	return p
}

// gfInverse is a^254, the multiplicative inverse (0 maps to 0).
func gfInverse(a byte) byte {
	r := byte(1)
	for range 254 {
		r = gfMul(r, a)
	}
	if a == 0 {
		return 0
	}
	return r
}

// crc32Table is the reflected IEEE CRC-32 table (polynomial 0xEDB88320).
func crc32Table() []uint32 {
	t := make([]uint32, 256)
	for i := range t {
		c := uint32(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xEDB88320
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}
