package network

import (
	"os"
	"testing"

	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
)

// TestWASMMatchesNative checks that the built module answers exactly what the package does,
// on text, a real executable and a capture.
func TestWASMMatchesNative(t *testing.T) {
	inputs := map[string][]byte{"iocs": denseIOCText(64<<10, true), "pcap": testCapture(t)}
	if b, err := os.ReadFile("/usr/bin/ssh"); err == nil {
		inputs["ssh"] = b
	}
	hosttest.MatchesNative(t, Name, New(), inputs)
}
