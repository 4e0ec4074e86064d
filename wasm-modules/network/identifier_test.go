package network

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

func domains(iocs []IOC) []string {
	var out []string
	for _, i := range iocs {
		if i.Type == analysisv1.IOCType_IOC_TYPE_DOMAIN {
			out = append(out, i.Value)
		}
	}
	slices.Sort(out)
	return out
}

// TestIdentifiersAreNotDomains pins the rules that keep program identifiers out of the domain
// list, and the host names next to them that must stay.
func TestIdentifiersAreNotDomains(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"go calls and fields", "err := os.Open(p); t := time.Now(); x := unicode.Cc; v := pkix.Name{}", nil},
		{"qualified method", "time.Time.Compare and os.File.Name", nil},
		{"package before a word tld", "runtime.name reflect.name errors.is self.stream window.open", nil},
		{"elf sections", ".data.rel.ro .note.gnu.property .plt.got", nil},
		{"call with lowercase", "fmt.name() and evil.example.com", []string{"evil.example.com"}},
		{"capitalized host in prose", "Visit Example.com or WWW.EXAMPLE.ORG today.", []string{"example.com", "www.example.org"}},
		{"package name under a classic tld", "time.com and json.org", []string{"json.org", "time.com"}},
		{"word tld in text", "the panel at evil.name and bad.zone", []string{"bad.zone", "evil.name"}},
		{"word tld in binary", "\x00abi.name\x00fileheader.name\x00evil.zone\x00www.shop.name\x00", []string{"www.shop.name"}},
		{"word tld in a binary url", "\x00GET http://evil.name/gate.php\x00mail ops@evil.zone\x00", []string{"evil.name", "evil.zone"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := domains(Extract([]byte(tc.in), DefaultExtractLimits()))
			if !slices.Equal(got, tc.want) {
				t.Errorf("domains = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestBinaryDomains extracts domains from real executables on this machine: the host names
// they carry are found, and Go, Python and ELF identifiers are not.
func TestBinaryDomains(t *testing.T) {
	goBin := ""
	if p, err := exec.LookPath("go"); err == nil {
		goBin, _ = filepath.EvalSymlinks(p)
	}
	tests := []struct {
		path string
		want []string
	}{
		{goBin, []string{"golang.org", "proxy.golang.org", "sum.golang.org", "github.com"}},
		{"/usr/bin/ls", []string{"www.gnu.org"}},
		{"/usr/bin/python3", []string{"www.python.org"}},
		{"/usr/bin/ssh", []string{"openssh.com"}},
	}
	ran := 0
	for _, tc := range tests {
		b, err := os.ReadFile(tc.path)
		if tc.path == "" || err != nil {
			continue
		}
		ran++
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			got := domains(Extract(b, DefaultExtractLimits()))
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("%s not found in %v", w, got)
				}
			}
			for _, d := range got {
				first, _, _ := strings.Cut(d, ".")
				tld := d[strings.LastIndexByte(d, '.')+1:]
				if codeNames[first] && !classicTLDs[tld] || wordTLDs[tld] && !strings.HasPrefix(d, "www.") {
					t.Errorf("identifier reported as a domain: %s", d)
				}
			}
			t.Logf("%d domains: %v", len(got), got)
		})
	}
	if ran == 0 {
		t.Skip("none of the reference executables is installed")
	}
}
