// Package wasmtest runs the built analysisengine.wasm under the real wasm runtime service.
package wasmtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/testutil"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	"github.com/athena-mesh/athena/services/wasmruntime"
	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
)

func TestInjectorUnderTheRuntime(t *testing.T) {
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err != nil {
		t.Fatalf("x86_64-w64-mingw32-gcc not installed (make test-deps): %v", err)
	}
	b, err := os.ReadFile(filepath.Join(testutil.ModulesDir(t), "analysisengine.wasm"))
	if err != nil {
		t.Fatalf("read module: %v (run `make wasm`)", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "analysisengine.wasm"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "injector.exe")
	if out, err := exec.Command("x86_64-w64-mingw32-gcc", "-O0", "-o", exe, "../testdata/src/injector.c").CombinedOutput(); err != nil {
		t.Fatalf("compile: %v: %s", err, out)
	}
	pe, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := wasmruntime.New(context.Background(), wasmruntime.Config{
		ModulesDir: dir,
		Limits:     wasmruntime.Limits{Timeout: 60 * time.Second, MemoryPages: 4096},
		PoolSize:   1,
	})
	if err != nil {
		t.Fatalf("wasmruntime.New: %v", err)
	}
	defer rt.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	resp, err := rt.Invoke(ctx, "analysis-engine", &modulev1.AnalyzeRequest{Content: pe, FileType: "pe"})
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if resp.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_OK {
		t.Fatalf("status %v: %s", resp.GetStatus(), resp.GetError())
	}
	var found bool
	for _, f := range resp.GetResponse().GetFindings() {
		found = found || (f.GetId() == "capability.process_injection" && slices.Contains(f.GetAttackTechniques(), "T1055"))
	}
	if !found {
		t.Errorf("process injection not found: %v", resp.GetResponse().GetFindings())
	}
	if resp.GetResponse().GetDetails().GetCode().GetInstructionsDecoded() == 0 {
		t.Errorf("no instructions decoded in the guest")
	}
}

// BenchmarkGoPEUnderTheRuntime times the module on a Go-built Windows hello-world (about
// 1.6 MB) through the wasm runtime.
func BenchmarkGoPEUnderTheRuntime(b *testing.B) {
	hosttest.BenchUnderRuntime(b, "analysisengine", "analysis-engine", &modulev1.AnalyzeRequest{Content: testutil.GoWindowsPE(b), FileType: "pe"})
}

// BenchmarkMinGWPEUnderTheRuntime times the module on the 1.2 MB MinGW build that the
// package's BenchmarkAnalyzePE/1MB generates (about 9,300 small functions, COFF symbols kept;
// about 48,000 instructions walked) through the wasm runtime. It reads the PE that a native
// run of that benchmark leaves in the temp directory.
func BenchmarkMinGWPEUnderTheRuntime(b *testing.B) {
	pe, err := os.ReadFile(filepath.Join(os.TempDir(), "athena-ae-bench-v1-1000-0.exe"))
	if err != nil {
		b.Skipf("no MinGW PE (run go test -run XXX -bench 'AnalyzePE/1MB' -benchtime 1x ./analysisengine/ first): %v", err)
	}
	hosttest.BenchUnderRuntime(b, "analysisengine", "analysis-engine", &modulev1.AnalyzeRequest{Content: pe, FileType: "pe"})
}
