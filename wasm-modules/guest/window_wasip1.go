//go:build wasip1

package guest

import (
	"encoding/binary"
	"runtime"
	"unsafe"

	"github.com/athena-mesh/athena/internal/windowfilter"
)

//go:wasmimport athena window_filter
func hostWindowFilter(filter, data, from, to, out, capacity uint32) int32

// windowBuf is the blocks buffer, kept between calls like textRunsBuf.
var windowBuf []byte

func windowFilter(f *windowfilter.Filter, data []byte, from, to int, emit func(base int, mask uint32)) {
	if from < 0 || to > len(data) || from >= to {
		return
	}
	buf := windowBuf
	windowBuf = nil
	if buf == nil {
		buf = make([]byte, windowBatch*windowfilter.PairSize)
	}
	defer func() { windowBuf = buf }()
	for from < to {
		n := hostWindowFilter(uint32(uintptr(unsafe.Pointer(f))), uint32(uintptr(unsafe.Pointer(&data[0]))),
			uint32(from), uint32(to), uint32(uintptr(unsafe.Pointer(&buf[0]))), windowBatch)
		runtime.KeepAlive(f)
		runtime.KeepAlive(data)
		if n < 0 || n > windowBatch {
			probeHere(f, data, from, to, emit) // the host refused: the rest here
			return
		}
		last := -1
		for k := range int(n) {
			last = int(binary.LittleEndian.Uint32(buf[k*windowfilter.PairSize:]))
			emit(last, binary.LittleEndian.Uint32(buf[k*windowfilter.PairSize+4:]))
		}
		if n < windowBatch {
			return
		}
		from = last + windowfilter.BlockSize
	}
}
