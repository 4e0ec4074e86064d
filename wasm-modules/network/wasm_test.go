package network

import (
	"os"
	"testing"

	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/internal/hostmsg"
)

// TestWASMMatchesNative checks that the built module answers exactly what the package does,
// on text, a real executable and a capture.
func TestWASMMatchesNative(t *testing.T) {
	w := hosttest.Load(t, Name)
	inputs := map[string][]byte{"iocs": denseIOCText(64<<10, true), "pcap": testCapture(t)}
	if b, err := os.ReadFile("/usr/bin/ssh"); err == nil {
		inputs["ssh"] = b
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
