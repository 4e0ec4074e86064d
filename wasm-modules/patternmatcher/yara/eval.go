package yara

import (
	"bytes"
	"encoding/binary"
	"math"
	"sort"
	"strings"
)

type vkind uint8

const (
	vUndef vkind = iota
	vBool
	vInt
	vFloat
	vStr
	vStruct
	vArray
	vDict
	vFunc
)

// value is a condition value; YARA's "undefined" propagates through arithmetic and comparisons
// and is false in a boolean context.
type value struct {
	k   vkind
	i   int64
	f   float64
	s   string
	obj *object
}

type object struct {
	fields map[string]value
	items  []value
	dict   map[string]value
	fn     func(args []value) value
}

var undef = value{}

func vb(b bool) value {
	if b {
		return value{k: vBool, i: 1}
	}
	return value{k: vBool}
}
func vi(i int64) value    { return value{k: vInt, i: i} }
func vf(f float64) value  { return value{k: vFloat, f: f} }
func vs(s string) value   { return value{k: vStr, s: s} }
func (v value) num() bool { return v.k == vInt || v.k == vBool || v.k == vFloat }
func (v value) asF() float64 {
	if v.k == vFloat {
		return v.f
	}
	return float64(v.i)
}

func (v value) truthy() bool {
	switch v.k {
	case vBool, vInt:
		return v.i != 0
	case vFloat:
		return v.f != 0
	case vStr:
		return v.s != ""
	}
	return false
}

func (s *scanState) evalRule(i int) bool {
	switch s.rules[i] {
	case 1:
		return true
	case 2:
		return false
	}
	r := s.rs.rules[i]
	if r.needsMatch && !s.hit[i] {
		s.rules[i] = 2
		return false
	}
	s.anon = -1
	s.vars = s.vars[:0]
	ok := s.eval(r.Cond).truthy()
	if ok {
		s.rules[i] = 1
	} else {
		s.rules[i] = 2
	}
	return ok
}

func (s *scanState) strIndex(resolved int) int {
	if resolved < 0 {
		return s.anon
	}
	return resolved
}

func (s *scanState) eval(e Expr) value {
	switch n := e.(type) {
	case *boolLit:
		return vb(n.v)
	case *intLit:
		return vi(n.v)
	case *floatLit:
		return vf(n.v)
	case *strLit:
		return vs(n.v)
	case *filesize:
		return vi(int64(len(s.data)))
	case *strMatch:
		ms := s.matches[s.strIndex(n.resolved)]
		if n.atE != nil {
			a := s.eval(n.atE)
			if !a.num() {
				return vb(false)
			}
			off := int(a.i)
			k := sort.Search(len(ms), func(i int) bool { return ms[i].off >= off })
			return vb(k < len(ms) && ms[k].off == off)
		}
		if n.lo != nil {
			lo, hi := s.eval(n.lo), s.eval(n.hi)
			if !lo.num() || !hi.num() {
				return vb(false)
			}
			k := sort.Search(len(ms), func(i int) bool { return ms[i].off >= int(lo.i) })
			return vb(k < len(ms) && ms[k].off <= int(hi.i))
		}
		return vb(len(ms) > 0)
	case *strCount:
		ms := s.matches[s.strIndex(n.resolved)]
		if n.lo != nil {
			lo, hi := s.eval(n.lo), s.eval(n.hi)
			if !lo.num() || !hi.num() {
				return undef
			}
			c := 0
			for _, m := range ms {
				if int64(m.off) >= lo.i && int64(m.off) <= hi.i {
					c++
				}
			}
			return vi(int64(c))
		}
		return vi(int64(len(ms)))
	case *strOffset:
		ms := s.matches[s.strIndex(n.resolved)]
		idx := int64(1)
		if n.idx != nil {
			v := s.eval(n.idx)
			if !v.num() {
				return undef
			}
			idx = v.i
		}
		if idx < 1 || idx > int64(len(ms)) {
			return undef
		}
		if n.length {
			return vi(int64(ms[idx-1].len))
		}
		return vi(int64(ms[idx-1].off))
	case *ident:
		for i := len(s.vars) - 1; i >= 0; i-- {
			if s.vars[i].name == n.name {
				return s.vars[i].v
			}
		}
		if n.name == "pe" || n.name == "elf" || n.name == "math" || n.name == "hash" {
			return s.module(n.name)
		}
		return undef
	case *ruleRef:
		saveAnon, saveVars := s.anon, append([]loopVar{}, s.vars...)
		ok := s.evalRule(n.idx)
		s.anon, s.vars = saveAnon, saveVars
		return vb(ok)
	case *field:
		x := s.eval(n.x)
		if x.k != vStruct {
			return undef
		}
		v, ok := x.obj.fields[n.name]
		if !ok {
			return undef
		}
		return v
	case *index:
		x := s.eval(n.x)
		i := s.eval(n.idx)
		switch {
		case x.k == vArray && i.k == vInt:
			if i.i < 0 || i.i >= int64(len(x.obj.items)) {
				return undef
			}
			return x.obj.items[i.i]
		case x.k == vDict && i.k == vStr:
			if v, ok := x.obj.dict[i.s]; ok {
				return v
			}
		}
		return undef
	case *call:
		f := s.eval(n.fn)
		if f.k != vFunc {
			return undef
		}
		args := make([]value, len(n.args))
		for i, a := range n.args {
			args[i] = s.eval(a)
		}
		return f.obj.fn(args)
	case *unary:
		x := s.eval(n.x)
		switch n.op {
		case "not":
			if x.k == vUndef {
				return undef
			}
			return vb(!x.truthy())
		case "-":
			switch x.k {
			case vInt:
				return vi(-x.i)
			case vFloat:
				return vf(-x.f)
			}
			return undef
		case "~":
			if x.k == vInt {
				return vi(^x.i)
			}
			return undef
		}
		return undef
	case *binExpr:
		return s.evalBinary(n)
	case *ofExpr:
		return s.evalOf(n)
	case *forIn:
		return s.evalForIn(n)
	case *intFunc:
		a := s.eval(n.arg)
		if a.k != vInt {
			return undef
		}
		return readInt(s.data, a.i, n.name)
	}
	return undef
}

