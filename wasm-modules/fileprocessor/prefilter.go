package fileprocessor

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
)

// patternSet is a list of at most 64 line-oriented regexps with a literal prefilter: every
// pattern whose syntax requires one of a few literals (for example "fromcharcode" or "iex") is
// only run on lines that contain one of them. Go's regexp engines cost tens of nanoseconds per
// byte and pattern natively and ~25 times that inside WASM, so running every pattern on every
// line made a 100 KB script take seconds in the guest; one table-driven pass per line decides
// which few patterns are worth running.
//
// The filter never changes a result: the literals are necessary for a match, and a line with
// non-ASCII bytes (where case folding could match a literal spelled with other runes, such as
// the Kelvin sign for k) is given every pattern.
type patternSet struct {
	res []*regexp.Regexp
	// always has a bit for every pattern without a required literal.
	always uint64
	// single[c] has a bit for every pattern with the one-byte literal c.
	single [256]uint64
	// pairSeen marks the first two bytes of longer literals; pairs lists those literals.
	pairSeen [1 << 16 / 64]uint64
	pairs    map[uint16][]patternLiteral
}

type patternLiteral struct {
	lit string // lower case, at least two bytes
	bit uint64
}

// newPatternSet compiles the expressions (at most 64) and indexes their required literals.
func newPatternSet(exprs []string) *patternSet {
	if len(exprs) > 64 {
		panic("patternSet: more than 64 patterns") // a programming error, caught by every test
	}
	p := &patternSet{pairs: map[uint16][]patternLiteral{}}
	for k, expr := range exprs {
		p.res = append(p.res, regexp.MustCompile(expr))
		bit := uint64(1) << k
		tree, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			panic(err) // MustCompile above already accepted it
		}
		lits := requiredLiterals(tree.Simplify())
		if lits == nil {
			p.always |= bit
			continue
		}
		for _, l := range lits {
			if len(l) == 1 {
				p.single[l[0]] |= bit
				continue
			}
			key := uint16(l[0])<<8 | uint16(l[1])
			p.pairSeen[key/64] |= 1 << (key % 64)
			p.pairs[key] = append(p.pairs[key], patternLiteral{l, bit})
		}
	}
	return p
}

// all is the mask of every pattern in the set.
func (p *patternSet) all() uint64 {
	if len(p.res) == 64 {
		return ^uint64(0)
	}
	return 1<<len(p.res) - 1
}

// candidates returns the mask of patterns that can match somewhere in line.
func (p *patternSet) candidates(line string) uint64 {
	mask := p.always
	var prev byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c >= 0x80 {
			return p.all()
		}
		c = lowerASCII(c)
		mask |= p.single[c]
		if i == 0 {
			prev = c
			continue
		}
		key := uint16(prev)<<8 | uint16(c)
		prev = c
		if p.pairSeen[key/64]&(1<<(key%64)) == 0 {
			continue
		}
		for _, pl := range p.pairs[key] {
			if mask&pl.bit == 0 && hasFoldPrefix(line[i-1:], pl.lit) {
				mask |= pl.bit
			}
		}
	}
	return mask
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
