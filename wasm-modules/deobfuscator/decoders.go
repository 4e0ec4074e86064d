package deobfuscator

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// errNoDecode means a decoder did not apply to its input.
var errNoDecode = errors.New("input does not decode")

// decodeBase64 decodes standard or URL-safe base64, with or without padding, ignoring
// whitespace and line breaks inside the run.
func decodeBase64(in []byte) ([]byte, error) {
	clean := make([]byte, 0, len(in))
	urlSafe := false
	for _, c := range in {
		switch {
		case c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '=':
		case c == '-' || c == '_':
			urlSafe = true
			clean = append(clean, c)
		default:
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 || len(clean) < 4 {
		return nil, errNoDecode
	}
	enc := base64.RawStdEncoding
	if urlSafe {
		enc = base64.RawURLEncoding
	}
	out := make([]byte, enc.DecodedLen(len(clean)))
	n, err := enc.Decode(out, clean)
	if err != nil {
		return nil, fmt.Errorf("base64: %w", err)
	}
	return out[:n], nil
}

// jsObfuscatorAlphabet is javascript-obfuscator's base64 alphabet: lowercase letters first.
const jsObfuscatorAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"

// decodeBase64Alphabet decodes base64 written in a custom alphabet, ignoring padding.
func decodeBase64Alphabet(in []byte, alphabet string) ([]byte, error) {
	enc := base64.NewEncoding(alphabet).WithPadding(base64.NoPadding)
	in = bytes.TrimRight(in, "=")
	if len(in)%4 == 1 {
		return nil, errNoDecode
	}
	out := make([]byte, enc.DecodedLen(len(in)))
	n, err := enc.Decode(out, in)
	if err != nil {
		return nil, fmt.Errorf("base64 alphabet: %w", err)
	}
	return out[:n], nil
}

func decodeBase32(in []byte) ([]byte, error) {
	clean := bytes.TrimRight(bytes.ToUpper(in), "=")
	out := make([]byte, base32.StdEncoding.WithPadding(base32.NoPadding).DecodedLen(len(clean)))
	n, err := base32.StdEncoding.WithPadding(base32.NoPadding).Decode(out, clean)
	if err != nil {
		return nil, fmt.Errorf("base32: %w", err)
	}
	return out[:n], nil
}

// decodeHex decodes plain hex, and hex written as 0x41,0x42 / \x41\x42 / 41 42 / 41:42 lists.
func decodeHex(in []byte) ([]byte, error) {
	clean := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '0' && i+1 < len(in) && (in[i+1] == 'x' || in[i+1] == 'X'):
			i++
		case c == '\\' && i+1 < len(in) && in[i+1] == 'x':
			i++
		case isHex(c):
			clean = append(clean, c)
		case c == ',' || c == ' ' || c == ':' || c == '\n' || c == '\r' || c == '-':
		default:
			return nil, errNoDecode
		}
	}
	if len(clean)%2 == 1 || len(clean) == 0 {
		return nil, errNoDecode
	}
	out := make([]byte, len(clean)/2)
	if _, err := hex.Decode(out, clean); err != nil {
		return nil, fmt.Errorf("hex: %w", err)
	}
	return out, nil
}

// inflate decompresses gzip, zlib or raw deflate, stopping at max bytes of output (a bomb
// yields its first max bytes and truncated = true).
func inflate(in []byte, kind string, max int) (out []byte, truncated bool, err error) {
	var r io.Reader
	switch kind {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(in))
		if err != nil {
			return nil, false, fmt.Errorf("gzip: %w", err)
		}
		zr.Multistream(false)
		r = zr
	case "zlib":
		zr, err := zlib.NewReader(bytes.NewReader(in))
		if err != nil {
			return nil, false, fmt.Errorf("zlib: %w", err)
		}
		r = zr
	default:
		r = flate.NewReader(bytes.NewReader(in))
	}
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, r, int64(max)+1)
	if n > int64(max) {
		return buf.Bytes()[:max], true, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		// A truncated stream still yields what was decoded; only an empty result is a failure.
		if buf.Len() == 0 {
			return nil, false, fmt.Errorf("%s: %w", kind, err)
		}
	}
	return buf.Bytes(), false, nil
}

// utf16LE decodes UTF-16LE text (with or without BOM) to UTF-8 when at least 90% of the odd
// bytes are zero, the shape of ASCII text in PowerShell -EncodedCommand payloads.
func utf16LE(in []byte) ([]byte, bool) {
	if len(in) >= 2 && in[0] == 0xff && in[1] == 0xfe {
		in = in[2:]
	}
	if len(in) < 4 {
		return nil, false
	}
	zeros := 0
	for i := 1; i < len(in); i += 2 {
		if in[i] == 0 {
			zeros++
		}
	}
	if zeros*10 < (len(in)/2)*9 {
		return nil, false
	}
	u := make([]uint16, len(in)/2)
	for i := range u {
		u[i] = uint16(in[2*i]) | uint16(in[2*i+1])<<8
	}
	return []byte(string(utf16.Decode(u))), true
}

