package wasmruntime

import "github.com/athena-mesh/athena/internal/textruns"

// athena.text_runs(kind, min_len, ptr, len, out, cap) -> i32 finds runs of printable text in
// guest memory natively (see wasm-modules/ABI.md): the byte-at-a-time scan that pulls strings
// out of a binary costs several nanoseconds a byte inside WASM and a fraction of one here.

// Negative results of athena.text_runs; the values are ABI. As with athena.digest, a bad
// request is answered, not trapped.
const (
	textErrKind   = -1 // unknown kind
	textErrInput  = -2 // [ptr, ptr+len) is not inside memory
	textErrOutput = -3 // [out, out+8·cap) is not inside memory
)

// hostTextRuns implements athena.text_runs over a guest memory: it writes the first runs of
// kind in [ptr, ptr+n), at most capacity of them, as (start, end) pairs relative to ptr, to
// out and returns how many. Both ranges are checked, with 64-bit arithmetic, before any work;
// the host writes only inside [out, out+8·capacity). An output that overlaps the input gives
// unspecified runs, never an access outside memory.
func hostTextRuns(mem memoryView, kind, minLen, ptr, n, out, capacity uint32) int32 {
	if !textruns.Kind(kind).Valid() {
		return textErrKind
	}
	in, ok := mem.read(ptr, n)
	if !ok {
		return textErrInput
	}
	size := uint64(capacity) * textruns.PairSize
	if size > uint64(^uint32(0)) {
		return textErrOutput
	}
	dst, ok := mem.read(out, uint32(size))
	if !ok {
		return textErrOutput
	}
	// The guest is blocked in this call, so neither range changes meanwhile.
	return int32(textruns.Encode(textruns.Kind(kind), int(minLen), in, dst))
}
