// Package hosttest is the smallest Athena host that can run a built module directly on wazero:
// it provides the "athena" imports (emit, digest, text_runs) for the module tests and benchmarks that
// measure a module without the wasm runtime service (BenchUnderRuntime measures one through the
// service itself). The service's own host functions live in services/wasmruntime; both follow
// ../../ABI.md.
package hosttest

import (
	"context"
	"fmt"

	"github.com/athena-mesh/athena/internal/textruns"
	"github.com/athena-mesh/athena/wasm-modules/guest"
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
		Instantiate(ctx)
	if err != nil {
		return fmt.Errorf("instantiate host module athena: %w", err)
	}
	return nil
}

// Digest is athena.digest with the ABI's result codes: the digest length, -1 for an unknown
// algorithm, -2 for an input and -3 for an output outside memory.
func Digest(_ context.Context, m api.Module, alg, ptr, n, out uint32) int32 {
	a := guest.Algorithm(alg)
	if a.Size() == 0 {
		return -1
	}
	in, ok := m.Memory().Read(ptr, n)
	if !ok {
		return -2
	}
	if _, ok := m.Memory().Read(out, uint32(a.Size())); !ok {
		return -3
	}
	sum := guest.NativeSum(a, in)
	m.Memory().Write(out, sum)
	return int32(len(sum))
}

// TextRuns is athena.text_runs with the ABI's result codes: the number of runs written, -1 for
// an unknown kind, -2 for an input and -3 for an output outside memory.
func TextRuns(_ context.Context, m api.Module, kind, minLen, ptr, n, out, capacity uint32) int32 {
	if !textruns.Kind(kind).Valid() {
		return -1
	}
	in, ok := m.Memory().Read(ptr, n)
	if !ok {
		return -2
	}
	size := uint64(capacity) * textruns.PairSize
	if size > uint64(^uint32(0)) {
		return -3
	}
	dst, ok := m.Memory().Read(out, uint32(size))
	if !ok {
		return -3
	}
	return int32(textruns.Encode(textruns.Kind(kind), int(minLen), in, dst))
}
