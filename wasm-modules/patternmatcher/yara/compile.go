package yara

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// reScanLimit is how far YARA's regex engine scans forward from a match start
// (YR_RE_SCAN_LIMIT); a regex match that would need more is not found (pinned by r_scan_limit
// in testdata/diff/limits.yar).
const reScanLimit = 4096

// Source is one ruleset file; every source is its own namespace.
type Source struct {
	// Name is the file or resource name used in diagnostics.
	Name string
	// Namespace groups rules for global rules and rule references; defaults to Name.
	Namespace string
	// Text is the rule source.
	Text string
}

// Rules is a compiled ruleset, safe to scan with from one goroutine at a time per Scanner.
type Rules struct {
	rules    []*cRule
	strs     []*cString
	atoms    *atomIndex
	slow     []int // strings without atoms, verified at every candidate offset
	imports  map[string]bool
	warnings []*Error
	hash     string
	// maxVMInsts sizes scanner scratch space.
	maxVMInsts int
	// global lists the global rules; anyData the rules whose condition does not need a string
	// match (see needsMatch), in rule order.
	global  []int
	anyData []int
	// states holds scan scratch space for reuse (*scanState).
	states sync.Pool
	// dups lists the strings defined exactly like an earlier one (cString.same): they are not
	// searched, their matches are copied. defs finds the first definition while compiling.
	dups []int
	defs map[stringDef]int
}

// stringDef is what decides a string's matches: its definition without the identifier,
// position and the private modifier.
type stringDef struct {
	kind    StringKind
	text    string
	reFlags string
	mods    Modifiers
}

// Hash returns the SHA-256 of the sources the rules were compiled from.
func (r *Rules) Hash() string { return r.hash }

// Warnings returns the lint warnings found while compiling.
func (r *Rules) Warnings() []*Error { return r.warnings }

// RuleCount returns the number of rules.
func (r *Rules) RuleCount() int { return len(r.rules) }

type cRule struct {
	*Rule
	ns      string
	strs    []int          // global string indices, in declaration order
	byID    map[string]int // string id -> global index
	imports map[string]bool
	index   int
	file    string
	// needsMatch is set when the condition cannot be true unless one of the rule's strings
	// matched; the scanner then skips evaluating it on data where none did.
	needsMatch bool
}

type cString struct {
	// same is the index of an earlier string with the same definition, or -1.
	same     int
	rule     int
	id       string
	private  bool
	fullword bool
	variants []variant
	first    byteSet // bytes a match can start with, for slow strings
	minLen   int
	// skip is set (> 1) for a slow string whose every match starts with skip bytes of first.
	skip int
}

type variant struct {
	lit    []byte
	nocase bool
	wide   bool // for fullword checks
	prog   *prog
	node   *reNode
	// limit caps a regex match's length like YARA's RE_SCAN_LIMIT; hex strings are not capped.
	limit int
}

