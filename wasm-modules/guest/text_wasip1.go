//go:build wasip1

package guest

import (
	"encoding/binary"
	"runtime"
	"unsafe"

	"github.com/athena-mesh/athena/internal/textruns"
)

//go:wasmimport athena text_runs
func hostTextRuns(kind, minLen, ptr, length, out, capacity uint32) int32

// textRunsBatch is how many runs one call to the host returns at most: a 1 MB executable has
// ten to twenty thousand, and a host that answers from the sample's memo compares the bytes
// from where the scan resumes to the end at each call.
const textRunsBatch = 8192

// textRunsBuf is the runs buffer (64 KiB), kept between calls: allocating and zeroing it
// inside WASM costs more than a call to the host. A call made from inside emit allocates its
// own.
var textRunsBuf []byte

func textRuns(kind textruns.Kind, minLen int, b []byte, emit func(start, end int) bool) {
	buf := textRunsBuf
	textRunsBuf = nil
	if buf == nil {
		buf = make([]byte, textRunsBatch*textruns.PairSize)
	}
	defer func() { textRunsBuf = buf }()
	for off := 0; ; {
		var ptr uint32
		if off < len(b) {
			ptr = uint32(uintptr(unsafe.Pointer(&b[off])))
		}
		n := hostTextRuns(uint32(kind.At(off)), uint32(min(minLen, 1<<30)), ptr, uint32(len(b)-off),
			uint32(uintptr(unsafe.Pointer(&buf[0]))), textRunsBatch)
		runtime.KeepAlive(b)
		if n < 0 || n > textRunsBatch {
			// The host refused: find the rest in the guest.
			textruns.Scan(kind.At(off), minLen, b[off:], func(s, e int) bool { return emit(off+s, off+e) })
			return
		}
		end := off
		for k := range int(n) {
			s := int(binary.LittleEndian.Uint32(buf[k*textruns.PairSize:]))
			e := int(binary.LittleEndian.Uint32(buf[k*textruns.PairSize+4:]))
			if s > e || e > len(b)-off {
				// Not an answer the host gives: find the rest in the guest.
				textruns.Scan(kind.At(end), minLen, b[end:], func(s, e int) bool { return emit(end+s, end+e) })
				return
			}
			if !emit(off+s, off+e) {
				return
			}
			end = off + e
		}
		if n < textRunsBatch {
			return
		}
		off = end
	}
}
