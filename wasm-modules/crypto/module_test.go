package cryptoscan

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/internal/hostmsg"
	"github.com/google/go-cmp/cmp"
)

func TestInfo(t *testing.T) {
	info := New().Info()
	if info.GetName() != "crypto" || info.GetVersion() == "" || len(info.GetFileTypes()) != 0 {
		t.Errorf("info = %v, want name crypto, a version and every file type", info)
	}
}

func TestAnalyzeFindings(t *testing.T) {
	sbox, _ := aesSBoxes()
	keys := newKeyFixture(t)
	tests := []struct {
		name    string
		content []byte
		want    map[string][]string // finding id -> ATT&CK ids
		iocs    []analysisv1.IOCType
	}{
		{"plain text", []byte("just some harmless text that says nothing"), map[string][]string{}, nil},
		{"aes and rc4 tables", append([]byte("code"), sbox[:]...), map[string][]string{
			"crypto.aes_sbox": {"T1573.001"},
			"crypto.rc4_ksa":  {"T1027"}, // the identity permutation is appended below
		}, nil},
		{"random bytes", randomBytes(8192), map[string][]string{"crypto.high_entropy": {"T1027"}}, nil},
		{"keys", keys.data, map[string][]string{
			"crypto.certificate": nil,
			"crypto.private_key": {"T1552.004", "T1573.002"},
			"crypto.public_key":  {"T1573.002"},
		}, nil},
		{"miner config", []byte(`{"url": "stratum+ssl://pool.supportxmr.com:443", "user": "` + moneroFund + `", "algo": "rx/0", "donate-level": 1} xmrig`),
			map[string][]string{
				"crypto.miner_stratum":  {"T1496"},
				"crypto.miner_pool":     {"T1496"},
				"crypto.miner_wallet":   {"T1496"},
				"crypto.miner_software": {"T1496"},
			}, []analysisv1.IOCType{analysisv1.IOCType_IOC_TYPE_URL, analysisv1.IOCType_IOC_TYPE_DOMAIN, analysisv1.IOCType_IOC_TYPE_XMR_ADDRESS}},
	}
	// The identity permutation is the RC4 signature; add it to the table case.
	ident := make([]byte, 256)
	for i := range ident {
		ident[i] = byte(i)
	}
	tests[1].content = append(tests[1].content, ident...)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var emitted []*modulev1.AnalyzeResponse
			m := New(WithEmit(func(r *modulev1.AnalyzeResponse) {
				emitted = append(emitted, r.CloneVT())
			}))
			resp, err := m.Analyze(&modulev1.AnalyzeRequest{Content: tt.content})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, f := range resp.GetFindings() {
				if f.GetModule() != "crypto" || !strings.HasPrefix(f.GetId(), "crypto.") || f.GetReason() == "" ||
					f.GetSeverity() == analysisv1.Severity_SEVERITY_UNSPECIFIED || f.GetScore() < 0 || f.GetScore() > 1000 {
					t.Errorf("malformed finding %v", f)
				}
				got[f.GetId()] = f.GetAttackTechniques()
			}
			if _, want := tt.want["crypto.high_entropy"]; !want {
				// Generated keys make the key fixture's entropy vary around the threshold.
				delete(got, "crypto.high_entropy")
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b []string) bool { return slices.Equal(a, b) })); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			var iocTypes []analysisv1.IOCType
			for _, ioc := range resp.GetIocs() {
				iocTypes = append(iocTypes, ioc.GetType())
			}
			if !slices.Equal(iocTypes, tt.iocs) {
				t.Errorf("iocs %v, want %v", iocTypes, tt.iocs)
			}
			d := Hash(tt.content)
			wantFragment := &modulev1.AnalyzeResponse{Details: &analysisv1.Details{Crypto: &analysisv1.CryptoDetails{
				Md5: d.MD5, Sha1: d.SHA1, Sha256: d.SHA256, Sha512: d.SHA512, Ssdeep: d.SSDeep, Tlsh: d.TLSH,
				Entropy: Entropy(tt.content),
			}}}
			if len(emitted) != 1 {
				t.Fatalf("emitted %d fragments, want 1", len(emitted))
			}
			if diff := hostmsg.ResponseDiff(t, wantFragment, emitted[0]); diff != "" {
				t.Errorf("emitted fragment (-want +got):\n%s", diff)
			}
			c := resp.GetDetails().GetCrypto()
			if c.GetSha256() != d.SHA256 || c.GetEntropyWindow() != minEntropyWindow {
				t.Errorf("details %v", c)
			}
		})
	}
}

func randomBytes(n int) []byte {
	rng := rand.New(rand.NewPCG(5, 6))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func TestEntropyProfile(t *testing.T) {
	tests := []struct {
		name       string
		size       int
		wantWindow int
		wantLen    int
	}{
		{"empty", 0, 256, 0},
		{"one window", 100, 256, 1},
		{"partial last", 1000, 256, 4},
		{"cap doubles window", 1024*256 + 1, 512, 513},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, w := EntropyProfile(make([]byte, tt.size))
			if w != tt.wantWindow || len(p) != tt.wantLen {
				t.Errorf("window %d, %d windows; want %d, %d", w, len(p), tt.wantWindow, tt.wantLen)
			}
		})
	}
	if e := Entropy([]byte{0, 1, 2, 3}); e != 2 {
		t.Errorf("entropy of four distinct bytes = %v, want 2", e)
	}
}

func TestAnalyzeDeadlinePassed(t *testing.T) {
	sbox, _ := aesSBoxes()
	resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: sbox[:], DeadlineUnixMs: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := resp.GetDetails().GetCrypto()
	if c.GetSha256() == "" || len(c.GetConstants()) != 0 || len(resp.GetFindings()) != 0 {
		t.Errorf("want hashes only after the deadline, got %v", resp)
	}
	if len(resp.GetNotes()) != 1 || !strings.Contains(resp.GetNotes()[0], "deadline") {
		t.Errorf("notes %q, want one deadline note", resp.GetNotes())
	}
}

// The orchestrator passes the digests it computed; well-formed ones are reused, anything else
// is computed.
func TestAnalyzeReusesPassedDigests(t *testing.T) {
	data := []byte("a sample the orchestrator hashed already")
	own := Hash(data)
	passed := map[string]string{
		"md5":    strings.Repeat("a", 32),             // well-formed: reused as given
		"sha1":   strings.Repeat("b", 40),             // well-formed: reused
		"sha256": strings.ToUpper(own.SHA256),         // not lower-case hex: computed
		"sha512": strings.Repeat("c", 10) + "not hex", // wrong length: computed
	}
	resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: data, Options: passed})
	if err != nil {
		t.Fatal(err)
	}
	c := resp.GetDetails().GetCrypto()
	if c.GetMd5() != passed["md5"] || c.GetSha1() != passed["sha1"] || c.GetSha256() != own.SHA256 || c.GetSha512() != own.SHA512 {
		t.Errorf("digests = %s %s %s %s", c.GetMd5(), c.GetSha1(), c.GetSha256(), c.GetSha512())
	}
}
