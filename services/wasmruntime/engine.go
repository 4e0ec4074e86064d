package wasmruntime

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// The engine interface is deliberately small: compile, instantiate, call a function, look at
// memory. Everything the ABI means (alloc, packed results, emit, limits) lives above it in
// abi.go, so both engines run exactly the same host logic and the same conformance suite.

// engine compiles modules. Implementations: wazero (engine_wazero.go) and wasmer (engine_wasmer.go,
// build tag wasmer).
type engine interface {
	// name is the engine name shown in the module registry.
	name() string
	// deadlineEnforced reports whether a running guest can be stopped by its deadline.
	deadlineEnforced() bool
	// memoryEnforced reports whether the memory cap stops memory.grow (else it is checked after the call).
	memoryEnforced() bool
	// compile compiles wasm with a linear-memory cap in pages. sha256 is wasm's SHA-256 in hex
	// when the caller has it (the registry does), else "".
	compile(ctx context.Context, wasm []byte, sha256 string, memoryPages uint32) (compiledModule, error)
	// close releases the engine.
	close(ctx context.Context) error
}

// compiledModule is a compiled module that can be instantiated many times.
type compiledModule interface {
	// exports lists exported functions with their signatures, e.g. "(i32,i32)->(i64)", and
	// exported memories as "memory".
	exports() map[string]string
	// instantiate creates an instance and runs _initialize under ctx. Guest stdout/stderr go to
	// the writers.
	instantiate(ctx context.Context, stdout, stderr io.Writer) (instance, error)
	// warnings says where the module runs on a slower path than the engine's best (shown in
	// the module registry).
	warnings() []string
	// close releases the compiled code.
	close(ctx context.Context) error
}

// instance is one instantiated module, used by one call at a time.
type instance interface {
	// call calls an exported function and returns its single result (0 when it has none).
	// ctx carries the call's collector for athena.emit and its deadline.
	call(ctx context.Context, fn string, args ...uint64) (uint64, error)
	// memory is the instance's exported linear memory.
	memory() memoryView
	// close releases the instance.
	close(ctx context.Context) error
}

// memoryView is the guest's linear memory. Read returns a view that is only valid until the
// guest runs again: callers copy out of it, or write into it before the guest runs.
type memoryView interface {
	read(ptr, n uint32) ([]byte, bool)
	write(ptr uint32, b []byte) bool
	// size is the memory size in bytes.
	size() uint64
}

// abiMemory gives a memoryView the Read of hostabi.Memory, for the host functions that
// compute over guest memory.
type abiMemory struct{ memoryView }

func (m abiMemory) Read(ptr, n uint32) ([]byte, bool) { return m.read(ptr, n) }

// errDeadline is returned by instance.call when the call's context ended before the guest did.
var errDeadline = errors.New("guest stopped by deadline")

// errEngineUnavailable marks an engine that is unknown or not compiled in.
var errEngineUnavailable = errors.New("engine not available")

func newEngine(ctx context.Context, name, cacheDir string) (engine, error) {
	switch name {
	case "", engineWazero:
		return newWazeroEngine(ctx, cacheDir)
	case engineWasmer:
		return newWasmerEngine(ctx)
	default:
		return nil, fmt.Errorf("engine %q: %w (want %q or %q)", name, errEngineUnavailable, engineWazero, engineWasmer)
	}
}

const (
	engineWazero = "wazero"
	engineWasmer = "wasmer"
)

// readMem reads n bytes at ptr from a byte slice standing for linear memory, with overflow-safe
// bounds checks. Engines whose memory is a plain slice use it.
func readMem(mem []byte, ptr, n uint32) ([]byte, bool) {
	end := uint64(ptr) + uint64(n)
	if end > uint64(len(mem)) {
		return nil, false
	}
	return mem[ptr:end], true
}
