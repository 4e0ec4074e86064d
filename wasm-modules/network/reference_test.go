package network

// The indicator extraction's scans as they were before they were made faster inside WASM
// (network 1.1.0), kept as the oracle that TestExtractMatchesReference, TestAnalyzeMatchesReference,
// TestTokenMatchesReference, FuzzExtract and FuzzToken hold Extract to: markers found one
// pattern at a time in all of the content (naiveMarkers); the token scan that tests every byte
// and classifies a token through strings; and dotted and validDomain as they were before they
// skipped ParseAddr for names and split them in place (refDotted, refValidDomain). What
// classifies a URL, host, address, path or digest otherwise did not change and is shared with
// Extract.

import (
	"bytes"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"golang.org/x/net/publicsuffix"
)

func referenceExtract(content []byte, lim ExtractLimits) []IOC {
	e := &extractor{lim: lim, seen: map[iocKey]bool{}, binary: bytes.IndexByte(content[:min(len(content), 1<<16)], 0) >= 0}
	e.urls(content, naiveMarkers(content, urlMarkers))
	slices.SortFunc(e.covers, func(a, b span) int { return a.start - b.start })
	e.userAgents(content, naiveMarkers(content, uaPrefixes))
	refTokens(e, content)
	return e.out
}

func refTokens(e *extractor, b []byte) {
	i := 0
	for i < len(b) && !e.full() {
		for i < len(b) && !tokenChar[b[i]] {
			i++
		}
		start := i
		for i < len(b) && tokenChar[b[i]] {
			i++
		}
		if i-start < 6 || i-start > e.lim.MaxTokenLen {
			continue
		}
		refToken(e, b[start:i], start)
	}
}

// token classifies one token. The cheap byte checks up front keep plain prose fast.
func refToken(e *extractor, tok []byte, off int) {
	var dot, colon, at, bslash, bracket bool
	for _, c := range tok {
		switch c {
		case '.':
			dot = true
		case ':':
			colon = true
		case '@':
			at = true
		case '\\':
			bslash = true
		case '[', '(':
			bracket = true
		}
	}
	if len(e.covers) > 0 && e.covered(off, off+len(tok)) {
		return
	}
	if bslash {
		e.pathOrKey(string(tok), off)
		return
	}
	lead, end := 0, len(tok)
	for lead < end && tokenTrim[tok[lead]] {
		lead++
	}
	for end > lead && tokenTrim[tok[end-1]] {
		end--
	}
	// Without '.', ':', '@' or brackets only digests and wallets remain, and the shortest of
	// those is a 14-character bech32 address: most words stop here without allocating.
	if end-lead < 6 || !dot && !colon && !at && !bracket && end-lead < 14 {
		return
	}
	s := string(tok[lead:end])
	off += lead
	defanged := false
	if bracket {
		s, defanged = refang(s)
		s = strings.Trim(s, "()[]")
		dot = strings.Contains(s, ".")
		at = strings.Contains(s, "@")
	}
	switch {
	case at:
		e.email(s, off, defanged)
	case dot && !colon:
		if !defanged && refCodeToken(tok, lead, s) {
			return
		}
		refDotted(e, s, off, defanged)
	case colon:
		if a, err := netip.ParseAddr(s); err == nil && a.Is6() && strings.Count(s, ":") >= 2 {
			e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_IPV6, Value: a.String(), Offset: int64(off),
				Reserved: reservedAddr(a), Defanged: defanged})
		} else if dot {
			// host:port
			if k := strings.LastIndexByte(s, ':'); k > 0 && allDigits(s[k+1:]) {
				refDotted(e, s[:k], off, defanged)
			}
		}
	default:
		e.hashOrWallet(s, off)
	}
}

func refDotted(e *extractor, s string, off int, defanged bool) {
	if k := strings.IndexByte(s, '/'); k > 0 {
		s = s[:k]
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
		e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_IPV4, Value: a.String(), Offset: int64(off),
			Reserved: reservedAddr(a), Defanged: defanged})
		return
	}
	d := strings.ToLower(s)
	if e.binary && !defanged && wordTLDs[d[strings.LastIndexByte(d, '.')+1:]] && !strings.HasPrefix(d, "www.") {
		return
	}
	if refValidDomain(d, defanged) {
		e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_DOMAIN, Value: d, Offset: int64(off), Defanged: defanged})
	}
}