func rot13(in []byte) []byte {
	out := make([]byte, len(in))
	for i, c := range in {
		switch {
		case c >= 'a' && c <= 'z':
			out[i] = 'a' + (c-'a'+13)%26
		case c >= 'A' && c <= 'Z':
			out[i] = 'A' + (c-'A'+13)%26
		default:
			out[i] = c
		}
	}
	return out
}

func reverse(in []byte) []byte {
	out := make([]byte, len(in))
	for i, c := range in {
		out[len(in)-1-i] = c
	}
	return out
}

func xorKey(in, key []byte) []byte {
	out := make([]byte, len(in))
	for i, c := range in {
		out[i] = c ^ key[i%len(key)]
	}
	return out
}

// bestSingleXOR tries all 255 single-byte keys and returns the best-scoring plaintext when it
// clearly looks like text or a known file format.
func bestSingleXOR(in []byte) (key byte, out []byte, ok bool) {
	sample := in[:min(len(in), 4096)]
	best, bestScore := byte(0), -1e18
	for k := 1; k < 256; k++ {
		if m := magicKind(xorKey(sample[:min(len(sample), 8)], []byte{byte(k)})); m != "" {
			return byte(k), xorKey(in, []byte{byte(k)}), true
		}
		s := englishScore(sample, byte(k))
		if s > bestScore {
			best, bestScore = byte(k), s
		}
	}
	out = xorKey(in, []byte{best})
	if textScore(out[:min(len(out), 4096)]) < 0.85 || keywordHits(out) == 0 {
		return 0, nil, false
	}
	return best, out, true
}

// repeatingXOR estimates a repeating key's length by the normalized Hamming distance between
// blocks (lengths 2..40), then recovers each key byte by frequency analysis of its column.
func repeatingXOR(in []byte) (key []byte, out []byte, ok bool) {
	if len(in) < 64 {
		return nil, nil, false
	}
	type cand struct {
		n    int
		dist float64
	}
	var cands []cand
	for n := 2; n <= 40 && 4*n <= len(in); n++ {
		blocks := min(len(in)/n-1, 16)
		d := 0.0
		for b := 0; b < blocks; b++ {
			d += float64(hamming(in[b*n:(b+1)*n], in[(b+1)*n:(b+2)*n])) / float64(n)
		}
		cands = append(cands, cand{n, d / float64(blocks)})
	}
	// Keep the three most likely lengths.
	for i := 0; i < len(cands); i++ {
		for j := i + 1; j < len(cands); j++ {
			if cands[j].dist < cands[i].dist {
				cands[i], cands[j] = cands[j], cands[i]
			}
		}
	}
	bestScore := 0.0
	for _, c := range cands[:min(3, len(cands))] {
		k := make([]byte, c.n)
		col := make([]byte, 0, len(in)/c.n+1)
		for i := 0; i < c.n; i++ {
			col = col[:0]
			for j := i; j < len(in) && len(col) < 2048; j += c.n {
				col = append(col, in[j])
			}
			bk, bs := byte(0), -1.0
			for kb := 0; kb < 256; kb++ {
				if s := englishScore(col, byte(kb)); s > bs {
					bk, bs = byte(kb), s
				}
			}
			k[i] = bk
		}
		pt := xorKey(in, k)
		if s := textScore(pt[:min(len(pt), 4096)]); s > bestScore {
			bestScore, key, out = s, k, pt
		}
	}
	if bestScore < 0.9 || isPeriodicKey(key) || keywordHits(out) == 0 {
		return nil, nil, false
	}
	return key, out, true
}

// isPeriodicKey rejects keys that are a repetition of a shorter key (the single-byte path
// handles those).
func isPeriodicKey(k []byte) bool {
	for p := 1; p < len(k); p++ {
		if len(k)%p == 0 && bytes.Equal(k[p:], k[:len(k)-p]) {
			return true
		}
	}
	return false
}

func hamming(a, b []byte) int {
	n := 0
	for i := range a {
		x := a[i] ^ b[i]
		for x != 0 {
			n++
			x &= x - 1
		}
	}
	return n
}

// englishScore rates a XOR-decrypted column by English letter and space frequency.
func englishScore(col []byte, k byte) float64 {
	s := 0.0
	for _, c := range col {
		p := c ^ k
		switch {
		case p == ' ':
			s += 13
		case p >= 'a' && p <= 'z':
			s += float64(letterFreq[p-'a'])
		case p >= 'A' && p <= 'Z':
			s += float64(letterFreq[p-'A']) / 2
		case p == '\n' || p == '\r' || p == '\t' || p >= 0x21 && p < 0x7f:
			s += 1
		default:
			s -= 10
		}
	}
	return s
}

