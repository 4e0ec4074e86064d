// Package hosttest is the smallest Athena host that can run a built module directly on wazero:
// it provides the "athena" imports (emit, digest, text_runs, window_filter) for the module tests and benchmarks that
// measure a module without the wasm runtime service (BenchUnderRuntime measures one through the
// service itself). The service's own host functions live in services/wasmruntime; both follow
// ../../ABI.md.
package hosttest

import (
	"context"
	"fmt"

	"github.com/athena-mesh/athena/internal/hostabi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// EmitFunc receives athena.emit(ptr, len) calls.
type EmitFunc func(ctx context.Context, m api.Module, ptr, n uint32)

// Instantiate adds the "athena" host module to rt. emit may be nil (fragments are dropped).
func Instantiate(ctx context.Context, rt wazero.Runtime, emit EmitFunc) error {
	if emit == nil {
		emit = func(context.Context, api.Module, uint32, uint32) {}
	}
	_, err := rt.NewHostModuleBuilder("athena").
		NewFunctionBuilder().WithFunc(emit).Export("emit").
		NewFunctionBuilder().WithFunc(Digest).Export("digest").
		NewFunctionBuilder().WithFunc(TextRuns).Export("text_runs").
		NewFunctionBuilder().WithFunc(WindowFilter).Export("window_filter").
		Instantiate(ctx)
	if err != nil {
		return fmt.Errorf("instantiate host module athena: %w", err)
	}
	return nil
}

// Digest is athena.digest, as the runtime answers it (internal/hostabi).
func Digest(_ context.Context, m api.Module, alg, ptr, n, out uint32) int32 {
	return hostabi.Digest(m.Memory(), alg, ptr, n, out)
}

// TextRuns is athena.text_runs, as the runtime answers it (internal/hostabi).
func TextRuns(_ context.Context, m api.Module, kind, minLen, ptr, n, out, capacity uint32) int32 {
	return hostabi.TextRuns(m.Memory(), kind, minLen, ptr, n, out, capacity)
}

// WindowFilter is athena.window_filter, as the runtime answers it (internal/hostabi).
func WindowFilter(_ context.Context, m api.Module, filter, data, from, to, out, capacity uint32) int32 {
	return hostabi.WindowFilter(m.Memory(), filter, data, from, to, out, capacity)
}
