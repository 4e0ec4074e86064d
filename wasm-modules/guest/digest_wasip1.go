//go:build wasip1

package guest

import (
	"runtime"
	"unsafe"

	"github.com/athena-mesh/athena/internal/bytecount"
)

//go:wasmimport athena digest
func hostDigest(alg, ptr, length, out uint32) int32

// sum asks the host. Guest memory is the whole 32-bit address space the host sees, and the Go
// GC does not move objects on wasm, so pointers are passed as they are.
func sum(alg Algorithm, data []byte) []byte {
	out := make([]byte, alg.Size())
	n := ask(alg, data, out)
	if n < 0 {
		// The host rejected the request; the guest still owes a correct digest, so it
		// computes one itself.
		return NativeSum(alg, data)
	}
	return out[:n]
}

// ask has the host write alg's digest of data to out, which has room for alg.Size() bytes,
// and returns its length, or -1 when the host rejected the request.
func ask(alg Algorithm, data, out []byte) int {
	var ptr uint32
	if len(data) > 0 {
		ptr = uint32(uintptr(unsafe.Pointer(&data[0])))
	}
	n := hostDigest(uint32(alg), ptr, uint32(len(data)), uint32(uintptr(unsafe.Pointer(&out[0]))))
	runtime.KeepAlive(data)
	runtime.KeepAlive(out)
	if n < 0 || int(n) > len(out) {
		return -1
	}
	return int(n)
}

// hostCounts has the host write the byte counts of data into counts; false if it refused. A
// [256]uint64 is the encoding the host writes: 256 little-endian uint64.
func hostCounts(counts *[256]uint64, data []byte) bool {
	out := unsafe.Slice((*byte)(unsafe.Pointer(counts)), bytecount.EncodedSize)
	return ask(ByteCounts, data, out) == bytecount.EncodedSize
}
