package yara

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestParseConstructs(t *testing.T) {
	tests := []struct{ name, src string }{
		{"minimal", `rule a { condition: true }`},
		{"tags", `rule a : t1 t2 { condition: true }`},
		{"private global", `private global rule a { condition: true }`},
		{"meta", `rule a { meta: s = "x" i = 10 n = -5 b = true f = false condition: true }`},
		{"import", `import "pe" rule a { condition: pe.is_pe }`},
		{"comments", "// c\n/* block\n */ rule a { condition: /* in */ true // end\n }"},
		{"text escapes", `rule a { strings: $a = "\x41\n\t\r\"\\" condition: $a }`},
		{"text modifiers", `rule a { strings: $a = "abc" nocase wide ascii fullword private condition: $a }`},
		{"xor range", `rule a { strings: $a = "abc" xor(1-255) condition: $a }`},
		{"xor single", `rule a { strings: $a = "abc" xor(7) condition: $a }`},
		{"base64 alphabet", `rule a { strings: $a = "abcd" base64("!@#$%^&*(){}[].,|ABCDEFGHIJ\x09LMNOPQRSTUVWXYZabcdefghijklmnopqrstu") condition: $a }`},
		{"base64wide", `rule a { strings: $a = "abcd" base64wide condition: $a }`},
		{"hex", `rule a { strings: $a = { 4D 5A ?? ?1 A? [2] [1-3] [4-] ( 00 | 01 02 ) } condition: $a }`},
		{"regex flags", `rule a { strings: $a = /ab[cd]+\/x/is condition: $a }`},
		{"anonymous strings", `rule a { strings: $ = "a1" $ = "b2" condition: all of them }`},
		{"counts offsets", `rule a { strings: $a = "ab" condition: #a > 1 and @a[1] == 0 and !a[1] == 2 and @a == 0 }`},
		{"at in", `rule a { strings: $a = "ab" condition: $a at 0 or $a in (0..filesize-1) }`},
		{"count in", `rule a { strings: $a = "ab" condition: #a in (0..10) > 0 }`},
		{"of forms", `rule a { strings: $a1 = "x" $a2 = "y" condition: any of them and all of ($a*) and none of ($a1) and 1 of ($a1, $a2) and 50% of them }`},
		{"for of", `rule a { strings: $a = "x" condition: for any of ($a) : ( $ at 0 and # > 0 and @ > 0 and ! > 0 ) }`},
		{"for in range", `rule a { condition: for all i in (0..3) : ( i >= 0 ) }`},
		{"for in list", `rule a { condition: for any i in (1, 2, 3) : ( i == 2 ) }`},
		{"for in array", `import "pe" rule a { condition: for any s in pe.sections : ( s.name == ".text" ) }`},
		{"arith", `rule a { condition: (1 + 2 * 3 - 4 \ 2 % 3) << 1 >> 1 & 0xff | 0o7 ^ ~1 == -1 or 1KB == 1024 }`},
		{"int funcs", `rule a { condition: uint8(0) + uint16be(0) + int32(0) + uint32be(0) + int8be(0) > 0 }`},
		{"string ops", `rule a { condition: "a" contains "a" and "a" icontains "A" and "ab" startswith "a" and "ab" iendswith "B" and "a" iequals "A" and "abc" matches /b/ }`},
		{"float", `rule a { condition: 1.5 > 1 }`},
		{"rule ref", `rule a { condition: true } rule b { condition: a and not a }`},
		{"module call", `import "math" rule a { condition: math.entropy(0, filesize) > math.MEAN_BYTES }`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile([]Source{{Name: "t.yar", Text: tc.src}}); err != nil {
				t.Fatalf("compile: %v", err)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, src  string
		line, col  int
		msgContain string
	}{
		{"undefined string", "rule a {\n condition: $x }", 2, 13, "undefined string identifier"},
		{"unreferenced string", "rule a { strings:\n  $a = \"x\"\n condition: true }", 2, 3, "unreferenced string"},
		{"duplicate rule", "rule a { condition: true }\nrule a { condition: true }", 2, 6, "duplicated identifier"},
		{"duplicate string", "rule a { strings: $a = \"x\"\n $a = \"y\" condition: $a }", 2, 2, "duplicated string identifier"},
		{"unknown module", `import "nope" rule a { condition: true }`, 1, 1, "unknown module"},
		{"module not imported", "rule a {\n condition: pe.is_pe }", 2, 13, "undefined identifier"},
		{"undefined rule", "rule a { condition:\n  b }", 2, 3, "undefined identifier"},
		{"syntax", "rule a {\n condition: true and }", 2, 22, "syntax error"},
		{"missing condition", "rule a { strings: $a = \"x\" }", 1, 28, "syntax error"},
		{"bad escape", `rule a { strings: $a = "\q" condition: $a }`, 1, 25, "illegal escape"},
		{"backreference", `rule a { strings: $a = /(a)\1/ condition: $a }`, 1, 19, "backreferences"},
		{"bad hex", `rule a { strings: $a = { 4G } condition: $a }`, 1, 19, "invalid hex digit"},
		{"hex starts with jump", `rule a { strings: $a = { [2] 4D } condition: $a }`, 1, 19, "jump"},
		{"xor nocase", `rule a { strings: $a = "abc" xor nocase condition: $a }`, 1, 19, "invalid modifier combination"},
		{"base64 alphabet length", `rule a { strings: $a = "abc" base64("abc") condition: $a }`, 1, 37, "alphabet"},
		{"hex nocase", `rule a { strings: $a = { 41 } nocase condition: $a }`, 1, 31, "unexpected"},
		{"division by zero", `rule a { condition: 1 \ 0 }`, 1, 25, "division by zero"},
		{"anonymous outside for", `rule a { strings: $a = "x" condition: $ and $a }`, 1, 39, "outside of for"},
		{"unterminated string", "rule a { strings: $a = \"abc\n condition: $a }", 1, 24, "unterminated"},
		{"unterminated comment", "rule a { condition: true } /* x", 1, 28, "unterminated comment"},
		{"wildcard no match", `rule a { strings: $a = "x" condition: $a and any of ($b*) }`, 1, 46, "undefined string identifier"},
		{"bad repeat", `rule a { strings: $a = /a{3,1}/ condition: $a }`, 1, 19, "bad repeat"},
		{"nothing to repeat", `rule a { strings: $a = /+a/ condition: $a }`, 1, 19, "repeat"},
		{"include", `include "x.yar"`, 1, 1, "includes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile([]Source{{Name: "t.yar", Text: tc.src}})
			if err == nil {
				t.Fatal("compiled, want error")
			}
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T %v is not *Error", err, err)
			}
			if e.Line != tc.line || e.Col != tc.col || !strings.Contains(e.Msg, tc.msgContain) {
				t.Errorf("got %d:%d %q, want %d:%d containing %q", e.Line, e.Col, e.Msg, tc.line, tc.col, tc.msgContain)
			}
		})
	}
}

