package yara

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// YARA regular expressions and hex strings work on bytes, not UTF-8 runes, so they are compiled
// to our own byte-level program and run by a Pike VM (linear time, leftmost-priority semantics
// like a backtracking engine) instead of Go's regexp, whose \xff means U+00FF.

type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }
func (s *byteSet) addRange(lo, hi int) {
	for c := lo; c <= hi; c++ {
		s.add(byte(c))
	}
}
func (s *byteSet) union(o byteSet) {
	for i := range s {
		s[i] |= o[i]
	}
}
func (s *byteSet) invert() {
	for i := range s {
		s[i] = ^s[i]
	}
}
func (s *byteSet) count() int {
	return bits.OnesCount64(s[0]) + bits.OnesCount64(s[1]) + bits.OnesCount64(s[2]) + bits.OnesCount64(s[3])
}

// members lists the bytes in s in increasing order, visiting set bits only (a 256-step loop
// is slow in the guest, where every iteration costs).
func (s *byteSet) members() []byte {
	out := make([]byte, 0, s.count())
	for i, w := range s {
		for ; w != 0; w &= w - 1 {
			out = append(out, byte(i<<6+bits.TrailingZeros64(w)))
		}
	}
	return out
}

// only returns the byte of a one-byte set.
func (s *byteSet) only() byte {
	for i, w := range s {
		if w != 0 {
			return byte(i<<6 + bits.TrailingZeros64(w))
		}
	}
	return 0
}
func (s *byteSet) foldCase() {
	for c := 'a'; c <= 'z'; c++ {
		if s.has(byte(c)) || s.has(byte(c-32)) {
			s.add(byte(c))
			s.add(byte(c - 32))
		}
	}
}

type reOp uint8

const (
	reSet reOp = iota
	reConcat
	reAlt
	reRepeat
	reBOL
	reEOL
	reWordB
	reNotWordB
	reEmpty
)

type reNode struct {
	op       reOp
	set      byteSet
	subs     []*reNode
	min, max int // max < 0: unbounded
	greedy   bool
}

const maxRepeat = 32767

func setNode(s byteSet) *reNode { return &reNode{op: reSet, set: s} }
func byteNode(b byte) *reNode {
	var s byteSet
	s.add(b)
	return setNode(s)
}

type reParser struct {
	src    string
	i      int
	nocase bool
	dotAll bool
}

// parseRegex parses a YARA regular expression body with flags "i" and "s".
func parseRegex(src string, nocase, dotAll bool) (*reNode, error) {
	p := &reParser{src: src, nocase: nocase, dotAll: dotAll}
	n, err := p.alt()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.src) {
		return nil, fmt.Errorf("unexpected %q at %d", p.src[p.i], p.i)
	}
	return n, nil
}

