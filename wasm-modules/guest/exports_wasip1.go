//go:build wasip1

package guest

import (
	"runtime/debug"
	"unsafe"

	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// The exports below need package state: a reactor has no main to pass an Analyzer around, and
// buffers handed to the host must stay reachable until the host has read or written them (the
// Go GC does not move objects on wasm, so a live reference is enough to pin them).
var (
	registered Analyzer
	// inputs holds buffers returned by athena_alloc until athena_analyze consumes them.
	inputs = map[uint32][]byte{}
	// output holds the last result until the next call replaces it.
	output []byte
	// spare is the buffer of the last request analyzed, which the host gave to the guest with
	// the call (ABI.md), for the next athena_alloc that fits in it. A request is mostly its
	// sample: allocating a megabyte anew for each call made a guest collect its garbage every
	// few calls. Nothing keeps a request's bytes past its call (the response is a copy).
	spare []byte
)

// spareMax is the largest request buffer kept for reuse: one large sample does not hold its
// size in the instance's memory for the instance's life.
const spareMax = 8 << 20

// Register installs the module's analyzer. Call it from a package-level variable initializer in
// the module's main package: a wasip1 reactor runs initializers in _initialize but never main.
func Register(a Analyzer) bool {
	registered = a
	// A wasip1 guest collects garbage on its only thread, between the analyzer's own work, and
	// without SIMD for clearing memory; collecting less often is measured several times faster
	// for allocation-heavy analyzers. The host's memory cap still bounds the heap. (A soft
	// memory limit was tried and rejected: near the cap the collector then runs without pause,
	// so a hostile allocation loop burns the whole deadline instead of failing at the cap.)
	debug.SetGCPercent(400)
	return true
}

// Emit sends a partial result to the host through the athena.emit import.
func Emit(fragment *modulev1.AnalyzeResponse) {
	b, err := fragment.MarshalVT()
	if err != nil || len(b) == 0 {
		return
	}
	hostEmit(uint32(uintptr(unsafe.Pointer(&b[0]))), uint32(len(b)))
}

//go:wasmimport athena emit
func hostEmit(ptr, length uint32)

//go:wasmexport athena_alloc
func athenaAlloc(size uint32) uint32 {
	if size == 0 {
		size = 1
	}
	var buf []byte
	if uint32(cap(spare)) >= size {
		buf = spare[:size] // the host writes all of it: no clearing needed
	}
	spare = nil // taken, or too small and garbage before the new buffer is allocated
	if buf == nil {
		buf = make([]byte, size)
	}
	ptr := uint32(uintptr(unsafe.Pointer(&buf[0])))
	inputs[ptr] = buf
	return ptr
}

//go:wasmexport athena_describe
func athenaDescribe() uint64 {
	if registered == nil {
		return 0
	}
	return publish(Describe(registered))
}

//go:wasmexport athena_analyze
func athenaAnalyze(ptr, length uint32) uint64 {
	buf, ok := inputs[ptr]
	if !ok || uint32(len(buf)) < length {
		return publish(errorResponse(errBadInput))
	}
	delete(inputs, ptr)
	if registered == nil {
		return publish(errorResponse(errNotRegistered))
	}
	out := Handle(registered, buf[:length])
	if cap(buf) <= spareMax {
		spare = buf[:0]
	}
	return publish(out)
}

func publish(b []byte) uint64 {
	output = b
	if len(b) == 0 {
		return 0
	}
	return uint64(uintptr(unsafe.Pointer(&b[0])))<<32 | uint64(len(b))
}