// TestErrorsAgreeWithYara checks that every rule the engine rejects above is rejected by yara
// too, and on the same line.
func TestErrorsAgreeWithYara(t *testing.T) {
	if _, err := exec.LookPath("yara"); err != nil {
		t.Skip("yara not installed (make test-deps)")
	}
	srcs := []string{
		"rule a {\n condition: $x }",
		"rule a { strings:\n  $a = \"x\"\n condition: true }",
		"rule a { condition: true }\nrule a { condition: true }",
		"rule a {\n condition: pe.is_pe }",
		"rule a {\n condition: true and }",
		`rule a { strings: $a = /(a)\1/ condition: $a }`,
		`rule a { strings: $a = { 4G } condition: $a }`,
		`rule a { strings: $a = { [2] 4D } condition: $a }`,
		`rule a { strings: $a = "abc" xor nocase condition: $a }`,
		`rule a { strings: $a = /(?:ab)/ condition: $a }`,
		`rule a { strings: $a = "x" condition: $a and any of ($b*) }`,
		`rule a { strings: $a = "\q" condition: $a }`,
		`rule a { condition: 1 \ 0 }`,
	}
	dir := t.TempDir()
	for i, src := range srcs {
		f := filepath.Join(dir, "r.yar")
		if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		out, yerr := exec.Command("yara", f, f).CombinedOutput()
		_, err := Compile([]Source{{Name: "r.yar", Text: src}})
		if (yerr == nil) != (err == nil) {
			t.Errorf("case %d %q: yara err=%v (%s), engine err=%v", i, src, yerr, out, err)
			continue
		}
		if e, ok := err.(*Error); ok && !strings.Contains(string(out), "("+strconv.Itoa(e.Line)+")") {
			t.Errorf("case %d: yara says %q, engine line %d", i, out, e.Line)
		}
	}
}
