package cryptoscan

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// moneroFund is the Monero general fund's published donation address.
const moneroFund = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"

func TestMoneroAddress(t *testing.T) {
	corrupt := []byte(moneroFund)
	corrupt[50] = map[bool]byte{true: 'b', false: 'a'}[corrupt[50] == 'a']
	tests := []struct {
		name string
		addr string
		want bool
	}{
		{"general fund", moneroFund, true},
		{"one character changed", string(corrupt), false},
		{"too short", moneroFund[:94], false},
		{"bitcoin-like prefix", "1" + moneroFund[1:], false},
		{"not base58", strings.Repeat("0", 95), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MoneroAddress(tt.addr); got != tt.want {
				t.Errorf("MoneroAddress = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFindMinerIndicators(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []MinerIndicator
	}{
		{"nothing", "hello world, this is a perfectly ordinary string", nil},
		{"xmrig config", "\x00\x01{\"url\": \"stratum+tcp://Gulf.MoneroOcean.Stream:10128\", \"user\": \"" + moneroFund + "\", \"donate-level\": 1}\x00",
			[]MinerIndicator{
				{Kind: "stratum_url", Value: "stratum+tcp://Gulf.MoneroOcean.Stream:10128", Offset: 11},
				{Kind: "pool_domain", Value: "gulf.moneroocean.stream", Offset: 25},
				{Kind: "xmr_wallet", Value: moneroFund, Offset: 66},
				{Kind: "miner_software", Value: "stratum+", Offset: 11},
			}},
		{"defanged-free pool host", "connect pool.supportxmr.com:443 now", []MinerIndicator{{Kind: "pool_domain", Value: "pool.supportxmr.com", Offset: 8}}},
		{"lookalike domain", "notsupportxmr.com.evil", nil},
		{"xmrig banner", "XMRig 6.21 RandomX", []MinerIndicator{{Kind: "miner_software", Value: "xmrig", Offset: 0}, {Kind: "miner_software", Value: "randomx", Offset: 11}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FindMinerIndicators([]byte(tt.data))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func FuzzMinerIndicators(f *testing.F) {
	f.Add([]byte("stratum+tcp://pool.supportxmr.com:3333 " + moneroFund))
	f.Add([]byte("stratum://"))
	f.Add([]byte("\x00XMRig\x01\x7fxmr.pool.MinerGate.com.-\x80 -c3pool.com. nicehash\tCCMINER" + strings.Repeat("ab", 40)))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := FindMinerIndicators(data)
		if len(got) > maxMinerIndicators {
			t.Fatalf("%d indicators exceed the cap", len(got))
		}
		for _, m := range got {
			if m.Offset < 0 || m.Offset >= int64(len(data)) || m.Value == "" {
				t.Fatalf("bad indicator %+v", m)
			}
		}
		if want := referenceMinerIndicators(data); !slices.Equal(got, want) {
			t.Fatalf("got  %+v\nwant %+v (reference)", got, want)
		}
	})
}

// TestMinerIndicatorsMatchReference holds the scan of the runs TextRuns finds to the byte-at-a-time one on
// real executables and on text dense with indicators, runs cut at maxRun and the cap.
func TestMinerIndicatorsMatchReference(t *testing.T) {
	inputs := realBinaries(t)
	dense := strings.Repeat("stratum+ssl://xmr-eu1.NanoPool.org:14433 -worker "+moneroFund+" \x00--donate-level=1 xmrig/6 ", 30)
	inputs["dense"] = []byte(dense)
	inputs["long run"] = []byte(strings.Repeat("x", maxRun-3) + "pool.c3pool.com " + strings.Repeat("Y", 2*maxRun+5) + "stratum+tcp://a.b")
	many := ""
	for i := range 100 {
		many += "\x01w" + strconv.Itoa(i) + ".supportxmr.com"
	}
	inputs["over the cap"] = []byte(many)
	// Every word alone in its run, in both cases: each run is looked at only for its atom.
	var every []byte
	for _, w := range append(append([]string{"stratum+tcp://h.example:1"}, minerSoftware()...), minerPools()...) {
		every = append(every, "\x00w1."+w+" \x01 "+strings.ToUpper(w)+" z\x02"...)
	}
	inputs["every word"] = every
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			got, want := FindMinerIndicators(data), referenceMinerIndicators(data)
			if !slices.Equal(got, want) {
				t.Errorf("got  %+v\nwant %+v (reference)", got, want)
			}
		})
	}
}

func TestBase58Index(t *testing.T) {
	for c := range 256 {
		want := strings.IndexByte(base58Alphabet, byte(c))
		if got := base58Index(byte(c)); got != want {
			t.Errorf("base58Index(%q) = %d, want %d", byte(c), got, want)
		}
	}
}

// TestMinerAtoms checks what minerFilter relies on: every word the scan looks for in a piece of
// text holds one of minerAtoms, so a piece without one holds none of them.
func TestMinerAtoms(t *testing.T) {
	atoms := minerAtoms()
	for _, a := range atoms {
		if len(a) != 4 || strings.ToLower(a) != a {
			t.Errorf("atom %q is not four lower-case bytes", a)
		}
	}
	for _, w := range append(append([]string{"stratum"}, minerSoftware()...), minerPools()...) {
		if !slices.ContainsFunc(atoms, func(a string) bool { return strings.Contains(strings.ToLower(w), a) }) {
			t.Errorf("%q holds none of minerAtoms", w)
		}
	}
}
