package network

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

// wasmModule drives bin/modules/network.wasm through the guest ABI with a minimal wazero
// host, so the test and the benchmarks measure the module itself rather than the runtime service.
type wasmModule struct {
	mod api.Module
}

func loadWASM(tb testing.TB) *wasmModule {
	tb.Helper()
	bin, err := os.ReadFile(filepath.Join(testutil.ModulesDir(tb), Name+".wasm"))
	if err != nil {
		tb.Skipf("%s.wasm not built (make wasm): %v", Name, err)
	}
	ctx := context.Background()
	cfg := wazero.NewRuntimeConfig()
	// Compiling the module is most of this test's cost (minutes under -race); wazero keys its
	// cache by module content and wazero version, so reusing it across runs is safe.
	if dir, err := os.UserCacheDir(); err == nil {
		if cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "athena", "wazero")); err == nil {
			cfg = cfg.WithCompilationCache(cache)
			tb.Cleanup(func() { cache.Close(ctx) })
		}
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	tb.Cleanup(func() { rt.Close(ctx) })
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	// Emitted fragments are ignored here; the host's merging is the runtime service's concern.
	if _, err := rt.NewHostModuleBuilder("athena").
		NewFunctionBuilder().WithFunc(func(context.Context, uint32, uint32) {}).Export("emit").
		Instantiate(ctx); err != nil {
		tb.Fatal(err)
	}
	compiled, err := rt.CompileModule(ctx, bin)
	if err != nil {
		tb.Fatal(err)
	}
	mod, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithStartFunctions("_initialize"))
	if err != nil {
		tb.Fatal(err)
	}
	return &wasmModule{mod: mod}
}

func (w *wasmModule) analyze(tb testing.TB, req *modulev1.AnalyzeRequest) *modulev1.AnalyzeResponse {
	tb.Helper()
	ctx := context.Background()
	in, err := proto.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := w.mod.ExportedFunction("athena_alloc").Call(ctx, uint64(len(in)))
	if err != nil {
		tb.Fatal(err)
	}
	ptr := uint32(res[0])
	if !w.mod.Memory().Write(ptr, in) {
		tb.Fatal("write request outside guest memory")
	}
	res, err = w.mod.ExportedFunction("athena_analyze").Call(ctx, uint64(ptr), uint64(len(in)))
	if err != nil {
		tb.Fatal(err)
	}
	out, ok := w.mod.Memory().Read(uint32(res[0]>>32), uint32(res[0]))
	if !ok {
		tb.Fatal("response outside guest memory")
	}
	resp := &modulev1.AnalyzeResponse{}
	if err := proto.Unmarshal(out, resp); err != nil {
		tb.Fatal(err)
	}
	if resp.Error != "" {
		tb.Fatalf("module error: %s", resp.Error)
	}
	return resp
}

// TestWASMMatchesNative checks that the built module answers exactly what the package does,
// on text, a real executable and a capture.
func TestWASMMatchesNative(t *testing.T) {
	w := loadWASM(t)
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
			got := w.analyze(t, req)
			if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
				t.Errorf("wasm and native differ (-native +wasm):\n%s", diff)
			}
		})
	}
}

// reportCPU adds MB per CPU second (process user+system time, GC included) since start.
func reportCPU(b *testing.B, start float64, size int) {
	b.Helper()
	if used := processCPU() - start; used > 0 && start > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/used/1e6, "cpu-MB/s")
	}
}

// benchBoth runs one input natively and through the .wasm module.
func benchBoth(b *testing.B, data []byte) {
	req := &modulev1.AnalyzeRequest{Content: data}
	b.Run("native", func(b *testing.B) {
		m := New()
		b.SetBytes(int64(len(data)))
		cpu := processCPU()
		for b.Loop() {
			if _, err := m.Analyze(req); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, cpu, len(data))
	})
	b.Run("wasm", func(b *testing.B) {
		w := loadWASM(b)
		b.SetBytes(int64(len(data)))
		cpu := processCPU()
		for b.Loop() {
			w.analyze(b, req)
		}
		reportCPU(b, cpu, len(data))
	})
}
