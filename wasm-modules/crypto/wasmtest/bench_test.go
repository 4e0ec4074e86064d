// Package wasmtest runs the built crypto.wasm under the real wasm runtime service.
package wasmtest

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/testutil"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	"github.com/athena-mesh/athena/services/wasmruntime"
	"github.com/athena-mesh/athena/wasm-modules/internal/cputime"
)

// BenchmarkGoPEUnderTheRuntime times the module on a Go-built Windows hello-world (about
// 1.6 MB) through the wasm runtime, the way the mesh calls it: a warm instance, and the md5,
// sha1 and sha256 the orchestrator computes for its cache key passed as options.
func BenchmarkGoPEUnderTheRuntime(b *testing.B) {
	wasm, err := os.ReadFile(filepath.Join(testutil.ModulesDir(b), "crypto.wasm"))
	if err != nil {
		b.Fatalf("read module: %v (run `make wasm`)", err)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "crypto.wasm"), wasm, 0o644); err != nil {
		b.Fatal(err)
	}
	pe := testutil.GoWindowsPE(b)
	rt, err := wasmruntime.New(context.Background(), wasmruntime.Config{
		ModulesDir: dir,
		Limits:     wasmruntime.Limits{Timeout: 120 * time.Second, MemoryPages: 4096},
		PoolSize:   1,
		// The runtime logs each load; on stderr it would split the benchmark's result lines.
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatalf("wasmruntime.New: %v", err)
	}
	defer rt.Close(context.Background())
	m5, s1, s256 := md5.Sum(pe), sha1.Sum(pe), sha256.Sum256(pe)
	req := &modulev1.AnalyzeRequest{Content: pe, FileType: "pe", Options: map[string]string{
		"md5": hex.EncodeToString(m5[:]), "sha1": hex.EncodeToString(s1[:]), "sha256": hex.EncodeToString(s256[:])}}
	invoke := func() {
		resp, err := rt.Invoke(context.Background(), "crypto", req)
		if err != nil || resp.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_OK {
			b.Fatalf("Invoke: %v %v %s", err, resp.GetStatus(), resp.GetError())
		}
	}
	invoke() // a fresh instance starts the Go runtime; time warm calls
	b.SetBytes(int64(len(pe)))
	cpu0 := cputime.Process()
	b.ResetTimer()
	for b.Loop() {
		invoke()
	}
	// CPU time next to wall time: on a shared machine the wall time says little.
	b.ReportMetric((cputime.Process()-cpu0)*1e3/float64(b.N), "cpu-ms/op")
}
