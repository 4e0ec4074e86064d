package sandbox

import (
	"testing"

	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// BenchmarkObfuscated1000Lines runs the 1,000-line dropper (testdata/bench.src.js) obfuscated
// by javascript-obfuscator (string array, base64, control-flow flattening).
func BenchmarkObfuscated1000Lines(b *testing.B) {
	src := readSample(b, "bench.obf.js")
	a := New()
	req := &modulev1.AnalyzeRequest{Content: src, FileType: "javascript", Options: map[string]string{"http_status": "200"}}
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := analyze(b, a, req)
		if finding(r, "sandbox.dropper") == nil {
			b.Fatalf("dropper not seen: %q", findingIDs(r))
		}
	}
}

// BenchmarkInstance measures a fresh interpreter with the emulated environment running a
// one-line script: the fixed cost each analysis pays (instances per second = 1e9 / ns/op).
func BenchmarkInstance(b *testing.B) {
	a := New()
	req := &modulev1.AnalyzeRequest{Content: []byte(`WScript.Echo("hi")`), FileType: "javascript"}
	for i := 0; i < b.N; i++ {
		analyze(b, a, req)
	}
}
