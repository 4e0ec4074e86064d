package network

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"net/netip"
	"slices"
	"strings"

	"github.com/athena-mesh/athena/internal/textruns"
	"github.com/athena-mesh/athena/wasm-modules/guest"
	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	"golang.org/x/net/publicsuffix"
)

// IOC is one indicator found in content, before it becomes an analysisv1.IOC.
type IOC struct {
	Type  analysisv1.IOCType
	Value string
	// Offset is where the indicator starts in the scanned content.
	Offset int64
	// Defanged is true when the content wrote the indicator in a defanged form (hxxp, [.]).
	Defanged bool
	// Reserved is true for private, loopback, link-local, documentation and other
	// non-routable addresses: kept, but worth less than a public address.
	Reserved bool
}

// ExtractLimits bounds IOC extraction.
type ExtractLimits struct {
	// MaxIOCs stops extraction after this many distinct indicators.
	MaxIOCs int
	// MaxTokenLen skips tokens longer than this (a 50 MB base64 run is not an indicator).
	MaxTokenLen int
}

// DefaultExtractLimits returns the limits the module uses.
func DefaultExtractLimits() ExtractLimits { return ExtractLimits{MaxIOCs: 5000, MaxTokenLen: 4096} }

// tokenChar, urlChar, schemes, refangs and the other tables below are read-only lookup tables:
// Go has no constant arrays or maps.
//
// tokenChar marks bytes that can be part of an indicator token. Whitespace, quotes, angle
// brackets and most punctuation end a token; brackets and parentheses stay in so that defanged
// forms such as evil[.]com and evil(.)com survive tokenization.
var tokenChar = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range []byte(".-_@:\\[]()%$~/+") {
		t[c] = true
	}
	return t
}()

// tokenFlags marks the bytes token looks for: '.', ':', '@', '\\' and the brackets that may
// hold a defanged form; and, with flagToken, every byte of tokenChar, so that tokensIn finds
// a token and its flags in one pass.
var tokenFlags = func() (t [256]byte) {
	for c, ok := range tokenChar {
		if ok {
			t[c] = flagToken
		}
	}
	t['.'] |= flagDot
	t[':'] |= flagColon
	t['@'] |= flagAt
	t['\\'] |= flagBackslash
	t['['] |= flagBracket
	t['('] |= flagBracket
	return t
}()

const (
	flagDot byte = 1 << iota
	flagColon
	flagAt
	flagBackslash
	flagBracket
	flagToken
)

// tokenTrim marks the punctuation trimmed from both ends of a token.
var tokenTrim = func() (t [256]bool) {
	for _, c := range []byte(".,;:!?()[]/-_$~%") {
		t[c] = true
	}
	return t
}()

// urlChar marks bytes allowed inside a URL after its scheme.
var urlChar = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range []byte("\"'<>`{}|^\\") {
		t[c] = false
	}
	return t
}()

type extractor struct {
	lim ExtractLimits
	// binary is set for content with NUL bytes (executables, memory dumps), where dotted
	// identifiers from symbol tables far outnumber host names.
	binary bool
	seen   map[iocKey]bool
	out    []IOC
	covers []span
	cursor int
}

type span struct{ start, end int }

// iocKey deduplicates indicators by type and value.
type iocKey struct {
	typ   analysisv1.IOCType
	value string
}

// Extract finds indicators in content: URLs, domains, IP addresses, e-mail addresses, hashes,
// cryptocurrency addresses, Windows paths, registry keys and user agents. Defanged forms are
// refanged. Results are deduplicated by type and value, keeping the first offset.
func Extract(content []byte, lim ExtractLimits) []IOC { return extract(content, lim, maxKeptRuns) }

// maxKeptRuns bounds the runs of text extract keeps between its two scans (16 bytes each);
// content with more runs has them found again for the tokens. The Go PE has about 5,000.
const maxKeptRuns = 1 << 16

// maxMarkerGap is the widest gap between two runs of text that extract searches for markers
// with the runs, rather than searching each run on its own.
const maxMarkerGap = 16

