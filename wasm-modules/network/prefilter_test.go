package network

// The tests of the cheap rejections that keep most tokens of an executable away from the full
// classification: each must turn away only tokens, runs and strings that the full path would
// turn away too. TestExtractMatchesReference and FuzzExtract check the same end to end; these
// reach the corners directly.

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// maybeHost is the host-shape test bareHost replaced: the part of s before its first '/'
// (when that is not its first byte) holds a dot and only letters, digits, '.', '-' and '_'.
func maybeHost(s []byte) bool {
	if k := bytes.IndexByte(s, '/'); k > 0 {
		s = s[:k]
	}
	dot := false
	for _, c := range s {
		switch {
		case c == '.':
			dot = true
		case 'a' <= c|0x20 && c|0x20 <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return dot
}

// tokenPieces are the parts randomTokens strings together: the labels, separators, defanged
// forms, addresses, digests and wallets the classifier tells apart, and identifiers it must
// reject.
var tokenPieces = []string{
	"runtime", "Runtime", "self", "os", "time", "Time", "Info", "Com", "go", "shape", "www", "WWW", "evil", "example", "EXAMPLE",
	"com", "COM", "org", "io", "name", "zone", "zip", "md", "gopark", "a", "Z", "x9", "3", "17", "255", "8080",
	"0x", "bc1", "BC1", "HKLM", "HKEY_CURRENT_USER", "C:", "\\\\", "%APPDATA%",
	".", ".", ".", ":", "::", "@", "/", "//", "[", "]", "(", ")", "-", "_", "%", "$", "~", "+", "\\",
	"[.]", "(.)", "[dot]", "(dot)", "[DOT]", "[:]", "[://]", "[at]", "(at)", "[@]", "[/]", "[:", "(d", "[a",
	"1.2.3.4", "10.0.0.1", "8.8.8.8", "2001:db8::1", "fe80::1%", "::ffff:1.2.3.4",
	"d41d8cd98f00b204e9800998ecf8427e", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
	"1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
}

// edgeTokens sit on the edges of the early rejections: colons, brackets and dots that
// trimming removes, mixed-case labels under real TLDs, names that are calls or hosts.
var edgeTokens = []string{
	"runtime:", "mspan.sweep:", "evil.com:", "evil.com:80", "ops@example.org:", "[ops@example.org]:", "(evil.com):",
	"map.group[uint64]bool", "Pointer[runtime.m]", "x(.)com", "a[dot]b.com", "evil[.]com]", "(evil(.)com)",
	"self.stream.example.com/x", "[]sync.eface", "(*Mutex).Lock", "evil(at)example.com", "godebugs.Info",
	"pkix.Name", "unicode.Cc", "time.com", "Time.com", "os.Open(", "os.open(", "evil.com(", ".evil.com",
	"/evil.com", "evil.com/a(b)", "2001:db8::1]:", "[2001:db8::1]", "1.2.3.4:", "[1.2.3.4]:80",
	"fe80::1%eth(0", "fe80::1%a[b", "fe80::1%a(.)b", "::1", "::ffff:1.2.3.4", "db8::1", "g::1", "method:I", "a.b:c",
	"evil.com:8080", "evil.com:80x", "x.y:", ":evil.com:80", "map[string]bool", "func(int)", "a(b)@evil.com",
	"ops@evil(.)com", "ops@evil[.]com", "(ops)@evil.com", "x[1]:80", "bc1q(ar0", "(d41d8cd98f00b204e9800998ecf8427e)",
	"d41d8cd98f00b204(e9800998ecf8427e", "evil.com/x[.]y",
}

// randomTokens returns n tokens of three to eight pieces, with the bytes that are not token
// bytes left out, as the tokenizer would split them.
func randomTokens(n int) [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([][]byte, 0, n)
	for range n {
		var tok []byte
		for range 3 + r.IntN(6) {
			for _, c := range []byte(tokenPieces[r.IntN(len(tokenPieces))]) {
				if tokenChar[c] {
					tok = append(tok, c)
				}
			}
		}
		out = append(out, tok)
	}
	return out
}

// tokenFlagsOf is what tokensIn hands token with a token: the or of tokenFlags over its bytes.
func tokenFlagsOf(tok []byte) (flags byte) {
	for _, c := range tok {
		flags |= tokenFlags[c]
	}
	return flags
}

// sameAsReference classifies tok with token and with the reference (refToken), in text and
// in binary content, and returns the first pair of results that differ.
func sameAsReference(tok []byte) (got, want []IOC, same bool) {
	for _, binary := range []bool{false, true} {
		e := &extractor{lim: DefaultExtractLimits(), seen: map[iocKey]bool{}, binary: binary}
		ref := &extractor{lim: DefaultExtractLimits(), seen: map[iocKey]bool{}, binary: binary}
		e.token(tok, 3, tokenFlagsOf(tok))
		refToken(ref, tok, 3)
		if !slices.Equal(e.out, ref.out) {
			return e.out, ref.out, false
		}
	}
	return nil, nil, true
}

// TestTokenMatchesReference holds token, with its early rejections (bareHost, colons that
// cannot start an address or port, brackets refang leaves in place, refang's gate), to the reference classification on
// random tokens built from the pieces indicators and identifiers are made of, on edgeTokens,
// and on every token of the fuzz seeds. It also checks that the random tokens do reach each kind of
// indicator, so the comparison is not only of empty results.
func TestTokenMatchesReference(t *testing.T) {
	toks := randomTokens(200_000)
	for _, s := range edgeTokens {
		toks = append(toks, []byte(s))
	}
	for _, s := range fuzzSeeds {
		for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r > 0x7f || !tokenChar[r] }) {
			toks = append(toks, []byte(f))
		}
	}
	kinds := map[string]int{}
	for _, tok := range toks {
		got, want, same := sameAsReference(tok)
		if !same {
			t.Fatalf("token %q: got %+v, reference %+v", tok, got, want)
		}
		e := &extractor{lim: DefaultExtractLimits(), seen: map[iocKey]bool{}}
		e.token(tok, 0, tokenFlagsOf(tok))
		for _, i := range e.out {
			kinds[i.Type.String()]++
		}
	}
	for _, k := range []string{"IOC_TYPE_DOMAIN", "IOC_TYPE_IPV4", "IOC_TYPE_IPV6", "IOC_TYPE_EMAIL", "IOC_TYPE_MD5",
		"IOC_TYPE_ETH_ADDRESS", "IOC_TYPE_BTC_ADDRESS", "IOC_TYPE_REGISTRY_KEY", "IOC_TYPE_FILE_PATH"} {
		if kinds[k] == 0 {
			t.Errorf("no random token gave a %s: %v", k, kinds)
		}
	}
	t.Logf("indicators from %d tokens: %v", len(toks), kinds)
}

