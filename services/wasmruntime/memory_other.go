//go:build !linux

package wasmruntime

import "github.com/tetratelabs/wazero/experimental"

// instanceMemory uses wazero's default Go-heap memory outside Linux.
type instanceMemory struct{ image *snapshotImage }

func (im *instanceMemory) allocator() experimental.MemoryAllocator { return nil }

func (im *instanceMemory) release() {}

func (im *instanceMemory) hasSnapshot() bool { return false }

// snapshotImage is only used on Linux; elsewhere snapshots are written into each instance.
type snapshotImage struct{}

func newSnapshotImage(*memorySnapshot) (*snapshotImage, error) { return nil, nil }

func (img *snapshotImage) close() {}

func (img *snapshotImage) readInto([]byte) error { return nil }