// extract is Extract keeping at most maxRuns runs of text.
//
// Markers and tokens are looked for only inside runs of at least minToken printable bytes,
// which guest.TextRuns finds (the host does, inside WASM): in an executable they are a tenth
// of the bytes or less. Every token byte is printable, and so is every byte of a URL (scheme,
// marker, urlChar) and of a user agent with its prefix; a URL that yields an indicator has at
// least nine bytes and a user agent at least eight, and a URL's span can only cover a token of
// its own run. So markers in shorter runs, or outside runs, change nothing: they may be
// found or not.
func extract(content []byte, lim ExtractLimits, maxRuns int) []IOC {
	e := &extractor{lim: lim, seen: map[iocKey]bool{}, binary: bytes.IndexByte(content[:min(len(content), 1<<16)], 0) >= 0}
	patterns := append(slices.Clip(urlMarkers), uaPrefixes...)
	markers := newMarkerFinder(patterns)
	at := make([][]int, len(patterns))
	var runs []span
	kept := true
	// scan is the runs not yet searched for markers, with the gaps between them: in an
	// executable most runs are a few bytes apart (strings one NUL apart), and searching the
	// gaps too costs less than a search per run.
	var scan span
	guest.TextRuns(textruns.ASCII, minToken, content, func(start, end int) bool {
		if start-scan.end > maxMarkerGap {
			markers.find(content, scan.start, scan.end, at)
			scan.start = start
		}
		scan.end = end
		if kept = kept && len(runs) < maxRuns; kept {
			runs = append(runs, span{start, end})
		}
		return true
	})
	markers.find(content, scan.start, scan.end, at)
	e.urls(content, at[:len(urlMarkers)])
	slices.SortFunc(e.covers, func(a, b span) int { return a.start - b.start })
	e.userAgents(content, at[len(urlMarkers):])
	if kept {
		for _, r := range runs {
			if e.full() {
				break
			}
			e.tokensIn(content[:r.end], r.start)
		}
	} else {
		e.tokens(content)
	}
	return e.out
}

// markerAnchors is how many distinct anchor bytes markerFinder tests per word: ':' (the URL
// markers and "User-Agent: "), '/' (the other user-agent prefixes but one) and 'P' ("WinHTTP").
const markerAnchors = 3

// markerFinder finds every occurrence of a set of patterns in one pass instead of one
// bytes.Index pass per pattern. Each pattern is found from an anchor byte it holds — ':' where
// it has one, else '/', else its last byte — and the anchors are tested in eight bytes at once.
type markerFinder struct {
	patterns [][]byte
	// byAnchor lists, for each anchor byte, the patterns anchored on it.
	byAnchor [256][]anchored
	words    [markerAnchors]uint64
}

// anchored is a pattern and where its anchor byte lies in it.
type anchored struct{ pattern, at int }

func newMarkerFinder(patterns [][]byte) *markerFinder {
	f := &markerFinder{patterns: patterns}
	var anchors []byte
	for pi, p := range patterns {
		at := markerAnchor(p)
		if f.byAnchor[p[at]] == nil {
			anchors = append(anchors, p[at])
		}
		f.byAnchor[p[at]] = append(f.byAnchor[p[at]], anchored{pi, at})
	}
	for i := range f.words {
		// Repeating the last anchor when there are fewer keeps the test exact.
		f.words[i] = uint64(anchors[min(i, len(anchors)-1)]) * 0x0101010101010101
	}
	return f
}

// markerAnchor is where in pattern p its anchor byte lies: its first ':', else its first '/',
// else its last byte.
func markerAnchor(p []byte) int {
	at := bytes.IndexByte(p, ':')
	if at < 0 {
		at = bytes.IndexByte(p, '/')
	}
	if at < 0 {
		at = len(p) - 1
	}
	return at
}

// find appends to out[i] the offset of every occurrence of pattern i whose anchor byte lies in
// b[from:to], in order. The inner loop tests whole words and makes no calls, so inside WASM it
// stays in locals; the last bytes of the range are tested in a word loaded from b past to,
// where b goes on, with the bytes from to on masked off. Most candidates are an anchor in
// other text (runtime: , a/b), and comparing a pattern's last byte first turns them away.
func (f *markerFinder) find(b []byte, from, to int, out [][]int) {
	w0, w1, w2 := f.words[0], f.words[1], f.words[2]
	for q := from; q < to; q += 8 {
		var m uint64
		for ; q+8 <= to; q += 8 {
			if m = anchorBits(binary.LittleEndian.Uint64(b[q:]), w0, w1, w2); m != 0 {
				break
			}
		}
		if m == 0 {
			switch {
			case q >= to:
				return
			case q+8 <= len(b):
				m = anchorBits(binary.LittleEndian.Uint64(b[q:]), w0, w1, w2) & (1<<(8*(to-q)) - 1)
			default:
				// The last bytes of b: each is a candidate.
				m = 0x8080808080808080 >> (8 * (q + 8 - to))
			}
		}
		for ; m != 0; m &= m - 1 {
			pos := q + bits.TrailingZeros64(m)>>3
			for _, a := range f.byAnchor[b[pos]] {
				p, start := f.patterns[a.pattern], pos-a.at
				if start >= 0 && start+len(p) <= len(b) && b[start+len(p)-1] == p[len(p)-1] && b[start] == p[0] &&
					string(b[start:start+len(p)]) == string(p) {
					out[a.pattern] = append(out[a.pattern], start)
				}
			}
		}
	}
}

