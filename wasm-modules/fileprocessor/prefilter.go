package fileprocessor

import (
	"math/bits"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
)

// patternSet is a list of line-oriented regexps, with at most 64 top-level alternatives in all,
// and a literal prefilter. Go's regexp
// engines cost tens of nanoseconds per byte and pattern natively and ~25 times that inside
// WASM, so running every pattern on every line made a 100 KB script take seconds in the guest.
// Three things keep the regexps off most bytes, none of which changes a result:
//
//   - Each pattern is split into its top-level alternatives ("parts"): a line matches a pattern
//     when it matches one of its parts, and the pattern's leftmost-first match is the leftmost
//     part match, the earlier part on a tie.
//   - A part whose syntax requires one of a few literals (for example "fromcharcode") only runs
//     on lines that contain one; one table-driven pass per line finds them for all parts.
//   - A part whose matches all start with one of a few literals runs from the first of them on
//     (one byte earlier, so that \b sees its context).
//
// A line with non-ASCII bytes, where case folding could match a literal spelled with other
// runes (the Kelvin sign for k), gets every part run on the whole line.
type patternSet struct {
	res   []*regexp.Regexp // the patterns as written: what the parts must agree with
	parts []patternPart
	// always has a bit for every part without a required literal.
	always uint64
	// single[c] has a bit for every part with the one-byte literal c.
	single [256]uint64
	// pairs lists the literals of two bytes or more by their first two bytes, pairIndex[key]
	// is 1 + the index of key's list in pairs, or 0 (a table, not a map: it is read per byte).
	pairs     [][]patternLiteral
	pairIndex [1 << 16]uint8
}

// maxParts bounds the parts of one set (the alternatives of all its patterns): a line's
// candidates are one uint64.
const maxParts = 64

type patternPart struct {
	pattern int
	re      *regexp.Regexp
	// lead lists lower-case literals one of which starts every match; nil when unknown.
	lead []string
}

type patternLiteral struct {
	lit  string // lower case, at least two bytes
	part int
}

// newPatternSet compiles the expressions and indexes their parts' literals. More than 64 parts
// is a programming error, caught by every test (the sets are package variables).
func newPatternSet(exprs []string) *patternSet {
	p := &patternSet{}
	for k, expr := range exprs {
		p.res = append(p.res, regexp.MustCompile(expr))
		tree, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			panic(err) // MustCompile above already accepted it
		}
		alts := []*syntax.Regexp{tree}
		if tree.Op == syntax.OpAlternate {
			alts = tree.Sub
		}
		for _, alt := range alts {
			i := len(p.parts)
			if i == maxParts {
				panic("patternSet: too many alternatives")
			}
			part := patternPart{pattern: k, re: p.res[k], lead: usable(prefixes(alt))}
			if len(alts) > 1 {
				// syntax.Regexp.String keeps the flags (case folding) of the sub-expression.
				part.re = regexp.MustCompile(alt.String())
			}
			p.parts = append(p.parts, part)
			lits := requiredLiterals(alt.Simplify())
			if lits == nil {
				p.always |= 1 << i
				continue
			}
			for _, l := range lits {
				if len(l) == 1 {
					p.single[l[0]] |= 1 << i
					continue
				}
				key := uint16(l[0])<<8 | uint16(l[1])
				if p.pairIndex[key] == 0 {
					if len(p.pairs) == 255 {
						panic("patternSet: too many literal prefixes")
					}
					p.pairs = append(p.pairs, nil)
					p.pairIndex[key] = uint8(len(p.pairs))
				}
				x := p.pairIndex[key] - 1
				p.pairs[x] = append(p.pairs[x], patternLiteral{l, i})
			}
		}
	}
	return p
}

// candidates returns the parts that can match somewhere in line, and whether line is ASCII.
func (p *patternSet) candidates(line string) (mask uint64, ascii bool) {
	mask = p.always
	var prev byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c >= 0x80 {
			return 1<<len(p.parts) - 1, false
		}
		c = lowerASCII(c)
		mask |= p.single[c]
		if i == 0 {
			prev = c
			continue
		}
		x := p.pairIndex[uint16(prev)<<8|uint16(c)]
		prev = c
		if x == 0 {
			continue
		}
		for _, pl := range p.pairs[x-1] {
			if mask&(1<<pl.part) == 0 && hasFoldPrefix(line[i-1:], pl.lit) {
				mask |= 1 << pl.part
			}
		}
	}
	return mask, true
}

// matches returns the mask of patterns that match line.
func (p *patternSet) matches(line string) uint64 {
	cand, ascii := p.candidates(line)
	var out uint64
	for ; cand != 0; cand &= cand - 1 {
		pt := &p.parts[bits.TrailingZeros64(cand)]
		if out&(1<<pt.pattern) == 0 && pt.find(line, ascii) != nil {
			out |= 1 << pt.pattern
		}
	}
	return out
}

// find calls fn, in pattern order, with every pattern that matches line and the location of its
// leftmost-first match, as regexp.FindStringIndex gives it.
func (p *patternSet) find(line string, fn func(pattern int, loc []int)) {
	cand, ascii := p.candidates(line)
	best, bestPattern := []int(nil), -1
	for ; cand != 0; cand &= cand - 1 {
		pt := &p.parts[bits.TrailingZeros64(cand)]
		if pt.pattern != bestPattern && best != nil {
			fn(bestPattern, best)
			best = nil
		}
		// Parts of one pattern are consecutive: the leftmost match wins, the earlier part on
		// a tie.
		if loc := pt.find(line, ascii); loc != nil && (best == nil || loc[0] < best[0]) {
			best, bestPattern = loc, pt.pattern
		}
	}
	if best != nil {
		fn(bestPattern, best)
	}
}

