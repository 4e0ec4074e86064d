package network

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"strings"
)

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Decode decodes Bitcoin-style base58 (big-number, leading '1's are zero bytes).
func base58Decode(s string) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		v := strings.IndexByte(base58Alphabet, s[i])
		if v < 0 {
			return nil, false
		}
		carry := v
		for j := len(out) - 1; j >= 0; j-- {
			carry += int(out[j]) * 58
			out[j] = byte(carry)
			carry >>= 8
		}
		for carry > 0 {
			out = append([]byte{byte(carry)}, out...)
			carry >>= 8
		}
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	return append(make([]byte, zeros), out...), true
}

// validBase58Check checks a P2PKH/P2SH Bitcoin address: 25 bytes, version 0x00 or 0x05, and a
// double-SHA-256 checksum.
func validBase58Check(s string) bool {
	b, ok := base58Decode(s)
	if !ok || len(b) != 25 || (b[0] != 0x00 && b[0] != 0x05) {
		return false
	}
	h := sha256.Sum256(b[:21])
	h = sha256.Sum256(h[:])
	return string(h[:4]) == string(b[21:])
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// validBech32 checks a segwit address's bech32 (v0) or bech32m (v1+) checksum (BIP-173/350).
func validBech32(s string) bool {
	sep := strings.LastIndexByte(s, '1')
	if sep < 1 || sep+7 > len(s) || s[:sep] != "bc" {
		return false
	}
	values := make([]byte, 0, len(s)-sep-1)
	for i := sep + 1; i < len(s); i++ {
		v := strings.IndexByte(bech32Charset, s[i])
		if v < 0 {
			return false
		}
		values = append(values, byte(v))
	}
	hrp := s[:sep]
	exp := make([]byte, 0, 2*len(hrp)+1+len(values))
	for i := 0; i < len(hrp); i++ {
		exp = append(exp, hrp[i]>>5)
	}
	exp = append(exp, 0)
	for i := 0; i < len(hrp); i++ {
		exp = append(exp, hrp[i]&31)
	}
	exp = append(exp, values...)
	pm := bech32Polymod(exp)
	witnessVersion := values[0]
	switch {
	case witnessVersion == 0:
		return pm == 1
	case witnessVersion <= 16:
		return pm == 0x2bc830a3
	}
	return false
}

func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (top>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

// validETH checks an Ethereum address. All-lowercase or all-uppercase hex carries no checksum
// and is accepted; mixed case must match the EIP-55 checksum.
func validETH(s string) bool {
	hex := s[2:]
	if strings.ToLower(hex) == hex || strings.ToUpper(hex) == hex {
		return hex != strings.Repeat("0", 40)
	}
	lower := strings.ToLower(hex)
	h := keccak256([]byte(lower))
	for i := 0; i < 40; i++ {
		c := hex[i]
		if c >= '0' && c <= '9' {
			continue
		}
		nibble := h[i/2] >> 4
		if i%2 == 1 {
			nibble = h[i/2] & 0x0f
		}
		upper := c >= 'A' && c <= 'F'
		if upper != (nibble >= 8) {
			return false
		}
	}
	return true
}

// validMonero checks a standard (95 chars) or integrated (106 chars) Monero address: Monero's
// block base58 and a Keccak-256 checksum over the payload.
func validMonero(s string) bool {
	b, ok := moneroBase58Decode(s)
	if !ok || len(b) < 5 {
		return false
	}
	switch b[0] {
	case 0x12, 0x13, 0x2a: // standard, integrated, subaddress (mainnet)
	default:
		return false
	}
	h := keccak256(b[:len(b)-4])
	return string(h[:4]) == string(b[len(b)-4:])
}

// moneroBase58Decode decodes Monero's base58: 11-character blocks of 8 bytes, with a shorter
// final block.
func moneroBase58Decode(s string) ([]byte, bool) {
	blockSizes := map[int]int{0: 0, 2: 1, 3: 2, 5: 3, 6: 4, 7: 5, 9: 6, 10: 7, 11: 8}
	var out []byte
	for len(s) > 0 {
		n := min(11, len(s))
		size, ok := blockSizes[n]
		if !ok {
			return nil, false
		}
		var v uint64
		for i := 0; i < n; i++ {
			d := strings.IndexByte(base58Alphabet, s[i])
			if d < 0 {
				return nil, false
			}
			hi, lo := bits.Mul64(v, 58)
			if hi != 0 {
				return nil, false
			}
			var carry uint64
			v, carry = bits.Add64(lo, uint64(d), 0)
			if carry != 0 {
				return nil, false
			}
		}
		if size < 8 && v>>(8*size) != 0 {
			return nil, false
		}
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], v)
		out = append(out, buf[8-size:]...)
		s = s[n:]
	}
	return out, true
}

// keccak256 is the original Keccak-256 (padding 0x01), which Ethereum and Monero use; it is
// not NIST SHA3-256.
func keccak256(data []byte) [32]byte {
	const rate = 136
	var st [25]uint64
	buf := make([]byte, 0, len(data)+rate)
	buf = append(buf, data...)
	buf = append(buf, 0x01)
	for len(buf)%rate != 0 {
		buf = append(buf, 0)
	}
	buf[len(buf)-1] |= 0x80
	for off := 0; off < len(buf); off += rate {
		for i := 0; i < rate/8; i++ {
			st[i] ^= binary.LittleEndian.Uint64(buf[off+8*i:])
		}
		keccakF(&st)
	}
	var out [32]byte
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint64(out[8*i:], st[i])
	}
	return out
}

func keccakF(a *[25]uint64) {
	rc := [24]uint64{
		0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
		0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
		0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
		0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
		0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
		0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
	}
	rotc := [24]int{1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44}
	piln := [24]int{10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1}
	var bc [5]uint64
	for r := 0; r < 24; r++ {
		for i := 0; i < 5; i++ {
			bc[i] = a[i] ^ a[i+5] ^ a[i+10] ^ a[i+15] ^ a[i+20]
		}
		for i := 0; i < 5; i++ {
			t := bc[(i+4)%5] ^ bits.RotateLeft64(bc[(i+1)%5], 1)
			for j := 0; j < 25; j += 5 {
				a[j+i] ^= t
			}
		}
		t := a[1]
		for i := 0; i < 24; i++ {
			j := piln[i]
			bc[0] = a[j]
			a[j] = bits.RotateLeft64(t, rotc[i])
			t = bc[0]
		}
		for j := 0; j < 25; j += 5 {
			for i := 0; i < 5; i++ {
				bc[i] = a[j+i]
			}
			for i := 0; i < 5; i++ {
				a[j+i] ^= ^bc[(i+1)%5] & bc[(i+2)%5]
			}
		}
		a[0] ^= rc[r]
	}
}
