package yara

import (
	"fmt"
	"strings"
)

// File is a parsed ruleset source.
type File struct {
	Name    string
	Imports []string
	Rules   []*Rule
}

// Rule is one parsed rule.
type Rule struct {
	Name      string
	Tags      []string
	Private   bool
	Global    bool
	Meta      []Meta
	Strings   []*StringDef
	Cond      Expr
	Line, Col int
}

// Meta is one meta entry; Value is a string, int64 or bool.
type Meta struct {
	Key   string
	Value any
}

// StringKind says how a string was written.
type StringKind int

// String kinds.
const (
	KindText StringKind = iota
	KindHex
	KindRegex
)

// StringDef is one entry of a rule's strings section.
type StringDef struct {
	ID        string
	Kind      StringKind
	Text      string // text string bytes, or hex/regex source
	ReFlags   string
	Mods      Modifiers
	Line, Col int
}

// Modifiers are a string's modifiers.
type Modifiers struct {
	NoCase, ASCII, Wide, Fullword, Private bool
	Xor                                    bool
	XorMin, XorMax                         int
	Base64, Base64Wide                     bool
	B64Alphabet                            string
}

// Expr is a condition expression node.
type Expr interface{ pos() (int, int) }

type at struct{ line, col int }

func (a at) pos() (int, int) { return a.line, a.col }

type (
	boolLit struct {
		at
		v bool
	}
	intLit struct {
		at
		v int64
	}
	floatLit struct {
		at
		v float64
	}
	strLit struct {
		at
		v string
	}
	filesize struct{ at }
	// strMatch is $a, $a at e, $a in (lo..hi).
	strMatch struct {
		at
		id       string
		atE      Expr
		lo, hi   Expr
		resolved int // string index in rule, -1 for the anonymous loop string
	}
	strCount struct {
		at
		id       string
		lo, hi   Expr
		resolved int
	}
	strOffset struct {
		at
		id       string
		idx      Expr
		length   bool
		resolved int
	}
	ident struct {
		at
		name string
	}
	field struct {
		at
		x    Expr
		name string
	}
	index struct {
		at
		x, idx Expr
	}
	call struct {
		at
		fn   Expr
		args []Expr
	}
	unary struct {
		at
		op string
		x  Expr
	}
	binExpr struct {
		at
		op   string
		l, r Expr
	}
	quant struct {
		kind    string // all, any, none, expr
		n       Expr
		percent bool
	}
	// ofExpr is "quant of set"; with body it is "for quant of set : (body)".
	ofExpr struct {
		at
		q        quant
		ids      []string // patterns as written; nil means them
		resolved []int
		body     Expr
	}
	forIn struct {
		at
		q      quant
		vars   []string
		lo, hi Expr   // range form
		list   []Expr // list form
		iter   Expr   // array/dict form
		body   Expr
	}
	intFunc struct {
		at
		name string
		arg  Expr
	}
)

type parser struct {
	toks []token
	i    int
	file string
	lx   *lexer
}

// Parse parses a ruleset source. name is used in error positions.
func Parse(name, src string) (*File, error) {
	lx := newLexer(name, src)
	// About one token per six bytes of source; growing the slice by doubling instead
	// allocated (and copied) several times the final size.
	p := &parser{file: name, lx: lx, toks: make([]token, 0, len(src)/6+16)}
	for {
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		p.toks = append(p.toks, t)
		if t.kind == tEOF {
			break
		}
	}
	return p.parseFile()
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekN(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) nextTok() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errf(t token, format string, a ...any) *Error {
	return &Error{File: p.file, Line: t.line, Col: t.col, Msg: fmt.Sprintf(format, a...)}
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tText:
		return "text string"
	case tInt:
		return "integer number"
	}
	return fmt.Sprintf("%q", t.text)
}

func (p *parser) unexpected(t token) *Error {
	return p.errf(t, "syntax error, unexpected %s", describe(t))
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tPunct && t.text == s
}
func (p *parser) isKw(s string) bool {
	t := p.peek()
	return t.kind == tIdent && t.text == s
}

