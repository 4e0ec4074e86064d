package fuzzyhash

import (
	"math/bits"
	"strconv"

	"github.com/athena-mesh/athena/internal/yield"
)

// ssdeep (context-triggered piecewise hashing, Kornblum 2006) as ssdeep 2.14 prints it with
// fuzzy_hash_file: no sequence elimination, second part truncated to half length.
//
// All candidate block sizes 3·2^i are hashed in one pass: a block size only starts once the
// previous one has triggered (before that their states are identical), and the smallest one is
// dropped once it can no longer be chosen. That keeps a few live block hashes at a time while
// giving the same digest as hashing every block size separately.
//
// The piece hashes are FNV reduced to six bits (only h mod 64 is ever printed, and the low six
// bits of a product depend only on the low six bits of its factors). Each block size has two of
// them, the piece hash and the half-digest hash, kept in 16-bit lanes of a uint64 so one
// multiply updates two block sizes at once: 63·19 < 2^16, so lanes never carry into each other.

const (
	ssdeepWindow    = 7
	ssdeepMinBlock  = 3
	ssdeepLength    = 64 // SPAMSUM_LENGTH: characters of the first part
	ssdeepNumBlocks = 31 // block sizes 3<<0 ... 3<<30
	ssdeepHashInit  = 0x27
	ssdeepHashPrime = 0x13 // FNV prime 0x01000193 modulo 64
	ssdeepBase64    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

	laneMask   = 0x003f003f003f003f
	laneRepeat = 0x0001000100010001
)

// ssdeepBlock is the digest of one candidate block size.
type ssdeepBlock struct {
	digest   [ssdeepLength]byte
	n        int  // characters in digest; digest[n] holds a pending last character or 0
	halfChar byte // last character of the truncated second part, 0 if none
}

// ssdeepLanes holds the piece hash (h) and half hash of every block size: block b uses word
// b/2, bits 32·(b%2) (h) and 32·(b%2)+16 (half).
type ssdeepLanes [(ssdeepNumBlocks + 1) / 2]uint64

func (l *ssdeepLanes) get(b, half int) uint8 {
	return uint8(l[b/2]>>(32*(b%2)+16*half)) & 63
}

func (l *ssdeepLanes) set(b, half int, v uint8) {
	shift := 32*(b%2) + 16*half
	l[b/2] = l[b/2]&^(0xffff<<shift) | uint64(v)<<shift
}

// ssdeepGuess is the smallest block size index whose 64 pieces cover n bytes.
func ssdeepGuess(n uint64) int {
	b := 0
	for uint64(ssdeepMinBlock)<<b*ssdeepLength < n && b < ssdeepNumBlocks-1 {
		b++
	}
	return b
}

// SSDeep returns the ssdeep digest of data, e.g. "96:Ab...:Cd...".
func SSDeep(data []byte) string { return SSDeepYielding(data, nil) }

