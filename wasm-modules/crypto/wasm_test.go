package cryptoscan

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/internal/hostmsg"
)

// TestWASMMatchesNative checks that the built module answers exactly what the package does.
func TestWASMMatchesNative(t *testing.T) {
	w := hosttest.Load(t, Name)
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 300000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	f := newKeyFixture(t)
	inputs := map[string][]byte{
		"empty":  {},
		"random": random,
		"keys":   f.data,
		"miner":  []byte("stratum+tcp://pool.supportxmr.com:3333 " + moneroFund + " expand 32-byte k"),
	}
	if self, err := os.ReadFile("/usr/bin/ls"); err == nil {
		inputs["ls"] = self
	}
	native := New()
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			req := &modulev1.AnalyzeRequest{Content: data}
			want, err := native.Analyze(req)
			if err != nil {
				t.Fatal(err)
			}
			got := w.Analyze(t, req)
			if diff := hostmsg.ResponseDiff(t, want, got); diff != "" {
				t.Errorf("wasm and native differ (-native +wasm):\n%s", diff)
			}
		})
	}
}
