package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// GoWindowsPE returns a Go hello-world built for windows/amd64 with the toolchain running the
// test (about 1.6 MB with -ldflags=-s): a large real-world PE that needs no mingw. It is built
// once per machine and kept in the temporary directory; the test is skipped when the build fails.
func GoWindowsPE(tb testing.TB) []byte {
	tb.Helper()
	cached := filepath.Join(os.TempDir(), "athena-test-gohello-v1.exe")
	if pe, err := os.ReadFile(cached); err == nil {
		return pe
	}
	dir := tb.TempDir()
	src := filepath.Join(dir, "hello.go")
	if err := os.WriteFile(src, []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, world\") }\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	exe := filepath.Join(dir, "hello.exe")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s", "-o", exe, src)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Skipf("go build for windows: %v: %s", err, out)
	}
	pe, err := os.ReadFile(exe)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(cached, pe, 0o644); err != nil {
		tb.Logf("keep the Go PE for later runs: %v", err)
	}
	return pe
}

// Executables returns real executables to hold an analyzer to a reference implementation on:
// the Go Windows PE above and those of paths that exist on this machine, keyed by path.
func Executables(tb testing.TB, paths ...string) map[string][]byte {
	tb.Helper()
	inputs := map[string][]byte{"go windows pe": GoWindowsPE(tb)}
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			inputs[p] = b
		}
	}
	return inputs
}