func (p *parser) expectPunct(s string) (token, *Error) {
	t := p.nextTok()
	if t.kind != tPunct || t.text != s {
		return t, p.unexpected(t)
	}
	return t, nil
}

func (p *parser) expectKw(s string) *Error {
	t := p.nextTok()
	if t.kind != tIdent || t.text != s {
		return p.unexpected(t)
	}
	return nil
}

var keywords = map[string]bool{
	"all": true, "and": true, "any": true, "ascii": true, "at": true, "base64": true, "base64wide": true,
	"condition": true, "contains": true, "endswith": true, "entrypoint": true, "false": true, "filesize": true,
	"for": true, "fullword": true, "global": true, "import": true, "icontains": true, "iendswith": true,
	"iequals": true, "in": true, "include": true, "int16": true, "int16be": true, "int32": true, "int32be": true,
	"int8": true, "int8be": true, "istartswith": true, "matches": true, "meta": true, "nocase": true, "none": true,
	"not": true, "of": true, "or": true, "private": true, "rule": true, "startswith": true, "strings": true,
	"them": true, "true": true, "uint16": true, "uint16be": true, "uint32": true, "uint32be": true, "uint8": true,
	"uint8be": true, "wide": true, "xor": true, "defined": true,
}

func (p *parser) parseFile() (*File, error) {
	f := &File{Name: p.file}
	for p.peek().kind != tEOF {
		t := p.peek()
		switch {
		case t.kind == tIdent && t.text == "import":
			p.nextTok()
			s := p.nextTok()
			if s.kind != tText {
				return nil, p.unexpected(s)
			}
			f.Imports = append(f.Imports, s.text)
		case t.kind == tIdent && t.text == "include":
			return nil, p.errf(t, "includes are disabled")
		case t.kind == tIdent && (t.text == "rule" || t.text == "private" || t.text == "global"):
			r, err := p.parseRule()
			if err != nil {
				return nil, err
			}
			f.Rules = append(f.Rules, r)
		default:
			return nil, p.unexpected(t)
		}
	}
	return f, nil
}

func (p *parser) parseRule() (*Rule, *Error) {
	r := &Rule{}
	for {
		t := p.peek()
		if t.kind == tIdent && t.text == "private" {
			r.Private = true
			p.nextTok()
		} else if t.kind == tIdent && t.text == "global" {
			r.Global = true
			p.nextTok()
		} else {
			break
		}
	}
	if err := p.expectKw("rule"); err != nil {
		return nil, err
	}
	name := p.nextTok()
	if name.kind != tIdent || keywords[name.text] {
		return nil, p.unexpected(name)
	}
	r.Name, r.Line, r.Col = name.text, name.line, name.col
	if p.isPunct(":") {
		p.nextTok()
		for p.peek().kind == tIdent && !keywords[p.peek().text] {
			r.Tags = append(r.Tags, p.nextTok().text)
		}
		if len(r.Tags) == 0 {
			return nil, p.unexpected(p.peek())
		}
	}
	if _, err := p.expectPunct("{"); err != nil {
		return nil, err
	}
	if p.isKw("meta") {
		p.nextTok()
		if _, err := p.expectPunct(":"); err != nil {
			return nil, err
		}
		for p.peek().kind == tIdent && p.peekN(1).kind == tPunct && p.peekN(1).text == "=" {
			k := p.nextTok()
			p.nextTok()
			v := p.nextTok()
			var val any
			switch {
			case v.kind == tText:
				val = v.text
			case v.kind == tInt:
				val = v.ival
			case v.kind == tPunct && v.text == "-" && p.peek().kind == tInt:
				val = -p.nextTok().ival
			case v.kind == tIdent && (v.text == "true" || v.text == "false"):
				val = v.text == "true"
			default:
				return nil, p.unexpected(v)
			}
			r.Meta = append(r.Meta, Meta{Key: k.text, Value: val})
		}
	}
	if p.isKw("strings") {
		p.nextTok()
		if _, err := p.expectPunct(":"); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for p.peek().kind == tStrID {
			s, err := p.parseStringDef()
			if err != nil {
				return nil, err
			}
			if seen[s.ID] && s.ID != "$" {
				return nil, &Error{File: p.file, Line: s.Line, Col: s.Col, Msg: fmt.Sprintf("duplicated string identifier %q", s.ID)}
			}
			seen[s.ID] = true
			r.Strings = append(r.Strings, s)
		}
		if len(r.Strings) == 0 {
			return nil, p.unexpected(p.peek())
		}
	}
	if err := p.expectKw("condition"); err != nil {
		return nil, err
	}
	if _, err := p.expectPunct(":"); err != nil {
		return nil, err
	}
	cond, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	r.Cond = cond
	if _, err := p.expectPunct("}"); err != nil {
		return nil, err
	}
	return r, nil
}