func readInt(data []byte, off int64, name string) value {
	signed := name[0] == 'i'
	be := strings.HasSuffix(name, "be")
	size := 1
	switch {
	case strings.Contains(name, "16"):
		size = 2
	case strings.Contains(name, "32"):
		size = 4
	}
	if off < 0 || off+int64(size) > int64(len(data)) {
		return undef
	}
	b := data[off : off+int64(size)]
	var u uint64
	switch size {
	case 1:
		u = uint64(b[0])
	case 2:
		if be {
			u = uint64(binary.BigEndian.Uint16(b))
		} else {
			u = uint64(binary.LittleEndian.Uint16(b))
		}
	case 4:
		if be {
			u = uint64(binary.BigEndian.Uint32(b))
		} else {
			u = uint64(binary.LittleEndian.Uint32(b))
		}
	}
	if signed {
		shift := 64 - 8*size
		return vi(int64(u<<shift) >> shift)
	}
	return vi(int64(u))
}

func (s *scanState) evalBinary(n *binExpr) value {
	switch n.op {
	case "and":
		if !s.eval(n.l).truthy() {
			return vb(false)
		}
		return vb(s.eval(n.r).truthy())
	case "or":
		if s.eval(n.l).truthy() {
			return vb(true)
		}
		return vb(s.eval(n.r).truthy())
	case "matches":
		l := s.eval(n.l)
		if l.k != vStr {
			return undef
		}
		p := n.r.(*reLit).prog
		d := []byte(l.s)
		for i := 0; i <= len(d); i++ {
			if s.vm.match(p, d, i, 0) >= 0 {
				return vb(true)
			}
		}
		return vb(false)
	}
	l, r := s.eval(n.l), s.eval(n.r)
	if l.k == vUndef || r.k == vUndef {
		return undef
	}
	if l.k == vStr || r.k == vStr {
		if l.k != vStr || r.k != vStr {
			return undef
		}
		a, b := l.s, r.s
		switch n.op {
		case "==":
			return vb(a == b)
		case "!=":
			return vb(a != b)
		case "<":
			return vb(a < b)
		case "<=":
			return vb(a <= b)
		case ">":
			return vb(a > b)
		case ">=":
			return vb(a >= b)
		case "contains":
			return vb(strings.Contains(a, b))
		case "icontains":
			return vb(bytes.Contains(lower(a), lower(b)))
		case "startswith":
			return vb(strings.HasPrefix(a, b))
		case "istartswith":
			return vb(bytes.HasPrefix(lower(a), lower(b)))
		case "endswith":
			return vb(strings.HasSuffix(a, b))
		case "iendswith":
			return vb(bytes.HasSuffix(lower(a), lower(b)))
		case "iequals":
			return vb(bytes.Equal(lower(a), lower(b)))
		}
		return undef
	}
	if !l.num() || !r.num() {
		return undef
	}
	if l.k == vFloat || r.k == vFloat {
		a, b := l.asF(), r.asF()
		switch n.op {
		case "+":
			return vf(a + b)
		case "-":
			return vf(a - b)
		case "*":
			return vf(a * b)
		case "\\":
			if b == 0 {
				return undef
			}
			return vf(a / b)
		case "==":
			return vb(a == b)
		case "!=":
			return vb(a != b)
		case "<":
			return vb(a < b)
		case "<=":
			return vb(a <= b)
		case ">":
			return vb(a > b)
		case ">=":
			return vb(a >= b)
		}
		return undef
	}
	a, b := l.i, r.i
	switch n.op {
	case "+":
		return vi(a + b)
	case "-":
		return vi(a - b)
	case "*":
		return vi(a * b)
	case "\\":
		if b == 0 || (a == math.MinInt64 && b == -1) {
			return undef
		}
		return vi(a / b)
	case "%":
		if b == 0 || (a == math.MinInt64 && b == -1) {
			return undef
		}
		return vi(a % b)
	case "&":
		return vi(a & b)
	case "|":
		return vi(a | b)
	case "^":
		return vi(a ^ b)
	case "<<":
		if b < 0 {
			return undef
		}
		if b >= 64 {
			return vi(0)
		}
		return vi(a << uint(b))
	case ">>":
		if b < 0 {
			return undef
		}
		if b >= 64 {
			return vi(0)
		}
		return vi(a >> uint(b))
	case "==":
		return vb(a == b)
	case "!=":
		return vb(a != b)
	case "<":
		return vb(a < b)
	case "<=":
		return vb(a <= b)
	case ">":
		return vb(a > b)
	case ">=":
		return vb(a >= b)
	}
	return undef
}

