package cryptoscan

import (
	"encoding/binary"
	"math/bits"
)

// keccak256 is the original Keccak-256 (padding byte 0x01, not SHA-3's 0x06), which Monero uses
// for address checksums and the standard library does not offer. The round constants and
// rotation offsets are derived from their definitions in the Keccak reference rather than
// typed in. It is only called for address candidates, so it favours clarity over speed.
func keccak256(msg []byte) [32]byte {
	const rate = 136
	var rot [25]int
	x, y := 1, 0
	for t := range 24 {
		rot[x+5*y] = (t + 1) * (t + 2) / 2 % 64
		x, y = y, (2*x+3*y)%5
	}
	var rc [24]uint64
	lfsr := byte(1)
	for round := range 24 {
		for j := range 7 {
			if lfsr&1 != 0 {
				rc[round] |= 1 << ((1 << j) - 1)
			}
			hi := lfsr & 0x80
			lfsr <<= 1
			if hi != 0 {
				lfsr ^= 0x71
			}
		}
	}

	var a [25]uint64
	permute := func() {
		for round := range 24 {
			var c [5]uint64
			for x := range 5 {
				c[x] = a[x] ^ a[x+5] ^ a[x+10] ^ a[x+15] ^ a[x+20]
			}
			for x := range 5 {
				d := c[(x+4)%5] ^ bits.RotateLeft64(c[(x+1)%5], 1)
				for y := range 5 {
					a[x+5*y] ^= d
				}
			}
			var b [25]uint64
			for x := range 5 {
				for y := range 5 {
					b[y+5*((2*x+3*y)%5)] = bits.RotateLeft64(a[x+5*y], rot[x+5*y])
				}
			}
			for x := range 5 {
				for y := range 5 {
					a[x+5*y] = b[x+5*y] ^ (^b[(x+1)%5+5*y] & b[(x+2)%5+5*y])
				}
			}
			a[0] ^= rc[round]
		}
	}
	absorb := func(block []byte) {
		for i := range rate / 8 {
			a[i] ^= binary.LittleEndian.Uint64(block[8*i:])
		}
		permute()
	}
	for len(msg) >= rate {
		absorb(msg[:rate])
		msg = msg[rate:]
	}
	var last [rate]byte
	copy(last[:], msg)
	last[len(msg)] ^= 0x01
	last[rate-1] ^= 0x80
	absorb(last[:])
	var out [32]byte
	for i := range 4 {
		binary.LittleEndian.PutUint64(out[8*i:], a[i])
	}
	return out
}
