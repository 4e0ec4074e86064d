// Package yara implements a YARA 4.2 compatible rule language: a parser, a compiler that turns
// strings into atoms for one atom index (atoms.go) plus byte-level regular-expression programs,
// and a scanner that evaluates conditions over the matches. It is plain Go so it runs both
// natively and inside the wasip1 guest.
package yara

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is a compile error or warning with its position in the rule source.
type Error struct {
	// File is the ruleset name.
	File string
	// Line and Col are 1-based.
	Line, Col int
	// Rule is the rule being compiled, if any.
	Rule string
	// Msg says what is wrong.
	Msg string
	// Warning marks lint findings that do not stop compilation.
	Warning bool
}

func (e *Error) Error() string {
	kind := "error"
	if e.Warning {
		kind = "warning"
	}
	return fmt.Sprintf("%s(%d:%d): %s: %s", e.File, e.Line, e.Col, kind, e.Msg)
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tStrID     // $a, $, $a*
	tCountID   // #a
	tOffsetID  // @a
	tLengthID  // !a
	tInt       // integer literal
	tFloat     // float literal
	tText      // "..."
	tHex       // { ... } after '=' in strings
	tRegex     // /.../
	tPunct     // operators and punctuation
	tBadEscape // placeholder, never returned
)

type token struct {
	kind tokKind
	text string // identifier, punctuation, decoded text string, hex/regex body
	ival int64
	fval float64
	line int
	col  int
	// regex flags
	reFlags string
}

type lexer struct {
	src       string
	pos       int
	line, col int
	prev      token
	file      string
}

func newLexer(file, src string) *lexer {
	return &lexer{src: src, line: 1, col: 1, file: file}
}

func (l *lexer) errAt(line, col int, format string, a ...any) *Error {
	return &Error{File: l.file, Line: line, Col: col, Msg: fmt.Sprintf(format, a...)}
}

func (l *lexer) advance(n int) {
	for i := 0; i < n && l.pos < len(l.src); i++ {
		if l.src[l.pos] == '\n' {
			l.line++
			l.col = 1
		} else {
			l.col++
		}
		l.pos++
	}
}

// skipSpace skips white space and comments.
func (l *lexer) skipSpace() *Error {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v':
			l.advance(1)
		case strings.HasPrefix(l.src[l.pos:], "//"):
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.advance(1)
			}
		case strings.HasPrefix(l.src[l.pos:], "/*"):
			line, col := l.line, l.col
			end := strings.Index(l.src[l.pos+2:], "*/")
			if end < 0 {
				return l.errAt(line, col, "unterminated comment")
			}
			l.advance(end + 4)
		default:
			return nil
		}
	}
	return nil
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

var puncts = []string{"..", "==", "!=", "<=", ">=", "<<", ">>", "(", ")", "[", "]", "{", "}", ":", ",", "=", "<", ">", "+", "-", "*", "\\", "%", "&", "|", "^", "~", "."}

func (l *lexer) next() (token, *Error) {
	t, err := l.lex()
	if err == nil {
		l.prev = t
	}
	return t, err
}

func (l *lexer) lex() (token, *Error) {
	if err := l.skipSpace(); err != nil {
		return token{}, err
	}
	t := token{line: l.line, col: l.col}
	if l.pos >= len(l.src) {
		t.kind = tEOF
		return t, nil
	}
	c := l.src[l.pos]
	rest := l.src[l.pos:]
	switch {
	case c == '"':
		return l.lexText(t)
	case c == '/':
		return l.lexRegex(t)
	case c == '{' && l.prev.kind == tPunct && l.prev.text == "=":
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return t, l.errAt(t.line, t.col, "unterminated hex string")
		}
		t.kind = tHex
		t.text = rest[1:end]
		l.advance(end + 1)
		return t, nil
	case c == '$' || c == '#' || c == '@' || c == '!':
		if c == '!' && strings.HasPrefix(rest, "!=") {
			break
		}
		n := 1
		for n < len(rest) && isIdentChar(rest[n]) {
			n++
		}
		if c == '$' && n < len(rest) && rest[n] == '*' {
			n++
		}
		t.text = rest[:n]
		switch c {
		case '$':
			t.kind = tStrID
		case '#':
			t.kind = tCountID
		case '@':
			t.kind = tOffsetID
		default:
			t.kind = tLengthID
		}
		l.advance(n)
		return t, nil
	case isIdentStart(c):
		n := 1
		for n < len(rest) && isIdentChar(rest[n]) {
			n++
		}
		t.kind = tIdent
		t.text = rest[:n]
		if n > 128 {
			return t, l.errAt(t.line, t.col, "identifier too long")
		}
		l.advance(n)
		return t, nil
	case c >= '0' && c <= '9':
		return l.lexNumber(t)
	}
	for _, p := range puncts {
		if strings.HasPrefix(rest, p) {
			t.kind = tPunct
			t.text = p
			l.advance(len(p))
			return t, nil
		}
	}
	return t, l.errAt(t.line, t.col, "syntax error, unexpected character %q", c)
}