func (p *parser) parseStringDef() (*StringDef, *Error) {
	id := p.nextTok()
	if strings.HasSuffix(id.text, "*") {
		return nil, p.unexpected(id)
	}
	s := &StringDef{ID: id.text, Line: id.line, Col: id.col}
	if _, err := p.expectPunct("="); err != nil {
		return nil, err
	}
	v := p.nextTok()
	switch v.kind {
	case tText:
		s.Kind, s.Text = KindText, v.text
		if len(v.text) == 0 {
			return nil, p.errf(v, "empty string %q", s.ID)
		}
	case tHex:
		s.Kind, s.Text = KindHex, v.text
	case tRegex:
		s.Kind, s.Text, s.ReFlags = KindRegex, v.text, v.reFlags
	default:
		return nil, p.unexpected(v)
	}
	seen := map[string]bool{}
	for p.peek().kind == tIdent {
		m := p.peek()
		ok := true
		switch m.text {
		case "nocase", "wide", "ascii", "fullword", "private", "xor", "base64", "base64wide":
		default:
			ok = false
		}
		if !ok {
			break
		}
		p.nextTok()
		if seen[m.text] {
			return nil, p.errf(m, "duplicated modifier")
		}
		seen[m.text] = true
		allowed := true
		switch s.Kind {
		case KindHex:
			allowed = m.text == "private"
		case KindRegex:
			allowed = m.text != "xor" && m.text != "base64" && m.text != "base64wide"
		}
		if !allowed {
			return nil, p.errf(m, "syntax error, unexpected %q", m.text)
		}
		switch m.text {
		case "nocase":
			s.Mods.NoCase = true
		case "wide":
			s.Mods.Wide = true
		case "ascii":
			s.Mods.ASCII = true
		case "fullword":
			s.Mods.Fullword = true
		case "private":
			s.Mods.Private = true
		case "xor":
			s.Mods.Xor, s.Mods.XorMin, s.Mods.XorMax = true, 0, 255
			if p.isPunct("(") {
				p.nextTok()
				a := p.nextTok()
				if a.kind != tInt {
					return nil, p.unexpected(a)
				}
				s.Mods.XorMin, s.Mods.XorMax = int(a.ival), int(a.ival)
				if p.isPunct("-") {
					p.nextTok()
					b := p.nextTok()
					if b.kind != tInt {
						return nil, p.unexpected(b)
					}
					s.Mods.XorMax = int(b.ival)
				}
				if _, err := p.expectPunct(")"); err != nil {
					return nil, err
				}
				if s.Mods.XorMin < 0 || s.Mods.XorMax > 255 || s.Mods.XorMin > s.Mods.XorMax {
					return nil, p.errf(a, "invalid xor range")
				}
			}
		case "base64", "base64wide":
			if m.text == "base64" {
				s.Mods.Base64 = true
			} else {
				s.Mods.Base64Wide = true
			}
			if p.isPunct("(") {
				p.nextTok()
				a := p.nextTok()
				if a.kind != tText {
					return nil, p.unexpected(a)
				}
				if len(a.text) != 64 {
					return nil, p.errf(a, "length of base64 alphabet must be 64")
				}
				if s.Mods.B64Alphabet != "" && s.Mods.B64Alphabet != a.text {
					return nil, p.errf(a, "can not specify multiple alphabets")
				}
				s.Mods.B64Alphabet = a.text
				if _, err := p.expectPunct(")"); err != nil {
					return nil, err
				}
			}
		}
	}
	md := s.Mods
	if md.Xor && (md.NoCase || md.Base64 || md.Base64Wide) {
		return nil, p.errf(id, "invalid modifier combination: xor nocase/base64")
	}
	if (md.Base64 || md.Base64Wide) && (md.NoCase || md.Fullword) {
		return nil, p.errf(id, "invalid modifier combination: base64 nocase/fullword")
	}
	return s, nil
}

