package yara

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzCompile feeds arbitrary sources to the parser and compiler: they must return an error or
// rules, never panic or hang.
func FuzzCompile(f *testing.F) {
	files, _ := filepath.Glob("testdata/diff/*.yar")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add(`rule a { strings: $a = { 4D [1-2] ( 5A | ?? ) } $b = /a(b|c)*d{2,3}?/is condition: for any of them : ( # > 1 ) }`)
	f.Add(`rule a { condition: uint32(0) \ 0 }`)
	f.Fuzz(func(t *testing.T, src string) {
		rs, err := Compile([]Source{{Name: "f.yar", Text: src}})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T is not *Error", err)
			}
			return
		}
		rs.Scan([]byte("MZ hello world \x00\x01 eval(atob("), ScanOptions{Deadline: time.Now().Add(time.Second)})
	})
}

// FuzzScan runs a ruleset that exercises every matcher over arbitrary data.
func FuzzScan(f *testing.F) {
	src := `import "pe"
import "elf"
import "math"
import "hash"
rule a { strings: $t = "hello" nocase wide ascii fullword $x = "abc" xor $b = "program" base64
  $h = { 4D 5A [0-64] 50 45 ( 00 | 01 ) } $r = /[a-z]{2,8}\d+/ $s = /.{0,3}x/ condition:
  any of them or pe.is_pe or elf.type == 2 or math.entropy(0, filesize) > 7 or
  hash.md5(0, 4) == "x" or for any i in (1..#r) : ( @r[i] > 3 ) or uint32(filesize - 4) == 1 }`
	rs, err := Compile([]Source{{Name: "f.yar", Text: src}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("MZ\x90\x00PE\x00\x00 hello1 abc"))
	f.Add([]byte("\x7fELF\x02\x01\x01"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rs.Scan(data, ScanOptions{Deadline: time.Now().Add(time.Second)})
	})
}
