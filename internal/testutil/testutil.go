// Package testutil holds helpers shared by the tests: the repository root, the built analyzer
// modules and a throwaway redis-server.
package testutil

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// RepoRoot returns the repository root (the directory holding go.work).
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("testutil: cannot locate source file")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// ModulesDir returns the directory of built analyzer modules: ATHENA_MODULES_DIR when set, else
// bin/modules under the repository root. It fails the test when no module is there, because
// every test that needs modules needs the real ones (`make wasm` builds them).
func ModulesDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("ATHENA_MODULES_DIR")
	if dir == "" {
		dir = filepath.Join(RepoRoot(tb), "bin", "modules")
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.wasm"))
	if len(matches) == 0 {
		tb.Fatalf("no analyzer modules in %s: run `make wasm` first", dir)
	}
	return dir
}

// BenchFile returns the contents of the file ATHENA_BENCH_FILE names, for benchmarks of real
// samples (docs/benchmarks.md), and skips the benchmark when it names none.
func BenchFile(tb testing.TB) []byte {
	tb.Helper()
	path := os.Getenv("ATHENA_BENCH_FILE")
	if path == "" {
		tb.Skip("ATHENA_BENCH_FILE names no file")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