func (p *reParser) alt() (*reNode, error) {
	var alts []*reNode
	for {
		c, err := p.concat()
		if err != nil {
			return nil, err
		}
		alts = append(alts, c)
		if p.i < len(p.src) && p.src[p.i] == '|' {
			p.i++
			continue
		}
		break
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return &reNode{op: reAlt, subs: alts}, nil
}

func (p *reParser) concat() (*reNode, error) {
	n := &reNode{op: reConcat}
	for p.i < len(p.src) && p.src[p.i] != '|' && p.src[p.i] != ')' {
		a, err := p.repeat()
		if err != nil {
			return nil, err
		}
		n.subs = append(n.subs, a)
	}
	if len(n.subs) == 0 {
		return &reNode{op: reEmpty}, nil
	}
	if len(n.subs) == 1 {
		return n.subs[0], nil
	}
	return n, nil
}

func (p *reParser) repeat() (*reNode, error) {
	a, err := p.atom()
	if err != nil {
		return nil, err
	}
	for p.i < len(p.src) {
		c := p.src[p.i]
		min, max := 0, 0
		switch c {
		case '*':
			min, max = 0, -1
			p.i++
		case '+':
			min, max = 1, -1
			p.i++
		case '?':
			min, max = 0, 1
			p.i++
		case '{':
			mn, mx, n, ok := parseBraces(p.src[p.i:])
			if !ok {
				return a, nil
			}
			if mx >= 0 && mn > mx {
				return nil, fmt.Errorf("bad repeat interval")
			}
			if mn > maxRepeat || mx > maxRepeat {
				return nil, fmt.Errorf("repeat interval too large")
			}
			min, max = mn, mx
			p.i += n
		default:
			return a, nil
		}
		if a.op == reBOL || a.op == reEOL || a.op == reWordB || a.op == reNotWordB {
			return nil, fmt.Errorf("nothing to repeat")
		}
		if a.op == reRepeat && a.greedy && p.src[p.i-1] != '}' {
			// a** or a+* is rejected by YARA too.
			return nil, fmt.Errorf("nothing to repeat")
		}
		greedy := true
		if p.i < len(p.src) && p.src[p.i] == '?' {
			greedy = false
			p.i++
		}
		a = &reNode{op: reRepeat, subs: []*reNode{a}, min: min, max: max, greedy: greedy}
	}
	return a, nil
}

// parseBraces parses {n}, {n,}, {,m}, {n,m}.
func parseBraces(s string) (min, max, n int, ok bool) {
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return 0, 0, 0, false
	}
	body := s[1:end]
	if body == "" {
		return 0, 0, 0, false
	}
	parts := strings.SplitN(body, ",", 2)
	num := func(x string, def int) (int, bool) {
		if x == "" {
			return def, true
		}
		for _, c := range x {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
		v, err := strconv.Atoi(x)
		return v, err == nil
	}
	if len(parts) == 1 {
		v, ok := num(parts[0], -2)
		if !ok || v == -2 {
			return 0, 0, 0, false
		}
		return v, v, end + 1, true
	}
	if parts[0] == "" && parts[1] == "" {
		return 0, 0, 0, false
	}
	lo, ok1 := num(parts[0], 0)
	hi, ok2 := num(parts[1], -1)
	if !ok1 || !ok2 {
		return 0, 0, 0, false
	}
	return lo, hi, end + 1, true
}

func classSets() (word, digit, space byteSet) {
	word.addRange('a', 'z')
	word.addRange('A', 'Z')
	word.addRange('0', '9')
	word.add('_')
	digit.addRange('0', '9')
	for _, c := range []byte(" \t\n\r\f\v") {
		space.add(c)
	}
	return
}

// escapeSet returns the set for a class escape like \w, or ok=false.
func escapeSet(c byte) (byteSet, bool) {
	w, d, s := classSets()
	switch c {
	case 'w':
		return w, true
	case 'W':
		w.invert()
		return w, true
	case 'd':
		return d, true
	case 'D':
		d.invert()
		return d, true
	case 's':
		return s, true
	case 'S':
		s.invert()
		return s, true
	}
	return byteSet{}, false
}

// escapeByte decodes a single-byte escape at p.src[p.i] (after the backslash).
func (p *reParser) escapeByte() (byte, error) {
	if p.i >= len(p.src) {
		return 0, fmt.Errorf("trailing backslash")
	}
	c := p.src[p.i]
	p.i++
	switch c {
	case 'n':
		return '\n', nil
	case 't':
		return '\t', nil
	case 'r':
		return '\r', nil
	case 'f':
		return '\f', nil
	case 'a':
		return 7, nil
	case 'v':
		return '\v', nil
	case 'x':
		if p.i+1 < len(p.src) && hexVal(p.src[p.i]) >= 0 && hexVal(p.src[p.i+1]) >= 0 {
			b := byte(hexVal(p.src[p.i])<<4 | hexVal(p.src[p.i+1]))
			p.i += 2
			return b, nil
		}
		return 0, fmt.Errorf("illegal escape sequence")
	}
	if c >= '1' && c <= '9' {
		return 0, fmt.Errorf("backreferences are not supported")
	}
	return c, nil
}

func (p *reParser) lit(b byte) *reNode {
	var s byteSet
	s.add(b)
	if p.nocase {
		s.foldCase()
	}
	return setNode(s)
}

func (p *reParser) atom() (*reNode, error) {
	c := p.src[p.i]
	switch c {
	case '(':
		p.i++
		if p.i < len(p.src) && p.src[p.i] == '?' {
			return nil, fmt.Errorf("unsupported group syntax (?")
		}
		n, err := p.alt()
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.src) || p.src[p.i] != ')' {
			return nil, fmt.Errorf("missing )")
		}
		p.i++
		return n, nil
	case '[':
		return p.class()
	case '.':
		p.i++
		var s byteSet
		s.invert()
		if !p.dotAll {
			s[0] &^= 1 << '\n'
		}
		return setNode(s), nil
	case '^':
		p.i++
		return &reNode{op: reBOL}, nil
	case '$':
		p.i++
		return &reNode{op: reEOL}, nil
	case '*', '+', '?':
		return nil, fmt.Errorf("nothing to repeat")
	case '\\':
		p.i++
		if p.i < len(p.src) {
			switch p.src[p.i] {
			case 'b':
				p.i++
				return &reNode{op: reWordB}, nil
			case 'B':
				p.i++
				return &reNode{op: reNotWordB}, nil
			}
			if s, ok := escapeSet(p.src[p.i]); ok {
				p.i++
				return setNode(s), nil
			}
		}
		b, err := p.escapeByte()
		if err != nil {
			return nil, err
		}
		return p.lit(b), nil
	}
	p.i++
	return p.lit(c), nil
}

