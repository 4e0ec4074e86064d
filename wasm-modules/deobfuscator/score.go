package deobfuscator

import (
	"bytes"
	"math"
	"math/bits"
	"slices"
	"unicode/utf8"

	"github.com/athena-mesh/athena/wasm-modules/guest"
)

// magicKind names well-known file formats by their leading bytes.
func magicKind(b []byte) string {
	switch {
	case len(b) >= 2 && b[0] == 'M' && b[1] == 'Z':
		return "pe"
	case len(b) >= 4 && string(b[:4]) == "\x7fELF":
		return "elf"
	case len(b) >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8:
		return "gzip"
	case len(b) >= 2 && b[0] == 0x78 && (b[1] == 0x01 || b[1] == 0x5e || b[1] == 0x9c || b[1] == 0xda):
		return "zlib"
	case len(b) >= 4 && string(b[:4]) == "PK\x03\x04":
		return "zip"
	case len(b) >= 5 && string(b[:5]) == "%PDF-":
		return "pdf"
	case len(b) >= 8 && string(b[:8]) == "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
		return "ole"
	case len(b) >= 4 && (string(b[:4]) == "\xfe\xed\xfa\xce" || string(b[:4]) == "\xcf\xfa\xed\xfe" || string(b[:4]) == "\xce\xfa\xed\xfe"):
		return "macho"
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return "png"
	case len(b) >= 4 && string(b[:4]) == "\x00asm":
		return "wasm"
	case len(b) >= 6 && string(b[:6]) == "7z\xbc\xaf\x27\x1c":
		return "7z"
	case len(b) >= 4 && string(b[:4]) == "Rar!":
		return "rar"
	}
	return ""
}

// textScore is the share of bytes that are printable text (valid UTF-8, tabs and newlines
// count), 0..1. Binary noise scores low; decoded scripts score near 1.
func textScore(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	good := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			if c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t' {
				good++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError && r >= 0xa0 {
			good += n
		}
		i += n
	}
	return float64(good) / float64(len(b))
}

// keywords are tokens that make a decoded text layer worth keeping: script verbs, network
// and execution APIs, file names. Matching is case-insensitive.
var keywords = [][]byte{
	[]byte("http"), []byte("powershell"), []byte("invoke-"), []byte("iex"), []byte("new-object"),
	[]byte("downloadstring"), []byte("downloadfile"), []byte("webclient"), []byte("frombase64string"),
	[]byte("function"), []byte("eval("), []byte("var "), []byte("wscript"), []byte("activexobject"),
	[]byte("createobject"), []byte("cmd"), []byte(".exe"), []byte(".dll"), []byte("shell"), []byte("document."),
	[]byte("window."), []byte("start-process"), []byte("system."), []byte("$env:"), []byte("-nop"), []byte("hidden"),
	[]byte("bypass"), []byte("regsvr32"), []byte("rundll32"), []byte("mshta"), []byte("certutil"), []byte("bitsadmin"),
	[]byte("<script"), []byte("import "), []byte("socket"), []byte("curl "), []byte("wget "), []byte("/bin/"),
	[]byte("the "), []byte("hello"), []byte("password"), []byte("payload"), []byte("echo "), []byte("set "),
}

// keywordsByFirst lists, for each byte of either case, the keywords that start with it in lower
// case.
var keywordsByFirst = func() (t [256][]uint8) {
	if len(keywords) > 64 || slices.ContainsFunc(keywords, func(k []byte) bool { return len(k) < 2 || !bytes.Equal(k, bytes.ToLower(k)) }) {
		panic("keywordHits needs at most 64 lower-case keywords of two bytes or more")
	}
	for i, k := range keywords {
		t[k[0]] = append(t[k[0]], uint8(i))
		if c := k[0]; c >= 'a' && c <= 'z' {
			t[c-'a'+'A'] = append(t[c-'a'+'A'], uint8(i))
		}
	}
	return t
}()

// keywordHits counts distinct keywords in the first 64 KiB of b after bytes.ToLower. ASCII text
// is matched in one pass (a bytes.Contains per keyword was 45 passes, and the wasm build has no
// SIMD for them); text with other bytes keeps bytes.ToLower, whose Unicode rules can turn a
// non-ASCII letter into an ASCII one (the Kelvin sign into "k").
func keywordHits(b []byte) int {
	b = b[:min(len(b), 64<<10)]
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return keywordHitsLower(bytes.ToLower(b))
		}
	}
	var found uint64
	for i := 0; i+1 < len(b); i++ {
		for _, k := range keywordsByFirst[b[i]] {
			if found&(1<<k) == 0 && hasPrefixFold(b[i:], keywords[k]) {
				found |= 1 << k
			}
		}
	}
	return bits.OnesCount64(found)
}

// keywordHitsLower counts the keywords in an already lower-cased text.
func keywordHitsLower(lower []byte) int {
	n := 0
	for _, k := range keywords {
		if bytes.Contains(lower, k) {
			n++
		}
	}
	return n
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold reports whether b starts with the lower-case ASCII word w, ignoring ASCII case.
func hasPrefixFold(b, w []byte) bool {
	if len(b) < len(w) {
		return false
	}
	for j, c := range w {
		if lowerASCII(b[j]) != c {
			return false
		}
	}
	return true
}

// entropy is Shannon entropy in bits per byte of the first 64 KiB.
func entropy(b []byte) float64 { return guest.Entropy(b[:min(len(b), 64<<10)]) }

// classify says what decoded content looks like: a file format from its magic, else a script
// language or text from keywords, else binary.
func classify(b []byte) string {
	if m := magicKind(b); m != "" {
		return m
	}
	if textScore(b[:min(len(b), 4096)]) < 0.9 {
		return "binary"
	}
	lower := bytes.ToLower(b[:min(len(b), 64<<10)])
	switch {
	case bytes.Contains(lower, []byte("invoke-")) || bytes.Contains(lower, []byte("new-object")) ||
		bytes.Contains(lower, []byte("iex")) || bytes.Contains(lower, []byte("[convert]::")) ||
		bytes.Contains(lower, []byte("powershell")) || bytes.Contains(lower, []byte("$env:")):
		return "powershell"
	case bytes.Contains(lower, []byte("<script")) || bytes.Contains(lower, []byte("<html")):
		return "html"
	case bytes.Contains(lower, []byte("function")) || bytes.Contains(lower, []byte("var ")) ||
		bytes.Contains(lower, []byte("activexobject")) || bytes.Contains(lower, []byte("eval(")):
		return "javascript"
	case bytes.Contains(lower, []byte("createobject")) || bytes.Contains(lower, []byte("dim ")):
		return "vbscript"
	case bytes.Contains(lower, []byte("cmd")) && bytes.Contains(lower, []byte("/c")):
		return "batch"
	}
	return "text"
}

// score rates a decoded candidate relative to the encoded input it came from, 0..1:
// a known file format scores high; text scores by printable ratio, keywords and entropy drop.
func score(decoded []byte, encodedEntropy float64) float64 {
	if len(decoded) == 0 {
		return 0
	}
	if m := magicKind(decoded); m != "" {
		return 0.95
	}
	ts := textScore(decoded[:min(len(decoded), 8192)])
	if ts < 0.8 {
		// Binary that is not a known format: keep it only as input for the binary decoders.
		return ts * 0.3
	}
	s := 0.5*ts + 0.1*math.Min(float64(keywordHits(decoded)), 4)
	if encodedEntropy > 0 && entropy(decoded) < encodedEntropy {
		s += 0.1
	}
	return math.Min(s, 1)
}
