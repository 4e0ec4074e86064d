package fuzzyhash

import (
	"math/bits"
	"strconv"

	"github.com/athena-mesh/athena/internal/yield"
)

// ssdeep (context-triggered piecewise hashing, Kornblum 2006) as ssdeep 2.14 prints it with
// fuzzy_hash_file: no sequence elimination, second part truncated to half length.
//
// Most input is hashed by ssdeepNear, in one pass over the four block sizes around the one
// the length suggests. The rest, input with few trigger points, goes to ssdeepAll, where all
// candidate block sizes 3·2^i are hashed in one pass: a block size only starts once the
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
	if out, ok := ssdeepNear(data, y); ok {
		return out
	}
	return ssdeepAll(data, y)
}

// ssdeepAll is SSDeep hashing every block size that can be chosen: any input, at 1.2 to 1.7
// times the cost of ssdeepNear (measured on the mesh's sample PEs and zip).
func ssdeepAll(data []byte, y *yield.Point) string {
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
		// ssdeepRoller.roll hashes up to the next trigger. Words past the live ones are
		// updated too: a block size's lanes are set when it starts, so their contents before
		// that do not matter.
		if w := start / 2; i >= ssdeepWindow && !needLast && (end-1)/2 <= w+3 && w+3 < len(lanes) {
			r := ssdeepRoller{h1: h1, h2: h2, h3: h3, words: [4]uint64(lanes[w : w+4])}
			n := 4
			if (end-1)/2 <= w+1 {
				n = 2 // most of the input has at most four live block sizes: two lane words
			}
			j := r.roll(data[i-ssdeepWindow:], uint64(1)<<start-1, n)
			h1, h2, h3 = r.h1, r.h2, r.h3
			copy(lanes[w:w+4], r.words[:])
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

// ssdeepRoller is the rolling hash and up to four lane words, carried through roll.
type ssdeepRoller struct {
	h1, h2, h3 uint32
	words      [4]uint64
}

// roll hashes win[ssdeepWindow:] (win's first ssdeepWindow bytes are the rolling window)
// into the rolling hash and the first n (2 or 4) lane words up to and including the first
// byte at which a block size of mask+1 or more may trigger (the caller checks which), and
// returns that byte's index in win, or len(win) when none does. It is a function of its own
// so that its loop keeps every value in a register: inlined in SSDeepYielding, the compiler
// spilled the rolling hash to the stack and each byte waited on a store and a load (≈ 15
// cycles a byte against ≈ 6). The two- and four-word loops are written out apart so that each
// holds its lane words in locals, which the compiler keeps in registers.
func (r *ssdeepRoller) roll(win []byte, mask uint64, n int) int {
	h1, h2, h3 := r.h1, r.h2, r.h3
	j := ssdeepWindow
	if n == 2 {
		w0, w1 := r.words[0], r.words[1]
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
		r.words[0], r.words[1] = w0, w1
	} else {
		w0, w1, w2, w3 := r.words[0], r.words[1], r.words[2], r.words[3]
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
		r.words = [4]uint64{w0, w1, w2, w3}
	}
	r.h1, r.h2, r.h3 = h1, h2, h3
	return j
}

// ssdeepNear is SSDeep for the common case, where the chosen block size is the guess or one
// of the two below it: it hashes only those and the next larger one, in one pass, and reports
// false (having computed nothing usable) when the digest needs a smaller block size, as input
// with very few trigger points does; ssdeepAll then hashes them all.
//
// The digest needs, for the four block sizes lo = guess-2 to guess+1, the piece hashes of all
// four (their characters) and the half hashes of the three larger ones (the end of the second
// part). Those seven 6-bit hashes sit in the bytes of one word, updated together: 19·v mod 64
// is 16·(v mod 4) + 3·v mod 64, whose terms stay below 256 for v < 64, so no byte carries
// into the next.
func ssdeepNear(data []byte, y *yield.Point) (string, bool) {
	guess := ssdeepGuess(uint64(len(data)))
	lo := max(0, guess-2)
	if lo+nearBlocks > ssdeepNumBlocks {
		return "", false
	}
	r := ssdeepNearRoller{lanes: nearInit}
	var blocks [nearBlocks]ssdeepNearBlock
	// The first bytes roll out zeros: the window starts empty.
	for i := range min(len(data), ssdeepWindow) {
		r.step(data[i], 0)
		r.trigger(&blocks, lo)
	}
	for i := ssdeepWindow; i < len(data); {
		y.At(i)
		end := min(len(data), i+yield.Bytes)
		i += r.roll(data[i-ssdeepWindow:end], uint64(1)<<lo-1) - ssdeepWindow
		if i < end {
			r.trigger(&blocks, lo)
			i++
		}
	}
	// spamsum's choice: the guess, or the largest smaller one whose digest has half its length,
	// or the smallest.
	bi := guess - lo
	for bi > 0 && blocks[bi].n < ssdeepLength/2 {
		bi--
	}
	if bi == 0 && lo > 0 && blocks[0].n < ssdeepLength/2 {
		return "", false
	}
	rollSum := r.h1 + r.h2 + r.h3
	out := make([]byte, 0, 16+ssdeepLength+ssdeepLength/2+2)
	out = strconv.AppendUint(out, uint64(ssdeepMinBlock)<<(lo+bi), 10)
	out = append(out, ':')
	b := &blocks[bi]
	out = append(out, b.digest[:b.n]...)
	if rollSum != 0 {
		out = append(out, ssdeepBase64[r.lane(nearPiece+bi)])
	} else if b.pending != 0 {
		out = append(out, b.pending)
	}
	out = append(out, ':')
	next := &blocks[bi+1]
	out = append(out, next.digest[:min(next.n, ssdeepLength/2-1)]...)
	if rollSum != 0 {
		out = append(out, ssdeepBase64[r.lane(nearHalf+bi)])
	} else if next.halfPending != 0 {
		out = append(out, next.halfPending)
	}
	return string(out), true
}

// The lanes (bytes) of ssdeepNearRoller: the piece hashes of the four block sizes from lo
// (lanes 0–3), then the half hashes of the three from lo+1 (lanes 4–6): the half hash of block
// k+1 is lane nearHalf+k.
const (
	nearBlocks   = 4
	nearPiece    = 0
	nearHalf     = nearBlocks
	nearLaneMask = 0x003f3f3f3f3f3f3f // seven lanes
	nearRepeat   = 0x0001010101010101
	nearLow2     = 0x0003030303030303
	nearInit     = ssdeepHashInit * nearRepeat
)

// nearSpread[c] is c's low six bits in every lane: the FNV input of a byte, one load instead
// of a mask and a multiply.
var nearSpread = func() (t [256]uint64) {
	for c := range t {
		t[c] = uint64(c&63) * nearRepeat
	}
	return t
}()

// ssdeepNearBlock is the digest of one of ssdeepNear's block sizes as spamsum builds it: the
// characters so far, the one written over the last slot once it is full, and the half hash's
// character at the last trigger unless the half part was still growing.
type ssdeepNearBlock struct {
	digest      [ssdeepLength]byte
	n           int
	pending     byte
	halfPending byte
}

// ssdeepNearRoller is ssdeepNear's rolling hash and lanes.
type ssdeepNearRoller struct {
	h1, h2, h3 uint32
	lanes      uint64
}

// nearUpdate is the FNV step of every lane: v = (v·19 ^ c) mod 64, without a multiply that
// would carry across lanes (see ssdeepNear).
func nearUpdate(w uint64, c byte) uint64 {
	w3, w16 := w*3, (w&nearLow2)<<4 // in parallel: the chain from w to w is four operations
	return (w3 + w16 ^ nearSpread[c]) & nearLaneMask
}

func (r *ssdeepNearRoller) lane(k int) uint8 { return uint8(r.lanes >> (8 * k)) }

func (r *ssdeepNearRoller) setLane(k int, v uint8) {
	r.lanes = r.lanes&^(0xff<<(8*k)) | uint64(v)<<(8*k)
}

// step rolls in c, rolling out old.
func (r *ssdeepNearRoller) step(c, old byte) {
	r.h2 = r.h2 - r.h1 + ssdeepWindow*uint32(c)
	r.h1 = r.h1 + uint32(c) - uint32(old)
	r.h3 = r.h3<<5 ^ uint32(c)
	r.lanes = nearUpdate(r.lanes, c)
}

// roll is step for win[ssdeepWindow:] (the window rolls out win's bytes from the first) up to
// and including the first byte at which block size 3·(mask+1) or a larger one may trigger,
// and returns that byte's index in win, or len(win) when there is none. A function of its own,
// so that its loop keeps every value in a register.
func (r *ssdeepNearRoller) roll(win []byte, mask uint64) int {
	h1, h2, h3, w := r.h1, r.h2, r.h3, r.lanes
	j := ssdeepWindow
	for ; j < len(win); j++ {
		c := win[j]
		h2 = h2 - h1 + ssdeepWindow*uint32(c)
		h1 = h1 + uint32(c) - uint32(win[j-ssdeepWindow])
		h3 = h3<<5 ^ uint32(c)
		w = nearUpdate(w, c)
		if s1 := uint64(h1+h2+h3) + 1; s1&mask == 0 && s1%ssdeepMinBlock == 0 {
			break
		}
	}
	r.h1, r.h2, r.h3, r.lanes = h1, h2, h3, w
	return j
}

// trigger ends a piece of each of the block sizes (lo and up) that the current rolling hash
// triggers, as spamsum does.
func (r *ssdeepNearRoller) trigger(blocks *[nearBlocks]ssdeepNearBlock, lo int) {
	s1 := uint64(r.h1+r.h2+r.h3) + 1
	if s1%ssdeepMinBlock != 0 {
		return
	}
	for k := 0; k < nearBlocks && bits.TrailingZeros64(s1) >= lo+k; k++ {
		b := &blocks[k]
		if k > 0 {
			b.halfPending = ssdeepBase64[r.lane(nearHalf+k-1)]
		}
		if b.n == ssdeepLength-1 {
			b.pending = ssdeepBase64[r.lane(nearPiece+k)]
			continue
		}
		b.digest[b.n] = ssdeepBase64[r.lane(nearPiece+k)]
		b.n++
		r.setLane(nearPiece+k, ssdeepHashInit)
		if k > 0 && b.n < ssdeepLength/2 {
			r.setLane(nearHalf+k-1, ssdeepHashInit)
			b.halfPending = 0
		}
	}
}