// anchorBits sets bit 7 of each byte of w that equals a byte of w0, w1 or w2 (each one byte
// repeated), and possibly of the byte above one (the zero test's borrow): candidates only.
func anchorBits(w, w0, w1, w2 uint64) uint64 {
	z0, z1, z2 := w^w0, w^w1, w^w2
	return ((z0-0x0101010101010101)&^z0 | (z1-0x0101010101010101)&^z1 | (z2-0x0101010101010101)&^z2) & 0x8080808080808080
}

func (e *extractor) full() bool { return e.lim.MaxIOCs > 0 && len(e.out) >= e.lim.MaxIOCs }

func (e *extractor) add(ioc IOC) {
	if e.full() || ioc.Value == "" {
		return
	}
	k := iocKey{ioc.Type, ioc.Value}
	if e.seen[k] {
		return
	}
	e.seen[k] = true
	e.out = append(e.out, ioc)
}

// urlMarkers are the separators that introduce a URL's authority, plain and defanged.
var urlMarkers = [][]byte{[]byte("://"), []byte("[:]//"), []byte("[://]"), []byte("(:)//")}

// urls reads a URL at every marker; markerAt holds each marker's offsets (markerFinder).
func (e *extractor) urls(b []byte, markerAt [][]int) {
	for mi, m := range urlMarkers {
		i := 0
		for _, at := range markerAt[mi] {
			if e.full() {
				break
			}
			if at < i {
				continue
			}
			i = at + len(m)
			start := at
			for start > 0 && start > at-8 && isAlpha(b[start-1]) {
				start--
			}
			if start == at {
				continue
			}
			scheme := strings.ToLower(string(b[start:at]))
			end := i
			for end < len(b) && end-start < e.lim.MaxTokenLen && urlChar[b[end]] {
				end++
			}
			e.covers = append(e.covers, span{start, end})
			e.url(scheme, string(b[i:end]), int64(start), len(m) != 3)
		}
	}
}

var schemes = map[string]string{
	"http": "http", "https": "https", "ftp": "ftp", "ftps": "ftps", "ws": "ws", "wss": "wss",
	"hxxp": "http", "hxxps": "https", "hxxxp": "http", "hxxxps": "https", "fxp": "ftp",
	"hXXp": "http", "hXXps": "https", "meow": "http", "smb": "smb", "tcp": "tcp", "udp": "udp",
}

func (e *extractor) url(scheme, rest string, off int64, defanged bool) {
	canon, ok := schemes[scheme]
	if !ok {
		return
	}
	if canon != scheme {
		defanged = true
	}
	rest = strings.TrimRight(rest, ".,;:!?)]'\"")
	fixed, changed := refang(rest)
	defanged = defanged || changed
	hostEnd := strings.IndexAny(fixed, "/?#")
	if hostEnd < 0 {
		hostEnd = len(fixed)
	}
	authority := fixed[:hostEnd]
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		authority = authority[at+1:]
	}
	host := authority
	if strings.HasPrefix(host, "[") {
		if k := strings.IndexByte(host, ']'); k > 0 {
			host = host[1:k]
		}
	} else if k := strings.LastIndexByte(host, ':'); k >= 0 {
		host = host[:k]
	}
	host = strings.ToLower(host)
	hostIOC, ok := classifyHost(host)
	if !ok {
		return
	}
	hostIOC.Offset, hostIOC.Defanged = off, defanged
	e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_URL, Value: canon + "://" + fixed, Offset: off,
		Defanged: defanged, Reserved: hostIOC.Reserved})
	e.add(hostIOC)
}

// classifyHost turns a URL host into a domain or IP indicator.
func classifyHost(host string) (IOC, bool) {
	if a, err := netip.ParseAddr(host); err == nil {
		t := analysisv1.IOCType_IOC_TYPE_IPV4
		if a.Is6() && !a.Is4In6() {
			t = analysisv1.IOCType_IOC_TYPE_IPV6
		}
		return IOC{Type: t, Value: a.Unmap().String(), Reserved: reservedAddr(a)}, true
	}
	if validDomain(host, true) {
		return IOC{Type: analysisv1.IOCType_IOC_TYPE_DOMAIN, Value: host}, true
	}
	return IOC{}, false
}

