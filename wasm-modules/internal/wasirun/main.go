// Command wasirun runs a wasip1 program, typically a test binary, under wazero with the
// athena host imports (athena.emit, athena.digest) that a guest's code may call, which a plain
// WASI runner does not provide. Use it as the test runner of a wasip1 build:
//
//	GOOS=wasip1 GOARCH=wasm go test -exec "go run ./internal/wasirun" -bench . ./analysisengine/
//
// Like Go's own wasip1 runner script it mounts the host's root directory, passes the
// environment through and keeps wazero's compilation cache (in the user cache directory).
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/athena-mesh/athena/internal/compilecache"
	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: wasirun PROGRAM.wasm [ARG...]")
		os.Exit(2)
	}
	code, err := run(os.Args[1], os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasirun:", err)
	}
	os.Exit(code)
}

// run executes the program and returns its exit code.
func run(path string, args []string) (int, error) {
	ctx := context.Background()
	bin, err := os.ReadFile(path)
	if err != nil {
		return 1, err
	}
	cfg := wazero.NewRuntimeConfig()
	if cache, err := compilecache.Open(compilecache.Dir("wasirun"), 0); err == nil {
		cfg = cfg.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	if err := hosttest.Instantiate(ctx, rt, nil); err != nil {
		return 1, err
	}
	mc := wazero.NewModuleConfig().
		WithArgs(append([]string{path}, args...)...).
		WithStdin(os.Stdin).WithStdout(os.Stdout).WithStderr(os.Stderr).
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().
		WithRandSource(rand.Reader).
		WithFSConfig(wazero.NewFSConfig().WithDirMount("/", "/"))
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			mc = mc.WithEnv(k, v)
		}
	}
	_, err = rt.InstantiateWithConfig(ctx, bin, mc)
	var exit *sys.ExitError
	switch {
	case errors.As(err, &exit):
		return int(exit.ExitCode()), nil
	case err != nil:
		return 1, err
	}
	return 0, nil
}
