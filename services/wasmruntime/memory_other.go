//go:build !linux

package wasmruntime

import "github.com/tetratelabs/wazero/experimental"

// instanceMemory uses wazero's default Go-heap memory outside Linux.
type instanceMemory struct{}

func (im *instanceMemory) allocator() experimental.MemoryAllocator { return nil }

func (im *instanceMemory) release() {}
