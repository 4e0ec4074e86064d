// Package wasmtest runs the built network.wasm under the real wasm runtime service.
package wasmtest

import (
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
)

// BenchmarkGoPEUnderTheRuntime times the module on a Go-built Windows hello-world (about
// 1.6 MB) through the wasm runtime.
func BenchmarkGoPEUnderTheRuntime(b *testing.B) {
	hosttest.BenchUnderRuntime(b, "network", "network", &modulev1.AnalyzeRequest{Content: testutil.GoWindowsPE(b), FileType: "pe"})
}
