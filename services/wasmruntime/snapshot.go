package wasmruntime

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/tetratelabs/wazero/api"
)

// A Go module's _initialize starts the Go runtime and runs every package initializer: tens of
// milliseconds, repeated for every new instance although it always computes the same state. The
// wazero engine therefore runs it once per compiled module and keeps what it produced — the
// linear memory's non-zero pages and the mutable globals — as a snapshot. Later instances are
// instantiated without a start function, their memory starts as a private copy-on-write mapping
// of the snapshot (a memfd on Linux, memory_linux.go; elsewhere the pages are copied in), and
// their globals are set: no initializer runs and no page is copied until the guest writes it.
// The module is compiled
// without its data section (planSnapshot in wasmbin.go), so the engine does not copy tens of
// thousands of data segments into every instance either; the host applies them once, before
// the first _initialize.
//
// What the clones share: everything _initialize computed, including the seeds the Go runtime
// draws from random_get for its map hashing. Instances of one module in one process therefore
// have the same map seeds; every process (and every reload) draws new ones.

// snapshotPageSize is the granularity at which zero memory is skipped.
const snapshotPageSize = 4096

// memorySnapshot is the state of an instance right after _initialize.
type memorySnapshot struct {
	image   *snapshotImage // the runs as a mappable file; nil where unsupported
	size    uint32         // memory size in bytes
	runs    []dataSegment  // non-zero memory, in runs of whole pages
	globals []uint64       // mutable globals, in snapshotPlan.globals order
}

// snapshotter builds the snapshot of one compiled module once and hands it out afterwards.
type snapshotter struct {
	plan *snapshotPlan
	mu   sync.Mutex // held while the first instance initializes, so only one does
	snap *memorySnapshot
}

// current returns the snapshot, or nil when none has been taken yet.
func (s *snapshotter) current() *memorySnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap
}

// image returns the snapshot's mappable image, nil when there is none (yet).
func (s *snapshotter) image() *snapshotImage {
	if snap := s.current(); snap != nil {
		return snap.image
	}
	return nil
}

func (s *snapshotter) close() {
	if snap := s.current(); snap != nil {
		snap.image.close()
	}
}

// initialize prepares a module instantiated without start functions: it writes the data
// segments, runs _initialize and records the snapshot if none exists yet, or else restores the
// snapshot (premapped: the memory was created holding it). call runs an export under ctx with
// the engine's deadline handling.
func (s *snapshotter) initialize(ctx context.Context, m api.Module, premapped bool, call func(context.Context, string) error) error {
	if snap := s.current(); snap != nil {
		return snap.restore(m, s.plan, premapped)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.snap != nil {
		return s.snap.restore(m, s.plan, premapped)
	}
	mem := m.Memory()
	for _, d := range s.plan.data {
		if !mem.Write(d.offset, d.bytes) {
			return fmt.Errorf("%w: data segment at %d (%d bytes) outside memory", errABI, d.offset, len(d.bytes))
		}
	}
	if err := call(ctx, "_initialize"); err != nil {
		return err
	}
	snap, err := takeSnapshot(m, s.plan)
	if err != nil {
		return err
	}
	s.snap = snap
	s.plan.data = nil // in the snapshot now
	return nil
}

func takeSnapshot(m api.Module, plan *snapshotPlan) (*memorySnapshot, error) {
	mem := m.Memory()
	size := mem.Size()
	all, ok := mem.Read(0, size)
	if !ok {
		return nil, errors.New("snapshot: read memory")
	}
	snap := &memorySnapshot{size: size, globals: make([]uint64, len(plan.globals))}
	for i, name := range plan.globals {
		g := m.ExportedGlobal(name)
		if g == nil {
			return nil, fmt.Errorf("snapshot: global export %s missing", name)
		}
		snap.globals[i] = g.Get()
	}
	// Find the non-zero pages, merging neighbours into one run; the runs are views of the
	// instance's memory until they are written to the image or copied.
	for off := uint32(0); off < size; off += snapshotPageSize {
		end := min(off+snapshotPageSize, size)
		if allZero(all[off:end]) {
			continue
		}
		if n := len(snap.runs); n > 0 && snap.runs[n-1].offset+uint32(len(snap.runs[n-1].bytes)) == off {
			r := &snap.runs[n-1]
			r.bytes = all[r.offset:end]
		} else {
			snap.runs = append(snap.runs, dataSegment{offset: off, bytes: all[off:end]})
		}
	}
	if img, err := newSnapshotImage(snap); err == nil && img != nil {
		// Instances map the image; the runs are not needed any more.
		snap.image, snap.runs = img, nil
		return snap, nil
	}
	for i := range snap.runs {
		snap.runs[i].bytes = append([]byte(nil), snap.runs[i].bytes...)
	}
	return snap, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// restore makes a freshly instantiated, never-run instance equal to the snapshotted one.
func (s *memorySnapshot) restore(m api.Module, plan *snapshotPlan, premapped bool) error {
	mem := m.Memory()
	if cur := mem.Size(); cur < s.size {
		if _, ok := mem.Grow((s.size - cur) / pageSize); !ok {
			return fmt.Errorf("snapshot: grow memory to %d bytes: over the memory limit", s.size)
		}
	}
	switch {
	case premapped:
	case s.image != nil:
		buf, ok := mem.Read(0, s.size)
		if !ok {
			return errors.New("snapshot: memory smaller than the snapshot")
		}
		if err := s.image.readInto(buf); err != nil {
			return err
		}
	default:
		for _, r := range s.runs {
			if !mem.Write(r.offset, r.bytes) {
				return errors.New("snapshot: write memory")
			}
		}
	}
	for i, name := range plan.globals {
		g, ok := m.ExportedGlobal(name).(api.MutableGlobal)
		if !ok {
			return fmt.Errorf("snapshot: global export %s not mutable", name)
		}
		g.Set(s.globals[i])
	}
	return nil
}
