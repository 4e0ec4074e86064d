package deobfuscator

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
)

// The fast rejection is one pass over the sample with a 64 KiB table indexed by the current
// byte and the one before it (pairIndex: the current byte in the high half, so eight bytes read
// as one little-endian word yield every index of the block by a shift). An entry holds whether the byte continues an encoded run and
// which check, if any, the pair starts: every construct the text decoders act on begins with
// such a pair (`\x`, `%u`, `&#`, `[c`, `-e`, `_0`, `mC` of fromCharCode …) or is a long
// run. Ordinary prose, logs and source code meet a check now and then, and the check fails after
// a few bytes, so the pass costs a table load per byte. The checks mirror the gates in
// textCandidates and fold exactly, so a sample the prefilter rejects is one on which the full
// search would find no candidate at all (FuzzPrefilter holds the two together).

// prefilter check identifiers, stored in the low bits of a pairs entry.
const (
	chkNone = iota
	chkBackslash
	chkPercent
	chkEntity
	chkBacktick
	chkCaret
	chkPlus
	chkComma
	chkFromCharCode
	chkCharCast
	chkJoin
	chkDashF
	chkDashR
	chkDashC
	chkDashE
	chkJSObf
	chkReversed
	chkRot13
	chkReversedPS
	chkRot13PS

	// pairRun marks a byte that continues a base64, base32 or hex run.
	pairRun = 0x80
)

// pairs is read-only after construction (Go has no constant arrays).
var pairs = func() (t [1 << 16]uint8) {
	single := map[byte]uint8{'%': chkPercent, '&': chkEntity, '`': chkBacktick, '^': chkCaret, '+': chkPlus, ',': chkComma}
	for c := 0; c < 256; c++ {
		v := uint8(0)
		if classes[c]&clB64 != 0 || c == '-' || c == '_' {
			v = pairRun
		}
		v |= single[byte(c)]
		for p := 0; p < 256; p++ {
			t[pairIndex(byte(p), byte(c))] = v
		}
	}
	set := func(pair string, chk uint8, foldCase bool) {
		variants := []string{pair}
		if foldCase {
			variants = caseVariants(pair)
		}
		for _, s := range variants {
			i := pairIndex(s[0], s[1])
			t[i] = t[i]&pairRun | chk
		}
	}
	set(`\x`, chkBackslash, false)
	set(`\u`, chkBackslash, false)
	set("mC", chkFromCharCode, false)
	set("[c", chkCharCast, true)
	set("jo", chkJoin, false)
	set("-f", chkDashF, true)
	set("-r", chkDashR, true)
	set("-c", chkDashC, true)
	set("-e", chkDashE, true)
	set("/e", chkDashE, true)
	set("_0", chkJSObf, false)
	set("pt", chkReversed, true)
	set("gg", chkRot13, true)
	set("hs", chkReversedPS, true)
	set("bj", chkRot13PS, true)
	return t
}()

// pairIndex is the pairs index of byte cur preceded by prev.
func pairIndex(prev, cur byte) uint16 { return uint16(cur)<<8 | uint16(prev) }

// nextPair is the pairs index after pair when the next byte is c.
func nextPair(pair uint16, c byte) uint16 { return pair>>8 | uint16(c)<<8 }