// refangPairs are the defanging conventions undone, in order, as old, new pairs for refangs.
var refangPairs = []string{
	"[.]", ".", "(.)", ".", "{.}", ".", "[dot]", ".", "(dot)", ".", "[DOT]", ".",
	"[:]", ":", "[://]", "://", "[at]", "@", "(at)", "@", "[AT]", "@", "[@]", "@", "[/]", "/",
}

var refangs = strings.NewReplacer(refangPairs...)

// refangSecond marks the bytes that follow the opening bracket of a defanged form: the
// second byte of every old string of refangPairs (TestRefangGate checks the tables agree).
var refangSecond = func() (t [256]bool) {
	for _, c := range []byte(".dD:aA@/") {
		t[c] = true
	}
	return t
}()

// refang undoes defanging. Every defanged form is at least three bytes, an opening bracket and
// a byte of refangSecond first: strings without such a pair (Pointer[go.shape], func(int),
// thousands of them in an executable) skip the replacer, which copies its input whether or
// not it replaces anything.
func refang(s string) (string, bool) {
	if !defangedForm(s) {
		return s, false
	}
	r := refangs.Replace(s)
	return r, r != s
}

// defangedForm reports whether s may hold a defanged form: an opening bracket, then a byte of
// refangSecond, then at least one more byte.
func defangedForm[T string | []byte](s T) bool {
	for i := 0; i+2 < len(s); i++ {
		if (s[i] == '[' || s[i] == '(' || s[i] == '{') && refangSecond[s[i+1]] {
			return true
		}
	}
	return false
}

// fileExtTLDs are TLDs that are far more often a file extension than a domain in samples
// (readme.md, setup.py, a.zip). A bare token ending in one is not reported as a domain; URLs
// with such hosts still are.
var fileExtTLDs = map[string]bool{
	"md": true, "py": true, "sh": true, "pl": true, "rs": true, "so": true, "cs": true,
	"ps": true, "zip": true, "mov": true, "cc": false, "ax": true, "tv": false, "ts": false,
	"mp": true, "sc": true, "ai": false, "do": true, "ms": true,
}

// validDomain reports whether s is a syntactically valid host name under a known public suffix.
func validDomain(s string, inURL bool) bool {
	if len(s) < 4 || len(s) > 253 || !strings.Contains(s, ".") || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	labels := 0
	// The labels are read in place: strings.Split allocated a slice per name.
	for rest, more := s, true; more; {
		var l string
		l, rest, more = strings.Cut(rest, ".")
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

// reservedAddr reports addresses that are not globally routable: private, loopback,
// link-local, multicast, unspecified, CGNAT, benchmarking and documentation ranges.
func reservedAddr(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsMulticast() || a.IsUnspecified() || a.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range reservedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

var reservedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("100::/64"),
}

// uaPrefixes start user-agent strings commonly hard-coded in malware.
var uaPrefixes = [][]byte{[]byte("Mozilla/"), []byte("User-Agent: "), []byte("curl/"), []byte("Wget/"),
	[]byte("python-requests/"), []byte("WinHTTP"), []byte("Microsoft BITS/")}

// userAgents reads a user agent at every prefix; prefixAt holds each prefix's offsets
// (markerFinder).
func (e *extractor) userAgents(b []byte, prefixAt [][]int) {
	for pi, p := range uaPrefixes {
		i := 0
		for _, start := range prefixAt[pi] {
			if e.full() {
				break
			}
			if start < i {
				continue
			}
			i = start + len(p)
			vs := start
			if p[len(p)-1] == ' ' {
				vs = i
			}
			end := vs
			for end < len(b) && end-vs < 512 && b[end] >= 0x20 && b[end] < 0x7f && b[end] != '"' && b[end] != '\'' && b[end] != '`' {
				end++
			}
			ua := strings.TrimSpace(string(b[vs:end]))
			if len(ua) < 8 || !strings.Contains(ua, "/") {
				continue
			}
			i = end
			e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_USER_AGENT, Value: ua, Offset: int64(vs)})
		}
	}
}

// covered reports whether a token overlaps a URL span. Tokens arrive in increasing offset
// order and covers is sorted by start, so a cursor makes the whole scan linear.
func (e *extractor) covered(start, end int) bool {
	for e.cursor < len(e.covers) && e.covers[e.cursor].end <= start {
		e.cursor++
	}
	for i := e.cursor; i < len(e.covers) && e.covers[i].start < end; i++ {
		if start < e.covers[i].end && end > e.covers[i].start {
			return true
		}
	}
	return false
}

// minToken is the shortest token classified: no indicator is shorter.
const minToken = 6

