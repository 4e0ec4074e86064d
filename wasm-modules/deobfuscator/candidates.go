package deobfuscator

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Character classes for the one-pass run scanner.
const (
	clB64 = 1 << iota
	clHex
	clB32
)

// classes is a read-only lookup table (Go has no constant arrays).
var classes = func() (t [256]uint8) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] |= clB64
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= clB64
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= clB64 | clHex
	}
	for _, c := range "+/=" {
		t[c] |= clB64
	}
	for _, c := range "abcdefABCDEF" {
		t[c] |= clHex
	}
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=" {
		t[c] |= clB32
	}
	return t
}()

// candidates lists the decodable spans of a layer, at most max.
func (e *engine) candidates(data []byte, depth, max int) []candidate {
	var out []candidate
	add := func(c candidate) bool {
		if len(out) >= max {
			return false
		}
		out = append(out, c)
		return true
	}
	switch kind := magicKind(data); kind {
	case "gzip", "zlib":
		// finish unwraps a few compression layers in place; deeper nesting continues here.
		if e.tick(len(data)) {
			if dec, _, err := inflate(data, kind, e.lim.MaxLayerBytes); err == nil && len(dec) > 0 {
				out = append(out, candidate{provenance: []string{kind}, data: dec, whole: true})
			}
		}
		return out
	case "":
	default:
		return nil // a file format: the orchestrator parses it
	}
	if textScore(data[:min(len(data), 4096)]) < 0.8 {
		e.binaryCandidates(data, depth, add)
		return out
	}
	if len(data) > e.lim.MaxLayerBytes {
		data = data[:e.lim.MaxLayerBytes]
	}
	e.textCandidates(data, depth, add)
	return out
}

func (e *engine) binaryCandidates(data []byte, depth int, add func(candidate) bool) {
	if depth == 0 || len(data) > 4<<20 {
		// Brute-forcing XOR over a whole sample (a PE, an archive) is noise and slow; only
		// decoded layers are tried.
		return
	}
	if e.tick(len(data)) {
		if out, _, err := inflate(data, "deflate", e.lim.MaxLayerBytes); err == nil && len(out) > 0 && textScore(out[:min(len(out), 4096)]) > 0.8 {
			add(candidate{provenance: []string{"deflate"}, data: out, whole: true})
			return
		}
	}
	if e.tick(len(data) * 2) {
		if k, out, ok := bestSingleXOR(data); ok {
			add(candidate{provenance: []string{fmt.Sprintf("xor(0x%02x)", k)}, data: out, whole: true})
			return
		}
	}
	if e.tick(len(data) * 4) {
		if k, out, ok := repeatingXOR(data); ok {
			add(candidate{provenance: []string{fmt.Sprintf("xor(%x)", k)}, data: out, whole: true})
		}
	}
}

// maxScriptBytes bounds the layers the regular-expression folds run on: scripts are small, and
// a multi-megabyte layer is a blob that the linear run scanner handles alone.
const maxScriptBytes = 2 << 20

