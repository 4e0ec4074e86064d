package wasmtest

import (
	"context"
	"os"
	"testing"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
)

// BenchmarkInvoke measures sandbox analyses per second through the runtime (pooled instance,
// fresh interpreter per call) for a one-line script and for the 1,000-line obfuscated dropper.
func BenchmarkInvoke(b *testing.B) {
	obf, err := os.ReadFile("../testdata/bench.obf.js")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		src  []byte
	}{{"one_line", []byte(`WScript.Echo("hi")`)}, {"obfuscated_1000_lines", obf}} {
		b.Run(bc.name, func(b *testing.B) {
			rt := newRuntimeTB(b)
			req := &modulev1.AnalyzeRequest{Content: bc.src, FileType: "javascript", Options: map[string]string{"http_status": "200"}}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
				resp, err := rt.Invoke(ctx, "sandbox", req)
				cancel()
				if err != nil || resp.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_OK {
					b.Fatalf("invoke: %v %v %s", err, resp.GetStatus(), resp.GetError())
				}
			}
		})
	}
}