// Expression grammar, lowest precedence first: or, and, not, comparison, |, ^, &, shifts,
// additive, multiplicative, unary, postfix.
func (p *parser) parseExpr() (Expr, *Error) { return p.parseOr() }

func (p *parser) parseOr() (Expr, *Error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.isKw("or") {
		t := p.nextTok()
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = &binExpr{at{t.line, t.col}, "or", l, r}
	}
	return l, nil
}

func (p *parser) parseAnd() (Expr, *Error) {
	l, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	for p.isKw("and") {
		t := p.nextTok()
		r, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		l = &binExpr{at{t.line, t.col}, "and", l, r}
	}
	return l, nil
}

func (p *parser) parseNot() (Expr, *Error) {
	if p.isKw("not") {
		t := p.nextTok()
		x, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &unary{at{t.line, t.col}, "not", x}, nil
	}
	return p.parseCmp()
}

var cmpOps = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true,
	"contains": true, "icontains": true, "startswith": true, "istartswith": true, "endswith": true,
	"iendswith": true, "iequals": true, "matches": true}

func (p *parser) parseCmp() (Expr, *Error) {
	l, err := p.parseBin(0)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if !((t.kind == tPunct || t.kind == tIdent) && cmpOps[t.text]) {
			return l, nil
		}
		p.nextTok()
		if t.text == "matches" {
			re := p.nextTok()
			if re.kind != tRegex {
				return nil, p.unexpected(re)
			}
			l = &binExpr{at{t.line, t.col}, "matches", l, &strLit{at{re.line, re.col}, "/" + re.reFlags + "/" + re.text}}
			continue
		}
		r, err := p.parseBin(0)
		if err != nil {
			return nil, err
		}
		l = &binExpr{at{t.line, t.col}, t.text, l, r}
	}
}

var binLevels = [][]string{{"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "\\", "%"}}

func (p *parser) parseBin(level int) (Expr, *Error) {
	if level == len(binLevels) {
		return p.parseUnary()
	}
	l, err := p.parseBin(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tPunct {
			return l, nil
		}
		found := false
		for _, op := range binLevels[level] {
			if t.text == op {
				found = true
			}
		}
		if !found {
			return l, nil
		}
		// "50% of" is a percentage quantifier, not a modulo.
		if t.text == "%" && p.peekN(1).kind == tIdent && p.peekN(1).text == "of" {
			return l, nil
		}
		p.nextTok()
		r, err := p.parseBin(level + 1)
		if err != nil {
			return nil, err
		}
		l = &binExpr{at{t.line, t.col}, t.text, l, r}
	}
}

func (p *parser) parseUnary() (Expr, *Error) {
	if p.isPunct("-") || p.isPunct("~") {
		t := p.nextTok()
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &unary{at{t.line, t.col}, t.text, x}, nil
	}
	return p.parsePostfix()
}

func (p *parser) parsePostfix() (Expr, *Error) {
	x, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isPunct("."):
			t := p.nextTok()
			n := p.nextTok()
			if n.kind != tIdent {
				return nil, p.unexpected(n)
			}
			x = &field{at{t.line, t.col}, x, n.text}
		case p.isPunct("["):
			t := p.nextTok()
			i, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if _, err := p.expectPunct("]"); err != nil {
				return nil, err
			}
			x = &index{at{t.line, t.col}, x, i}
		case p.isPunct("("):
			if _, ok := x.(*ident); !ok {
				if _, ok := x.(*field); !ok {
					return x, nil
				}
			}
			t := p.nextTok()
			var args []Expr
			for !p.isPunct(")") {
				a, err := p.parseExpr()
				if err != nil {
					return nil, err
				}
				args = append(args, a)
				if !p.isPunct(",") {
					break
				}
				p.nextTok()
			}
			if _, err := p.expectPunct(")"); err != nil {
				return nil, err
			}
			x = &call{at{t.line, t.col}, x, args}
		default:
			return x, nil
		}
	}
}