func refValidDomain(s string, inURL bool) bool {
	if len(s) < 4 || len(s) > 253 || !strings.Contains(s, ".") || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	labels := 0
	for _, l := range strings.Split(s, ".") {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
		labels++
	}
	ps, icann := publicsuffix.PublicSuffix(s)
	if !icann && !strings.Contains(ps, ".") {
		return false
	}
	if ps == s {
		return false
	}
	tld := s[strings.LastIndexByte(s, '.')+1:]
	if tld[0] >= '0' && tld[0] <= '9' {
		return false
	}
	if !inURL && labels == 2 && fileExtTLDs[tld] {
		return false
	}
	return true
}

// FuzzValidDomain holds validDomain, which the URL, e-mail and capture paths share with the
// reference, to the version that split names (refValidDomain).
func FuzzValidDomain(f *testing.F) {
	for _, s := range []string{"evil.example.com", "a..b.com", "-a.com", "a-.com", "x.co.uk", "readme.md", "1.2.3.4",
		"a_b.example.org", "com", "a.b", ".a.com", "a.com.", "xn--d1acufc.xn--p1ai", "go.shape.bool"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, inURL := range []bool{false, true} {
			if got, want := validDomain(s, inURL), refValidDomain(s, inURL); got != want {
				t.Fatalf("validDomain(%q, %v) = %v, want %v", s, inURL, got, want)
			}
		}
	})
}

// codeToken reports a bare dotted token that is a program identifier rather than a host name:
// an ELF section or file extension (.data.rel.ro, .tar.gz), a call (os.Open(…), fmt.name()),
// a qualified name whose later labels are capitalized or mixed case (unicode.Cc, time.Time.Now,
// pkix.Name: host names are written in one case), or a package, module or receiver name in
// front of a TLD that is not one of the classic ones (runtime.name, errors.is, self.stream).
// s is tok[lead:] trimmed.
func refCodeToken(tok []byte, lead int, s string) bool {
	if bytes.IndexByte(tok[:lead], '.') >= 0 {
		return true
	}
	if end := lead + len(s); end < len(tok) && tok[end] == '(' {
		return true
	}
	host := s
	if k := strings.IndexAny(host, "/:"); k > 0 {
		host = host[:k]
	}
	first, rest, _ := strings.Cut(host, ".")
	for _, l := range strings.Split(rest, ".") {
		if strings.ToLower(l) != l && strings.ToUpper(l) != l {
			return true
		}
	}
	tld := strings.ToLower(host[strings.LastIndexByte(host, '.')+1:])
	return codeNames[strings.ToLower(first)] && !classicTLDs[tld]
}

// realBinaries returns the executables Extract is held to its reference on: the Go Windows PE
// the pipeline benchmarks use, the go command, ls and ssh, where present.
func realBinaries(t *testing.T) map[string][]byte {
	return testutil.Executables(t, "/usr/local/go/bin/go", "/bin/ls", "/usr/bin/ssh")
}

// TestExtractMatchesReference holds Extract to the plain extraction on real executables, on
// text dense with indicators (repeated and distinct), prose and the fuzz seeds.
func TestExtractMatchesReference(t *testing.T) {
	inputs := realBinaries(t)
	inputs["dense"] = denseIOCText(256<<10, false)
	inputs["distinct"] = denseIOCText(100<<10, true)
	inputs["prose"] = []byte(strings.Repeat("The quick brown fox jumps over the lazy dog, twice. ", 2000))
	inputs["seeds"] = []byte(strings.Join(fuzzSeeds, " \x00 "))
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			for _, lim := range []ExtractLimits{DefaultExtractLimits(), {MaxIOCs: 7, MaxTokenLen: 40}} {
				if got, want := Extract(data, lim), referenceExtract(data, lim); !slices.Equal(got, want) {
					t.Fatalf("limits %+v: got %d indicators, reference %d\ngot  %+v\nwant %+v", lim, len(got), len(want), got, want)
				}
			}
		})
	}
}

// TestAnalyzeMatchesReference pins whole reports: Analyze on real executables and indicator
// text equals Analyze running the reference extraction. Both reports are fresh and never
// marshalled, so reflect.DeepEqual compares every field whichever generator built the guest's
// message types.
func TestAnalyzeMatchesReference(t *testing.T) {
	fast, ref := New(), New()
	ref.extractIOCs = referenceExtract
	inputs := realBinaries(t)
	inputs["distinct"] = denseIOCText(100<<10, true)
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			req := &modulev1.AnalyzeRequest{Content: data}
			want, err := ref.Analyze(req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := fast.Analyze(req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("report differs from the reference extraction's\ngot  %v\nwant %v", got, want)
			}
		})
	}
}