func lower(s string) []byte {
	b := []byte(s)
	for i, c := range b {
		b[i] = fold(c)
	}
	return b
}

// need returns how many true items a quantifier requires out of total, or -1 when undefined.
// all and none are handled by the callers.
func (s *scanState) need(q quant, total int) int64 {
	switch q.kind {
	case "any":
		return 1
	case "all":
		return int64(total)
	case "none":
		return 0
	}
	v := s.eval(q.n)
	if !v.num() {
		return -1
	}
	if q.percent {
		return int64(math.Ceil(float64(v.i) * float64(total) / 100))
	}
	return v.i
}

func quantOK(q quant, count, total int, need int64) bool {
	switch q.kind {
	case "none":
		return count == 0
	case "all":
		return count == total
	}
	if need < 0 {
		return false
	}
	return int64(count) >= need
}

func (s *scanState) evalOf(n *ofExpr) value {
	need := s.need(n.q, len(n.resolved))
	count := 0
	saved := s.anon
	for _, si := range n.resolved {
		if n.body == nil {
			if len(s.matches[si]) > 0 {
				count++
			}
		} else {
			s.anon = si
			if s.eval(n.body).truthy() {
				count++
			}
		}
	}
	s.anon = saved
	return vb(quantOK(n.q, count, len(n.resolved), need))
}

func (s *scanState) evalForIn(n *forIn) value {
	var items [][]value
	switch {
	case n.lo != nil:
		lo, hi := s.eval(n.lo), s.eval(n.hi)
		if lo.k != vInt || hi.k != vInt {
			return vb(false)
		}
		if hi.i-lo.i > 1<<20 {
			return vb(false)
		}
		for i := lo.i; i <= hi.i; i++ {
			items = append(items, []value{vi(i)})
		}
	case n.list != nil:
		for _, e := range n.list {
			items = append(items, []value{s.eval(e)})
		}
	default:
		it := s.eval(n.iter)
		switch it.k {
		case vArray:
			for _, v := range it.obj.items {
				items = append(items, []value{v})
			}
		case vDict:
			keys := make([]string, 0, len(it.obj.dict))
			for k := range it.obj.dict {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				items = append(items, []value{vs(k), it.obj.dict[k]})
			}
		default:
			return vb(false)
		}
	}
	if len(items) == 0 {
		// YARA: a loop over an empty range is false whatever the quantifier (pinned by
		// c_for_in in testdata/diff/cond.yar).
		return vb(false)
	}
	need := s.need(n.q, len(items))
	count := 0
	base := len(s.vars)
	for _, vals := range items {
		if s.checkTime(256) {
			break
		}
		s.vars = s.vars[:base]
		for i, name := range n.vars {
			v := undef
			if i < len(vals) {
				v = vals[i]
			}
			s.vars = append(s.vars, loopVar{name, v})
		}
		if s.eval(n.body).truthy() {
			count++
			if n.q.kind == "any" {
				break
			}
		} else if n.q.kind == "all" {
			s.vars = s.vars[:base]
			return vb(false)
		}
	}
	s.vars = s.vars[:base]
	return vb(quantOK(n.q, count, len(items), need))
}
