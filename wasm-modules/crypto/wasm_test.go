package cryptoscan

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

// wasmModule drives bin/modules/crypto.wasm through the guest ABI with a minimal wazero host, so
// the test and the benchmark measure the module itself rather than the runtime service.
type wasmModule struct {
	rt  wazero.Runtime
	mod api.Module
}

func loadWASM(tb testing.TB) *wasmModule {
	tb.Helper()
	path := filepath.Join(testutil.ModulesDir(tb), "crypto.wasm")
	bin, err := os.ReadFile(path)
	if err != nil {
		tb.Skipf("crypto.wasm not built (make wasm): %v", err)
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
	if err := hosttest.Instantiate(ctx, rt, nil); err != nil {
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
	return &wasmModule{rt: rt, mod: mod}
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

// TestWASMMatchesNative checks that the built module answers exactly what the package does.
func TestWASMMatchesNative(t *testing.T) {
	w := loadWASM(t)
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 300000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	f := newKeyFixture(t)
	inputs := map[string][]byte{
		"empty":  {},
		"random": random,
		"keys":   f.data,
		"miner":  []byte("stratum+tcp://pool.supportxmr.com:3333 " + moneroFund + " expand 32-byte k"),
	}
	if self, err := os.ReadFile("/usr/bin/ls"); err == nil {
		inputs["ls"] = self
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
