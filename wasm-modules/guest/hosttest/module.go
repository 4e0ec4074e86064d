package hosttest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/athena-mesh/athena/internal/compilecache"
	"github.com/athena-mesh/athena/internal/testutil"
	hostmodulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/guest"
	"github.com/athena-mesh/athena/wasm-modules/internal/cputime"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/internal/hostmsg"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"google.golang.org/protobuf/proto"
)

// NewRuntime returns a wazero runtime on cfg with WASI and the athena imports (emit may be nil),
// closed when the test ends. Compiled code is cached on disk where the runtime service keeps it:
// compiling a module is most of a test's cost (minutes under -race), and wazero keys its cache
// by module content and wazero version, so reusing it across runs is safe.
func NewRuntime(tb testing.TB, cfg wazero.RuntimeConfig, emit EmitFunc) wazero.Runtime {
	tb.Helper()
	ctx := context.Background()
	if cache, err := compilecache.Open(compilecache.Dir("wazero"), 0); err == nil {
		cfg = cfg.WithCompilationCache(cache)
		tb.Cleanup(func() { cache.Close(ctx) })
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
	mod       api.Module
	fragments []*hostmodulev1.AnalyzeResponse // athena.emit fragments of the current call (LoadEmitting)
}

// Load instantiates bin/modules/<name>.wasm with the compiler, skipping the test when it has not
// been built. Emitted fragments are dropped; merging them is the runtime service's concern.
func Load(tb testing.TB, name string) *Module {
	tb.Helper()
	bin, err := os.ReadFile(filepath.Join(testutil.ModulesDir(tb), name+".wasm"))
	if err != nil {
		tb.Skipf("%s.wasm not built (make wasm): %v", name, err)
	}
	return &Module{mod: instantiate(tb, bin, wazero.NewRuntimeConfig(), nil)}
}

// LoadEmitting instantiates bin/modules/<name>.wasm on cfg (tests may want the interpreter: the
// compiler takes minutes on a large module under -race) and keeps what the module emits
// through athena.emit for AnalyzeMerged. A module that is not built fails the test.
func LoadEmitting(tb testing.TB, name string, cfg wazero.RuntimeConfig) *Module {
	tb.Helper()
	bin, err := os.ReadFile(filepath.Join(testutil.ModulesDir(tb), name+".wasm"))
	if err != nil {
		tb.Fatalf("read module: %v", err)
	}
	m := &Module{}
	m.mod = instantiate(tb, bin, cfg, func(_ context.Context, mod api.Module, ptr, n uint32) {
		b, ok := mod.Memory().Read(ptr, n)
		f := &hostmodulev1.AnalyzeResponse{}
		if !ok || proto.Unmarshal(b, f) != nil {
			tb.Errorf("bad athena.emit fragment at %x+%d", ptr, n)
			return
		}
		m.fragments = append(m.fragments, f)
	})
	return m
}

func instantiate(tb testing.TB, bin []byte, cfg wazero.RuntimeConfig, emit EmitFunc) api.Module {
	tb.Helper()
	ctx := context.Background()
	rt := NewRuntime(tb, cfg, emit)
	compiled, err := rt.CompileModule(ctx, bin)
	if err != nil {
		tb.Fatalf("compile: %v", err)
	}
	mod, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithStartFunctions("_initialize"))
	if err != nil {
		tb.Fatalf("instantiate: %v", err)
	}
	return mod
}

// call sends req through athena_alloc and athena_analyze and returns the response's bytes.
func (m *Module) call(tb testing.TB, req *modulev1.AnalyzeRequest) []byte {
	tb.Helper()
	ctx := context.Background()
	in, err := req.MarshalVT()
	if err != nil {
		tb.Fatal(err)
	}
	res, err := m.mod.ExportedFunction("athena_alloc").Call(ctx, uint64(len(in)))
	if err != nil {
		tb.Fatalf("athena_alloc: %v", err)
	}
	ptr := uint32(res[0])
	if !m.mod.Memory().Write(ptr, in) {
		tb.Fatal("write request outside guest memory")
	}
	res, err = m.mod.ExportedFunction("athena_analyze").Call(ctx, uint64(ptr), uint64(len(in)))
	if err != nil {
		tb.Fatalf("athena_analyze: %v", err)
	}
	return m.result(tb, res[0])
}

// result reads the buffer a packed ptr<<32|len result names.
func (m *Module) result(tb testing.TB, packed uint64) []byte {
	tb.Helper()
	out, ok := m.mod.Memory().Read(uint32(packed>>32), uint32(packed))
	if !ok {
		tb.Fatalf("result %x outside guest memory", packed)
	}
	return out
}

// Analyze sends req through athena_alloc and athena_analyze and decodes the response; a module
// error fails the test.
func (m *Module) Analyze(tb testing.TB, req *modulev1.AnalyzeRequest) *modulev1.AnalyzeResponse {
	tb.Helper()
	resp := &modulev1.AnalyzeResponse{}
	if err := resp.UnmarshalVT(m.call(tb, req)); err != nil {
		tb.Fatal(err)
	}
	if resp.Error != "" {
		tb.Fatalf("module error: %s", resp.Error)
	}
	return resp
}

// AnalyzeMerged returns the response merged with what the module emitted during the call, as
// the runtime service merges them (fragments first), in the host's types. A module error is in
// the response, not a test failure.
func (m *Module) AnalyzeMerged(tb testing.TB, req *modulev1.AnalyzeRequest) *hostmodulev1.AnalyzeResponse {
	tb.Helper()
	m.fragments = nil
	final := &hostmodulev1.AnalyzeResponse{}
	if err := proto.Unmarshal(m.call(tb, req), final); err != nil {
		tb.Fatalf("decode guest result: %v", err)
	}
	resp := &hostmodulev1.AnalyzeResponse{}
	for _, f := range m.fragments {
		proto.Merge(resp, f)
	}
	m.fragments = nil
	proto.Merge(resp, final)
	return resp
}

// Describe returns what athena_describe answers.
func (m *Module) Describe(tb testing.TB) *hostmodulev1.ModuleInfo {
	tb.Helper()
	out, err := m.mod.ExportedFunction("athena_describe").Call(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	info := &hostmodulev1.ModuleInfo{}
	if err := proto.Unmarshal(m.result(tb, out[0]), info); err != nil {
		tb.Fatalf("decode ModuleInfo: %v", err)
	}
	return info
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