func (e *engine) textCandidates(data []byte, depth int, add func(candidate) bool) {
	re := e.re
	if len(data) > maxScriptBytes {
		e.runs(data, nil, add)
		return
	}
	// Whole-layer folds first: they rewrite the script and the rewritten text is scanned again.
	if folded, steps := e.fold(data); len(steps) > 0 && !bytes.Equal(folded, data) {
		if !add(candidate{provenance: steps, data: folded, whole: true}) {
			return
		}
	}
	// javascript-obfuscator string arrays.
	if bytes.Contains(data, []byte("_0x")) && e.tick(len(data)) {
		if strs, kind := jsObfuscatorStrings(data, re.quoted); len(strs) > 0 {
			if !add(candidate{provenance: []string{"jsobf_" + kind}, data: []byte(strings.Join(strs, "\n")), via: "javascript-obfuscator string array"}) {
				return
			}
		}
	}
	// PowerShell -EncodedCommand.
	psSpans := map[int]bool{}
	if mayHaveEncodedCommand(data) {
		for _, m := range re.psEnc.FindAllSubmatchIndex(data, 16) {
			run := data[m[2]:m[3]]
			if !e.tick(len(run)) {
				return
			}
			if dec, err := decodeBase64(run); err == nil {
				psSpans[m[2]] = true
				if !add(candidate{offset: m[2], provenance: []string{"base64"}, data: dec, via: "powershell -EncodedCommand"}) {
					return
				}
			}
		}
	}
	// Encoded runs in one pass.
	e.runs(data, psSpans, add)
	// 0x41,0x42 byte lists.
	if bytes.Contains(data, []byte(",0x")) || bytes.Contains(data, []byte(", 0x")) {
		for _, m := range re.hexList.FindAllIndex(data, 32) {
			if !e.tick(m[1] - m[0]) {
				return
			}
			if dec, err := decodeHex(data[m[0]:m[1]]); err == nil {
				if !add(candidate{offset: m[0], provenance: []string{"hex"}, data: dec}) {
					return
				}
			}
		}
	}
	// Decimal charcode lists, possibly shifted.
	if mayHaveIntList(data) && e.tick(len(data)) {
		for _, m := range re.intList.FindAllIndex(data, 32) {
			vals, ok := parseIntList(string(data[m[0]:m[1]]))
			if !ok {
				continue
			}
			if dec, shift, ok := charcodes(vals); ok {
				name := "charcode"
				if shift != 0 {
					name = fmt.Sprintf("charcode_shift(%d)", shift)
				}
				if !add(candidate{offset: m[0], provenance: []string{name}, data: dec}) {
					return
				}
			}
		}
	}
	// Whole-layer reversal and ROT13, kept only when they reveal clearly more keywords. A sample
	// itself is only tried when "http" or "powershell" appears reversed or rotated, which keeps
	// the fast rejection exact; decoded layers are always tried.
	tryReverse, tryRot13 := true, true
	if depth == 0 {
		tryReverse = containsFold(data, "ptth") || containsFold(data, "llehsrewop")
		tryRot13 = containsFold(data, "uggc") || containsFold(data, "cbjrefuryy")
	}
	if len(data) <= 1<<20 && (tryReverse || tryRot13) && e.tick(2*len(data)) {
		base := keywordHits(data)
		if r := reverse(data); tryReverse && keywordHits(r) >= base+2 {
			add(candidate{provenance: []string{"reverse"}, data: r, whole: true})
		} else if r := rot13(data); tryRot13 && keywordHits(r) >= base+2 {
			add(candidate{provenance: []string{"rot13"}, data: r, whole: true})
		}
	}
}

// runs finds base64, hex and base32 runs of at least MinRun characters. Base64 split over
// lines (MIME, PEM, PowerShell here-strings) is followed across line breaks.
func (e *engine) runs(data []byte, skip map[int]bool, add func(candidate) bool) {
	minRun := e.lim.MinRun
	i := 0
	for i < len(data) {
		if classes[data[i]]&clB64 == 0 && data[i] != '-' && data[i] != '_' {
			i++
			continue
		}
		start := i
		allHex, allB32, lower, upper, digit, urlSafe := true, true, false, false, false, false
		lineLen := 0
		for i < len(data) {
			c := data[i]
			cl := classes[c]
			if cl&clB64 == 0 && c != '-' && c != '_' {
				// Continue across a line break when the line looked like wrapped base64.
				if (c == '\n' || c == '\r') && lineLen >= 40 {
					j := i
					for j < len(data) && (data[j] == '\n' || data[j] == '\r' || data[j] == ' ') {
						j++
					}
					if j < len(data) && classes[data[j]]&clB64 != 0 {
						i, lineLen = j, 0
						allHex = false
						continue
					}
				}
				break
			}
			if c == '-' || c == '_' {
				urlSafe = true
			}
			allHex = allHex && cl&clHex != 0
			allB32 = allB32 && cl&clB32 != 0
			lower = lower || c >= 'a' && c <= 'z'
			upper = upper || c >= 'A' && c <= 'Z'
			digit = digit || c >= '0' && c <= '9'
			lineLen++
			i++
		}
		run := bytes.TrimRight(data[start:i], "\r\n ")
		reversed := len(run) > 0 && run[0] == '='
		if !reversed {
			// "x=SGVsbG8..." is an assignment, not base64 with padding in the middle.
			if k := bytes.LastIndexByte(bytes.TrimRight(run, "="), '='); k >= 0 {
				start += k + 1
				run = run[k+1:]
			}
		}
		if len(run) < minRun || skip[start] {
			continue
		}
		if urlSafe && bytes.Count(run, []byte("-")) > len(run)/8 {
			continue // identifiers-with-dashes, not base64url
		}
		var prov string
		var dec []byte
		var err error
		switch {
		case allHex && len(run)%2 == 0:
			prov = "hex"
			if !e.tick(len(run)) {
				return
			}
			dec, err = decodeHex(run)
		case allB32 && upper && !lower && (len(bytes.TrimRight(run, "="))*5/8 > 0) && (len(run)%8 == 0 || bytes.HasSuffix(run, []byte("="))):
			prov = "base32"
			if !e.tick(len(run)) {
				return
			}
			dec, err = decodeBase32(run)
		case lower && upper || digit && (lower || upper):
			prov = "base64"
			if !e.tick(len(run)) {
				return
			}
			if reversed {
				// Reversed base64 puts the padding first.
				dec, err = decodeBase64(reverse(run))
				prov = "reverse+base64"
			} else {
				dec, err = decodeBase64(run)
			}
		default:
			continue
		}
		if err != nil || len(dec) == 0 {
			continue
		}
		p := []string{prov}
		if prov == "reverse+base64" {
			p = []string{"reverse", "base64"}
		}
		if !add(candidate{offset: start, provenance: p, data: dec}) {
			return
		}
	}
}