func (p *reParser) class() (*reNode, error) {
	p.i++ // [
	var s byteSet
	neg := false
	if p.i < len(p.src) && p.src[p.i] == '^' {
		neg = true
		p.i++
	}
	first := true
	for {
		if p.i >= len(p.src) {
			return nil, fmt.Errorf("missing ]")
		}
		c := p.src[p.i]
		if c == ']' && !first {
			p.i++
			break
		}
		first = false
		var lo byte
		if c == '\\' {
			p.i++
			if p.i < len(p.src) {
				if es, ok := escapeSet(p.src[p.i]); ok {
					p.i++
					s.union(es)
					continue
				}
			}
			b, err := p.escapeByte()
			if err != nil {
				return nil, err
			}
			lo = b
		} else {
			lo = c
			p.i++
		}
		if p.i+1 < len(p.src) && p.src[p.i] == '-' && p.src[p.i+1] != ']' {
			p.i++
			var hi byte
			if p.src[p.i] == '\\' {
				p.i++
				b, err := p.escapeByte()
				if err != nil {
					return nil, err
				}
				hi = b
			} else {
				hi = p.src[p.i]
				p.i++
			}
			if hi < lo {
				return nil, fmt.Errorf("bad character range")
			}
			s.addRange(int(lo), int(hi))
			continue
		}
		s.add(lo)
	}
	if p.nocase {
		s.foldCase()
	}
	if neg {
		s.invert()
	}
	return setNode(s), nil
}

// parseHex parses a hex string body into a node.
func parseHex(src string) (*reNode, error) {
	// Strip comments first: hex strings may contain them.
	var b strings.Builder
	for i := 0; i < len(src); i++ {
		if strings.HasPrefix(src[i:], "//") {
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		}
		if strings.HasPrefix(src[i:], "/*") {
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment in hex string")
			}
			i += end + 3
			continue
		}
		b.WriteByte(src[i])
	}
	h := &hexParser{src: b.String()}
	n, err := h.seq(0)
	if err != nil {
		return nil, err
	}
	h.skip()
	if h.i < len(h.src) {
		return nil, fmt.Errorf("syntax error in hex string at %q", h.src[h.i:])
	}
	subs := n.subs
	if len(subs) == 0 {
		return nil, fmt.Errorf("empty hex string")
	}
	if subs[0].op == reRepeat || subs[len(subs)-1].op == reRepeat {
		return nil, fmt.Errorf("hex string can not start or end with a jump")
	}
	return n, nil
}

