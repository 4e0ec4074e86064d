package hosttest

import (
	"context"
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

// BenchUnderRuntime times bin/modules/<file>.wasm on req through the wasm runtime service, the
// way the mesh calls it: one pooled instance, warmed by a first call, loop budget and snapshot
// as in production. It reports MB/s of req's content and the process's CPU per call
// (cpu-ms/op), which says more than wall time on a shared machine.
func BenchUnderRuntime(b *testing.B, file, module string, req *modulev1.AnalyzeRequest) {
	b.Helper()
	wasm, err := os.ReadFile(filepath.Join(testutil.ModulesDir(b), file+".wasm"))
	if err != nil {
		b.Fatalf("read module: %v (run `make wasm`)", err)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, file+".wasm"), wasm, 0o644); err != nil {
		b.Fatal(err)
	}
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
	invoke := func() {
		resp, err := rt.Invoke(context.Background(), module, req)
		if err != nil || resp.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_OK {
			b.Fatalf("Invoke: %v %v %s", err, resp.GetStatus(), resp.GetError())
		}
	}
	invoke() // a fresh instance starts the Go runtime; time warm calls
	b.SetBytes(int64(len(req.GetContent())))
	cpu0 := cputime.Process()
	b.ResetTimer()
	for b.Loop() {
		invoke()
	}
	b.ReportMetric((cputime.Process()-cpu0)*1e3/float64(b.N), "cpu-ms/op")
}
