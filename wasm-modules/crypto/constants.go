package cryptoscan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
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

const (
	maxConstantOffsets = 8
	filterBits         = 16
	// longSignature is the shortest signature found through the words at multiples of eight:
	// a signature of at least 15 bytes contains the aligned eight-byte word at its first
	// multiple of eight, wherever it starts.
	longSignature = 15
)

// ConstantScanner finds crypto constants in one pass over the eight-byte words at offsets that
// are multiples of eight. Every long signature is entered once for each of its eight possible
// alignments (the word at its offsets k..k+8 for k < 8) in a 64 Kbit filter; a word that passes
// the filter is looked up and its signatures are compared in full. Short signatures (the 4-byte
// TEA deltas) are found from an anchor byte each, tested in all eight bytes of a word at once.
type ConstantScanner struct {
	consts  []constant
	words   map[uint64][]alignedSig // long signatures by the aligned word they contain
	filter  [1 << filterBits / 64]uint64
	anchors []anchor // short signatures by anchor byte
	// anchorWords holds each anchor byte repeated eight times; a single anchor is repeated.
	anchorWords [maxAnchors]uint64
}

// maxAnchors is how many anchor bytes the scan tests per word; the TEA deltas need two.
const maxAnchors = 2

// alignedSig is a long signature whose bytes at offset k..k+8 are an aligned word.
type alignedSig struct{ ci, k int }

// anchor is a byte value and the short signatures that hold it, each at its index at.
type anchor struct {
	b    byte
	sigs []anchoredSig
}

type anchoredSig struct{ ci, at int }

func filterSlot(v uint64) uint64 { return (v * 0x9E3779B97F4A7C15) >> (64 - filterBits) }

// NewConstantScanner builds the signature set. The AES and CRC tables are computed from their
// definitions rather than typed in, so a typo cannot hide a table.
func NewConstantScanner() *ConstantScanner {
	s := &ConstantScanner{words: map[uint64][]alignedSig{}}
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

// index enters the long signatures' aligned words in the filter and picks the short
// signatures' anchor bytes.
func (s *ConstantScanner) index() {
	var short []int
	for ci, c := range s.consts {
		if len(c.sig) < longSignature {
			short = append(short, ci)
			continue
		}
		for k := range 8 {
			w := binary.LittleEndian.Uint64(c.sig[k:])
			s.words[w] = append(s.words[w], alignedSig{ci, k})
			slot := filterSlot(w)
			s.filter[slot/64] |= 1 << (slot % 64)
		}
	}
	// Greedy: the byte held by the most signatures still without an anchor, preferring bytes
	// that are rare in programs and text (not 0x00, 0xff or printable ASCII), then the lowest.
	rank := func(b byte) int {
		switch {
		case b == 0 || b == 0xff:
			return 0
		case b >= 0x20 && b < 0x7f:
			return 1
		}
		return 2
	}
	for len(short) > 0 {
		best, bestN := 0, 0
		for b := range 256 {
			n := 0
			for _, ci := range short {
				if bytes.IndexByte(s.consts[ci].sig, byte(b)) >= 0 {
					n++
				}
			}
			if n > bestN || n == bestN && n > 0 && rank(byte(b)) > rank(byte(best)) {
				best, bestN = b, n
			}
		}
		a := anchor{b: byte(best)}
		rest := short[:0]
		for _, ci := range short {
			if at := bytes.IndexByte(s.consts[ci].sig, byte(best)); at >= 0 {
				a.sigs = append(a.sigs, anchoredSig{ci, at})
			} else {
				rest = append(rest, ci)
			}
		}
		s.anchors = append(s.anchors, a)
		short = rest
	}
	if len(s.anchors) > maxAnchors {
		// The signature table is fixed, so this is a programming error caught by every test.
		panic("cryptoscan: short signatures need more anchor bytes than the scan tests")
	}
	for i := range s.anchorWords {
		if len(s.anchors) > 0 {
			s.anchorWords[i] = uint64(s.anchors[min(i, len(s.anchors)-1)].b) * 0x0101010101010101
		}
	}
}

// Scan returns the constants found in data, in signature order, with up to eight offsets each.
// Several signatures of one id (e.g. both byte orders) are merged into one match per order.
func (s *ConstantScanner) Scan(data []byte) []ConstantMatch {
	found := make([]ConstantMatch, len(s.consts))
	at := func(ci, p int) {
		if c := &s.consts[ci]; p >= 0 && p+len(c.sig) <= len(data) && string(data[p:p+len(c.sig)]) == string(c.sig) {
			found[ci].add(int64(p))
		}
	}
	anchored := func(pos int) {
		for _, a := range s.anchors {
			if data[pos] == a.b {
				for _, as := range a.sigs {
					at(as.ci, pos-as.at)
				}
			}
		}
	}
	// The inner loop calls nothing and has no inner loops: in Go's WASM code a loop's values
	// stay in locals only while it makes no calls, and every jump back costs a dispatch.
	a0, a1 := s.anchorWords[0], s.anchorWords[1]
	q := 0
	for q+8 <= len(data) {
		var w, m uint64
		for ; q+8 <= len(data); q += 8 {
			w = binary.LittleEndian.Uint64(data[q:])
			slot := filterSlot(w)
			z0, z1 := w^a0, w^a1
			// Bit 7 is set in every byte of m that equals an anchor, and possibly in a byte
			// above one (the borrow of the zero test): those are candidates only.
			m = ((z0-0x0101010101010101)&^z0 | (z1-0x0101010101010101)&^z1) & 0x8080808080808080
			if m != 0 || s.filter[slot/64]&(1<<(slot%64)) != 0 {
				break
			}
		}
		if q+8 > len(data) {
			break
		}
		for _, as := range s.words[w] {
			at(as.ci, q-as.k)
		}
		for ; m != 0; m &= m - 1 {
			anchored(q + bits.TrailingZeros64(m)>>3)
		}
		q += 8
	}
	for ; q < len(data); q++ {
		anchored(q)
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

// add counts an occurrence and keeps the lowest maxConstantOffsets offsets in order: the scan
// meets a signature's occurrences up to seven bytes out of order.
func (m *ConstantMatch) add(off int64) {
	m.Count++
	if len(m.Offsets) == maxConstantOffsets {
		if off > m.Offsets[maxConstantOffsets-1] {
			return
		}
		m.Offsets = m.Offsets[:maxConstantOffsets-1]
	}
	i, _ := slices.BinarySearch(m.Offsets, off)
	m.Offsets = slices.Insert(m.Offsets, i, off)
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