// caseVariants lists every upper/lower case spelling of a two-byte pair.
func caseVariants(pair string) []string {
	var out []string
	for _, a := range []byte{pair[0], upper(pair[0])} {
		for _, b := range []byte{pair[1], upper(pair[1])} {
			if s := string([]byte{a, b}); !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 32
	}
	return c
}

// isSpace is RE2's \s.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// hasFold reports whether b[i:] starts with the lowercase ASCII word w, in any case.
func hasFold(b []byte, i int, w string) bool {
	if i < 0 || i+len(w) > len(b) {
		return false
	}
	for k := 0; k < len(w); k++ {
		if b[i+k]|0x20 != w[k] {
			return false
		}
	}
	return true
}

// worthLooking is the fast rejection: it reports whether the full search could find anything
// to decode in a sample.
func worthLooking(b []byte, minRun int) bool {
	switch magicKind(b) {
	case "gzip", "zlib":
		return true
	case "":
	default:
		return false // a file format: the orchestrator parses it
	}
	if textScore(b[:min(len(b), 4096)]) < 0.8 {
		return false // binary: only decoded layers go through the binary decoders
	}
	return scanText(b, minRun)
}

// scanText is the single pass over text. It reads four bytes per step: in a Go wasip1 guest
// every loop iteration goes through the function's block dispatch, so fewer iterations matter
// more than fewer instructions. A block with no check to run (letters, spaces, most
// punctuation) costs four table loads and a few branches; any other block, and a block that
// may end a long run, goes byte by byte.
func scanText(b []byte, minRun int) bool {
	st := scanState{b: b, lastComma: -1}
	runStart := 0
	// pair is the previous byte and the current one: the index into pairs.
	var pair uint16
	i := 0
	for ; i+8 <= len(b) && minRun >= 7; i += 8 {
		// One 8-byte load instead of eight byte loads and bounds checks.
		w := binary.LittleEndian.Uint64(b[i:])
		p0 := uint16(w<<8) | pair>>8
		p1 := uint16(w)
		p2 := uint16(w >> 8)
		p3 := uint16(w >> 16)
		p4 := uint16(w >> 24)
		p5 := uint16(w >> 32)
		p6 := uint16(w >> 40)
		p7 := uint16(w >> 48)
		v0, v1, v2, v3, v4, v5, v6, v7 := pairs[p0], pairs[p1], pairs[p2], pairs[p3], pairs[p4], pairs[p5], pairs[p6], pairs[p7]
		if (v0|v1|v2|v3|v4|v5|v6|v7)&^pairRun == 0 {
			// Each entry is 0 (a break) or pairRun: one bit per byte, set on breaks.
			breaks := ^(v0>>7 | v1>>6 | v2>>5 | v3>>4 | v4>>3 | v5>>2 | v6>>1 | v7)
			if breaks == 0 {
				pair = p7
				continue // eight run characters
			}
			// Only the run ending at the first break can be long: later ones are inside
			// the block.
			if i+bits.TrailingZeros8(breaks)-runStart < min(minRun, 40) {
				runStart = i + 8 - bits.LeadingZeros8(breaks)
				pair = p7
				continue
			}
		}
		// Byte by byte: pair is still the one before b[i].
		for k := i; k < i+8; k++ {
			pair = nextPair(pair, b[k])
			if st.at(k, pairs[pair], &runStart, minRun) {
				return true
			}
		}
	}
	for ; i < len(b); i++ {
		pair = nextPair(pair, b[i])
		if st.at(i, pairs[pair], &runStart, minRun) {
			return true
		}
	}
	return len(b)-runStart >= minRun && plausibleRun(b[runStart:])
}

// at handles b[i], whose pairs entry is v, in a run that began at *runStart.
func (s *scanState) at(i int, v uint8, runStart *int, minRun int) bool {
	if v&^pairRun != 0 && s.check(i, v&^pairRun) {
		return true
	}
	if v&pairRun != 0 {
		return false
	}
	if run := i - *runStart; run >= minRun && plausibleRun(s.b[*runStart:i]) || run >= 40 && (s.b[i] == '\n' || s.b[i] == '\r') {
		return true // an encoded run, or wrapped base64 that continues on the next line
	}
	*runStart = i + 1
	return false
}

// plausibleRun mirrors the classification in runs: a run decodes as hex, base32 or base64
// unless it is letters of one case without digits (a long identifier or word).
func plausibleRun(r []byte) bool {
	var lower, upperCase, digit, other bool
	allHex := true
	for _, c := range r {
		switch {
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upperCase = true
		case c >= '0' && c <= '9':
			digit = true
		default:
			other = other || c != '='
		}
		// '=' may split an assignment from the run (x=SGVs…); what follows can be hex.
		allHex = allHex && (classes[c]&clHex != 0 || c == '=')
	}
	b32 := upperCase && !lower && !other
	return lower && upperCase || digit || allHex || b32
}

type scanState struct {
	b      []byte
	carets int
	// numCommas counts the commas of the current "12, 34, 56" list; lastComma is the last one.
	numCommas, lastComma int
}

// check runs the check chk started by the pair ending at b[i].
func (s *scanState) check(i int, chk uint8) bool {
	b := s.b
	switch chk {
	case chkBackslash: // \xHH, \uHHHH
		if b[i] == 'x' {
			return i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2])
		}
		return i+4 < len(b) && allHexB(b[i+1:i+5])
	case chkPercent: // %HH, %uHHHH
		return i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]) ||
			i+5 < len(b) && b[i+1]|0x20 == 'u' && allHexB(b[i+2:i+6])
	case chkEntity:
		if i+3 >= len(b) {
			return false
		}
		_, n := htmlEntity(b[i:])
		return n > 0
	case chkBacktick:
		return i+1 < len(b)
	case chkCaret:
		s.carets++
		return s.carets >= 3
	case chkPlus: // 'a' + "b"
		j := i - 1
		for j >= 0 && isSpace(b[j]) {
			j--
		}
		k := i + 1
		for k < len(b) && isSpace(b[k]) {
			k++
		}
		return j >= 0 && k < len(b) && (b[j] == '\'' || b[j] == '"') && (b[k] == '\'' || b[k] == '"')
	case chkComma:
		return s.comma(i)
	case chkFromCharCode:
		return i >= 3 && i+8 <= len(b) && string(b[i-3:i+8]) == "romCharCode"
	case chkCharCast: // [char
		return hasFold(b, i+1, "har")
	case chkJoin:
		return i+2 < len(b) && b[i+1] == 'i' && b[i+2] == 'n'
	case chkDashF: // ("{0}" -f 'a'
		j := i - 2
		for j >= 0 && isSpace(b[j]) {
			j--
		}
		return j >= 0 && (b[j] == '"' || b[j] == '\'')
	case chkDashR:
		return hasFold(b, i+1, "eplace")
	case chkDashC:
		return hasFold(b, i+1, "replace")
	case chkDashE: // -e, -enc, -EncodedCommand at the start or after white space
		return i < 2 || isSpace(b[i-2])
	case chkJSObf: // _0x identifiers
		return i+1 < len(b) && b[i+1] == 'x'
	case chkReversed: // ptth
		return hasFold(b, i-1, "ptth")
	case chkRot13: // uggc
		return hasFold(b, i-2, "uggc")
	case chkReversedPS: // llehsrewop
		return hasFold(b, i-4, "llehsrewop")
	case chkRot13PS: // cbjrefuryy
		return hasFold(b, i-2, "cbjrefuryy")
	}
	return false
}