// charcodes turns a list of integers into text when all of them, shifted by one constant,
// are printable ASCII; the shift that reveals the most keywords wins.
func charcodes(vals []int) ([]byte, int, bool) {
	lo, hi := vals[0], vals[0]
	for _, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	if hi-lo > 126-9 {
		return nil, 0, false
	}
	var best []byte
	bestShift, bestHits := 0, -1
	for shift := lo - 126; shift <= lo-9; shift++ {
		if hi-shift > 126 || lo-shift < 9 {
			continue
		}
		out := make([]byte, len(vals))
		ok := true
		for i, v := range vals {
			c := v - shift
			if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c > 126 {
				ok = false
				break
			}
			out[i] = byte(c)
		}
		if !ok {
			continue
		}
		h := keywordHits(out)
		if h > bestHits || h == bestHits && abs(shift) < abs(bestShift) {
			best, bestShift, bestHits = out, shift, h
		}
	}
	if best == nil || bestShift != 0 && bestHits == 0 {
		return nil, 0, false
	}
	return best, bestShift, true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// fold applies the script-level rewrites that undo common obfuscation without running
// anything: escapes, fromCharCode and [char] lists, string concatenation, array and -join
// joins, -f format strings, -replace chains, PowerShell backticks and cmd carets.
func (e *engine) fold(data []byte) ([]byte, []string) {
	re := e.re
	var steps []string
	s := string(data)
	step := func(name string, next string) {
		if next != s {
			steps = append(steps, name)
			s = next
		}
	}
	if !e.tick(len(s)) {
		return data, nil
	}
	if strings.ContainsAny(s, "\\%&") {
		if out, kinds := unescape([]byte(s)); len(kinds) > 0 {
			steps = append(steps, kinds...)
			s = string(out)
		}
	}
	if strings.Contains(s, "`") {
		step("strip_backtick", stripBackticks(s))
	}
	if strings.Count(s, "^") >= 3 {
		step("strip_caret", strings.ReplaceAll(s, "^", ""))
	}
	if strings.Contains(s, "romCharCode") {
		step("fromcharcode", re.fromCharCode.ReplaceAllStringFunc(s, func(m string) string {
			args := re.fromCharCode.FindStringSubmatch(m)[1]
			vals, ok := parseIntList(args)
			if !ok {
				return m
			}
			return quote(runesToString(vals))
		}))
	}
	if strings.Contains(strings.ToLower(s), "[char") {
		step("charcode", re.psChars.ReplaceAllStringFunc(s, func(m string) string {
			vals, ok := parseIntList(re.psChars.FindStringSubmatch(m)[1])
			if !ok {
				return m
			}
			return quote(runesToString(vals))
		}))
		step("charcode", foldCharCasts(s, re.charCast, re.number))
	}
	// Concatenation, joins, format and replace feed each other; iterate to a fixed point.
	for round := 0; round < 16; round++ {
		before := s
		// Each regular expression runs only where the construct it matches can be: the regexp
		// package's automaton costs microseconds per byte inside the guest, and a minified
		// script is full of "+", "join" and "replace" that are not these constructs.
		if hasConcat(s) {
			step("concat", foldConcat(s, func(a, b string) string { return quote(unquote(a) + unquote(b)) }))
		}
		if hasJoinCall(s) {
			step("join", replaceFixed(re.join, s, func(m []string) string { return quote(joinLiterals(m[1], re.quoted)) }))
		}
		if hasPSJoin(s) {
			step("join", replaceFixed(re.psJoin, s, func(m []string) string { return quote(joinLiterals(m[1], re.quoted)) }))
		}
		if hasFormatOp(s) {
			step("format", replaceFixed(re.format, s, func(m []string) string {
				return quote(formatPS(unquote(m[1]), literals(m[2], re.quoted)))
			}))
		}
		if containsFoldString(s, "-replace") || containsFoldString(s, "-creplace") {
			step("replace", replaceFixed(re.replace, s, func(m []string) string {
				return quote(replacePS(unquote(m[1]), unquote(m[2]), unquote(m[3])))
			}))
		}
		if s == before || !e.tick(len(s)) {
			break
		}
	}
	return []byte(s), dedupSteps(steps)
}

// The gates below are necessary conditions for the join, -join and -f expressions (FuzzFoldGates
// holds each to its expression): a minified script has "join" and "-f" all over it, and each
// expression costs microseconds per byte inside the guest.

// hasJoinCall: "join", then optional white space, "(", optional white space and ” or "".
func hasJoinCall(s string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], "join")
		if i < 0 {
			return false
		}
		i += off
		if emptyStringAt(s, skipSpaces(s, i+4), true) {
			return true
		}
		off = i + 1
	}
}