// SSDeepYielding is SSDeep telling y how far it got at each piece boundary, so that a host
// computation gives its core away now and then.
func SSDeepYielding(data []byte, y *yield.Point) string {
	var (
		blocks     [ssdeepNumBlocks]ssdeepBlock
		lanes      ssdeepLanes
		start, end = 0, 1
		lastH      uint8
		needLast   bool
		h1, h2, h3 uint32
		total      = uint64(len(data))
		// The digest uses block size guess or a smaller one, and the next larger one: the guess
		// is the smallest block size whose 64 pieces cover the input. Larger ones are never
		// started, so few block sizes are live at a time.
		guess = ssdeepGuess(total)
		limit = min(ssdeepNumBlocks, guess+2)
	)
	lanes.set(0, 0, ssdeepHashInit)
	lanes.set(0, 1, ssdeepHashInit)
	for i := 0; i < len(data); i++ {
		y.At(i)
		// Fast path: the live block sizes fit in four lane words (eight block sizes), which
		// then stay in registers (locals) while bytes are hashed up to the next trigger;
		// memory-held lanes cost a store and a load per byte, far more inside WASM than
		// natively. Words past the live ones are updated too: a block size's lanes are set
		// when it starts, so their contents before that do not matter.
		if w := start / 2; i >= ssdeepWindow && !needLast && (end-1)/2 <= w+1 && w+1 < len(lanes) {
			// Most of the input has at most four live block sizes: two lane words.
			mask := uint64(1)<<start - 1
			w0, w1 := lanes[w], lanes[w+1]
			win := data[i-ssdeepWindow:]
			j := ssdeepWindow
			for ; j < len(win); j++ {
				c := win[j]
				h2 = h2 - h1 + ssdeepWindow*uint32(c)
				h1 = h1 + uint32(c) - uint32(win[j-ssdeepWindow])
				h3 = h3<<5 ^ uint32(c)
				cc := uint64(c&63) * laneRepeat
				w0 = (w0*ssdeepHashPrime ^ cc) & laneMask
				w1 = (w1*ssdeepHashPrime ^ cc) & laneMask
				if s1 := uint64(h1+h2+h3) + 1; s1&mask == 0 && s1%ssdeepMinBlock == 0 {
					break
				}
			}
			lanes[w], lanes[w+1] = w0, w1
			i += j - ssdeepWindow
			if i == len(data) {
				break
			}
		} else if w := start / 2; i >= ssdeepWindow && !needLast && (end-1)/2 <= w+3 && w+3 < len(lanes) {
			mask := uint64(1)<<start - 1
			w0, w1, w2, w3 := lanes[w], lanes[w+1], lanes[w+2], lanes[w+3]
			win := data[i-ssdeepWindow:]
			j := ssdeepWindow
			for ; j < len(win); j++ {
				c := win[j]
				h2 = h2 - h1 + ssdeepWindow*uint32(c)
				h1 = h1 + uint32(c) - uint32(win[j-ssdeepWindow])
				h3 = h3<<5 ^ uint32(c)
				cc := uint64(c&63) * laneRepeat
				w0 = (w0*ssdeepHashPrime ^ cc) & laneMask
				w1 = (w1*ssdeepHashPrime ^ cc) & laneMask
				w2 = (w2*ssdeepHashPrime ^ cc) & laneMask
				w3 = (w3*ssdeepHashPrime ^ cc) & laneMask
				if s1 := uint64(h1+h2+h3) + 1; s1&mask == 0 && s1%ssdeepMinBlock == 0 {
					break
				}
			}
			lanes[w], lanes[w+1], lanes[w+2], lanes[w+3] = w0, w1, w2, w3
			i += j - ssdeepWindow
			if i == len(data) {
				break
			}
		} else {
			// General path, one byte: any number of live words, and the hash of the last
			// piece once every block size is live.
			c := data[i]
			var old byte
			if i >= ssdeepWindow {
				old = data[i-ssdeepWindow]
			}
			h2 = h2 - h1 + ssdeepWindow*uint32(c)
			h1 = h1 + uint32(c) - uint32(old)
			h3 = h3<<5 ^ uint32(c)
			cc := uint64(c&63) * laneRepeat
			for w := start / 2; w <= (end-1)/2; w++ {
				lanes[w] = (lanes[w]*ssdeepHashPrime ^ cc) & laneMask
			}
			if needLast {
				lastH = (lastH*ssdeepHashPrime ^ c) & 63
			}
		}
		// Block size 3·2^b triggers when sum ≡ -1 modulo it, that is when sum+1 is divisible by
		// 3 and by 2^b. Testing the power of two first skips the division-like check for most
		// bytes once small block sizes have been dropped.
		s1 := uint64(h1+h2+h3) + 1
		tz := bits.TrailingZeros64(s1)
		if tz < start || s1%ssdeepMinBlock != 0 {
			continue
		}
		for b := start; b < end && b <= tz; b++ {
			bh := &blocks[b]
			if bh.n == 0 {
				// First trigger of the largest live block size: start the next one, whose
				// state so far equals this one's.
				if end < limit {
					lanes.set(end, 0, lanes.get(end-1, 0))
					lanes.set(end, 1, lanes.get(end-1, 1))
					end++
				} else if end == ssdeepNumBlocks && !needLast {
					needLast = true
					lastH = lanes.get(end-1, 0)
				}
			}
			bh.digest[bh.n] = ssdeepBase64[lanes.get(b, 0)]
			bh.halfChar = ssdeepBase64[lanes.get(b, 1)]
			if bh.n < ssdeepLength-1 {
				bh.n++
				bh.digest[bh.n] = 0
				lanes.set(b, 0, ssdeepHashInit)
				if bh.n < ssdeepLength/2 {
					lanes.set(b, 1, ssdeepHashInit)
					bh.halfChar = 0
				}
				continue
			}
			// The digest is full; the smallest block size may no longer be eligible.
			if end-start >= 2 &&
				uint64(ssdeepMinBlock)<<start*ssdeepLength < total &&
				blocks[start+1].n >= ssdeepLength/2 {
				start++
			}
		}
	}

	rollSum := h1 + h2 + h3
	bi := max(start, guess)
	if bi >= end {
		bi = end - 1
	}
	for bi > start && blocks[bi].n < ssdeepLength/2 {
		bi--
	}

	out := make([]byte, 0, 16+ssdeepLength+ssdeepLength/2+2)
	out = strconv.AppendUint(out, uint64(ssdeepMinBlock)<<bi, 10)
	out = append(out, ':')
	bh := &blocks[bi]
	out = append(out, bh.digest[:bh.n]...)
	if rollSum != 0 {
		out = append(out, ssdeepBase64[lanes.get(bi, 0)])
	} else if bh.digest[bh.n] != 0 {
		out = append(out, bh.digest[bh.n])
	}
	out = append(out, ':')
	if bi < end-1 {
		nb := &blocks[bi+1]
		n := min(nb.n, ssdeepLength/2-1)
		out = append(out, nb.digest[:n]...)
		if rollSum != 0 {
			out = append(out, ssdeepBase64[lanes.get(bi+1, 1)])
		} else if nb.halfChar != 0 {
			out = append(out, nb.halfChar)
		}
	} else if rollSum != 0 {
		if bi == 0 {
			out = append(out, ssdeepBase64[lanes.get(0, 0)])
		} else {
			out = append(out, ssdeepBase64[lastH])
		}
	}
	return string(out)
}
