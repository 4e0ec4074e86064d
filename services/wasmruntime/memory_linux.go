//go:build linux

package wasmruntime

import (
	"fmt"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

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
// With an image, the start of the mapping is a private copy-on-write mapping of the module's
// snapshot: the instance starts with the snapshot's contents without a byte being copied, and
// only the pages it writes become its own.
type instanceMemory struct {
	image *snapshotImage // mapped at offset 0 when set

	mu        sync.Mutex
	mems      []*mmapMemory
	premapped bool // the image is mapped: the memory already holds the snapshot
}

func (im *instanceMemory) allocator() experimental.MemoryAllocator {
	return experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
		b, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|syscall.MAP_NORESERVE)
		if err != nil {
			// Out of address space: fall back to Go-heap memory of the same maximum.
			return &heapMemory{max: max}
		}
		if im.image != nil && uint64(im.image.size) <= max {
			_, err := unix.MmapPtr(im.image.fd, 0, unsafe.Pointer(unsafe.SliceData(b)), uintptr(im.image.size),
				unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_FIXED)
			im.mu.Lock()
			im.premapped = err == nil
			im.mu.Unlock()
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

// hasSnapshot reports whether the memory was created holding the snapshot image.
func (im *instanceMemory) hasSnapshot() bool {
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.premapped
}

// snapshotImage is a module's snapshot as an in-memory file (memfd) that instances map
// copy-on-write.
type snapshotImage struct {
	fd   int
	size uint32
}

// newSnapshotImage writes the snapshot's non-zero runs into a memfd of the memory's size; the
// zero pages in between stay holes.
func newSnapshotImage(s *memorySnapshot) (*snapshotImage, error) {
	fd, err := unix.MemfdCreate("athena-wasm-snapshot", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	img := &snapshotImage{fd: fd, size: s.size}
	if err := unix.Ftruncate(fd, int64(s.size)); err != nil {
		img.close()
		return nil, fmt.Errorf("ftruncate snapshot: %w", err)
	}
	for _, r := range s.runs {
		for b, off := r.bytes, int64(r.offset); len(b) > 0; {
			n, err := unix.Pwrite(fd, b, off)
			if err != nil {
				img.close()
				return nil, fmt.Errorf("write snapshot: %w", err)
			}
			b, off = b[n:], off+int64(n)
		}
	}
	return img, nil
}

// close closes the file; mappings made from it stay valid.
func (img *snapshotImage) close() {
	if img != nil {
		_ = unix.Close(img.fd)
	}
}

// readInto copies the image into buf, for a memory that could not map it.
func (img *snapshotImage) readInto(buf []byte) error {
	for off := 0; off < len(buf); {
		n, err := unix.Pread(img.fd, buf[off:], int64(off))
		if err != nil {
			return fmt.Errorf("read snapshot: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("read snapshot: short image (%d of %d bytes)", off, len(buf))
		}
		off += n
	}
	return nil
}
