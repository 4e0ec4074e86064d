package cryptoscan

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
)

// TestWASMMatchesNative checks that the built module answers exactly what the package does.
func TestWASMMatchesNative(t *testing.T) {
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
	hosttest.MatchesNative(t, Name, New(), inputs)
}
