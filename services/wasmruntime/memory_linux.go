//go:build linux

package wasmruntime

import (
	"sync"
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// mmapMemory backs one instance's linear memory with an anonymous mapping of the module's
// maximum size, reserved but not committed (MAP_NORESERVE). memory.grow then never copies, only
// touched pages count in RSS, and closing an instance gives its memory straight back to the
// kernel instead of leaving gigabytes of []byte for the Go GC, whose heap target would
// otherwise double with every Go-heap-backed guest memory.
type mmapMemory struct {
	mu  sync.Mutex
	buf []byte // the whole mapping; nil once released
}

// Reallocate implements experimental.LinearMemory: growing is re-slicing the mapping.
func (m *mmapMemory) Reallocate(size uint64) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.buf == nil || size > uint64(len(m.buf)) {
		return nil // memory.grow returns -1
	}
	return m.buf[:size]
}

// Free implements experimental.LinearMemory. It does nothing on purpose: wazero calls it when a
// module is closed, and a module stopped by its deadline is closed from another goroutine
// while the guest may still be running on this memory. The mapping is released by release,
// which the host calls once the call has returned and the instance is closed.
func (m *mmapMemory) Free() {}

func (m *mmapMemory) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.buf != nil {
		_ = syscall.Munmap(m.buf)
		m.buf = nil
	}
}

// instanceMemory hands wazero an allocator for one instance and remembers what it allocated.
type instanceMemory struct {
	mu   sync.Mutex
	mems []*mmapMemory
}

func (im *instanceMemory) allocator() experimental.MemoryAllocator {
	return experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
		b, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|syscall.MAP_NORESERVE)
		if err != nil {
			// Out of address space: fall back to Go-heap memory of the same maximum.
			return &heapMemory{max: max}
		}
		m := &mmapMemory{buf: b}
		im.mu.Lock()
		im.mems = append(im.mems, m)
		im.mu.Unlock()
		return m
	})
}

// release unmaps the instance's memory; call it only after the instance is closed and no call
// is running on it.
func (im *instanceMemory) release() {
	im.mu.Lock()
	defer im.mu.Unlock()
	for _, m := range im.mems {
		m.release()
	}
	im.mems = nil
}