// tokens classifies every token of at least minToken bytes. Token bytes are printable, so
// every token lies inside a run of printable text of at least minToken bytes: guest.TextRuns
// finds those (the host does, inside WASM), and only they are scanned; in an executable they
// are a tenth of the bytes or less. extract calls it when it could not keep all the runs it
// found for the markers.
func (e *extractor) tokens(b []byte) {
	guest.TextRuns(textruns.ASCII, minToken, b, func(start, end int) bool {
		e.tokensIn(b[:end], start)
		return !e.full()
	})
}

// tokensIn classifies the tokens of b[from:], where b[from-1], if any, is not a token byte.
// The scan tests the byte minToken-1 ahead first: when it cannot be part of a token, no long
// enough token starts before it, and minToken bytes are skipped with one load. While it
// extends a token it collects the token's flags, one table load per byte: token needs them,
// and inside WASM a second pass over the bytes costs as much as the first. The inner loops
// make no calls, so inside WASM their values stay in locals.
func (e *extractor) tokensIn(b []byte, from int) {
	// i is always from or just after a byte that is not a token byte.
	for i := from; i+minToken <= len(b) && !e.full(); {
		for i+minToken <= len(b) && tokenFlags[b[i+minToken-1]] == 0 {
			i += minToken
		}
		if i+minToken > len(b) {
			break
		}
		start, end := i+minToken-1, i+minToken
		flags := tokenFlags[b[start]]
		for start > i {
			k := tokenFlags[b[start-1]]
			if k == 0 {
				break
			}
			flags |= k
			start--
		}
		for end < len(b) {
			k := tokenFlags[b[end]]
			if k == 0 {
				break
			}
			flags |= k
			end++
		}
		i = end + 1
		if end-start < minToken || end-start > e.lim.MaxTokenLen {
			continue
		}
		e.token(b[start:end], start, flags)
	}
}

// token classifies one token; flags is tokenFlags of its bytes, or-ed. The cheap byte checks
// up front keep plain prose fast.
func (e *extractor) token(tok []byte, off int, flags byte) {
	dot, colon, at := flags&flagDot != 0, flags&flagColon != 0, flags&flagAt != 0
	bslash, bracket := flags&flagBackslash != 0, flags&flagBracket != 0
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
	if bracket || colon {
		// The brackets and colons flagged above may all have been trimmed off; inner flags
		// what is left.
		inner := flags
		if lead > 0 || end < len(tok) {
			inner = 0
			for _, c := range tok[lead:end] {
				inner |= tokenFlags[c]
			}
		}
		if bracket && inner&flagBracket == 0 {
			// Every bracket was trimmed off (runtime.(*mheap), Pointer[go.shape]): refanging
			// and trimming s would change nothing, so only dot and at are taken from what is
			// left, as the bracket path below does.
			bracket = false
			dot, at = inner&flagDot != 0, inner&flagAt != 0
		}
		if colon && !bracket && !at && (inner&flagColon == 0 || !maybeAddrOrPort(tok[lead:end], dot)) {
			// Only trimmed colons (runtime:, mspan.sweep:), or names with colons inside
			// (method:I, /gc/pauses:seconds): the colon case below needs an IPv6 address or a
			// host and port, and the dotted case is not taken, as the token has a colon.
			return
		}
		if bracket && !colon && !defangedForm(tok[lead:end]) {
			// A '[' or '(' stays inside s, whose ends were trimmed, and refang finds nothing to
			// undo, so the bracket path below reads s as it is. No e-mail address, digest or
			// wallet holds those bytes, and a host only before a '/' (evil.com/a(b)); map[K]V,
			// func(T) and Pointer[T] stop here.
			if at || !dot && !maybeDigestOrWallet(tok[lead:end]) || dot && !hostShaped(tok[lead:end]) {
				return
			}
		}
	}
	// Executables hold thousands of dotted program identifiers and long plain words: reject
	// those that cannot yield an indicator from their bytes, before any allocation.
	if !bracket && !at && !colon {
		if dot && !bareHost(tok, lead, end) {
			return
		}
		if !dot && !maybeDigestOrWallet(tok[lead:end]) {
			return
		}
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
		if bracket && !defanged && codeToken(tok, lead, []byte(s)) {
			return
		}
		e.dotted(s, off, defanged)
	case colon:
		if a, err := netip.ParseAddr(s); err == nil && a.Is6() && strings.Count(s, ":") >= 2 {
			e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_IPV6, Value: a.String(), Offset: int64(off),
				Reserved: reservedAddr(a), Defanged: defanged})
		} else if dot {
			// host:port
			if k := strings.LastIndexByte(s, ':'); k > 0 && allDigits(s[k+1:]) {
				e.dotted(s[:k], off, defanged)
			}
		}
	default:
		e.hashOrWallet(s, off)
	}
}

