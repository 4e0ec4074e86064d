package wasmruntime

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/compilecache"
	"github.com/athena-mesh/athena/internal/testutil"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	"go.uber.org/goleak"
	"google.golang.org/protobuf/proto"
)

// shared holds artifacts built once per test binary (the Go probe guest takes seconds to build).
type shared struct {
	once     sync.Once
	dir      string
	probe    []byte
	probeErr error
}

var built shared // test-only: built once per process by TestMain's lifetime

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wasmruntime-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	built.dir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// probeWasm builds the Go test guest wasm-modules/internal/testmodules/probe as a wasip1 reactor.
func probeWasm(t testing.TB) []byte {
	t.Helper()
	built.once.Do(func() {
		out := filepath.Join(built.dir, "probe.wasm")
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-ldflags=-s", "-o", out, "./internal/testmodules/probe")
		cmd.Dir = filepath.Join(testutil.RepoRoot(t), "wasm-modules")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			built.probeErr = fmt.Errorf("build probe guest: %v\n%s", err, b)
			return
		}
		built.probe, built.probeErr = os.ReadFile(out)
	})
	if built.probeErr != nil {
		t.Fatal(built.probeErr)
	}
	return built.probe
}

// wat compiles WebAssembly text with wat2wasm (Debian wabt; `make test-deps` installs it).
func wat(t testing.TB, src string) []byte {
	t.Helper()
	if _, err := exec.LookPath("wat2wasm"); err != nil {
		t.Fatalf("wat2wasm not found (install wabt, or run make test-deps): %v", err)
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "m.wat"), filepath.Join(dir, "m.wasm")
	if err := os.WriteFile(in, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("wat2wasm", in, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("wat2wasm: %v\n%s\n%s", err, b, src)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func conformanceWasm(t testing.TB) []byte {
	t.Helper()
	src, err := os.ReadFile("testdata/conformance.wat")
	if err != nil {
		t.Fatal(err)
	}
	return wat(t, string(src))
}

// wasmBytesLiteral renders b as a WAT string literal body.
func wasmBytesLiteral(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		fmt.Fprintf(&sb, "\\%02x", c)
	}
	return sb.String()
}

// hostileWAT builds a module that implements athena_alloc and athena_describe (naming itself
// name) and whose athena_analyze body (returning i64) and _initialize body are given.
func hostileWAT(name, initBody, analyzeBody string) string {
	info, _ := proto.Marshal(&modulev1.ModuleInfo{Name: name, Version: "1", AbiVersion: 1})
	return fmt.Sprintf(`(module
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (import "athena" "emit" (func $emit (param i32 i32)))
  (memory (export "memory") 2)
  (data (i32.const 16) "%s")
  (global $heap (mut i32) (i32.const 65536))
  (func (export "_initialize") %s)
  (func $alloc (export "athena_alloc") (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $heap))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (block $ok (loop $grow
      (br_if $ok (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
      (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
      (br $grow)))
    (local.get $ptr))
  (func (export "athena_describe") (result i64)
    (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const %d)))
  (func (export "athena_analyze") (param $in i32) (param $len i32) (result i64) %s)
)`, wasmBytesLiteral(info), initBody, len(info), analyzeBody)
}

// modulesDir writes files (name → bytes) into a fresh directory.
func modulesDir(t testing.TB, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// testCacheDir is the compilation cache the tests share with `athena serve` and with each
// other: wazero keys it by module content and its own version, so a warm cache changes speed,
// never results. `make test` warms it with a non-race run first, because compiling the
// multi-megabyte Go guests inside a -race test binary takes minutes.
func testCacheDir() string { return compilecache.Dir("wazero") }

// newRuntime starts a runtime on dir with a per-test compilation cache and closes it at cleanup.
func newRuntime(t testing.TB, dir string, mod func(*Config)) *Runtime {
	t.Helper()
	cfg := Config{
		ModulesDir:                       dir,
		CacheDir:                         testCacheDir(),
		Engine:                           testEngine(),
		ReloadInterval:                   -1,
		AllowUntrustedOnUnenforcedEngine: true,
		Limits:                           Limits{Timeout: 5 * time.Second},
		Logger:                           slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if mod != nil {
		mod(&cfg)
	}
	r, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := r.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

// watInstance compiles the WAT module src with the engine under test (wazero, or wasmer with
// -tags wasmer) and returns an instance of it, all closed when the test ends.
func watInstance(t *testing.T, src string) instance {
	t.Helper()
	ctx := context.Background()
	eng, err := newEngine(ctx, testEngine(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.close(ctx) })
	cm, err := eng.compile(ctx, wat(t, src), "", 16)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cm.close(ctx) })
	inst, err := cm.instantiate(ctx, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.close(ctx) })
	return inst
}
