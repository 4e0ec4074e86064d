package network

// The indicator extraction as it was before the scans were made faster inside WASM (network
// 1.1.0), kept as the oracle that TestExtractMatchesReference and FuzzExtract hold Extract to.
// Only the names differ.

import (
	"bytes"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"golang.org/x/net/publicsuffix"
)

// tokenChar, urlChar, schemes, refangs and the other tables below are read-only
// lookup tables: Go has no constant arrays or maps.
//
// tokenChar marks bytes that can be part of an indicator token. Whitespace, quotes, angle
// brackets and most punctuation end a token; brackets and parentheses stay in so that defanged
// forms such as evil[.]com and evil(.)com survive tokenization.
var refTokenChar = func() (t [256]bool) {
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

// tokenTrim marks the punctuation trimmed from both ends of a token.
var refTokenTrim = func() (t [256]bool) {
	for _, c := range []byte(".,;:!?()[]/-_$~%") {
		t[c] = true
	}
	return t
}()

// urlChar marks bytes allowed inside a URL after its scheme.
var refUrlChar = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range []byte("\"'<>`{}|^\\") {
		t[c] = false
	}
	return t
}()

type refExtractor struct {
	lim ExtractLimits
	// binary is set for content with NUL bytes (executables, memory dumps), where dotted
	// identifiers from symbol tables far outnumber host names.
	binary bool
	seen   map[refIocKey]bool
	out    []IOC
	covers []refSpan
	cursor int
}

type refSpan struct{ start, end int }

// iocKey deduplicates indicators by type and value.
type refIocKey struct {
	typ   analysisv1.IOCType
	value string
}

// extract finds indicators in content: URLs, domains, IP addresses, e-mail addresses, hashes,
// cryptocurrency addresses, Windows paths, registry keys and user agents. Defanged forms are
// refanged. Results are deduplicated by type and value, keeping the first offset.
func referenceExtract(content []byte, lim ExtractLimits) []IOC {
	e := &refExtractor{lim: lim, seen: map[refIocKey]bool{}, binary: bytes.IndexByte(content[:min(len(content), 1<<16)], 0) >= 0}
	e.refUrls(content)
	slices.SortFunc(e.covers, func(a, b refSpan) int { return a.start - b.start })
	e.refUserAgents(content)
	e.refTokens(content)
	return e.out
}

func (e *refExtractor) refFull() bool { return e.lim.MaxIOCs > 0 && len(e.out) >= e.lim.MaxIOCs }

func (e *refExtractor) refAdd(ioc IOC) {
	if e.refFull() || ioc.Value == "" {
		return
	}
	k := refIocKey{ioc.Type, ioc.Value}
	if e.seen[k] {
		return
	}
	e.seen[k] = true
	e.out = append(e.out, ioc)
}

// urlMarkers are the separators that introduce a URL's authority, plain and defanged.
var refUrlMarkers = [][]byte{[]byte("://"), []byte("[:]//"), []byte("[://]"), []byte("(:)//")}

func (e *refExtractor) refUrls(b []byte) {
	for _, m := range refUrlMarkers {
		for i := 0; i < len(b) && !e.refFull(); {
			j := bytes.Index(b[i:], m)
			if j < 0 {
				break
			}
			at := i + j
			i = at + len(m)
			start := at
			for start > 0 && start > at-8 && refIsAlpha(b[start-1]) {
				start--
			}
			if start == at {
				continue
			}
			scheme := strings.ToLower(string(b[start:at]))
			end := i
			for end < len(b) && end-start < e.lim.MaxTokenLen && refUrlChar[b[end]] {
				end++
			}
			e.covers = append(e.covers, refSpan{start, end})
			e.refUrl(scheme, string(b[i:end]), int64(start), len(m) != 3)
		}
	}
}

var refSchemes = map[string]string{
	"http": "http", "https": "https", "ftp": "ftp", "ftps": "ftps", "ws": "ws", "wss": "wss",
	"hxxp": "http", "hxxps": "https", "hxxxp": "http", "hxxxps": "https", "fxp": "ftp",
	"hXXp": "http", "hXXps": "https", "meow": "http", "smb": "smb", "tcp": "tcp", "udp": "udp",
}

