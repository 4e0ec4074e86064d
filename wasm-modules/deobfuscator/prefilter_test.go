package deobfuscator

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// candidatesAt0 runs the full candidate search on a sample, bypassing the prefilter.
func candidatesAt0(b []byte) []candidate {
	e := &engine{lim: DefaultLimits(), res: &Result{}, seen: map[[32]byte]bool{}, re: compileRegexes()}
	return e.candidates(b, 0, e.lim.MaxCandidates)
}

// TestPrefilterTriggers pins each construct the prefilter must send to the full search, and
// near misses it must not.
func TestPrefilterTriggers(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"hex escape", `a = "\x41";`, true},
		{"short hex escape", `a = "\x4";`, false},
		{"unicode escape", `"\u0041"`, true},
		{"percent", "a%41b", true},
		{"percent u", "%u0041", true},
		{"percent sign", "50 % less", false},
		{"entity numeric", "&#65;", true},
		{"entity named", "a &amp; b", true},
		{"ampersand", "AT&T and B&Q", false},
		{"backtick", "I`EX", true},
		{"two carets", "a^b^c", false},
		{"three carets", "c^m^d^", true},
		{"concat", `'a' + "b"`, true},
		{"arithmetic", "a + b", false},
		{"fromCharCode", "String.fromCharCode(65)", true},
		{"char cast", "[CHAR]65", true},
		{"array join", "['a'].join('')", true},
		{"ps join", "('a','b') -join ''", true},
		{"format", `("{0}" -f 'a')`, true},
		{"replace", "'a' -replace 'a','b'", true},
		{"creplace", "'a' -CReplace 'a','b'", true},
		{"encoded command", "powershell -enc x", true},
		{"dash e in a word", "the e-mail arrived", false},
		{"js obfuscator", "var _0x1a2b = 1;", true},
		{"base64 run", "x = SGVsbG8gV29ybGQhIQ==", true},
		{"long word", "internationalization", false},
		{"long identifier", "very_long_snake_case_identifier_name", false},
		{"hex run", "deadbeefdeadbeef", true},
		{"hex after assignment", "abc=deadbeefdeadbeefdeadbeef", true},
		{"wrapped base64 line", strings.Repeat("abcdefgh", 6) + "\nxyz", true},
		{"charcodes", "104, 116, 116, 112, 58, 47, 47, 101", true},
		{"seven numbers", "1, 2, 3, 4, 5, 6, 7", false},
		{"numbers broken", "1, 2, 3, 4 and 5, 6, 7, 8", false},
		{"hex list", "0x41, 0x42", true},
		{"reversed url", "moc.elpmaxe//:ptth", true},
		{"rot13 url", "UGGC://rknzcyr.pbz", true},
		{"reversed powershell", "LLEHSREWOP", true},
		{"rot13 powershell", "cbjrefuryy", true},
		{"prose", "The quick brown fox jumps over the lazy dog, twice.", false},
		{"gzip", "\x1f\x8b\x08\x00", true},
		{"elf", "\x7fELF\x02\x01\x01", false},
		{"binary", "\x00\x01\x02\x03\x04\x05\x06\x07\x08 SGVsbG8gV29ybGQhIQ==", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := worthLooking([]byte(tc.in), 16); got != tc.want {
				t.Errorf("worthLooking(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

// TestPrefilterSourceFiles runs the prefilter over the Go sources and documents of this
// repository: whatever it rejects, the full search must find nothing in.
func TestPrefilterSourceFiles(t *testing.T) {
	rejected := 0
	for _, glob := range []string{"../*/*.go", "../../docs/*.md", "/usr/share/common-licenses/*"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil || len(b) > maxScriptBytes {
				continue
			}
			if worthLooking(b, 16) {
				continue
			}
			rejected++
			if c := candidatesAt0(b); len(c) > 0 {
				t.Errorf("%s: rejected, but the full search finds %d candidates (first %v)", f, len(c), c[0].provenance)
			}
		}
	}
	if rejected == 0 {
		t.Skip("no file rejected")
	}
	t.Logf("%d files rejected", rejected)
}

// scanBytewise is scanText one byte per step: the reference for the eight-byte blocks.
func scanBytewise(b []byte, minRun int) bool {
	st := scanState{b: b, lastComma: -1}
	runStart := 0
	var pair uint16
	for i := range b {
		pair = nextPair(pair, b[i])
		if st.at(i, pairs[pair], &runStart, minRun) {
			return true
		}
	}
	return len(b)-runStart >= minRun && plausibleRun(b[runStart:])
}

// TestPrefilterBlocks slides constructs across every alignment of the eight-byte blocks.
func TestPrefilterBlocks(t *testing.T) {
	for _, construct := range []string{"SGVsbG8gV29ybGQhIQ", "deadbeefdeadbeef", strings.Repeat("abcdefgh", 5) + "\n",
		"'a' + 'b'", "a^b^c^", "1,2,3,4,5,6,7,8", "fromCharCode", "ptth", "_0x1", "-enc x", "internationalization"} {
		for pad := range 17 {
			in := []byte(strings.Repeat("ab ", pad/3) + strings.Repeat("x", pad%3) + " " + construct + " tail.")
			for _, minRun := range []int{3, 7, 16, 40} {
				if got, want := scanText(in, minRun), scanBytewise(in, minRun); got != want {
					t.Errorf("scanText(%q, %d) = %v, byte by byte %v", in, minRun, got, want)
				}
			}
		}
	}
}

// FuzzPrefilter holds the prefilter to the full search (a sample it rejects yields no
// candidate) and the eight-byte pass to the byte-by-byte one.
func FuzzPrefilter(f *testing.F) {
	for _, s := range []string{"String.fromCharCode(104,116)", "'a'+'b'", "%41%u0042&#67;\\x44", "=AAAA", "H4sIAAAAAAAA",
		"(\"{1}{0}\" -f 'a','b')", "('x' -replace 'x','y')", "[char]65+[char]66", "1,2,3,4,5,6,7,8,9", "1 ,\n2,3,4,5,6,7,8",
		"0x41, 0x42,0x43", "x=deadbeefdeadbeefdead", "moc.elpmaxe//:ptth eht", "uggc://rknzcyr.pbz gur", "I`EX", "&amp;",
		"-e aaaaaaaaaaaaaaaaaaaa", "_0x12ab", "The quick brown fox jumps over the lazy dog."} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, minRun := range []int{7, 16} {
			if got, want := scanText(b, minRun), scanBytewise(b, minRun); got != want {
				t.Fatalf("scanText(%q, %d) = %v, byte by byte %v", b, minRun, got, want)
			}
		}
		if worthLooking(b, 16) {
			return
		}
		if c := candidatesAt0(b); len(c) > 0 {
			t.Fatalf("rejected %q, but the full search finds %v", b, c[0].provenance)
		}
	})
}