func (e *extractor) email(s string, off int, defanged bool) {
	k := strings.LastIndexByte(s, '@')
	local, domain := s[:k], strings.ToLower(s[k+1:])
	if local == "" || len(local) > 64 || !validDomain(domain, true) {
		return
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(isAlnum(c) || strings.IndexByte(".-_+%", c) >= 0) {
			return
		}
	}
	e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_EMAIL, Value: local + "@" + domain, Offset: int64(off), Defanged: defanged})
	e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_DOMAIN, Value: domain, Offset: int64(off + k + 1), Defanged: defanged})
}

func (e *extractor) dotted(s string, off int, defanged bool) {
	if k := strings.IndexByte(s, '/'); k > 0 {
		s = s[:k]
	}
	// An IPv4 address starts with a digit; names that do not are spared ParseAddr's error,
	// which allocates.
	if s != "" && '0' <= s[0] && s[0] <= '9' {
		if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
			e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_IPV4, Value: a.String(), Offset: int64(off),
				Reserved: reservedAddr(a), Defanged: defanged})
			return
		}
	}
	d := strings.ToLower(s)
	if e.binary && !defanged && wordTLDs[d[strings.LastIndexByte(d, '.')+1:]] && !strings.HasPrefix(d, "www.") {
		return
	}
	if validDomain(d, defanged) {
		e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_DOMAIN, Value: d, Offset: int64(off), Defanged: defanged})
	}
}

// codeToken reports a bare dotted token that is a program identifier rather than a host name:
// an ELF section or file extension (.data.rel.ro, .tar.gz), a call (os.Open(…), fmt.name()),
// a qualified name whose later labels are capitalized or mixed case (unicode.Cc, time.Time.Now,
// pkix.Name: host names are written in one case), or a package, module or receiver name in
// front of a TLD that is not one of the classic ones (runtime.name, errors.is, self.stream).
// s is tok[lead:] trimmed. It reads bytes in place: executables hold thousands of such names,
// and inside WASM an allocation per name was most of the scan's time.
func codeToken(tok []byte, lead int, s []byte) bool {
	if bytes.IndexByte(tok[:lead], '.') >= 0 {
		return true
	}
	if end := lead + len(s); end < len(tok) && tok[end] == '(' {
		return true
	}
	host := s
	if k := bytes.IndexAny(host, "/:"); k > 0 {
		host = host[:k]
	}
	first, rest, _ := bytes.Cut(host, []byte("."))
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("."))
		if mixedCase(l) {
			return true
		}
	}
	var fb, tb [16]byte
	tld := host[bytes.LastIndexByte(host, '.')+1:]
	// The tables' keys are short and lower-case; longer names cannot be in them.
	return len(first) <= len(fb) && codeNames[string(lowerInto(fb[:0], first))] &&
		(len(tld) > len(tb) || !classicTLDs[string(lowerInto(tb[:0], tld))])
}

// mixedCase reports whether l has both upper- and lower-case ASCII letters, which is when
// strings.ToLower(l) != l && strings.ToUpper(l) != l for the ASCII bytes a token holds.
func mixedCase(l []byte) bool {
	var upper, lower bool
	for _, c := range l {
		upper = upper || 'A' <= c && c <= 'Z'
		lower = lower || 'a' <= c && c <= 'z'
	}
	return upper && lower
}

// lowerInto appends s with A–Z lowered to dst.
func lowerInto(dst, s []byte) []byte {
	for _, c := range s {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// hostClass sorts bytes for bareHost and hostShaped: hostUpper, hostLower and hostOther (digits, '-', '_')
// for those a host name holds, hostDot, hostSlash, and 0 for the rest.
var hostClass = func() (t [256]byte) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = hostLower
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = hostUpper
	}
	for _, c := range []byte("0123456789-_") {
		t[c] = hostOther
	}
	t['.'], t['/'] = hostDot, hostSlash
	return t
}()

const (
	hostUpper byte = 1 << iota
	hostLower
	hostOther
	hostDot
	hostSlash
)