func (p *parser) parseRange() (Expr, Expr, *Error) {
	if _, err := p.expectPunct("("); err != nil {
		return nil, nil, err
	}
	lo, err := p.parseBin(0)
	if err != nil {
		return nil, nil, err
	}
	if _, err := p.expectPunct(".."); err != nil {
		return nil, nil, err
	}
	hi, err := p.parseBin(0)
	if err != nil {
		return nil, nil, err
	}
	if _, err := p.expectPunct(")"); err != nil {
		return nil, nil, err
	}
	return lo, hi, nil
}

var intFuncs = map[string]bool{"int8": true, "int16": true, "int32": true, "uint8": true, "uint16": true, "uint32": true,
	"int8be": true, "int16be": true, "int32be": true, "uint8be": true, "uint16be": true, "uint32be": true}

func (p *parser) parsePrimary() (Expr, *Error) {
	t := p.peek()
	pos := at{t.line, t.col}
	switch t.kind {
	case tInt:
		p.nextTok()
		if p.isKw("of") || (p.isPunct("%") && p.peekN(1).kind == tIdent && p.peekN(1).text == "of") {
			q := quant{kind: "expr", n: &intLit{pos, t.ival}}
			if p.isPunct("%") {
				p.nextTok()
				q.percent = true
			}
			return p.parseOf(pos, q)
		}
		return &intLit{pos, t.ival}, nil
	case tFloat:
		p.nextTok()
		return &floatLit{pos, t.fval}, nil
	case tText:
		p.nextTok()
		return &strLit{pos, t.text}, nil
	case tStrID:
		p.nextTok()
		if strings.HasSuffix(t.text, "*") {
			return nil, p.unexpected(t)
		}
		m := &strMatch{at: pos, id: t.text}
		if p.isKw("at") {
			p.nextTok()
			e, err := p.parseBin(0)
			if err != nil {
				return nil, err
			}
			m.atE = e
		} else if p.isKw("in") {
			p.nextTok()
			lo, hi, err := p.parseRange()
			if err != nil {
				return nil, err
			}
			m.lo, m.hi = lo, hi
		}
		return m, nil
	case tCountID:
		p.nextTok()
		c := &strCount{at: pos, id: "$" + t.text[1:]}
		if p.isKw("in") {
			p.nextTok()
			lo, hi, err := p.parseRange()
			if err != nil {
				return nil, err
			}
			c.lo, c.hi = lo, hi
		}
		return c, nil
	case tOffsetID, tLengthID:
		p.nextTok()
		o := &strOffset{at: pos, id: "$" + t.text[1:], length: t.kind == tLengthID}
		if p.isPunct("[") {
			p.nextTok()
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if _, err := p.expectPunct("]"); err != nil {
				return nil, err
			}
			o.idx = e
		}
		return o, nil
	case tPunct:
		if t.text == "(" {
			p.nextTok()
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if _, err := p.expectPunct(")"); err != nil {
				return nil, err
			}
			if p.isKw("of") {
				return p.parseOf(pos, quant{kind: "expr", n: e})
			}
			return e, nil
		}
	case tIdent:
		switch t.text {
		case "true", "false":
			p.nextTok()
			return &boolLit{pos, t.text == "true"}, nil
		case "filesize":
			p.nextTok()
			return &filesize{pos}, nil
		case "entrypoint":
			return nil, p.errf(t, "entrypoint is deprecated and not supported; use pe.entry_point")
		case "any", "all", "none":
			p.nextTok()
			return p.parseOf(pos, quant{kind: t.text})
		case "for":
			return p.parseFor()
		case "them":
			return nil, p.unexpected(t)
		}
		if intFuncs[t.text] {
			p.nextTok()
			if _, err := p.expectPunct("("); err != nil {
				return nil, err
			}
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if _, err := p.expectPunct(")"); err != nil {
				return nil, err
			}
			return &intFunc{pos, t.text, e}, nil
		}
		if keywords[t.text] {
			return nil, p.unexpected(t)
		}
		p.nextTok()
		return &ident{pos, t.text}, nil
	}
	return nil, p.unexpected(t)
}