// find is the part's leftmost-first match in line, or nil.
func (pt *patternPart) find(line string, ascii bool) []int {
	if pt.lead == nil || !ascii {
		return pt.re.FindStringIndex(line)
	}
	at := indexFoldAny(line, pt.lead)
	switch {
	case at < 0:
		return nil
	case at == 0:
		return pt.re.FindStringIndex(line)
	}
	// No match starts before at; one byte of context keeps \b and \B right, and ^ cannot
	// match there either, since no lead literal starts at at-1.
	loc := pt.re.FindStringIndex(line[at-1:])
	if loc != nil {
		loc[0] += at - 1
		loc[1] += at - 1
	}
	return loc
}

// indexFoldAny is the first index in s (ASCII) where one of lits (lower case) starts, ignoring
// ASCII case, or -1.
func indexFoldAny(s string, lits []string) int {
	for i := 0; i < len(s); i++ {
		c := lowerASCII(s[i])
		for _, l := range lits {
			if l[0] == c && hasFoldPrefix(s[i:], l) {
				return i
			}
		}
	}
	return -1
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasFoldPrefix reports whether s starts with lit (lower case ASCII) ignoring ASCII case.
func hasFoldPrefix(s, lit string) bool {
	if len(s) < len(lit) {
		return false
	}
	for i := 0; i < len(lit); i++ {
		if lowerASCII(s[i]) != lit[i] {
			return false
		}
	}
	return true
}

// maxLiterals caps the literal lists built while analysing a pattern.
const maxLiterals = 32

// requiredLiterals returns lower-case ASCII strings of which every match of re contains at
// least one, or nil when there is no such short list. Lower-casing only widens the filter, so
// case-sensitive and case-insensitive patterns are treated alike.
func requiredLiterals(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0])
		}
		return nil
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			l := requiredLiterals(sub)
			if l == nil {
				return nil
			}
			out = append(out, l...)
		}
		return minimalLiterals(out)
	case syntax.OpConcat:
		// Every part must match, so any part's literals will do, and so will the strings a
		// run of parts starts with: take the most selective.
		var best []string
		consider := func(l []string) {
			if l != nil && (best == nil || betterLiterals(l, best)) {
				best = l
			}
		}
		for i, sub := range re.Sub {
			consider(requiredLiterals(sub))
			consider(usable(prefixes(&syntax.Regexp{Op: syntax.OpConcat, Sub: re.Sub[i:]})))
		}
		return best
	}
	return usable(prefixes(re))
}

// usable returns the literals as a filter list, or nil when one of them is empty (then every
// line qualifies).
func usable(lits []string, _ bool) []string {
	if lits == nil || slices.Contains(lits, "") {
		return nil
	}
	return minimalLiterals(lits)
}

// prefixes returns lower-case strings one of which starts every match of re, and whether re
// matches exactly those strings. Zero-width assertions count as the empty string. It returns
// nil when the list would be too long or needs non-ASCII text.
func prefixes(re *syntax.Regexp) (lits []string, exact bool) {
	const maxClass = 8 // a character class up to this size counts as its characters
	switch re.Op {
	case syntax.OpLiteral:
		s := strings.ToLower(string(re.Rune))
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return nil, false
			}
		}
		return []string{s}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi >= 0x80 || hi-lo >= maxClass {
				return nil, false
			}
			for r := lo; r <= hi; r++ {
				out = append(out, strings.ToLower(string(r)))
			}
		}
		slices.Sort(out)
		out = slices.Compact(out)
		if len(out) == 0 || len(out) > maxClass {
			return nil, false
		}
		return out, true
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, true
	case syntax.OpCapture:
		return prefixes(re.Sub[0])
	case syntax.OpQuest:
		l, exact := prefixes(re.Sub[0])
		if l == nil || !exact {
			return []string{""}, false
		}
		return append(l, ""), true
	case syntax.OpPlus:
		if l, _ := prefixes(re.Sub[0]); l != nil {
			return l, false
		}
	case syntax.OpRepeat:
		if l, _ := prefixes(re.Sub[0]); l != nil && re.Min >= 1 {
			return l, false
		}
	case syntax.OpAlternate:
		var out []string
		exact := true
		for _, sub := range re.Sub {
			l, e := prefixes(sub)
			if l == nil {
				return nil, false
			}
			out, exact = append(out, l...), exact && e
		}
		if len(out) > maxLiterals {
			return nil, false
		}
		return out, exact
	case syntax.OpConcat:
		acc := []string{""}
		for _, sub := range re.Sub {
			l, e := prefixes(sub)
			if l == nil || len(acc)*len(l) > maxLiterals {
				return acc, false
			}
			next := make([]string, 0, len(acc)*len(l))
			for _, a := range acc {
				for _, b := range l {
					next = append(next, a+b)
				}
			}
			acc = next
			if !e {
				return acc, false
			}
		}
		return acc, true
	}
	return []string{""}, false
}

// minimalLiterals sorts and dedupes lits and drops every literal that contains another one: a
// line holding the longer one holds the shorter one too.
func minimalLiterals(lits []string) []string {
	slices.Sort(lits)
	lits = slices.Compact(lits)
	var out []string
	for _, l := range lits {
		if !slices.ContainsFunc(lits, func(o string) bool { return o != l && strings.Contains(l, o) }) {
			out = append(out, l)
		}
	}
	return out
}

// betterLiterals prefers the list whose shortest literal is longer, then the shorter list.
func betterLiterals(a, b []string) bool {
	shortest := func(l []string) int {
		n := len(l[0])
		for _, s := range l {
			n = min(n, len(s))
		}
		return n
	}
	if sa, sb := shortest(a), shortest(b); sa != sb {
		return sa > sb
	}
	return len(a) < len(b)
}
