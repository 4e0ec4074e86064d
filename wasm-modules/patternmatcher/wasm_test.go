package patternmatcher

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// TestWASMMatchesNative checks that the built module answers exactly what the package does:
// inside WASM the host probes the atom filter (athena.window_filter), natively the package's
// own loop does, and the reports must not differ.
func TestWASMMatchesNative(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	random := make([]byte, 300000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	inputs := map[string][]byte{
		"empty":  {},
		"eicar":  []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`),
		"random": random,
		"go pe":  testutil.GoWindowsPE(t),
	}
	if b, err := os.ReadFile("/usr/bin/ls"); err == nil {
		inputs["ls"] = b
	}
	// The comparison means something only if rules match: EICAR's does.
	if resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: inputs["eicar"]}); err != nil || len(resp.GetFindings()) == 0 {
		t.Fatalf("no finding natively on EICAR: %v", err)
	}
	hosttest.MatchesNative(t, "patternmatcher", New(), inputs)
}
