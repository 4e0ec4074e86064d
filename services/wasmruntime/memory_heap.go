package wasmruntime

// heapMemory is a Go-heap linear memory, the fallback when a mapping cannot be made.
type heapMemory struct {
	max uint64
	buf []byte
}

// Reallocate implements experimental.LinearMemory.
func (h *heapMemory) Reallocate(size uint64) []byte {
	if size > h.max {
		return nil
	}
	if size <= uint64(cap(h.buf)) {
		h.buf = h.buf[:size]
		return h.buf
	}
	nb := make([]byte, size, min(max(size, 2*uint64(cap(h.buf))), h.max))
	copy(nb, h.buf)
	h.buf = nb
	return nb
}

// Free implements experimental.LinearMemory; the GC reclaims the buffer.
func (h *heapMemory) Free() {}