// comma follows decimal charcode lists (eight numbers of up to three digits) and 0x byte
// lists, the two patterns textCandidates matches after a comma.
func (s *scanState) comma(i int) bool {
	b := s.b
	if bytes.HasPrefix(b[i+1:], []byte("0x")) || bytes.HasPrefix(b[i+1:], []byte(" 0x")) {
		return true
	}
	j := i - 1
	for j >= 0 && isSpace(b[j]) {
		j--
	}
	if j < 0 || b[j] < '0' || b[j] > '9' {
		s.numCommas = 0
		return false
	}
	if s.numCommas > 0 && listElement(b[s.lastComma+1:i]) {
		s.numCommas++
	} else {
		s.numCommas = 1
	}
	s.lastComma = i
	return s.numCommas >= 7
}

// listElement reports whether e is \s*\d{1,3}\s*.
func listElement(e []byte) bool {
	k := 0
	for k < len(e) && isSpace(e[k]) {
		k++
	}
	d := k
	for k < len(e) && e[k] >= '0' && e[k] <= '9' {
		k++
	}
	if k-d < 1 || k-d > 3 {
		return false
	}
	for k < len(e) && isSpace(e[k]) {
		k++
	}
	return k == len(e)
}

// containsFold reports whether b contains the lowercase ASCII word w in any case.
func containsFold(b []byte, w string) bool {
	for i := 0; i+len(w) <= len(b); i++ {
		if b[i]|0x20 == w[0] && hasFold(b, i, w) {
			return true
		}
	}
	return false
}