// bareHost reports whether a bare dotted token (no brackets, ':' or '@'), s = tok[lead:end]
// trimmed, can give dotted an indicator: its host, the part before its first '/' (when that
// is not its first byte), must hold a dot and only letters, digits, '.', '-' and '_', which
// both an IPv4 address and a valid domain need, and the token must not be a program
// identifier (codeToken). It is the two tests in one pass over the bytes, without calls:
// executables hold thousands of dotted identifiers, and inside WASM each call and each extra
// pass over a name costs more than the name's bytes.
func bareHost(tok []byte, lead, end int) bool {
	for _, c := range tok[:lead] {
		if c == '.' {
			return false
		}
	}
	if end < len(tok) && tok[end] == '(' {
		return false
	}
	s := tok[lead:end]
	// firstDot and lastDot bound the host's labels; letters collects the classes of the
	// current label's bytes, to find a mixed-case label after the first.
	firstDot, lastDot, hostEnd := -1, -1, len(s)
	var letters byte
	for i := 0; i < len(s); i++ {
		k := hostClass[s[i]]
		if k&(hostDot|hostSlash) == 0 {
			if k == 0 {
				return false
			}
			letters |= k
			continue
		}
		if k == hostSlash {
			if i == 0 {
				return false
			}
			hostEnd = i
			break
		}
		if firstDot >= 0 && letters&(hostUpper|hostLower) == hostUpper|hostLower {
			return false
		}
		if firstDot < 0 {
			firstDot = i
		}
		lastDot, letters = i, 0
	}
	if firstDot < 0 || letters&(hostUpper|hostLower) == hostUpper|hostLower {
		return false
	}
	var fb, tb [16]byte
	first, tld := s[:firstDot], s[lastDot+1:hostEnd]
	// The tables' keys are short and lower-case; longer names cannot be in them.
	return !(len(first) <= len(fb) && codeNames[string(lowerInto(fb[:0], first))] &&
		(len(tld) > len(tb) || !classicTLDs[string(lowerInto(tb[:0], tld))]))
}

// hostShaped reports whether dotted can find an indicator in s, not defanged, from its bytes:
// the part before its first '/' (when that is not its first byte) must hold a dot and only
// letters, digits, '.', '-' and '_', which both an IPv4 address and a valid domain need.
func hostShaped[T string | []byte](s T) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch k := hostClass[s[i]]; {
		case k == hostDot:
			dot = true
		case k == hostSlash && i > 0:
			return dot
		case k == 0, k == hostSlash:
			return false
		}
	}
	return dot
}

// maybeAddrOrPort reports whether s, with a colon and without brackets or '@', may give the
// colon case of token an indicator: an IPv6 address, which starts with a hex digit or "::",
// or, when s has a dot, a host and port, which ends in ':' and digits.
func maybeAddrOrPort(s []byte, dot bool) bool {
	if c := s[0]; '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f' || c == ':' {
		return true
	}
	if !dot {
		return false
	}
	k := len(s)
	for k > 0 && '0' <= s[k-1] && s[k-1] <= '9' {
		k--
	}
	return k < len(s) && k > 1 && s[k-1] == ':'
}

// maybeDigestOrWallet reports whether a bare token without '.', ':', '@' or brackets has the
// length and first byte of one of the cases hashOrWallet accepts.
func maybeDigestOrWallet(s []byte) bool {
	n, c := len(s), s[0]
	return n == 32 || n == 40 || n == 64 ||
		n == 42 && c == '0' ||
		n >= 26 && n <= 35 && (c == '1' || c == '3') ||
		n >= 14 && n <= 90 && (c == 'b' || c == 'B') ||
		(n == 95 || n == 106) && (c == '4' || c == '8')
}

// codeNames are package, module and receiver names that qualify identifiers in Go, Python and
// JavaScript binaries and scripts (runtime.name, os.link, self.stream, window.open).
var codeNames = map[string]bool{
	"runtime": true, "reflect": true, "sync": true, "syscall": true, "os": true, "io": true, "fmt": true,
	"time": true, "strings": true, "bytes": true, "errors": true, "unicode": true, "unique": true, "net": true,
	"log": true, "sort": true, "math": true, "context": true, "json": true, "xml": true, "template": true,
	"maps": true, "slices": true, "elf": true, "dwarf": true, "pkix": true, "abi": true, "atomic": true,
	"bufio": true, "strconv": true, "http": true, "http2": true, "url": true, "filepath": true, "exec": true,
	"signal": true, "utf8": true, "regexp": true, "binary": true, "x509": true, "tls": true, "testing": true,
	"self": true, "this": true, "cls": true, "super": true, "builtins": true, "collections": true,
	"datetime": true, "re": true, "sys": true, "window": true, "document": true, "console": true,
	"object": true, "array": true, "thread": true, "threading": true, "socket": true, "subprocess": true,
	"codecs": true,
}

// classicTLDs are the TLDs under which a package-like first label is still taken as a host
// (time.com, json.org, socket.io).
var classicTLDs = map[string]bool{"com": true, "net": true, "org": true, "edu": true, "gov": true, "mil": true,
	"int": true, "info": true, "biz": true, "io": true, "co": true, "dev": true, "app": true}

