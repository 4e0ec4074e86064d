package compilecache

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
)

// put writes a file of size bytes under dir last modified and accessed at the given times.
func put(t *testing.T, dir, name string, size int, mod, acc time.Time) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, make([]byte, size), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, acc, mod); err != nil {
		t.Fatal(err)
	}
	return path
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestPruneRemovesLeastRecentlyUsedFirst(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	day := 24 * time.Hour
	oldest := put(t, dir, "wazero-v-amd64-linux/aa", 400, now.Add(-5*day), now.Add(-5*day))
	// Written long ago but read yesterday: more recent than the entry below.
	readLately := put(t, dir, "wazero-v-amd64-linux/bb", 400, now.Add(-9*day), now.Add(-day))
	older := put(t, dir, "athena-rewrite-v2/cc", 400, now.Add(-3*day), now.Add(-3*day))
	newest := put(t, dir, "wazero-v-amd64-linux/dd", 400, now.Add(-2*day), now.Add(-2*day))

	p, err := Prune(dir, 900, now)
	if err != nil {
		t.Fatal(err)
	}
	if exists(oldest) || exists(older) || !exists(readLately) || !exists(newest) {
		t.Errorf("left oldest=%v older=%v readLately=%v newest=%v; want only the two recently used",
			exists(oldest), exists(older), exists(readLately), exists(newest))
	}
	want := Pruned{Files: 2, Bytes: 800, KeptBytes: 800, KeptFiles: 2}
	if p != want {
		t.Errorf("Prune = %+v, want %+v", p, want)
	}
}

func TestPruneKeepsWhatFitsAndWhatIsFresh(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	a := put(t, dir, "a", 100, now.Add(-48*time.Hour), now.Add(-48*time.Hour))
	b := put(t, dir, "b", 100, now.Add(-47*time.Hour), now.Add(-47*time.Hour))
	if p, err := Prune(dir, 200, now); err != nil || p.Files != 0 || !exists(a) || !exists(b) {
		t.Fatalf("at the bound: Prune = %+v, %v; removed something", p, err)
	}
	// Over the bound, but the newer entries were used within the day (a running process may be
	// about to read them): only the old ones go, and the cache is reported over budget.
	c := put(t, dir, "c", 100, now.Add(-9*24*time.Hour), now.Add(-20*time.Hour))
	d := put(t, dir, "d", 100, now, now)
	p, err := Prune(dir, 150, now)
	if err != nil {
		t.Fatal(err)
	}
	if exists(a) || exists(b) || !exists(c) || !exists(d) || !p.OverBudget || p.KeptBytes != 200 {
		t.Errorf("Prune = %+v; a=%v b=%v c=%v d=%v, want a and b removed, c and d kept over budget",
			p, exists(a), exists(b), exists(c), exists(d))
	}
}

func TestPruneUnboundedAndDefault(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	old := now.Add(-30 * 24 * time.Hour)
	a := put(t, dir, "a", 1000, old, old)
	if p, err := Prune(dir, -1, now); err != nil || p.Files != 0 || !exists(a) {
		t.Errorf("negative bound: Prune = %+v, %v; want nothing removed", p, err)
	}
	if p, err := Prune(dir, 0, now); err != nil || p.Files != 0 || p.KeptBytes != 1000 {
		t.Errorf("default bound: Prune = %+v, %v; want 1000 bytes kept", p, err)
	}
	if p, err := Prune(filepath.Join(dir, "missing"), 10, now); err != nil || p != (Pruned{}) {
		t.Errorf("missing dir: Prune = %+v, %v; want an empty result", p, err)
	}
}

func TestPruneRemovesAbandonedTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	old := now.Add(-time.Hour)
	wazeroTmp := put(t, dir, "w/aa.123.tmp", 10, old, old)
	rewriteTmp := put(t, dir, "r/.tmp-456", 10, old, old)
	writing := put(t, dir, "w/bb.789.tmp", 10, now, now)
	p, err := Prune(dir, -1, now)
	if err != nil {
		t.Fatal(err)
	}
	if exists(wazeroTmp) || exists(rewriteTmp) || !exists(writing) || p.Files != 2 || p.KeptFiles != 1 {
		t.Errorf("Prune = %+v; want the two abandoned temporary files removed and the one being written kept", p)
	}
}

// TestOpenCompilesAfterPrune compiles a module into a cache, prunes the cache to nothing and
// compiles again: the runtime recompiles what was pruned rather than failing.
func TestOpenCompilesAfterPrune(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// (module (func (export "f") (result i32) i32.const 7))
	wasm := []byte{0, 'a', 's', 'm', 1, 0, 0, 0,
		1, 5, 1, 0x60, 0, 1, 0x7f,
		3, 2, 1, 0,
		7, 5, 1, 1, 'f', 0, 0,
		10, 6, 1, 4, 0, 0x41, 7, 0x0b}
	compile := func() {
		t.Helper()
		cache, err := Open(dir, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer cache.Close(ctx)
		rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(cache))
		defer rt.Close(ctx)
		mod, err := rt.Instantiate(ctx, wasm)
		if err != nil {
			t.Fatal(err)
		}
		res, err := mod.ExportedFunction("f").Call(ctx)
		if err != nil || len(res) != 1 || res[0] != 7 {
			t.Fatalf("f() = %v, %v; want 7", res, err)
		}
	}
	compile()
	// Age what the first compile wrote so that the next Open may remove it.
	old := time.Now().Add(-48 * time.Hour)
	var files int
	_ = filepathWalkFiles(dir, func(path string) {
		files++
		_ = os.Chtimes(path, old, old)
	})
	if files == 0 {
		t.Fatal("the first compile wrote nothing to the cache")
	}
	p, err := Prune(dir, 1, time.Now())
	if err != nil || p.KeptFiles != 0 || p.Files != files {
		t.Fatalf("Prune = %+v, %v; want all %d files removed", p, err, files)
	}
	compile()
}

func filepathWalkFiles(dir string, f func(string)) error {
	return filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			f(path)
		}
		return err
	})
}
