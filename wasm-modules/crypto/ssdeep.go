package cryptoscan

import (
	"math/bits"
	"strconv"
)

// ssdeep (context-triggered piecewise hashing, Kornblum 2006) as ssdeep 2.14 prints it with
// fuzzy_hash_file: no sequence elimination, second part truncated to half length.
//
// All candidate block sizes 3·2^i are hashed in one pass: a block size only starts once the
// previous one has triggered (before that their states are identical), and the smallest one is
// dropped once it can no longer be chosen. That keeps two or three live block hashes at a time
// while giving the same digest as hashing every block size separately.

const (
	ssdeepWindow    = 7
	ssdeepMinBlock  = 3
	ssdeepLength    = 64 // SPAMSUM_LENGTH: characters of the first part
	ssdeepNumBlocks = 31 // block sizes 3<<0 ... 3<<30
	ssdeepHashInit  = 0x27
	ssdeepHashPrime = 0x13 // FNV prime 0x01000193 modulo 64: only 6 bits of state matter
	ssdeepBase64    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// ssdeepBlock is the piece hash of one candidate block size.
type ssdeepBlock struct {
	h, half  uint8
	digest   [ssdeepLength]byte
	n        int  // characters in digest; digest[n] holds a pending last character or 0
	halfChar byte // last character of the truncated second part, 0 if none
}

func ssdeepSum(h, c uint8) uint8 { return (h*ssdeepHashPrime ^ c) & 63 }

// SSDeep returns the ssdeep digest of data, e.g. "96:Ab...:Cd...".
func SSDeep(data []byte) string {
	var (
		blocks     [ssdeepNumBlocks]ssdeepBlock
		start, end = 0, 1
		lastH      uint8
		needLast   bool
		window     [ssdeepWindow]byte
		h1, h2, h3 uint32
		wi         int // window index, i mod 7 without a division
		total      = uint64(len(data))
	)
	blocks[0].h, blocks[0].half = ssdeepHashInit, ssdeepHashInit
	for _, c := range data {
		// Rolling hash over the last seven bytes.
		h2 = h2 - h1 + ssdeepWindow*uint32(c)
		h1 = h1 + uint32(c) - uint32(window[wi])
		window[wi] = c
		if wi++; wi == ssdeepWindow {
			wi = 0
		}
		h3 = h3<<5 ^ uint32(c)
		sum := h1 + h2 + h3

		c6 := c & 63
		live := blocks[start:end]
		for b := range live {
			live[b].h = ssdeepSum(live[b].h, c6)
			live[b].half = ssdeepSum(live[b].half, c6)
		}
		if needLast {
			lastH = ssdeepSum(lastH, c6)
		}
		// Block size 3·2^b triggers when sum ≡ -1 modulo it, that is when sum+1 is divisible by
		// 3 and by 2^b. Testing the power of two first skips the division-like check for most
		// bytes once small block sizes have been dropped.
		s1 := uint64(sum) + 1
		tz := bits.TrailingZeros64(s1)
		if tz < start || s1%ssdeepMinBlock != 0 {
			continue
		}
		for b := start; b < end && b <= tz; b++ {
			bh := &blocks[b]
			if bh.n == 0 {
				// First trigger of the largest live block size: start the next one, whose
				// state so far equals this one's.
				if end < ssdeepNumBlocks {
					nb := &blocks[end]
					nb.h, nb.half = blocks[end-1].h, blocks[end-1].half
					end++
				} else if !needLast {
					needLast = true
					lastH = blocks[end-1].h
				}
			}
			bh.digest[bh.n] = ssdeepBase64[bh.h]
			bh.halfChar = ssdeepBase64[bh.half]
			if bh.n < ssdeepLength-1 {
				bh.n++
				bh.digest[bh.n] = 0
				bh.h = ssdeepHashInit
				if bh.n < ssdeepLength/2 {
					bh.half = ssdeepHashInit
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
	// Initial guess: the smallest block size whose 64 pieces cover the input.
	bi := start
	for uint64(ssdeepMinBlock)<<bi*ssdeepLength < total && bi < ssdeepNumBlocks-1 {
		bi++
	}
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
		out = append(out, ssdeepBase64[bh.h])
	} else if bh.digest[bh.n] != 0 {
		out = append(out, bh.digest[bh.n])
	}
	out = append(out, ':')
	if bi < end-1 {
		nb := &blocks[bi+1]
		n := min(nb.n, ssdeepLength/2-1)
		out = append(out, nb.digest[:n]...)
		if rollSum != 0 {
			out = append(out, ssdeepBase64[nb.half])
		} else if nb.halfChar != 0 {
			out = append(out, nb.halfChar)
		}
	} else if rollSum != 0 {
		if bi == 0 {
			out = append(out, ssdeepBase64[bh.h])
		} else {
			out = append(out, ssdeepBase64[lastH])
		}
	}
	return string(out)
}