// FuzzKeywordHits: the one-pass count equals counting each keyword in bytes.ToLower's text.
func FuzzKeywordHits(f *testing.F) {
	f.Add([]byte("IEX (New-Object Net.WebClient).DownloadString('http://x')"))
	f.Add([]byte("soc\u212aet powershell"))
	f.Add([]byte("Http HTTP hTtP"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := keywordHits(b), keywordHitsLower(bytes.ToLower(b[:min(len(b), 64<<10)])); got != want {
			t.Fatalf("keywordHits = %d, want %d", got, want)
		}
	})
}

// FuzzCandidatePrefilters: where the regular expressions match, the prefilters that decide
// whether to run them say they may.
func FuzzCandidatePrefilters(f *testing.F) {
	f.Add([]byte("powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA"))
	f.Add([]byte("x /E aGVsbG8gd29ybGQgaGVsbG8="))
	f.Add([]byte("String.fromCharCode(104, 116,116 ,112,58,47,47,120,46)"))
	f.Add([]byte("1,2,3,4,5,6,7,8"))
	re := compileRegexes()
	f.Fuzz(func(t *testing.T, b []byte) {
		if re.psEnc.Match(b) && !mayHaveEncodedCommand(b) {
			t.Fatal("psEnc matches where mayHaveEncodedCommand says it cannot")
		}
		if re.intList.Match(b) && !mayHaveIntList(b) {
			t.Fatal("intList matches where mayHaveIntList says it cannot")
		}
	})
}