// hasPSJoin: "-join" in any case, then optional white space and ” or "".
func hasPSJoin(s string) bool {
	return anyAt(s, '-', func(i int) bool {
		return i+5 <= len(s) && strings.EqualFold(s[i+1:i+5], "join") && emptyStringAt(s, skipSpaces(s, i+5), false)
	})
}

// hasFormatOp: a quote, optional white space, "-f" in any case, optional white space, a quote.
func hasFormatOp(s string) bool {
	return anyAt(s, '-', func(i int) bool { return i+1 < len(s) && s[i+1]|0x20 == 'f' && quotedAround(s, i, i+2) })
}

// quotedAround reports whether s[i:j] has a quote before it and one after it, each across
// optional white space.
func quotedAround(s string, i, j int) bool {
	i--
	for i >= 0 && isSpace(s[i]) {
		i--
	}
	j = skipSpaces(s, j)
	return i >= 0 && isQuote(s[i]) && j < len(s) && isQuote(s[j])
}

// anyAt reports whether ok holds at some offset of the byte c in s.
func anyAt(s string, c byte, ok func(i int) bool) bool {
	for off := 0; ; {
		i := strings.IndexByte(s[off:], c)
		if i < 0 {
			return false
		}
		if ok(off + i) {
			return true
		}
		off += i + 1
	}
}

// emptyStringAt reports whether s[i:] starts with ” or "", after "(" and optional white space
// when paren is set.
func emptyStringAt(s string, i int, paren bool) bool {
	if paren {
		if i >= len(s) || s[i] != '(' {
			return false
		}
		i = skipSpaces(s, i+1)
	}
	return i+1 < len(s) && isQuote(s[i]) && s[i+1] == s[i]
}