func (e *refExtractor) refUrl(scheme, rest string, off int64, defanged bool) {
	canon, ok := refSchemes[scheme]
	if !ok {
		return
	}
	if canon != scheme {
		defanged = true
	}
	rest = strings.TrimRight(rest, ".,;:!?)]'\"")
	fixed, changed := refRefang(rest)
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
	hostIOC, ok := refClassifyHost(host)
	if !ok {
		return
	}
	hostIOC.Offset, hostIOC.Defanged = off, defanged
	e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_URL, Value: canon + "://" + fixed, Offset: off,
		Defanged: defanged, Reserved: hostIOC.Reserved})
	e.refAdd(hostIOC)
}

// classifyHost turns a URL host into a domain or IP indicator.
func refClassifyHost(host string) (IOC, bool) {
	if a, err := netip.ParseAddr(host); err == nil {
		t := analysisv1.IOCType_IOC_TYPE_IPV4
		if a.Is6() && !a.Is4In6() {
			t = analysisv1.IOCType_IOC_TYPE_IPV6
		}
		return IOC{Type: t, Value: a.Unmap().String(), Reserved: refReservedAddr(a)}, true
	}
	if refValidDomain(host, true) {
		return IOC{Type: analysisv1.IOCType_IOC_TYPE_DOMAIN, Value: host}, true
	}
	return IOC{}, false
}

// refangs are the defanging conventions undone, in order.
var refRefangs = strings.NewReplacer(
	"[.]", ".", "(.)", ".", "{.}", ".", "[dot]", ".", "(dot)", ".", "[DOT]", ".",
	"[:]", ":", "[://]", "://", "[at]", "@", "(at)", "@", "[AT]", "@", "[@]", "@", "[/]", "/",
)

func refRefang(s string) (string, bool) {
	if !strings.ContainsAny(s, "[({") {
		return s, false
	}
	r := refRefangs.Replace(s)
	return r, r != s
}

// fileExtTLDs are TLDs that are far more often a file extension than a domain in samples
// (readme.md, setup.py, a.zip). A bare token ending in one is not reported as a domain; URLs
// with such hosts still are.
var refFileExtTLDs = map[string]bool{
	"md": true, "py": true, "sh": true, "pl": true, "rs": true, "so": true, "cs": true,
	"ps": true, "zip": true, "mov": true, "cc": false, "ax": true, "tv": false, "ts": false,
	"mp": true, "sc": true, "ai": false, "do": true, "ms": true,
}

// validDomain reports whether s is a syntactically valid host name under a known public suffix.
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
	if !inURL && labels == 2 && refFileExtTLDs[tld] {
		return false
	}
	return true
}

// reservedAddr reports addresses that are not globally routable: private, loopback,
// link-local, multicast, unspecified, CGNAT, benchmarking and documentation ranges.
func refReservedAddr(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsMulticast() || a.IsUnspecified() || a.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range refReservedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

var refReservedPrefixes = []netip.Prefix{
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
var refUaPrefixes = [][]byte{[]byte("Mozilla/"), []byte("User-Agent: "), []byte("curl/"), []byte("Wget/"),
	[]byte("python-requests/"), []byte("WinHTTP"), []byte("Microsoft BITS/")}

func (e *refExtractor) refUserAgents(b []byte) {
	for _, p := range refUaPrefixes {
		for i := 0; i < len(b) && !e.refFull(); {
			j := bytes.Index(b[i:], p)
			if j < 0 {
				break
			}
			start := i + j
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
			e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_USER_AGENT, Value: ua, Offset: int64(vs)})
		}
	}
}

// covered reports whether a token overlaps a URL span. Tokens arrive in increasing offset
// order and covers is sorted by start, so a cursor makes the whole scan linear.
func (e *refExtractor) refCovered(start, end int) bool {
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

func (e *refExtractor) refTokens(b []byte) {
	i := 0
	for i < len(b) && !e.refFull() {
		for i < len(b) && !refTokenChar[b[i]] {
			i++
		}
		start := i
		for i < len(b) && refTokenChar[b[i]] {
			i++
		}
		if i-start < 6 || i-start > e.lim.MaxTokenLen {
			continue
		}
		e.refToken(b[start:i], start)
	}
}

// token classifies one token. The cheap byte checks up front keep plain prose fast.
func (e *refExtractor) refToken(tok []byte, off int) {
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
	if len(e.covers) > 0 && e.refCovered(off, off+len(tok)) {
		return
	}
	if bslash {
		e.refPathOrKey(string(tok), off)
		return
	}
	lead, end := 0, len(tok)
	for lead < end && refTokenTrim[tok[lead]] {
		lead++
	}
	for end > lead && refTokenTrim[tok[end-1]] {
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
		s, defanged = refRefang(s)
		s = strings.Trim(s, "()[]")
		dot = strings.Contains(s, ".")
		at = strings.Contains(s, "@")
	}
	switch {
	case at:
		e.refEmail(s, off, defanged)
	case dot && !colon:
		if !defanged && refCodeToken(tok, lead, s) {
			return
		}
		e.refDotted(s, off, defanged)
	case colon:
		if a, err := netip.ParseAddr(s); err == nil && a.Is6() && strings.Count(s, ":") >= 2 {
			e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_IPV6, Value: a.String(), Offset: int64(off),
				Reserved: refReservedAddr(a), Defanged: defanged})
		} else if dot {
			// host:port
			if k := strings.LastIndexByte(s, ':'); k > 0 && refAllDigits(s[k+1:]) {
				e.refDotted(s[:k], off, defanged)
			}
		}
	default:
		e.refHashOrWallet(s, off)
	}
}

