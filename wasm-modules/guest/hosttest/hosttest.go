// Package hosttest is the smallest Athena host that can run a built module directly on wazero:
// it provides the "athena" imports (emit, digest, text_runs, window_filter) for the module
// tests and benchmarks that measure a module without the wasm runtime service
// (BenchUnderRuntime measures one through the service itself). The computing imports are the
// runtime's own code (internal/hostabi); emit is the test's. Both hosts follow ../../ABI.md.
package hosttest

import (
	"context"
	"fmt"
	"slices"

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
	// The computing imports are bound without reflection (GoModuleFunc), as the runtime binds
	// them: a module's benchmark then pays what a call to the runtime costs, about a
	// microsecond, not the several of a reflective call.
	i32 := func(n int) []api.ValueType { return slices.Repeat([]api.ValueType{api.ValueTypeI32}, n) }
	computing := func(params int, fn func(mem api.Memory, a []uint64) int32) api.GoModuleFunc {
		return func(_ context.Context, m api.Module, stack []uint64) {
			stack[0] = api.EncodeI32(fn(m.Memory(), stack[:params]))
		}
	}
	_, err := rt.NewHostModuleBuilder("athena").
		NewFunctionBuilder().WithFunc(emit).Export("emit").
		NewFunctionBuilder().WithGoModuleFunction(computing(4, func(mem api.Memory, a []uint64) int32 {
		return hostabi.Digest(mem, u32(a[0]), u32(a[1]), u32(a[2]), u32(a[3]), nil, nil)
	}), i32(4), i32(1)).Export("digest").
		NewFunctionBuilder().WithGoModuleFunction(computing(6, func(mem api.Memory, a []uint64) int32 {
		return hostabi.TextRuns(mem, u32(a[0]), u32(a[1]), u32(a[2]), u32(a[3]), u32(a[4]), u32(a[5]), nil, nil)
	}), i32(6), i32(1)).Export("text_runs").
		NewFunctionBuilder().WithGoModuleFunction(computing(6, func(mem api.Memory, a []uint64) int32 {
		return hostabi.WindowFilter(mem, u32(a[0]), u32(a[1]), u32(a[2]), u32(a[3]), u32(a[4]), u32(a[5]), nil)
	}), i32(6), i32(1)).Export("window_filter").
		Instantiate(ctx)
	if err != nil {
		return fmt.Errorf("instantiate host module athena: %w", err)
	}
	return nil
}

func u32(v uint64) uint32 { return api.DecodeU32(v) }