func skipSpaces(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

func isQuote(c byte) bool { return c == '\'' || c == '"' }

// hasConcat reports whether s has a quote, then "+" between optional white space, then a
// quote: what every match of the concatenation expression contains.
func hasConcat(s string) bool {
	return anyAt(s, '+', func(i int) bool { return quotedAround(s, i, i+1) })
}

// foldConcat replaces every match of the concatenation expression — '…' or "…", then "+"
// between optional white space, then '…' or "…", no newline or backslash inside the quotes
// (concatExpr in the tests) — by fn(first, second), as replacing with the regexp package did, in
// one linear pass: the automaton took microseconds per byte inside the guest on minified
// scripts, whose long lines keep many match attempts alive. FuzzFoldConcat holds the two together.
func foldConcat(s string, fn func(first, second string) string) string {
	var out strings.Builder
	copied := 0 // s[copied:] is not yet in out
	for i := 0; i < len(s); {
		end1 := quotedAt(s, i)
		if end1 < 0 {
			i++
			continue
		}
		k := end1
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if k == len(s) || s[k] != '+' {
			i++
			continue
		}
		k++
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		end2 := quotedAt(s, k)
		if end2 < 0 {
			i++
			continue
		}
		out.WriteString(s[copied:i])
		out.WriteString(fn(s[i:end1], s[k:end2]))
		copied, i = end2, end2
	}
	if copied == 0 {
		return s
	}
	out.WriteString(s[copied:])
	return out.String()
}

// quotedAt returns the end of the quoted literal ('…' or "…" without a newline or backslash
// inside) that starts at s[i], or -1.
func quotedAt(s string, i int) int {
	if i >= len(s) || (s[i] != '\'' && s[i] != '"') {
		return -1
	}
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case q:
			return j + 1
		case '\n', '\\':
			return -1
		}
	}
	return -1
}

// containsFoldString reports whether s contains w (lower case ASCII) in any case.
func containsFoldString(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if s[i]|0x20 == w[0]|0x20 && strings.EqualFold(s[i:i+len(w)], w) {
			return true
		}
	}
	return false
}

func dedupSteps(steps []string) []string {
	var out []string
	for _, s := range steps {
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out
}

func replaceFixed(re *regexp.Regexp, s string, fn func([]string) string) string {
	return re.ReplaceAllStringFunc(s, func(m string) string { return fn(re.FindStringSubmatch(m)) })
}

// stripBackticks removes PowerShell backticks: outside double quotes a backtick before a
// letter is that letter; inside them only the real escapes (`n, `t, `0 …) are kept.
func stripBackticks(s string) string {
	var b strings.Builder
	inDouble := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			inDouble = !inDouble
		}
		if c == '`' && i+1 < len(s) && (!inDouble || !strings.ContainsRune("0abefnrtv`\"$", rune(s[i+1]))) {
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// foldCharCasts turns PowerShell [char]104+[char]116 chains into a string literal.
func foldCharCasts(s string, re, num *regexp.Regexp) string {
	return re.ReplaceAllStringFunc(s, func(m string) string {
		var vals []int
		for _, n := range num.FindAllString(m, -1) {
			v, ok := evalInt(n)
			if !ok {
				return m
			}
			vals = append(vals, v)
		}
		return quote(runesToString(vals))
	})
}

func runesToString(vals []int) string {
	var b strings.Builder
	for _, v := range vals {
		if v < 0 || v > 0x10ffff {
			v = 0xfffd
		}
		b.WriteRune(rune(v))
	}
	return b.String()
}

// quote writes a literal back with a quote character its content does not contain.
func quote(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	return `"` + s + `"`
}

func unquote(lit string) string {
	if len(lit) >= 2 {
		return lit[1 : len(lit)-1]
	}
	return lit
}

func literals(list string, quoted *regexp.Regexp) []string {
	var out []string
	for _, l := range quoted.FindAllString(list, -1) {
		out = append(out, unquote(l))
	}
	return out
}

func joinLiterals(list string, quoted *regexp.Regexp) string {
	return strings.Join(literals(list, quoted), "")
}

// formatPS applies a PowerShell -f format string with {N} placeholders.
func formatPS(f string, args []string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] == '{' {
			if j := strings.IndexByte(f[i:], '}'); j > 1 {
				n, ok := evalInt(f[i+1 : i+j])
				if ok && n >= 0 && n < len(args) {
					b.WriteString(args[n])
					i += j
					continue
				}
			}
		}
		b.WriteByte(f[i])
	}
	return b.String()
}

// replacePS applies PowerShell's -replace (a case-insensitive regular expression), falling
// back to a literal replacement when the pattern is not valid RE2.
func replacePS(s, pattern, repl string) string {
	re, err := regexp.Compile("(?i)" + pattern)
	if err != nil {
		return strings.ReplaceAll(s, pattern, repl)
	}
	return re.ReplaceAllLiteralString(s, repl)
}