// SourcesHash hashes a list of sources the way Rules.Hash does, so callers can look a compiled
// ruleset up before compiling it.
func SourcesHash(srcs []Source) string {
	h := sha256.New()
	for _, s := range srcs {
		fmt.Fprintf(h, "%d:%s\x00%d:%s\x00%d:", len(s.Name), s.Name, len(s.Namespace), s.Namespace, len(s.Text))
		h.Write([]byte(s.Text))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Compile parses and compiles sources. On failure the error is an *Error (the first one); the
// returned warnings are lint findings either way.
func Compile(srcs []Source) (*Rules, error) {
	rs := &Rules{imports: map[string]bool{}, hash: SourcesHash(srcs), defs: map[stringDef]int{}}
	names := map[string]map[string]int{} // namespace -> rule name -> index
	for _, src := range srcs {
		ns := src.Namespace
		if ns == "" {
			ns = src.Name
		}
		f, err := Parse(src.Name, src.Text)
		if err != nil {
			return nil, err
		}
		imports := map[string]bool{}
		for _, im := range f.Imports {
			switch im {
			case "pe", "elf", "math", "hash":
			default:
				return nil, &Error{File: src.Name, Line: 1, Col: 1, Msg: fmt.Sprintf("unknown module %q", im)}
			}
			imports[im] = true
			rs.imports[im] = true
		}
		if names[ns] == nil {
			names[ns] = map[string]int{}
		}
		for _, r := range f.Rules {
			if _, dup := names[ns][r.Name]; dup {
				return nil, &Error{File: src.Name, Line: r.Line, Col: r.Col, Rule: r.Name, Msg: fmt.Sprintf("duplicated identifier %q", r.Name)}
			}
			cr := &cRule{Rule: r, ns: ns, byID: map[string]int{}, imports: imports, index: len(rs.rules), file: src.Name}
			if err := rs.compileStrings(src.Name, cr); err != nil {
				return nil, err
			}
			rc := &resolver{rs: rs, rule: cr, file: src.Name, names: names[ns], used: map[string]bool{}}
			cond, err := rc.resolve(r.Cond, false)
			if err != nil {
				return nil, err
			}
			r.Cond = cond
			for _, s := range r.Strings {
				if !rc.used[s.ID] && !strings.HasPrefix(s.ID, "$_") {
					return nil, &Error{File: src.Name, Line: s.Line, Col: s.Col, Rule: r.Name, Msg: fmt.Sprintf("unreferenced string %q", s.ID)}
				}
			}
			names[ns][r.Name] = cr.index
			cr.needsMatch = needsMatch(cond)
			if !cr.needsMatch {
				rs.anyData = append(rs.anyData, cr.index)
			}
			if r.Global {
				rs.global = append(rs.global, cr.index)
			}
			rs.rules = append(rs.rules, cr)
		}
	}
	rs.buildAtoms()
	rs.defs = nil
	rs.states.New = func() any { return newScanState(rs) }
	return rs, nil
}

func (rs *Rules) compileStrings(file string, cr *cRule) *Error {
	for _, s := range cr.Strings {
		cs := &cString{rule: cr.index, id: s.ID, private: s.Mods.Private, fullword: s.Mods.Fullword, same: -1}
		def := stringDef{kind: s.Kind, text: s.Text, reFlags: s.ReFlags, mods: s.Mods}
		def.mods.Private = false
		if first, ok := rs.defs[def]; ok {
			cs.same = first
		} else {
			rs.defs[def] = len(rs.strs)
		}
		fail := func(format string, a ...any) *Error {
			return &Error{File: file, Line: s.Line, Col: s.Col, Rule: cr.Name, Msg: fmt.Sprintf("%s: ", s.ID) + fmt.Sprintf(format, a...)}
		}
		ascii := s.Mods.ASCII || !s.Mods.Wide
		switch s.Kind {
		case KindText:
			cs.variants = append(cs.variants, textVariants(s)...)
		case KindHex:
			n, err := parseHex(s.Text)
			if err != nil {
				return fail("%v", err)
			}
			p, err := compileRe(n)
			if err != nil {
				return fail("%v", err)
			}
			cs.variants = append(cs.variants, variant{prog: p, node: n})
		case KindRegex:
			n, err := parseRegex(s.Text, s.Mods.NoCase || strings.Contains(s.ReFlags, "i"), strings.Contains(s.ReFlags, "s"))
			if err != nil {
				return fail("invalid regular expression: %v", err)
			}
			if ascii {
				p, err := compileRe(n)
				if err != nil {
					return fail("%v", err)
				}
				cs.variants = append(cs.variants, variant{prog: p, node: n, limit: reScanLimit})
			}
			if s.Mods.Wide {
				wn := widen(n)
				p, err := compileRe(wn)
				if err != nil {
					return fail("%v", err)
				}
				cs.variants = append(cs.variants, variant{prog: p, wide: true, node: wn, limit: reScanLimit})
			}
		}
		cs.minLen = -1
		for _, v := range cs.variants {
			l := len(v.lit)
			if v.prog != nil {
				l = v.prog.minLen
				if len(v.prog.insts) > rs.maxVMInsts {
					rs.maxVMInsts = len(v.prog.insts)
				}
			}
			if cs.minLen < 0 || l < cs.minLen {
				cs.minLen = l
			}
		}
		cr.byID[s.ID] = len(rs.strs)
		cr.strs = append(cr.strs, len(rs.strs))
		rs.strs = append(rs.strs, cs)
	}
	return nil
}

func wideBytes(b []byte) []byte {
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, c, 0)
	}
	return out
}