func (l *lexer) lexNumber(t token) (token, *Error) {
	rest := l.src[l.pos:]
	n := 0
	if strings.HasPrefix(rest, "0x") || strings.HasPrefix(rest, "0X") {
		n = 2
		for n < len(rest) && strings.IndexByte("0123456789abcdefABCDEF", rest[n]) >= 0 {
			n++
		}
		v, err := strconv.ParseUint(rest[2:n], 16, 64)
		if err != nil {
			return t, l.errAt(t.line, t.col, "invalid hex number %q", rest[:n])
		}
		t.kind, t.ival, t.text = tInt, int64(v), rest[:n]
		l.advance(n)
		return t, nil
	}
	if strings.HasPrefix(rest, "0o") {
		n = 2
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '7' {
			n++
		}
		v, err := strconv.ParseUint(rest[2:n], 8, 64)
		if err != nil {
			return t, l.errAt(t.line, t.col, "invalid octal number %q", rest[:n])
		}
		t.kind, t.ival, t.text = tInt, int64(v), rest[:n]
		l.advance(n)
		return t, nil
	}
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n+1 < len(rest) && rest[n] == '.' && rest[n+1] >= '0' && rest[n+1] <= '9' {
		n++
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		f, err := strconv.ParseFloat(rest[:n], 64)
		if err != nil {
			return t, l.errAt(t.line, t.col, "invalid number %q", rest[:n])
		}
		t.kind, t.fval, t.text = tFloat, f, rest[:n]
		l.advance(n)
		return t, nil
	}
	v, err := strconv.ParseInt(rest[:n], 10, 64)
	if err != nil {
		return t, l.errAt(t.line, t.col, "integer overflow %q", rest[:n])
	}
	mult := int64(1)
	if strings.HasPrefix(rest[n:], "KB") {
		mult, n = 1024, n+2
	} else if strings.HasPrefix(rest[n:], "MB") {
		mult, n = 1024*1024, n+2
	}
	t.kind, t.ival, t.text = tInt, v*mult, rest[:n]
	l.advance(n)
	return t, nil
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (l *lexer) lexText(t token) (token, *Error) {
	var b strings.Builder
	i := l.pos + 1
	for {
		if i >= len(l.src) || l.src[i] == '\n' {
			return t, l.errAt(t.line, t.col, "unterminated string")
		}
		c := l.src[i]
		if c == '"' {
			i++
			break
		}
		if c == '\\' {
			if i+1 >= len(l.src) {
				return t, l.errAt(t.line, t.col, "unterminated string")
			}
			e := l.src[i+1]
			switch e {
			case '"', '\\':
				b.WriteByte(e)
				i += 2
			case 'n':
				b.WriteByte('\n')
				i += 2
			case 't':
				b.WriteByte('\t')
				i += 2
			case 'r':
				b.WriteByte('\r')
				i += 2
			case 'x':
				if i+3 < len(l.src) && hexVal(l.src[i+2]) >= 0 && hexVal(l.src[i+3]) >= 0 {
					b.WriteByte(byte(hexVal(l.src[i+2])<<4 | hexVal(l.src[i+3])))
					i += 4
				} else {
					return t, l.errAt(t.line, t.col+(i-l.pos), "illegal escape sequence")
				}
			default:
				return t, l.errAt(t.line, t.col+(i-l.pos), "illegal escape sequence")
			}
			continue
		}
		b.WriteByte(c)
		i++
	}
	t.kind = tText
	t.text = b.String()
	l.advance(i - l.pos)
	return t, nil
}

func (l *lexer) lexRegex(t token) (token, *Error) {
	i := l.pos + 1
	var b strings.Builder
	for {
		if i >= len(l.src) || l.src[i] == '\n' {
			return t, l.errAt(t.line, t.col, "unterminated regular expression")
		}
		c := l.src[i]
		if c == '\\' && i+1 < len(l.src) {
			if l.src[i+1] == '/' {
				b.WriteByte('/')
			} else {
				b.WriteByte(c)
				b.WriteByte(l.src[i+1])
			}
			i += 2
			continue
		}
		if c == '/' {
			i++
			break
		}
		b.WriteByte(c)
		i++
	}
	flags := ""
	for i < len(l.src) && (l.src[i] == 'i' || l.src[i] == 's') {
		flags += string(l.src[i])
		i++
	}
	t.kind = tRegex
	t.text = b.String()
	t.reFlags = flags
	if t.text == "" {
		return t, l.errAt(t.line, t.col, "empty regular expression")
	}
	l.advance(i - l.pos)
	return t, nil
}