func (p *parser) parseStringSet() ([]string, *Error) {
	if p.isKw("them") {
		p.nextTok()
		return nil, nil
	}
	if _, err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var ids []string
	for {
		t := p.nextTok()
		if t.kind != tStrID {
			return nil, p.unexpected(t)
		}
		ids = append(ids, t.text)
		if p.isPunct(",") {
			p.nextTok()
			continue
		}
		break
	}
	if _, err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	return ids, nil
}

func (p *parser) parseOf(pos at, q quant) (Expr, *Error) {
	if err := p.expectKw("of"); err != nil {
		return nil, err
	}
	ids, err := p.parseStringSet()
	if err != nil {
		return nil, err
	}
	if ids == nil {
		ids = []string{}
		return &ofExpr{at: pos, q: q, ids: nil}, nil
	}
	return &ofExpr{at: pos, q: q, ids: ids}, nil
}

func (p *parser) parseQuant() (quant, *Error) {
	t := p.peek()
	if t.kind == tIdent && (t.text == "any" || t.text == "all" || t.text == "none") {
		p.nextTok()
		return quant{kind: t.text}, nil
	}
	e, err := p.parseBin(0)
	if err != nil {
		return quant{}, err
	}
	q := quant{kind: "expr", n: e}
	if p.isPunct("%") {
		p.nextTok()
		q.percent = true
	}
	return q, nil
}

func (p *parser) parseFor() (Expr, *Error) {
	t := p.nextTok()
	pos := at{t.line, t.col}
	q, err := p.parseQuant()
	if err != nil {
		return nil, err
	}
	if p.isKw("of") {
		p.nextTok()
		ids, err := p.parseStringSet()
		if err != nil {
			return nil, err
		}
		if _, err := p.expectPunct(":"); err != nil {
			return nil, err
		}
		body, err := p.parseParenBody()
		if err != nil {
			return nil, err
		}
		return &ofExpr{at: pos, q: q, ids: ids, body: body}, nil
	}
	f := &forIn{at: pos, q: q}
	for {
		v := p.nextTok()
		if v.kind != tIdent || keywords[v.text] {
			return nil, p.unexpected(v)
		}
		f.vars = append(f.vars, v.text)
		if !p.isPunct(",") {
			break
		}
		p.nextTok()
	}
	if err := p.expectKw("in"); err != nil {
		return nil, err
	}
	if p.isPunct("(") {
		p.nextTok()
		first, err := p.parseBin(0)
		if err != nil {
			return nil, err
		}
		if p.isPunct("..") {
			p.nextTok()
			hi, err := p.parseBin(0)
			if err != nil {
				return nil, err
			}
			f.lo, f.hi = first, hi
		} else {
			f.list = []Expr{first}
			for p.isPunct(",") {
				p.nextTok()
				e, err := p.parseBin(0)
				if err != nil {
					return nil, err
				}
				f.list = append(f.list, e)
			}
		}
		if _, err := p.expectPunct(")"); err != nil {
			return nil, err
		}
	} else {
		e, err := p.parsePostfix()
		if err != nil {
			return nil, err
		}
		f.iter = e
	}
	if _, err := p.expectPunct(":"); err != nil {
		return nil, err
	}
	body, err := p.parseParenBody()
	if err != nil {
		return nil, err
	}
	f.body = body
	return f, nil
}

func (p *parser) parseParenBody() (Expr, *Error) {
	if _, err := p.expectPunct("("); err != nil {
		return nil, err
	}
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if _, err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	return e, nil
}