func (e *refExtractor) refEmail(s string, off int, defanged bool) {
	k := strings.LastIndexByte(s, '@')
	local, domain := s[:k], strings.ToLower(s[k+1:])
	if local == "" || len(local) > 64 || !refValidDomain(domain, true) {
		return
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(refIsAlnum(c) || strings.IndexByte(".-_+%", c) >= 0) {
			return
		}
	}
	e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_EMAIL, Value: local + "@" + domain, Offset: int64(off), Defanged: defanged})
	e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_DOMAIN, Value: domain, Offset: int64(off + k + 1), Defanged: defanged})
}

func (e *refExtractor) refDotted(s string, off int, defanged bool) {
	if k := strings.IndexByte(s, '/'); k > 0 {
		s = s[:k]
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
		e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_IPV4, Value: a.String(), Offset: int64(off),
			Reserved: refReservedAddr(a), Defanged: defanged})
		return
	}
	d := strings.ToLower(s)
	if e.binary && !defanged && refWordTLDs[d[strings.LastIndexByte(d, '.')+1:]] && !strings.HasPrefix(d, "www.") {
		return
	}
	if refValidDomain(d, defanged) {
		e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_DOMAIN, Value: d, Offset: int64(off), Defanged: defanged})
	}
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
	return refCodeNames[strings.ToLower(first)] && !refClassicTLDs[tld]
}

// codeNames are package, module and receiver names that qualify identifiers in Go, Python and
// JavaScript binaries and scripts (runtime.name, os.link, self.stream, window.open).
var refCodeNames = map[string]bool{
	"runtime": true, "reflect": true, "sync": true, "syscall": true, "os": true, "io": true, "fmt": true,
	"time": true, "strings": true, "bytes": true, "errors": true, "unicode": true, "unique": true, "net": true,
	"log": true, "sort": true, "math": true, "context": true, "json": true, "xml": true, "template": true,
	"maps": true, "slices": true, "elf": true, "dwarf": true, "pkix": true, "abi": true, "atomic": true,
	"bufio": true, "strconv": true, "http": true, "http2": true, "refUrl": true, "filepath": true, "exec": true,
	"signal": true, "utf8": true, "regexp": true, "binary": true, "x509": true, "tls": true, "testing": true,
	"self": true, "this": true, "cls": true, "super": true, "builtins": true, "collections": true,
	"datetime": true, "re": true, "sys": true, "window": true, "document": true, "console": true,
	"object": true, "array": true, "thread": true, "threading": true, "socket": true, "subprocess": true,
	"codecs": true,
}

// classicTLDs are the TLDs under which a package-like first label is still taken as a host
// (time.com, json.org, socket.io).
var refClassicTLDs = map[string]bool{"com": true, "net": true, "org": true, "edu": true, "gov": true, "mil": true,
	"int": true, "info": true, "biz": true, "io": true, "co": true, "dev": true, "app": true}

// wordTLDs are TLDs that are also English words and method or field names (.name, .open,
// .read, .data, .is). In binary content a bare token ending in one is a symbol far more often
// than a host, so it is not reported; URLs, e-mail addresses and www. names under them are.
var refWordTLDs = map[string]bool{
	"name": true, "open": true, "read": true, "data": true, "link": true, "map": true, "next": true,
	"new": true, "zone": true, "call": true, "run": true, "date": true, "group": true, "search": true,
	"stream": true, "services": true, "save": true, "secure": true, "work": true, "shell": true,
	"actor": true, "properties": true, "space": true, "compare": true, "day": true, "prof": true,
	"got": true, "pub": true, "total": true, "zero": true, "is": true, "in": true, "to": true,
	"as": true, "do": true, "me": true, "no": true, "id": true, "at": true, "it": true, "be": true,
	"by": true, "on": true, "so": true, "us": true, "mu": true, "ro": true, "tf": true, "seek": true,
	"help": true, "download": true, "show": true, "play": true, "fail": true, "exit": true,
}