// wordTLDs are TLDs that are also English words and method or field names (.name, .open,
// .read, .data, .is). In binary content a bare token ending in one is a symbol far more often
// than a host, so it is not reported; URLs, e-mail addresses and www. names under them are.
var wordTLDs = map[string]bool{
	"name": true, "open": true, "read": true, "data": true, "link": true, "map": true, "next": true,
	"new": true, "zone": true, "call": true, "run": true, "date": true, "group": true, "search": true,
	"stream": true, "services": true, "save": true, "secure": true, "work": true, "shell": true,
	"actor": true, "properties": true, "space": true, "compare": true, "day": true, "prof": true,
	"got": true, "pub": true, "total": true, "zero": true, "is": true, "in": true, "to": true,
	"as": true, "do": true, "me": true, "no": true, "id": true, "at": true, "it": true, "be": true,
	"by": true, "on": true, "so": true, "us": true, "mu": true, "ro": true, "tf": true, "seek": true,
	"help": true, "download": true, "show": true, "play": true, "fail": true, "exit": true,
}

var registryRoots = []string{"HKEY_LOCAL_MACHINE", "HKEY_CURRENT_USER", "HKEY_CLASSES_ROOT",
	"HKEY_USERS", "HKEY_CURRENT_CONFIG", "HKLM", "HKCU", "HKCR", "HKU", "HKCC"}

func (e *extractor) pathOrKey(s string, off int) {
	s = strings.TrimRight(s, ".,;:)]")
	s = strings.TrimLeft(s, "([")
	upper := strings.ToUpper(s)
	for _, r := range registryRoots {
		if strings.HasPrefix(upper, r+"\\") || strings.HasPrefix(upper, r+":\\") {
			if len(s) > len(r)+2 {
				e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_REGISTRY_KEY, Value: s, Offset: int64(off)})
			}
			return
		}
	}
	if k := strings.Index(upper, "\\SOFTWARE\\"); k > 0 && strings.HasPrefix(upper, "REGISTRY\\") {
		e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_REGISTRY_KEY, Value: s, Offset: int64(off)})
		return
	}
	switch {
	case len(s) > 3 && isAlpha(s[0]) && s[1] == ':' && s[2] == '\\':
	case strings.HasPrefix(s, "\\\\") && len(s) > 4 && isAlnum(s[2]):
	case len(s) > 2 && s[0] == '%' && strings.Contains(s[1:], "%\\"):
	default:
		return
	}
	if strings.HasSuffix(s, "\\") && len(s) <= 3 {
		return
	}
	e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_FILE_PATH, Value: s, Offset: int64(off)})
}

func (e *extractor) hashOrWallet(s string, off int) {
	switch {
	case (len(s) == 32 || len(s) == 40 || len(s) == 64) && allHex(s):
		if !hashLike(s) {
			return
		}
		t := map[int]analysisv1.IOCType{32: analysisv1.IOCType_IOC_TYPE_MD5, 40: analysisv1.IOCType_IOC_TYPE_SHA1,
			64: analysisv1.IOCType_IOC_TYPE_SHA256}[len(s)]
		e.add(IOC{Type: t, Value: strings.ToLower(s), Offset: int64(off)})
	case len(s) == 42 && (s[:2] == "0x" || s[:2] == "0X") && allHex(s[2:]):
		if validETH(s) {
			e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_ETH_ADDRESS, Value: "0x" + s[2:], Offset: int64(off)})
		}
	case len(s) >= 26 && len(s) <= 35 && (s[0] == '1' || s[0] == '3'):
		if validBase58Check(s) {
			e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_BTC_ADDRESS, Value: s, Offset: int64(off)})
		}
	case len(s) >= 14 && len(s) <= 90 && (strings.HasPrefix(s, "bc1") || strings.HasPrefix(s, "BC1")):
		if validBech32(strings.ToLower(s)) {
			e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_BTC_ADDRESS, Value: strings.ToLower(s), Offset: int64(off)})
		}
	case (len(s) == 95 || len(s) == 106) && (s[0] == '4' || s[0] == '8'):
		if validMonero(s) {
			e.add(IOC{Type: analysisv1.IOCType_IOC_TYPE_XMR_ADDRESS, Value: s, Offset: int64(off)})
		}
	}
}

// hashLike rejects hex runs that are obviously not digests (all one digit, all letters, all
// digits), which appear as padding and constants in binaries.
func hashLike(s string) bool {
	digits, letters := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		} else {
			letters++
		}
	}
	return digits > 0 && letters > 0 && strings.Count(s, s[:1]) < len(s)/2
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnum(c byte) bool { return isAlpha(c) || c >= '0' && c <= '9' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f') {
			return false
		}
	}
	return true
}
