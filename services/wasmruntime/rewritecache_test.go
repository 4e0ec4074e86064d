package wasmruntime

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestRewriteVersionPinsOutput: the rewrite of fixed modules must not change unless
// rewriteVersion does, or processes would compile stale rewrites from the on-disk cache. When
// this fails after a change to threadBranches, instrumentLoops or planSnapshot, increment
// rewriteVersion and update both constants here.
func TestRewriteVersionPinsOutput(t *testing.T) {
	const (
		pinnedVersion = 2
		pinnedSHA256  = "614bb894761c395a973fb6b76fe8b29918c060b5e06740f64dd298fd76f2f387"
	)
	wasm, err := os.ReadFile("testdata/conformance.wasm") // wat2wasm testdata/conformance.wat
	if err != nil {
		t.Fatal(err)
	}
	rw := rewriteCache{}.rewriteModule(wasm, "")
	if rw.instrumentErr != nil || rw.plan == nil {
		t.Fatalf("conformance module not fully rewritten: %v, %v", rw.instrumentErr, rw.snapErr)
	}
	// The conformance module has no Go dispatch; the dispatch module (no _initialize, so no
	// snapshot) has branches to thread.
	dispatch := rewriteCache{}.rewriteModule(dispatchWasm(t), "")
	if dispatch.threadErr != nil || dispatch.instrumentErr != nil {
		t.Fatalf("dispatch module not rewritten: %v, %v", dispatch.threadErr, dispatch.instrumentErr)
	}
	h := sha256.New()
	h.Write(encodePlan(rw.plan))
	h.Write(dispatch.wasm)
	if got := hex.EncodeToString(h.Sum(nil)); got != pinnedSHA256 || rewriteVersion != pinnedVersion {
		t.Errorf("rewrite output %s with rewriteVersion %d; pinned %s with version %d: a changed rewrite needs a new rewriteVersion", got, rewriteVersion, pinnedSHA256, pinnedVersion)
	}
}

// TestRewriteCache: a second process (a second cache value on the same directory) gets the
// same rewrite from disk; a corrupted or truncated entry is rebuilt, never used.
func TestRewriteCache(t *testing.T) {
	wasm := conformanceWasm(t)
	fresh := rewriteCache{}.rewriteModule(wasm, "")
	if fresh.plan == nil || fresh.instrumentErr != nil {
		t.Fatalf("not fully rewritten: %v, %v", fresh.instrumentErr, fresh.snapErr)
	}
	dir := t.TempDir()
	c := newRewriteCache(dir)
	same := func(t *testing.T, got rewrite) {
		t.Helper()
		if got.instrumentErr != nil || got.plan == nil || !reflect.DeepEqual(got.wasm, fresh.wasm) ||
			!reflect.DeepEqual(got.plan.data, fresh.plan.data) || !reflect.DeepEqual(got.plan.globals, fresh.plan.globals) {
			t.Fatalf("rewrite differs from a fresh one")
		}
	}
	same(t, c.rewriteModule(wasm, "")) // computed, stored
	entries, _ := filepath.Glob(filepath.Join(c.dir, "*"))
	if len(entries) != 1 {
		t.Fatalf("cache holds %v, want one entry", entries)
	}
	entry := entries[0]
	stored, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodePlan(stored); err != nil {
		t.Fatalf("stored entry does not decode: %v", err)
	}
	same(t, newRewriteCache(dir).rewriteModule(wasm, "")) // from disk
	for name, bad := range map[string][]byte{
		"flipped byte": func() []byte { b := append([]byte(nil), stored...); b[len(b)/2] ^= 1; return b }(),
		"truncated":    stored[:len(stored)-1],
		"empty":        {},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := decodePlan(bad); err == nil {
				t.Fatal("a damaged entry decodes")
			}
			if err := os.WriteFile(entry, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			same(t, newRewriteCache(dir).rewriteModule(wasm, ""))
			if b, _ := os.ReadFile(entry); !reflect.DeepEqual(b, stored) {
				t.Error("the damaged entry was not rewritten")
			}
		})
	}
	// A module that cannot be instrumented is not cached.
	plain := wat(t, `(module (memory (export "memory") 1) (func (export "f") (loop $l (br $l))))`)
	if rw := c.rewriteModule(plain, ""); rw.instrumentErr == nil && rw.plan != nil {
		t.Fatal("expected an incomplete rewrite")
	}
	if entries, _ := filepath.Glob(filepath.Join(c.dir, "*")); len(entries) != 1 {
		t.Errorf("cache holds %v after an incomplete rewrite", entries)
	}
}

// FuzzDecodePlan: cache entries are files on disk; decoding arbitrary bytes never panics. The
// input gets a valid checksum appended, so the fuzzer reaches the parser behind it, and whatever
// decodes must encode to an entry that decodes to the same plan.
func FuzzDecodePlan(f *testing.F) {
	body := func(p *snapshotPlan) []byte { b := encodePlan(p); return b[:len(b)-sha256.Size] }
	f.Add(body(&snapshotPlan{wasm: []byte("\x00asm\x01\x00\x00\x00"), data: []dataSegment{{offset: 16, bytes: []byte("hi")}}, globals: []string{"g0"}}))
	f.Add([]byte(planMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		sum := sha256.Sum256(b)
		p, err := decodePlan(append(b, sum[:]...))
		if err != nil {
			return
		}
		again, err := decodePlan(encodePlan(p))
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("re-encoded entry decodes to %+v, %v; want %+v", again, err, p)
		}
	})
}
