package ascii

import (
	"bytes"
	"strings"
	"testing"
)

func TestAppendLower(t *testing.T) {
	for _, s := range []string{"", "A", "Hello, World!", "@AZ[`az{ 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
		"MiXeD CaSe OvEr SeVeRaL WoRdS", "Ünïcödé ÄÖÜ stays", "ABCDEFG\x80", "\xffABCDEFGHIJ", "\x7f\x00\x40\x5b"} {
		got, ok := AppendLower([]byte("pre"), s)
		want := "pre" + asciiLower(s)
		if string(got) != want {
			t.Errorf("AppendLower(%q) = %q, want %q", s, got, want)
		}
		if isASCII := !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 }); ok != isASCII {
			t.Errorf("AppendLower(%q) ascii = %v, want %v", s, ok, isASCII)
		}
		if got2, _ := AppendLower(nil, []byte(s)); !bytes.Equal(got2, got[3:]) {
			t.Errorf("AppendLower of []byte(%q) = %q", s, got2)
		}
	}
}

// TestEveryByteInEveryLane: each byte value, at each position of a word, next to varied
// neighbours, is lowered exactly when it is 'A'–'Z'.
func TestEveryByteInEveryLane(t *testing.T) {
	for c := range 256 {
		for lane := range 8 {
			var buf [8]byte
			for k := range buf {
				buf[k] = byte(c + 37*k)
			}
			buf[lane] = byte(c)
			in := append(buf[:], buf[:]...)
			if got, _ := AppendLower(nil, in); string(got) != asciiLower(string(in)) {
				t.Fatalf("AppendLower(% x) = % x", in, got)
			}
		}
	}
}

// FuzzAppendLower holds the word-at-a-time code to a byte loop on any input.
func FuzzAppendLower(f *testing.F) {
	f.Add([]byte("Some Text WITH\xc3\x84 bytes"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := AppendLower(nil, b)
		if string(got) != asciiLower(string(b)) {
			t.Fatalf("AppendLower(%q) = %q", b, got)
		}
		if ok != !bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x80 }) {
			t.Fatalf("AppendLower(%q) ascii = %v", b, ok)
		}
	})
}

// asciiLower lowers 'A'–'Z' one byte at a time.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
