// Package wasmtest runs the built crypto.wasm under the real wasm runtime service.
package wasmtest

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
)

// BenchmarkGoPEUnderTheRuntime times the module on a Go-built Windows hello-world (about
// 1.6 MB) through the wasm runtime, with the md5, sha1 and sha256 the orchestrator computes for
// its cache key passed as options.
func BenchmarkGoPEUnderTheRuntime(b *testing.B) {
	pe := testutil.GoWindowsPE(b)
	m5, s1, s256 := md5.Sum(pe), sha1.Sum(pe), sha256.Sum256(pe)
	hosttest.BenchUnderRuntime(b, "crypto", "crypto", &modulev1.AnalyzeRequest{Content: pe, FileType: "pe", Options: map[string]string{
		"md5": hex.EncodeToString(m5[:]), "sha1": hex.EncodeToString(s1[:]), "sha256": hex.EncodeToString(s256[:])}})
}