// FuzzToken holds token to the reference classification on any token.
func FuzzToken(f *testing.F) {
	for _, s := range append(slices.Clone(fuzzSeeds), edgeTokens...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tok := slices.DeleteFunc(b, func(c byte) bool { return !tokenChar[c] })
		if got, want, same := sameAsReference(tok); !same {
			t.Fatalf("token %q: got %+v, reference %+v", tok, got, want)
		}
	})
}

// FuzzBareHost holds bareHost to the two tests it does in one pass, maybeHost and codeToken,
// and hostShaped to maybeHost, on any bytes and bounds.
func FuzzBareHost(f *testing.F) {
	for _, s := range append([]string{"runtime.gopark", "evil.example.com", "time.Time.Now", "a.b/c.D", "/x.y",
		"Evil.COM", "x.y_z-1.io"}, edgeTokens...) {
		f.Add([]byte(s), uint8(0), uint8(0))
	}
	f.Add([]byte("[]sync.eface"), uint8(2), uint8(0))
	f.Add([]byte("os.Open("), uint8(0), uint8(1))
	f.Fuzz(func(t *testing.T, tok []byte, trimLead, trimEnd uint8) {
		lead := min(int(trimLead), len(tok))
		end := max(len(tok)-int(trimEnd), lead)
		s := tok[lead:end]
		if got, want := bareHost(tok, lead, end), maybeHost(s) && !codeToken(tok, lead, s); got != want {
			t.Fatalf("bareHost(%q, %d, %d) = %v, want %v", tok, lead, end, got, want)
		}
		if got, want := hostShaped(s), maybeHost(s); got != want {
			t.Fatalf("hostShaped(%q) = %v, want %v", s, got, want)
		}
	})
}

// TestRefangGate checks the table refang's gate reads against the defanged forms: each starts
// with an opening bracket and a byte of refangSecond, and is at least three bytes long.
func TestRefangGate(t *testing.T) {
	for i := 0; i < len(refangPairs); i += 2 {
		old := refangPairs[i]
		if len(old) < 3 || !strings.ContainsRune("[({", rune(old[0])) || !refangSecond[old[1]] {
			t.Errorf("%q: refang's gate would skip it", old)
		}
	}
}

// FuzzRefang holds refang to the replacer it skips.
func FuzzRefang(f *testing.F) {
	for _, s := range []string{"evil[.]com", "a(dot)b", "x[:]//y", "Pointer[go.shape]", "func(int)", "[/]", "{.}", "[."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, changed := refang(s)
		want := refangs.Replace(s)
		if got != want || changed != (want != s) {
			t.Fatalf("refang(%q) = %q, %v; want %q, %v", s, got, changed, want, want != s)
		}
	})
}

// TestExtractFewKeptRuns runs extract keeping fewer runs than the content has, which finds
// them again for the tokens: the result must not change.
func TestExtractFewKeptRuns(t *testing.T) {
	inputs := realBinaries(t)
	inputs["distinct"] = denseIOCText(100<<10, true)
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			want := referenceExtract(data, DefaultExtractLimits())
			for _, maxRuns := range []int{0, 1, 100} {
				if got := extract(data, DefaultExtractLimits(), maxRuns); !slices.Equal(got, want) {
					t.Fatalf("keeping %d runs: %d indicators, reference %d", maxRuns, len(got), len(want))
				}
			}
		})
	}
}

// FuzzMarkersInRange holds markerFinder.find on a part of b to the plain search: the
// occurrences whose anchor byte lies in the part.
func FuzzMarkersInRange(f *testing.F) {
	f.Add([]byte("hxxp[:]//x Mozilla/5.0 User-Agent: curl/8 WinHTTP (:)//"), uint16(3), uint16(30))
	f.Add([]byte("\x00ws://a.b\x00://PPP WinHTTP"), uint16(1), uint16(27))
	patterns := markerPatterns()
	finder := newMarkerFinder(patterns)
	f.Fuzz(func(t *testing.T, b []byte, from, to uint16) {
		lo, hi := min(int(from), len(b)), min(int(to), len(b))
		if lo > hi {
			lo, hi = hi, lo
		}
		got := make([][]int, len(patterns))
		finder.find(b, lo, hi, got)
		want := naiveMarkers(b, patterns)
		for pi, p := range patterns {
			anchor := markerAnchor(p)
			want[pi] = slices.DeleteFunc(want[pi], func(at int) bool { return at+anchor < lo || at+anchor >= hi })
			if (len(got[pi]) != 0 || len(want[pi]) != 0) && !reflect.DeepEqual(got[pi], want[pi]) {
				t.Fatalf("%q in [%d, %d) at %v, want %v", p, lo, hi, got[pi], want[pi])
			}
		}
	})
}
