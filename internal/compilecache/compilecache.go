// Package compilecache keeps an on-disk cache of compiled WebAssembly (wazero's compilation
// cache, and the runtime's rewrite cache beside it) within a size bound.
//
// wazero names each entry by the module's content and never removes one, so every rebuilt
// module leaves its old compiled code behind: a full module set is about 270 MB, and a
// developer machine or a host that upgrades modules often would fill its disk, after which
// compiling a module — and so starting the runtime — fails. Open prunes the least recently
// used entries before it hands the cache to wazero.
package compilecache

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tetratelabs/wazero"
)

// DefaultMaxBytes bounds a cache when the caller sets no bound: about four module sets.
const DefaultMaxBytes int64 = 1 << 30

// recentUse protects entries used this recently. Recency is only known to about a day: wazero
// reads an entry it hits without marking it, and Linux's default relatime moves a file's
// access time only when it is a day old (or older than the last write). An entry a running
// process reads — a test run's modules, the service's current set — must not go: compiling
// it again takes seconds, and minutes inside a -race test binary.
const recentUse = 24 * time.Hour

// abandonedTemp is the age at which a temporary file is a crashed writer's leftover: wazero
// writes an entry in well under a minute.
const abandonedTemp = 10 * time.Minute

// Dir is the default directory of the cache called name: <user cache dir>/athena/name, or
// under the temporary directory when the user has no cache directory.
func Dir(name string) string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "athena", name)
}

// Open prunes dir to maxBytes (Prune) and returns a wazero compilation cache on it. A cache
// that cannot be pruned is still opened: pruning only saves disk.
func Open(dir string, maxBytes int64) (wazero.CompilationCache, error) {
	_, _ = Prune(dir, maxBytes, time.Now())
	return wazero.NewCompilationCacheWithDir(dir)
}

// Pruned is what a Prune removed and what it left.
type Pruned struct {
	Files      int   // files removed
	Bytes      int64 // bytes removed
	KeptBytes  int64 // bytes left under dir
	KeptFiles  int
	OverBudget bool // still above the bound: everything left was used within recentUse
}

// Prune removes files under dir, least recently used first, until those left total at most
// maxBytes; maxBytes 0 means DefaultMaxBytes and a negative one means no bound. Recency is
// the later of a file's modification and access times (wazero only reads an entry it hits,
// and Linux's default relatime updates the access time of a read file at least once a day),
// and files used within recentUse of now are never removed; temporary files a crashed writer
// left (not modified for abandonedTemp) always are. A missing dir is empty.
func Prune(dir string, maxBytes int64, now time.Time) (Pruned, error) {
	if maxBytes == 0 {
		maxBytes = DefaultMaxBytes
	}
	type entry struct {
		path string
		size int64
		used time.Time
	}
	var (
		p       Pruned
		entries []entry
		total   int64
	)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		e := entry{path: path, size: info.Size(), used: lastUse(info)}
		if isTemp(d.Name()) && now.Sub(info.ModTime()) > abandonedTemp {
			if os.Remove(path) == nil {
				p.Files++
				p.Bytes += e.size
			}
			return nil
		}
		entries = append(entries, e)
		total += e.size
		return nil
	})
	if err != nil {
		return p, err
	}
	if maxBytes > 0 && total > maxBytes {
		sort.Slice(entries, func(i, j int) bool { return entries[i].used.Before(entries[j].used) })
		kept := entries[:0]
		for _, e := range entries {
			if total > maxBytes && now.Sub(e.used) > recentUse && os.Remove(e.path) == nil {
				total -= e.size
				p.Files++
				p.Bytes += e.size
				continue
			}
			kept = append(kept, e)
		}
		entries = kept
		p.OverBudget = total > maxBytes
	}
	p.KeptBytes, p.KeptFiles = total, len(entries)
	return p, nil
}

// isTemp is whether name is a file still being written: wazero's "<key>.<n>.tmp" or the
// rewrite cache's ".tmp-<n>".
func isTemp(name string) bool {
	return strings.HasSuffix(name, ".tmp") || strings.HasPrefix(name, ".tmp-")
}

// lastUse is the later of info's modification and access times.
func lastUse(info fs.FileInfo) time.Time {
	used := info.ModTime()
	if a, ok := accessTime(info); ok && a.After(used) {
		used = a
	}
	return used
}
