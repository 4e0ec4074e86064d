package wasmruntime

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// rewriteVersion names the output of threadBranches, instrumentLoops and planSnapshot. Change
// it whenever one of them changes what it writes: the on-disk rewrite cache is keyed by it.
// TestRewriteVersionPinsOutput fails until it is changed.
const rewriteVersion = 2

// rewriteCache keeps the host's rewrite of each module (direct branches, loop budget and
// snapshot plan) on disk next to wazero's compilation cache, keyed by the input's SHA-256. The
// rewrite is a pass over the whole binary, 20–30 ms for a typical Go module and ~100 ms for
// the sandbox, paid at every process start (athena scan's startup, a service restart) although
// its result never changes.
// Entries that cannot be read or decoded are rebuilt; a dir of "" disables the cache.
type rewriteCache struct {
	dir string
}

func newRewriteCache(cacheDir string) rewriteCache {
	if cacheDir == "" {
		return rewriteCache{}
	}
	return rewriteCache{dir: filepath.Join(cacheDir, fmt.Sprintf("athena-rewrite-v%d", rewriteVersion))}
}

// directBranches is whether rewriteModule makes forward jumps direct (branches.go). Only
// BenchmarkDirectBranches turns it off, to measure what it buys; rewrites made without it are
// not cached.
var directBranches = true

// rewrite is a module as the wazero engine compiles it. threadErr is set when the branches
// were left as they are (branches.go), instrumentErr when the loops could not be instrumented
// (wasm is then without the budget, for wazero's own checks); plan is nil, with snapErr, when
// the module cannot use snapshots.
type rewrite struct {
	wasm          []byte
	plan          *snapshotPlan
	threadErr     error
	instrumentErr error
	snapErr       error
}

// rewriteModule makes the forward branches direct, instruments the loops and plans the
// snapshot; the plan's binary is then the one to compile. Only complete rewrites (loops and
// snapshot) are cached, under sum, wasm's SHA-256 in hex (computed here when ""): a module whose
// branches cannot be threaded gives the same rewrite every time.
func (c rewriteCache) rewriteModule(wasm []byte, sum string) rewrite {
	path := ""
	if c.dir != "" && directBranches {
		if sum == "" {
			s := sha256.Sum256(wasm)
			sum = hex.EncodeToString(s[:])
		}
		path = filepath.Join(c.dir, sum)
		if b, err := os.ReadFile(path); err == nil {
			if plan, err := decodePlan(b); err == nil {
				// Marks the entry used, for the cache's pruning (compilecache.Prune).
				_ = os.Chtimes(path, time.Now(), time.Time{})
				return rewrite{wasm: plan.wasm, plan: plan}
			}
		}
	}
	rw := rewrite{wasm: wasm}
	if !directBranches {
		rw.threadErr = errNotThreaded
	} else if threaded, _, err := threadBranches(wasm); err != nil {
		rw.threadErr = err
	} else {
		rw.wasm = threaded
	}
	instrumented, err := instrumentLoops(rw.wasm)
	if err != nil {
		rw.instrumentErr = err
	} else {
		rw.wasm = instrumented
	}
	rw.plan, rw.snapErr = planSnapshot(rw.wasm)
	if rw.plan != nil {
		rw.wasm = rw.plan.wasm
	}
	if path != "" && rw.instrumentErr == nil && rw.plan != nil {
		c.store(path, encodePlan(rw.plan))
	}
	return rw
}

// store writes an entry atomically (a temporary file renamed into place); a cache that cannot
// be written only costs the next process the rewrite.
func (c rewriteCache) store(path string, b []byte) {
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return
	}
	f, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr != nil || cerr != nil || os.Rename(f.Name(), path) != nil {
		_ = os.Remove(f.Name())
	}
}

// The entry format: planMagic, then the binary, the data segments and the global names, each
// length-prefixed, then the SHA-256 of everything before it (a torn or corrupted file is
// rebuilt, not compiled).
const planMagic = "athena-rewrite\x00"

func encodePlan(p *snapshotPlan) []byte {
	b := []byte(planMagic)
	b = binary.AppendUvarint(b, uint64(len(p.wasm)))
	b = append(b, p.wasm...)
	b = binary.AppendUvarint(b, uint64(len(p.data)))
	for _, d := range p.data {
		b = binary.AppendUvarint(b, uint64(d.offset))
		b = binary.AppendUvarint(b, uint64(len(d.bytes)))
		b = append(b, d.bytes...)
	}
	b = binary.AppendUvarint(b, uint64(len(p.globals)))
	for _, g := range p.globals {
		b = binary.AppendUvarint(b, uint64(len(g)))
		b = append(b, g...)
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

var errBadPlan = errors.New("bad rewrite cache entry")

func decodePlan(b []byte) (*snapshotPlan, error) {
	if len(b) < len(planMagic)+sha256.Size || !bytes.HasPrefix(b, []byte(planMagic)) {
		return nil, errBadPlan
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, errBadPlan
	}
	r := planReader{b: body[len(planMagic):]}
	p := &snapshotPlan{wasm: r.bytes()}
	n := r.count()
	for i := 0; i < n && r.err == nil; i++ {
		off := r.uvarint()
		if off > 1<<32-1 {
			r.err = errBadPlan
		}
		p.data = append(p.data, dataSegment{offset: uint32(off), bytes: r.bytes()})
	}
	n = r.count()
	for i := 0; i < n && r.err == nil; i++ {
		p.globals = append(p.globals, string(r.bytes()))
	}
	if r.err != nil || len(r.b) != 0 || len(p.wasm) == 0 {
		return nil, errBadPlan
	}
	return p, nil
}

type planReader struct {
	b   []byte
	err error
}

func (r *planReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errBadPlan
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count is a length that must fit in what is left (each counted item takes at least a byte).
func (r *planReader) count() int {
	v := r.uvarint()
	if v > uint64(len(r.b)) {
		r.err = errBadPlan
		return 0
	}
	return int(v)
}

func (r *planReader) bytes() []byte {
	n := r.count()
	if r.err != nil {
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}
