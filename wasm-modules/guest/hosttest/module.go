package hosttest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	"github.com/athena-mesh/athena/wasm-modules/guest"
	"github.com/athena-mesh/athena/wasm-modules/internal/cputime"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/internal/hostmsg"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// NewRuntime returns a wazero runtime on cfg with WASI and the athena imports (emit may be nil),
// closed when the test ends. Compiled code is cached on disk where the runtime service keeps it:
// compiling a module is most of a test's cost (minutes under -race), and wazero keys its cache
// by module content and wazero version, so reusing it across runs is safe.
func NewRuntime(tb testing.TB, cfg wazero.RuntimeConfig, emit EmitFunc) wazero.Runtime {
	tb.Helper()
	ctx := context.Background()
	if dir, err := os.UserCacheDir(); err == nil {
		if cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "athena", "wazero")); err == nil {
			cfg = cfg.WithCompilationCache(cache)
			tb.Cleanup(func() { cache.Close(ctx) })
		}
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	tb.Cleanup(func() { rt.Close(ctx) })
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	if err := Instantiate(ctx, rt, emit); err != nil {
		tb.Fatal(err)
	}
	return rt
}

// Module is a built module (bin/modules/<name>.wasm) driven through the guest ABI by this
// minimal host, so a module's tests and benchmarks measure the module rather than the runtime
// service.
type Module struct {
	mod api.Module
}

// Load instantiates bin/modules/<name>.wasm, skipping the test when it has not been built.
// Emitted fragments are dropped; merging them is the runtime service's concern.
func Load(tb testing.TB, name string) *Module {
	tb.Helper()
	bin, err := os.ReadFile(filepath.Join(testutil.ModulesDir(tb), name+".wasm"))
	if err != nil {
		tb.Skipf("%s.wasm not built (make wasm): %v", name, err)
	}
	ctx := context.Background()
	rt := NewRuntime(tb, wazero.NewRuntimeConfig(), nil)
	compiled, err := rt.CompileModule(ctx, bin)
	if err != nil {
		tb.Fatal(err)
	}
	mod, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithStartFunctions("_initialize"))
	if err != nil {
		tb.Fatal(err)
	}
	return &Module{mod: mod}
}

// Analyze sends req through athena_alloc and athena_analyze and decodes the response; a module
// error fails the test.
func (m *Module) Analyze(tb testing.TB, req *modulev1.AnalyzeRequest) *modulev1.AnalyzeResponse {
	tb.Helper()
	ctx := context.Background()
	in, err := req.MarshalVT()
	if err != nil {
		tb.Fatal(err)
	}
	res, err := m.mod.ExportedFunction("athena_alloc").Call(ctx, uint64(len(in)))
	if err != nil {
		tb.Fatal(err)
	}
	ptr := uint32(res[0])
	if !m.mod.Memory().Write(ptr, in) {
		tb.Fatal("write request outside guest memory")
	}
	res, err = m.mod.ExportedFunction("athena_analyze").Call(ctx, uint64(ptr), uint64(len(in)))
	if err != nil {
		tb.Fatal(err)
	}
	out, ok := m.mod.Memory().Read(uint32(res[0]>>32), uint32(res[0]))
	if !ok {
		tb.Fatal("response outside guest memory")
	}
	resp := &modulev1.AnalyzeResponse{}
	if err := resp.UnmarshalVT(out); err != nil {
		tb.Fatal(err)
	}
	if resp.Error != "" {
		tb.Fatalf("module error: %s", resp.Error)
	}
	return resp
}

// BenchNativeAndWASM benchmarks one input through native, the module's Go code, and through
// the built module name, reporting MB/s and MB per CPU second for each.
func BenchNativeAndWASM(b *testing.B, name string, native guest.Analyzer, data []byte) {
	req := &modulev1.AnalyzeRequest{Content: data}
	b.Run("native", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		cpu := cputime.Process()
		for b.Loop() {
			if _, err := native.Analyze(req); err != nil {
				b.Fatal(err)
			}
		}
		cputime.Report(b, cpu, len(data))
	})
	b.Run("wasm", func(b *testing.B) {
		w := Load(b, name)
		b.SetBytes(int64(len(data)))
		cpu := cputime.Process()
		for b.Loop() {
			w.Analyze(b, req)
		}
		cputime.Report(b, cpu, len(data))
	})
}

// CompileCommand builds the Go command in pkg (a path like "./internal/wasmbench", relative to
// the test's directory) for wasip1 and compiles it on a fresh wazero runtime with WASI and the
// athena imports; the caller instantiates it, once per run, with its arguments.
func CompileCommand(tb testing.TB, pkg string) (wazero.Runtime, wazero.CompiledModule) {
	tb.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		tb.Skip("go toolchain not found")
	}
	wasmPath := filepath.Join(tb.TempDir(), "command.wasm")
	build := exec.Command(goBin, "build", "-o", wasmPath, pkg)
	build.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("build %s for wasip1: %v\n%s", pkg, err, out)
	}
	bin, err := os.ReadFile(wasmPath)
	if err != nil {
		tb.Fatal(err)
	}
	rt := NewRuntime(tb, wazero.NewRuntimeConfig(), nil)
	compiled, err := rt.CompileModule(context.Background(), bin)
	if err != nil {
		tb.Fatal(err)
	}
	return rt, compiled
}

// MatchesNative checks that the built module name answers each input exactly as native, the
// module's Go code, does (compared as the host decodes them).
func MatchesNative(t *testing.T, name string, native guest.Analyzer, inputs map[string][]byte) {
	t.Helper()
	w := Load(t, name)
	for input, data := range inputs {
		t.Run(input, func(t *testing.T) {
			req := &modulev1.AnalyzeRequest{Content: data}
			want, err := native.Analyze(req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := hostmsg.ResponseDiff(t, want, w.Analyze(t, req)); diff != "" {
				t.Errorf("wasm and native differ (-native +wasm):\n%s", diff)
			}
		})
	}
}