type hexParser struct {
	src string
	i   int
}

func (h *hexParser) skip() {
	for h.i < len(h.src) && strings.IndexByte(" \t\r\n", h.src[h.i]) >= 0 {
		h.i++
	}
}

func (h *hexParser) seq(depth int) (*reNode, error) {
	n := &reNode{op: reConcat}
	for {
		h.skip()
		if h.i >= len(h.src) {
			break
		}
		c := h.src[h.i]
		if c == '|' || c == ')' {
			break
		}
		switch {
		case c == '(':
			h.i++
			var alts []*reNode
			for {
				s, err := h.seq(depth + 1)
				if err != nil {
					return nil, err
				}
				if len(s.subs) == 0 {
					return nil, fmt.Errorf("empty alternative in hex string")
				}
				alts = append(alts, s)
				h.skip()
				if h.i < len(h.src) && h.src[h.i] == '|' {
					h.i++
					continue
				}
				break
			}
			if h.i >= len(h.src) || h.src[h.i] != ')' {
				return nil, fmt.Errorf("missing ) in hex string")
			}
			h.i++
			n.subs = append(n.subs, &reNode{op: reAlt, subs: alts})
		case c == '[':
			end := strings.IndexByte(h.src[h.i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("missing ] in hex string")
			}
			body := strings.ReplaceAll(h.src[h.i+1:h.i+end], " ", "")
			h.i += end + 1
			lo, hi := 0, -1
			if k := strings.IndexByte(body, '-'); k >= 0 {
				var err error
				if body[:k] != "" {
					if lo, err = strconv.Atoi(body[:k]); err != nil {
						return nil, fmt.Errorf("invalid jump %q", body)
					}
				}
				if body[k+1:] != "" {
					if hi, err = strconv.Atoi(body[k+1:]); err != nil {
						return nil, fmt.Errorf("invalid jump %q", body)
					}
				}
			} else {
				v, err := strconv.Atoi(body)
				if err != nil {
					return nil, fmt.Errorf("invalid jump %q", body)
				}
				lo, hi = v, v
			}
			if hi >= 0 && lo > hi {
				return nil, fmt.Errorf("invalid jump length")
			}
			if depth > 0 && hi < 0 {
				return nil, fmt.Errorf("unbounded jumps not allowed inside alternation")
			}
			if lo > maxRepeat || hi > maxRepeat {
				return nil, fmt.Errorf("jump too large")
			}
			var any byteSet
			any.invert()
			n.subs = append(n.subs, &reNode{op: reRepeat, subs: []*reNode{setNode(any)}, min: lo, max: hi, greedy: true})
		default:
			if h.i+1 >= len(h.src) {
				return nil, fmt.Errorf("odd number of hex digits")
			}
			hi, lo := h.src[h.i], h.src[h.i+1]
			if (hi != '?' && hexVal(hi) < 0) || (lo != '?' && hexVal(lo) < 0) {
				return nil, fmt.Errorf("invalid hex digit in %q", h.src[h.i:h.i+2])
			}
			h.i += 2
			var s byteSet
			for v := 0; v < 256; v++ {
				if (hi == '?' || v>>4 == hexVal(hi)) && (lo == '?' || v&15 == hexVal(lo)) {
					s.add(byte(v))
				}
			}
			n.subs = append(n.subs, setNode(s))
		}
	}
	return n, nil
}

// widen turns a node into its UTF-16LE form: every byte is followed by a zero byte.
func widen(n *reNode) *reNode {
	switch n.op {
	case reSet:
		return &reNode{op: reConcat, subs: []*reNode{n, byteNode(0)}}
	case reConcat, reAlt, reRepeat:
		c := *n
		c.subs = make([]*reNode, len(n.subs))
		for i, s := range n.subs {
			c.subs[i] = widen(s)
		}
		return &c
	}
	return n
}

type instOp uint8

const (
	iSet instOp = iota
	iSplit
	iJmp
	iMatch
	iBOL
	iEOL
	iWordB
	iNotWordB
)

type inst struct {
	op   instOp
	set  int32 // index into prog.sets
	x, y int32
}

type prog struct {
	insts  []inst
	sets   []byteSet
	minLen int
	// lead[k] holds the bytes a match can have at offset k, for the first offsets that every
	// match reaches; verification checks them before starting the VM (see leadSets).
	lead []byteSet
}

// maxLead bounds prog.lead: long enough to reject most atom hits of word-like patterns.
const maxLead = 16

// leadSets computes prog.lead by following the program a byte at a time: at offset k the
// possible bytes are the union of the sets of every instruction reachable after k bytes.
// Assertions are followed as if they held, so the sets can only be too wide, never too narrow.
func (p *prog) leadSets() {
	n := min(p.minLen, maxLead)
	p.lead = nil
	// cur and next list instruction indexes; seen marks those already in next.
	seen := make([]bool, len(p.insts))
	var closure func(pc int32, out []int32) []int32
	closure = func(pc int32, out []int32) []int32 {
		if seen[pc] {
			return out
		}
		seen[pc] = true
		out = append(out, pc)
		switch in := &p.insts[pc]; in.op {
		case iJmp:
			out = closure(in.x, out)
		case iSplit:
			out = closure(in.x, out)
			out = closure(in.y, out)
		case iBOL, iEOL, iWordB, iNotWordB:
			out = closure(pc+1, out)
		}
		return out
	}
	cur := closure(0, nil)
	var next []int32
	for k := 0; k < n && len(cur) <= 1024; k++ {
		var set byteSet
		clear(seen)
		next = next[:0]
		for _, pc := range cur {
			if in := &p.insts[pc]; in.op == iSet {
				set.union(p.sets[in.set])
				next = closure(pc+1, next)
			}
		}
		p.lead = append(p.lead, set)
		cur, next = next, cur
	}
}

const maxInsts = 400000

func compileRe(n *reNode) (*prog, error) {
	p := &prog{}
	if err := p.emit(n); err != nil {
		return nil, err
	}
	p.insts = append(p.insts, inst{op: iMatch})
	p.minLen = minLen(n)
	p.leadSets()
	return p, nil
}

func minLen(n *reNode) int {
	switch n.op {
	case reSet:
		return 1
	case reConcat:
		t := 0
		for _, s := range n.subs {
			t += minLen(s)
		}
		return t
	case reAlt:
		m := -1
		for _, s := range n.subs {
			if l := minLen(s); m < 0 || l < m {
				m = l
			}
		}
		return m
	case reRepeat:
		return n.min * minLen(n.subs[0])
	}
	return 0
}

func (p *prog) add(in inst) int {
	p.insts = append(p.insts, in)
	return len(p.insts) - 1
}

func (p *prog) emit(n *reNode) error {
	if len(p.insts) > maxInsts {
		return fmt.Errorf("regular expression too complex")
	}
	switch n.op {
	case reSet:
		p.sets = append(p.sets, n.set)
		p.add(inst{op: iSet, set: int32(len(p.sets) - 1)})
	case reConcat:
		for _, s := range n.subs {
			if err := p.emit(s); err != nil {
				return err
			}
		}
	case reAlt:
		var jumps []int
		for i, s := range n.subs {
			if i < len(n.subs)-1 {
				sp := p.add(inst{op: iSplit})
				p.insts[sp].x = int32(sp + 1)
				if err := p.emit(s); err != nil {
					return err
				}
				jumps = append(jumps, p.add(inst{op: iJmp}))
				p.insts[sp].y = int32(len(p.insts))
			} else if err := p.emit(s); err != nil {
				return err
			}
		}
		for _, j := range jumps {
			p.insts[j].x = int32(len(p.insts))
		}
	case reRepeat:
		sub := n.subs[0]
		for i := 0; i < n.min; i++ {
			if err := p.emit(sub); err != nil {
				return err
			}
		}
		if n.max < 0 {
			// L: split body, out; body; jmp L
			sp := p.add(inst{op: iSplit})
			if err := p.emit(sub); err != nil {
				return err
			}
			p.add(inst{op: iJmp, x: int32(sp)})
			p.setSplit(sp, sp+1, len(p.insts), n.greedy)
			return nil
		}
		var splits []int
		for i := n.min; i < n.max; i++ {
			sp := p.add(inst{op: iSplit})
			splits = append(splits, sp)
			if err := p.emit(sub); err != nil {
				return err
			}
		}
		for _, sp := range splits {
			p.setSplit(sp, sp+1, len(p.insts), n.greedy)
		}
	case reBOL:
		p.add(inst{op: iBOL})
	case reEOL:
		p.add(inst{op: iEOL})
	case reWordB:
		p.add(inst{op: iWordB})
	case reNotWordB:
		p.add(inst{op: iNotWordB})
	}
	return nil
}

func (p *prog) setSplit(sp, body, out int, greedy bool) {
	if greedy {
		p.insts[sp].x, p.insts[sp].y = int32(body), int32(out)
	} else {
		p.insts[sp].x, p.insts[sp].y = int32(out), int32(body)
	}
}

func isWord(b byte) bool {
	return b == '_' || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
}

// vm holds Pike VM scratch space; one per scan.
type vm struct {
	clist, nlist []int32
	mark         []uint32
	gen          uint32
	stack        []int32
}

func (v *vm) reset(n int) {
	if len(v.mark) < n {
		v.mark = make([]uint32, n)
		v.gen = 0
	}
}

// addThread follows empty transitions from pc in priority order and appends the threads that
// consume input (or match) to list.
func (v *vm) addThread(p *prog, list []int32, pc int32, data []byte, pos int) []int32 {
	v.stack = append(v.stack[:0], pc)
	for len(v.stack) > 0 {
		pc := v.stack[len(v.stack)-1]
		v.stack = v.stack[:len(v.stack)-1]
		if v.mark[pc] == v.gen {
			continue
		}
		v.mark[pc] = v.gen
		in := &p.insts[pc]
		switch in.op {
		case iJmp:
			v.stack = append(v.stack, in.x)
		case iSplit:
			v.stack = append(v.stack, in.y, in.x)
		case iBOL:
			if pos == 0 {
				v.stack = append(v.stack, pc+1)
			}
		case iEOL:
			if pos == len(data) {
				v.stack = append(v.stack, pc+1)
			}
		case iWordB, iNotWordB:
			a := pos > 0 && isWord(data[pos-1])
			b := pos < len(data) && isWord(data[pos])
			if (a != b) == (in.op == iWordB) {
				v.stack = append(v.stack, pc+1)
			}
		default:
			list = append(list, pc)
		}
	}
	return list
}

// match runs p anchored at start and returns the length of the preferred match, or -1.
func (v *vm) match(p *prog, data []byte, start, limit int) int {
	v.reset(len(p.insts))
	v.gen++
	if v.gen == 0 {
		clear(v.mark)
		v.gen = 1
	}
	clist := v.addThread(p, v.clist[:0], 0, data, start)
	nlist := v.nlist[:0]
	best := -1
	end := len(data)
	if limit > 0 && start+limit < end {
		end = start + limit
	}
	for pos := start; len(clist) > 0; pos++ {
		v.gen++
		if v.gen == 0 {
			clear(v.mark)
			v.gen = 1
		}
		nlist = nlist[:0]
		for _, pc := range clist {
			in := &p.insts[pc]
			if in.op == iMatch {
				best = pos - start
				break // lower-priority threads are cut
			}
			if pos < end && p.sets[in.set].has(data[pos]) {
				nlist = v.addThread(p, nlist, pc+1, data, pos+1)
			}
		}
		clist, nlist = nlist, clist
	}
	v.clist, v.nlist = clist, nlist
	return best
}