// textVariants expands a text string's modifiers into the literal byte strings it matches.
func textVariants(s *StringDef) []variant {
	m := s.Mods
	ascii := m.ASCII || !m.Wide
	text := []byte(s.Text)
	var out []variant
	if m.Base64 || m.Base64Wide {
		enc := base64.StdEncoding
		if m.B64Alphabet != "" {
			enc = base64.NewEncoding(m.B64Alphabet)
		}
		seen := map[string]bool{}
		for _, v := range base64Variants(text, enc) {
			if m.Base64 && !seen[v] {
				seen[v] = true
				out = append(out, variant{lit: []byte(v)})
			}
			if m.Base64Wide && !seen["w"+v] {
				seen["w"+v] = true
				out = append(out, variant{lit: wideBytes([]byte(v)), wide: true})
			}
		}
		return out
	}
	var forms []variant
	if ascii {
		forms = append(forms, variant{lit: text, nocase: m.NoCase})
	}
	if m.Wide {
		forms = append(forms, variant{lit: wideBytes(text), nocase: m.NoCase, wide: true})
	}
	if !m.Xor {
		return forms
	}
	for _, f := range forms {
		for k := m.XorMin; k <= m.XorMax; k++ {
			b := make([]byte, len(f.lit))
			for i, c := range f.lit {
				b[i] = c ^ byte(k)
			}
			out = append(out, variant{lit: b, wide: f.wide})
		}
	}
	return out
}

// base64Variants returns the three encodings of text at the three possible alignments, trimmed
// to the characters that depend only on text.
func base64Variants(text []byte, enc *base64.Encoding) []string {
	var out []string
	for pad := 0; pad < 3; pad++ {
		in := append(make([]byte, pad), text...)
		e := enc.EncodeToString(in)
		e = strings.TrimRight(e, "=")
		skip := []int{0, 2, 3}[pad]
		trail := 0
		switch len(in) % 3 {
		case 1:
			trail = 1
		case 2:
			trail = 1
		}
		if skip+trail >= len(e) {
			continue
		}
		out = append(out, e[skip:len(e)-trail])
	}
	return out
}

// resolver checks a rule's condition and binds identifiers.
type resolver struct {
	rs    *Rules
	rule  *cRule
	file  string
	names map[string]int
	used  map[string]bool
	vars  []string
}

func (rc *resolver) errAt(e Expr, format string, a ...any) *Error {
	l, c := e.pos()
	return &Error{File: rc.file, Line: l, Col: c, Rule: rc.rule.Name, Msg: fmt.Sprintf(format, a...)}
}

func (rc *resolver) lookupString(e Expr, id string, inFor bool) (int, *Error) {
	if id == "$" {
		if !inFor {
			return 0, rc.errAt(e, "syntax error, unexpected $ outside of for..of")
		}
		return -1, nil
	}
	g, ok := rc.rule.byID[id]
	if !ok {
		return 0, rc.errAt(e, "undefined string identifier %q", id)
	}
	rc.used[id] = true
	return g, nil
}