var refRegistryRoots = []string{"HKEY_LOCAL_MACHINE", "HKEY_CURRENT_USER", "HKEY_CLASSES_ROOT",
	"HKEY_USERS", "HKEY_CURRENT_CONFIG", "HKLM", "HKCU", "HKCR", "HKU", "HKCC"}

func (e *refExtractor) refPathOrKey(s string, off int) {
	s = strings.TrimRight(s, ".,;:)]")
	s = strings.TrimLeft(s, "([")
	upper := strings.ToUpper(s)
	for _, r := range refRegistryRoots {
		if strings.HasPrefix(upper, r+"\\") || strings.HasPrefix(upper, r+":\\") {
			if len(s) > len(r)+2 {
				e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_REGISTRY_KEY, Value: s, Offset: int64(off)})
			}
			return
		}
	}
	if k := strings.Index(upper, "\\SOFTWARE\\"); k > 0 && strings.HasPrefix(upper, "REGISTRY\\") {
		e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_REGISTRY_KEY, Value: s, Offset: int64(off)})
		return
	}
	switch {
	case len(s) > 3 && refIsAlpha(s[0]) && s[1] == ':' && s[2] == '\\':
	case strings.HasPrefix(s, "\\\\") && len(s) > 4 && refIsAlnum(s[2]):
	case len(s) > 2 && s[0] == '%' && strings.Contains(s[1:], "%\\"):
	default:
		return
	}
	if strings.HasSuffix(s, "\\") && len(s) <= 3 {
		return
	}
	e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_FILE_PATH, Value: s, Offset: int64(off)})
}

func (e *refExtractor) refHashOrWallet(s string, off int) {
	switch {
	case (len(s) == 32 || len(s) == 40 || len(s) == 64) && refAllHex(s):
		if !refHashLike(s) {
			return
		}
		t := map[int]analysisv1.IOCType{32: analysisv1.IOCType_IOC_TYPE_MD5, 40: analysisv1.IOCType_IOC_TYPE_SHA1,
			64: analysisv1.IOCType_IOC_TYPE_SHA256}[len(s)]
		e.refAdd(IOC{Type: t, Value: strings.ToLower(s), Offset: int64(off)})
	case len(s) == 42 && (s[:2] == "0x" || s[:2] == "0X") && refAllHex(s[2:]):
		if validETH(s) {
			e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_ETH_ADDRESS, Value: "0x" + s[2:], Offset: int64(off)})
		}
	case len(s) >= 26 && len(s) <= 35 && (s[0] == '1' || s[0] == '3'):
		if validBase58Check(s) {
			e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_BTC_ADDRESS, Value: s, Offset: int64(off)})
		}
	case len(s) >= 14 && len(s) <= 90 && (strings.HasPrefix(s, "bc1") || strings.HasPrefix(s, "BC1")):
		if validBech32(strings.ToLower(s)) {
			e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_BTC_ADDRESS, Value: strings.ToLower(s), Offset: int64(off)})
		}
	case (len(s) == 95 || len(s) == 106) && (s[0] == '4' || s[0] == '8'):
		if validMonero(s) {
			e.refAdd(IOC{Type: analysisv1.IOCType_IOC_TYPE_XMR_ADDRESS, Value: s, Offset: int64(off)})
		}
	}
}

// hashLike rejects hex runs that are obviously not digests (all one digit, all letters, all
// digits), which appear as padding and constants in binaries.
func refHashLike(s string) bool {
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

func refIsAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func refIsAlnum(c byte) bool { return refIsAlpha(c) || c >= '0' && c <= '9' }

func refAllDigits(s string) bool {
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

func refAllHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f') {
			return false
		}
	}
	return true
}

// realBinaries returns the executables Extract is held to its reference on: the Go Windows PE
// the pipeline benchmarks use, the go command, ls and ssh, where present.
func realBinaries(t *testing.T) map[string][]byte {
	t.Helper()
	inputs := map[string][]byte{"go windows pe": testutil.GoWindowsPE(t)}
	for _, p := range []string{"/usr/local/go/bin/go", "/bin/ls", "/usr/bin/ssh"} {
		if b, err := os.ReadFile(p); err == nil {
			inputs[p] = b
		}
	}
	return inputs
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