// letterFreq is English letter frequency in tenths of a percent, a..z.
var letterFreq = [26]int{82, 15, 28, 43, 127, 22, 20, 61, 70, 2, 8, 40, 24, 67, 75, 19, 1, 60, 63, 91, 28, 10, 24, 2, 20, 1}

// unescape decodes \xNN, \uNNNN, \u{...}, %NN, %uNNNN and HTML entities (&#NN; &#xNN; and the
// common named ones). It returns the decoded text and which kinds it saw.
func unescape(in []byte) ([]byte, []string) {
	var out bytes.Buffer
	out.Grow(len(in))
	kinds := map[string]bool{}
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '\\' && i+3 < len(in) && in[i+1] == 'x' && isHex(in[i+2]) && isHex(in[i+3]):
			out.WriteByte(unhex2(in[i+2], in[i+3]))
			i += 3
			kinds["hex_escape"] = true
			continue
		case c == '\\' && i+5 < len(in) && in[i+1] == 'u' && allHexB(in[i+2:i+6]):
			v, _ := strconv.ParseUint(string(in[i+2:i+6]), 16, 32)
			out.WriteRune(rune(v))
			i += 5
			kinds["unicode_escape"] = true
			continue
		case c == '%' && i+5 < len(in) && (in[i+1] == 'u' || in[i+1] == 'U') && allHexB(in[i+2:i+6]):
			v, _ := strconv.ParseUint(string(in[i+2:i+6]), 16, 32)
			out.WriteRune(rune(v))
			i += 5
			kinds["percent_u"] = true
			continue
		case c == '%' && i+2 < len(in) && isHex(in[i+1]) && isHex(in[i+2]):
			out.WriteByte(unhex2(in[i+1], in[i+2]))
			i += 2
			kinds["url_escape"] = true
			continue
		case c == '&' && i+3 < len(in):
			if r, n := htmlEntity(in[i:]); n > 0 {
				out.WriteRune(r)
				i += n - 1
				kinds["html_entity"] = true
				continue
			}
		}
		out.WriteByte(c)
	}
	var ks []string
	for _, k := range []string{"hex_escape", "unicode_escape", "percent_u", "url_escape", "html_entity"} {
		if kinds[k] {
			ks = append(ks, k)
		}
	}
	return out.Bytes(), ks
}

var namedEntities = map[string]rune{"amp": '&', "lt": '<', "gt": '>', "quot": '"', "apos": '\'', "nbsp": ' '}

func htmlEntity(b []byte) (rune, int) {
	end := bytes.IndexByte(b[:min(len(b), 12)], ';')
	if end < 2 {
		return 0, 0
	}
	body := string(b[1:end])
	if body[0] == '#' {
		base := 10
		num := body[1:]
		if len(num) > 0 && (num[0] == 'x' || num[0] == 'X') {
			base, num = 16, num[1:]
		}
		v, err := strconv.ParseUint(num, base, 32)
		if err != nil || v > utf8.MaxRune {
			return 0, 0
		}
		return rune(v), end + 1
	}
	if r, ok := namedEntities[body]; ok {
		return r, end + 1
	}
	return 0, 0
}

// rc4 decrypts (or encrypts) in with key.
func rc4(in, key []byte) []byte {
	var s [256]byte
	for i := range s {
		s[i] = byte(i)
	}
	j := 0
	for i := 0; i < 256; i++ {
		j = (j + int(s[i]) + int(key[i%len(key)])) & 0xff
		s[i], s[j] = s[j], s[i]
	}
	out := make([]byte, len(in))
	i, j := 0, 0
	for n, c := range in {
		i = (i + 1) & 0xff
		j = (j + int(s[i])) & 0xff
		s[i], s[j] = s[j], s[i]
		out[n] = c ^ s[(int(s[i])+int(s[j]))&0xff]
	}
	return out
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f' }

func allHexB(b []byte) bool {
	for _, c := range b {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func unhex2(a, b byte) byte { return hexVal(a)<<4 | hexVal(b) }

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// parseIntList parses "104,116,116" (optionally with 0x values and simple "a+b" / "a-b"
// arithmetic per element, as obfuscators write to hide charcodes).
func parseIntList(s string) ([]int, bool) {
	parts := strings.Split(s, ",")
	out := make([]int, 0, len(parts))
	for _, p := range parts {
		v, ok := evalInt(strings.TrimSpace(p))
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

func evalInt(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	if k := strings.LastIndexAny(s[1:], "+-^"); k >= 0 {
		k++
		a, ok1 := evalInt(strings.TrimSpace(s[:k]))
		b, ok2 := evalInt(strings.TrimSpace(s[k+1:]))
		if !ok1 || !ok2 {
			return 0, false
		}
		switch s[k] {
		case '+':
			return a + b, true
		case '-':
			return a - b, true
		default:
			return a ^ b, true
		}
	}
	s = strings.Trim(s, "() ")
	v, err := strconv.ParseInt(s, 0, 32)
	if err != nil {
		return 0, false
	}
	return int(v), true
}