// jsObfuscatorStrings recovers javascript-obfuscator's string array. Plain arrays hold the
// strings as literals already; "base64" encoding stores them in a lowercase-first base64
// alphabet; "rc4" additionally encrypts each with a 4-character key passed at the call sites.
// Recovery needs no execution: every literal is decoded, and for rc4 every call-site key is
// tried, keeping plaintexts that are clean UTF-8 text. The array rotation does not matter
// because the strings are recovered as a set, not by index.
func jsObfuscatorStrings(data []byte, quoted *regexp.Regexp) ([]string, string) {
	lits := quoted.FindAll(data, 4096)
	var encoded [][]byte
	var keys [][]byte
	for _, l := range lits {
		v := l[1 : len(l)-1]
		if len(v) == 4 {
			keys = append(keys, v)
		}
		if len(v) >= 4 && isB64Alphabet(v) {
			encoded = append(encoded, v)
		}
	}
	var out []string
	seen := map[string]bool{}
	kind := "base64"
	for _, v := range encoded {
		raw, err := decodeBase64Alphabet(v, jsObfuscatorAlphabet)
		if err != nil || len(raw) == 0 {
			continue
		}
		if plainJSString(raw) && len(raw) >= 3 && !seen[string(raw)] {
			seen[string(raw)] = true
			out = append(out, string(raw))
			continue
		}
		if len(keys) > 512 {
			keys = keys[:512]
		}
		// The rc4 ciphertext (code points 0..255) went through encodeURIComponent, so the
		// base64 payload is its UTF-8 form.
		ct := latin1(raw)
		for _, k := range keys {
			if ct == nil {
				break
			}
			pt := rc4(ct, k)
			if plainJSString(pt) && len(pt) >= 2 {
				if !seen[string(pt)] {
					seen[string(pt)] = true
					out = append(out, string(pt))
					kind = "rc4"
				}
				break
			}
		}
	}
	if len(out) < 2 {
		return nil, ""
	}
	return out, kind
}

func isB64Alphabet(b []byte) bool {
	for _, c := range b {
		if classes[c]&clB64 == 0 {
			return false
		}
	}
	return true
}

// plainJSString accepts decoded strings that are printable UTF-8, with enough letters to be
// words rather than noise that happens to be printable.
func plainJSString(b []byte) bool {
	if textScore(b) < 1 {
		return false
	}
	letters := 0
	for _, c := range b {
		if c|0x20 >= 'a' && c|0x20 <= 'z' || c == '.' || c == '/' || c == ':' || c == ' ' {
			letters++
		}
	}
	return letters*10 >= len(b)*7
}

// latin1 decodes UTF-8 whose code points are all below 256 into bytes; nil otherwise.
func latin1(b []byte) []byte {
	s := string(b)
	if !utf8.ValidString(s) {
		return nil
	}
	out := make([]byte, 0, len(b))
	for _, r := range s {
		if r > 0xff {
			return nil
		}
		out = append(out, byte(r))
	}
	return out
}

// mayHaveEncodedCommand is a necessary condition for psEnc to match: a '-' or '/' at the start or
// after whitespace, followed by an 'e' or 'E'. The Go regexp engine would otherwise run its NFA
// over every layer that merely contains "-e" (most source code and prose does).
func mayHaveEncodedCommand(data []byte) bool {
	for i := 0; i+1 < len(data); i++ {
		if c := data[i]; (c == '-' || c == '/') && data[i+1]|0x20 == 'e' && (i == 0 || isSpace(data[i-1])) {
			return true
		}
	}
	return false
}

// mayHaveIntList is a necessary condition for intList (eight numbers joined by commas) to match:
// a run of digits, whitespace and commas holding seven "digit, optional whitespace, comma"
// steps. A match is such a run, so a layer without one cannot match.
func mayHaveIntList(data []byte) bool {
	steps := 0
	lastDigit := false // the last non-space byte of the run was a digit
	for _, c := range data {
		switch {
		case c >= '0' && c <= '9':
			lastDigit = true
		case c == ',':
			if lastDigit {
				if steps++; steps == 7 {
					return true
				}
			}
			lastDigit = false
		case isSpace(c):
		default:
			steps, lastDigit = 0, false
		}
	}
	return false
}
