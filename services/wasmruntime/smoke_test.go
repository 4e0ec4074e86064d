package wasmruntime

import (
	"context"
	"testing"

	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
)

func TestSmoke(t *testing.T) {
	dir := modulesDir(t, map[string][]byte{"conf.wasm": conformanceWasm(t), "probe.wasm": probeWasm(t)})
	r := newRuntime(t, dir, nil)
	for _, d := range r.Modules() {
		t.Logf("%v", d)
	}
	for _, name := range []string{"wat-conformance", "probe"} {
		resp, err := r.Invoke(context.Background(), name, &modulev1.AnalyzeRequest{Content: []byte("hello"), Filename: "x"})
		t.Logf("%v %v", resp, err)
	}
}
