package testutil

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	pe, err := GoBuild(tb, map[string]string{"hello.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, world\") }\n"},
		"windows", "amd64", "-trimpath", "-ldflags=-s")
	if err != nil {
		tb.Skipf("go build for windows: %v", err)
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

// GoBuild writes files (name → source; a go.mod among them makes a module) to a temporary
// directory and builds the program there for goos/goarch with the toolchain running the test,
// cgo off, outside any workspace, with flags added to go build. It returns the executable, or
// the build's error and output.
func GoBuild(tb testing.TB, files map[string]string, goos, goarch string, flags ...string) ([]byte, error) {
	tb.Helper()
	dir := tb.TempDir()
	// Without a go.mod the files are named on the command line (command-line-arguments, as
	// go build hello.go does); with one, the module's main package is built.
	targets := []string{"."}
	if _, ok := files["go.mod"]; !ok {
		targets = slices.Sorted(maps.Keys(files))
	}
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			return nil, err
		}
	}
	exe := filepath.Join(dir, "program.out")
	cmd := exec.Command("go", append(append(append([]string{"build"}, flags...), "-o", exe), targets...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%w: %s", err, out)
	}
	return os.ReadFile(exe)
}