func (rc *resolver) expandSet(e Expr, ids []string) ([]int, *Error) {
	var out []int
	seen := map[int]bool{}
	if ids == nil {
		if len(rc.rule.Strings) == 0 {
			return nil, rc.errAt(e, "undefined identifier \"them\"")
		}
		for _, s := range rc.rule.Strings {
			rc.used[s.ID] = true
		}
		return rc.rule.strs, nil
	}
	for _, id := range ids {
		if strings.HasSuffix(id, "*") {
			prefix := strings.TrimSuffix(id, "*")
			found := false
			for _, s := range rc.rule.Strings {
				if strings.HasPrefix(s.ID, prefix) {
					found = true
					rc.used[s.ID] = true
					if g := rc.rule.byID[s.ID]; !seen[g] {
						seen[g] = true
						out = append(out, g)
					}
				}
			}
			if !found {
				return nil, rc.errAt(e, "undefined string identifier %q", id)
			}
			continue
		}
		g, err := rc.lookupString(e, id, false)
		if err != nil {
			return nil, err
		}
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out, nil
}

// ruleRef is a reference to an earlier rule of the same namespace.
type ruleRef struct {
	at
	idx int
}

// reLit is a compiled regular expression on the right of "matches".
type reLit struct {
	at
	prog *prog
}

func (rc *resolver) resolve(e Expr, inFor bool) (Expr, *Error) {
	var err *Error
	sub := func(x Expr) Expr {
		if x == nil || err != nil {
			return x
		}
		var r Expr
		r, err = rc.resolve(x, inFor)
		return r
	}
	switch n := e.(type) {
	case *boolLit, *intLit, *floatLit, *strLit, *filesize:
		return e, nil
	case *strMatch:
		n.resolved, err = rc.lookupString(e, n.id, inFor)
		n.atE = sub(n.atE)
		n.lo = sub(n.lo)
		n.hi = sub(n.hi)
	case *strCount:
		n.resolved, err = rc.lookupString(e, n.id, inFor)
		n.lo = sub(n.lo)
		n.hi = sub(n.hi)
	case *strOffset:
		n.resolved, err = rc.lookupString(e, n.id, inFor)
		n.idx = sub(n.idx)
	case *ident:
		for _, v := range rc.vars {
			if v == n.name {
				return e, nil
			}
		}
		if idx, ok := rc.names[n.name]; ok {
			return &ruleRef{n.at, idx}, nil
		}
		switch n.name {
		case "pe", "elf", "math", "hash":
			if !rc.rule.imports[n.name] {
				return nil, rc.errAt(e, "undefined identifier %q", n.name)
			}
			return e, nil
		}
		return nil, rc.errAt(e, "undefined identifier %q", n.name)
	case *field:
		n.x = sub(n.x)
	case *index:
		n.x = sub(n.x)
		n.idx = sub(n.idx)
	case *call:
		n.fn = sub(n.fn)
		for i := range n.args {
			n.args[i] = sub(n.args[i])
		}
	case *unary:
		n.x = sub(n.x)
	case *binExpr:
		n.l = sub(n.l)
		if n.op == "matches" {
			lit := n.r.(*strLit)
			parts := strings.SplitN(lit.v[1:], "/", 2)
			node, perr := parseRegex(parts[1], strings.Contains(parts[0], "i"), strings.Contains(parts[0], "s"))
			if perr != nil {
				return nil, rc.errAt(n.r, "invalid regular expression: %v", perr)
			}
			p, perr := compileRe(node)
			if perr != nil {
				return nil, rc.errAt(n.r, "%v", perr)
			}
			if len(p.insts) > rc.rs.maxVMInsts {
				rc.rs.maxVMInsts = len(p.insts)
			}
			n.r = &reLit{lit.at, p}
		} else {
			n.r = sub(n.r)
		}
		if n.op == "\\" || n.op == "%" {
			if z, ok := n.r.(*intLit); ok && z.v == 0 {
				return nil, rc.errAt(n.r, "division by zero")
			}
		}
	case *ofExpr:
		if n.q.n != nil {
			n.q.n = sub(n.q.n)
		}
		n.resolved, err = rc.expandSet(e, n.ids)
		if err == nil && n.body != nil {
			n.body, err = rc.resolve(n.body, true)
		}
	case *forIn:
		if n.q.n != nil {
			n.q.n = sub(n.q.n)
		}
		n.lo = sub(n.lo)
		n.hi = sub(n.hi)
		for i := range n.list {
			n.list[i] = sub(n.list[i])
		}
		n.iter = sub(n.iter)
		if err != nil {
			return nil, err
		}
		saved := rc.vars
		rc.vars = append(append([]string{}, rc.vars...), n.vars...)
		n.body, err = rc.resolve(n.body, inFor)
		rc.vars = saved
	case *intFunc:
		n.arg = sub(n.arg)
	default:
		return nil, rc.errAt(e, "unsupported expression")
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

// needsMatch reports whether condition e can only be true when some string it names has a
// match. It answers false when unsure.
func needsMatch(e Expr) bool {
	switch n := e.(type) {
	case *strMatch:
		return n.resolved >= 0
	case *binExpr:
		switch n.op {
		case "and":
			return needsMatch(n.l) || needsMatch(n.r)
		case "or":
			return needsMatch(n.l) && needsMatch(n.r)
		}
	case *ofExpr:
		if n.body != nil || len(n.resolved) == 0 {
			return false
		}
		switch n.q.kind {
		case "any", "all":
			return true
		case "expr":
			lit, ok := n.q.n.(*intLit)
			return ok && !n.q.percent && lit.v >= 1
		}
	}
	return false
}

// Atom selection. An atom is a short byte string that every match of a string variant contains
// at a known distance from the match start; atoms of all strings go into one Aho-Corasick
// automaton, and only where an atom occurs is the variant verified.

const maxAtomLen = 4

type atomEntry struct {
	str, variant int32
	back         int32 // distance from the match start to the atom start
}

type atomCand struct {
	atoms [][]byte
	back  int
	score int
}

// byteScore rates how rare a byte is in scanned data: padding and space bytes least, then
// lower-case letters (the bulk of text), then upper-case letters, then everything else.
func byteScore(b byte) int {
	switch b {
	case 0x00, 0x20, 0xff, 0xcc, 0x90:
		return 1
	}
	if b >= 'a' && b <= 'z' {
		return 2
	}
	if b >= 'A' && b <= 'Z' {
		return 3
	}
	return 4
}

func isAlpha(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }

// The filter probes a 4-byte window in its hashed part only when the window's last two bytes
// (its tail) end some atom of 3 or 4 bytes, so an atom ending in two padding bytes makes the
// host hash nearly every position of zero-filled data: one such atom ({ E8 00 00 00 00 … }
// of pe_shellcode_getpc) let 15 % of a Go PE's positions through the tail check and cost
// about a third of the filter's time. Such an atom gives way to the best window with another
// tail that scores at least minTailScore; below that, a rarer tail would not pay for the
// extra verifications.
const minTailScore = 4

// paddingTail reports whether an atom's last two bytes are both padding bytes (byteScore 1).
func paddingTail(atom []byte) bool {
	n := len(atom)
	return n >= 2 && byteScore(atom[n-1]) == 1 && byteScore(atom[n-2]) == 1
}

// literalAtom picks the best window of a literal, avoiding padding tails (see minTailScore).
func literalAtom(lit []byte, nocase bool) atomCand {
	best, alt := atomCand{score: -1}, atomCand{score: -1}
	n := maxAtomLen
	if len(lit) < n {
		n = len(lit)
	}
	for i := 0; i+n <= len(lit); i++ {
		w := lit[i : i+n]
		score, alphas := 0, 0
		var seen [256]bool
		for _, c := range w {
			s := byteScore(c)
			if seen[c] {
				s = 1
			}
			seen[c] = true
			score += s
			if nocase && isAlpha(c) {
				alphas++
			}
		}
		score -= alphas
		if score > best.score {
			best = atomCand{back: i, score: score, atoms: [][]byte{w}}
		}
		if n >= 3 && !paddingTail(w) && score > alt.score {
			alt = atomCand{back: i, score: score, atoms: [][]byte{w}}
		}
	}
	if best.atoms != nil && n >= 3 && paddingTail(best.atoms[0]) && alt.score >= minTailScore {
		best = alt
	}
	if nocase && best.atoms != nil {
		best.atoms = caseVariants(best.atoms[0])
	}
	return best
}

func caseVariants(w []byte) [][]byte {
	out := [][]byte{{}}
	for _, c := range w {
		var next [][]byte
		for _, p := range out {
			if isAlpha(c) {
				next = append(next, append(append([]byte{}, p...), c|0x20), append(append([]byte{}, p...), c&^0x20))
			} else {
				next = append(next, append(append([]byte{}, p...), c))
			}
		}
		out = next
	}
	return out
}

// fixedPositions flattens the fixed-width start of a node into per-position byte sets.
func fixedPositions(n *reNode, out []byteSet) ([]byteSet, bool) {
	switch n.op {
	case reSet:
		return append(out, n.set), true
	case reConcat:
		for _, s := range n.subs {
			var ok bool
			if out, ok = fixedPositions(s, out); !ok {
				return out, false
			}
		}
		return out, true
	case reRepeat:
		if n.min == n.max && n.min <= 64 {
			for i := 0; i < n.min; i++ {
				var ok bool
				if out, ok = fixedPositions(n.subs[0], out); !ok {
					return out, false
				}
			}
			return out, true
		}
		// The minimum repetitions are still a fixed prefix.
		for i := 0; i < n.min && i < 8; i++ {
			var ok bool
			if out, ok = fixedPositions(n.subs[0], out); !ok {
				return out, false
			}
		}
		return out, false
	case reAlt:
		// Alternatives of one byte each, as hex strings write them ((58 | 59 | 5A)), are one
		// position.
		var set byteSet
		for _, s := range n.subs {
			for s.op == reConcat && len(s.subs) == 1 {
				s = s.subs[0]
			}
			if s.op != reSet {
				return out, false
			}
			set.union(s.set)
		}
		return append(out, set), true
	case reEmpty, reBOL, reEOL, reWordB, reNotWordB:
		// Zero-width: the positions around it stay fixed.
		return out, true
	}
	return out, false
}

func windowAtom(pos []byteSet) atomCand {
	// Score every window first and build the atoms of the best one only. alt* is the best
	// window that the filter can gate by its tail, see paddingTail.
	bestScore, bestI, bestJ := -1, 0, 0
	altScore, altI, altJ := -1, 0, 0
	padding := func(k int) bool { return pos[k].count() == 1 && byteScore(pos[k].only()) == 1 }
	for i := 0; i < len(pos); i++ {
		score, combos := 0, 1
		for j := i; j < len(pos) && j < i+maxAtomLen; j++ {
			c := pos[j].count()
			if c > 16 || combos*c > 64 {
				break
			}
			combos *= c
			if c == 1 {
				score += byteScore(pos[j].only())
			} else {
				score++
			}
			if score > bestScore {
				bestScore, bestI, bestJ = score, i, j
			}
			if j-i >= 2 && !(padding(j-1) && padding(j)) && score > altScore {
				altScore, altI, altJ = score, i, j
			}
		}
	}
	if bestScore < 0 {
		return atomCand{score: -1}
	}
	if bestJ-bestI >= 2 && padding(bestJ-1) && padding(bestJ) && altScore >= minTailScore {
		bestScore, bestI, bestJ = altScore, altI, altJ
	}
	atoms := [][]byte{{}}
	for k := bestI; k <= bestJ; k++ {
		var next [][]byte
		for _, p := range atoms {
			for _, b := range pos[k].members() {
				next = append(next, append(append([]byte{}, p...), b))
			}
		}
		atoms = next
	}
	return atomCand{atoms: atoms, back: bestI, score: bestScore}
}

// prefixAtoms enumerates the byte strings every match must start with, following alternatives.
// A 1-byte prefix is extended by the byte set after it when that set has at most
// maxSecondByte members and the atoms stay few: 2-byte atoms go into the filter's exact pair
// table, which then passes only where the second byte fits, where a 1-byte atom passes every
// occurrence of its byte (crypto_wallet_address's $btc, /\b(bc1|[13])[a-km-zA-HJ-NP-Z1-9]…/,
// was verified at every '1' and '3' of a sample).
func prefixAtoms(p *prog) atomCand {
	if c := prefixAtomsWith(p, true); c.score >= 0 {
		return c
	}
	return prefixAtomsWith(p, false)
}

// maxSecondByte bounds the set that extends a 1-byte prefix atom, see prefixAtoms.
const maxSecondByte = 64

func prefixAtomsWith(p *prog, extend bool) atomCand {
	set := map[string]bool{}
	steps := 0
	ok := true
	var walk func(pc int32, prefix []byte, depth int)
	walk = func(pc int32, prefix []byte, depth int) {
		steps++
		if !ok || steps > 20000 || depth > 200 {
			ok = false
			return
		}
		in := &p.insts[pc]
		switch in.op {
		case iJmp:
			walk(in.x, prefix, depth+1)
		case iSplit:
			walk(in.x, prefix, depth+1)
			walk(in.y, prefix, depth+1)
		case iBOL, iEOL, iWordB, iNotWordB:
			walk(pc+1, prefix, depth+1)
		case iMatch:
			set[string(prefix)] = true
		case iSet:
			s := &p.sets[in.set]
			second := extend && len(prefix) == 1 && s.count() <= maxSecondByte
			if len(prefix) == maxAtomLen || (s.count() > 8 && !second) {
				set[string(prefix)] = true
				return
			}
			for _, b := range s.members() {
				walk(pc+1, append(append([]byte{}, prefix...), b), depth+1)
			}
		}
		if len(set) > 256 {
			ok = false
		}
	}
	walk(0, nil, 0)
	if !ok || len(set) == 0 {
		return atomCand{score: -1}
	}
	// Drop atoms that have a shorter atom as prefix: the shorter one already finds them.
	var keys []string
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var atoms [][]byte
	minScore := -1
	for _, k := range keys {
		if len(atoms) > 0 && strings.HasPrefix(k, string(atoms[len(atoms)-1])) {
			continue
		}
		if k == "" {
			return atomCand{score: -1}
		}
		atoms = append(atoms, []byte(k))
		s := 0
		for i := 0; i < len(k); i++ {
			s += byteScore(k[i])
		}
		if minScore < 0 || s < minScore {
			minScore = s
		}
	}
	if len(atoms) > 16 {
		minScore--
	}
	return atomCand{atoms: atoms, score: minScore}
}

func bestAtoms(v variant, node *reNode) atomCand {
	if v.prog == nil {
		return literalAtom(v.lit, v.nocase)
	}
	pa := prefixAtoms(v.prog)
	if node != nil {
		if pos, _ := fixedPositions(node, nil); len(pos) > 0 {
			wa := windowAtom(pos)
			if wa.score > pa.score || (paddedTail(pa) && tailGated(wa) && wa.score >= minTailScore) {
				return wa
			}
		}
	}
	return pa
}

// tailGated reports whether every atom of c has 3 or 4 bytes and no padding tail.
func tailGated(c atomCand) bool {
	for _, a := range c.atoms {
		if len(a) < 3 || paddingTail(a) {
			return false
		}
	}
	return len(c.atoms) > 0
}

// paddedTail reports whether some atom of c of 3 or 4 bytes ends in two padding bytes.
func paddedTail(c atomCand) bool {
	for _, a := range c.atoms {
		if len(a) >= 3 && paddingTail(a) {
			return true
		}
	}
	return false
}
