package wasmruntime

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	"google.golang.org/protobuf/proto"
)

// versionedWAT is a module "versioned" whose response carries note; spin > 0 makes
// athena_analyze busy-loop that many iterations first, so a call stays in flight.
func versionedWAT(t *testing.T, note string, spin int) []byte {
	t.Helper()
	resp, _ := proto.Marshal(&modulev1.AnalyzeResponse{Notes: []string{note}})
	body := `(local $i i32)
    (local.set $i (i32.const ` + itoa(spin) + `))
    (block $done (loop $l (br_if $done (i32.eqz (local.get $i))) (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br $l)))
    (i64.or (i64.shl (i64.const 1024) (i64.const 32)) (i64.const ` + itoa(len(resp)) + `))`
	src := hostileWAT("versioned", "", body)
	src = strings.Replace(src, "(global $heap", `(data (i32.const 1024) "`+wasmBytesLiteral(resp)+`")
  (global $heap`, 1)
	return wat(t, src)
}

func itoa(n int) string { return strconv.Itoa(n) }

func writeModule(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	// Write then rename, as a deployment would, so a poll never sees half a file.
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

func notes(t *testing.T, r *Runtime) []string {
	t.Helper()
	resp := invoke(t, r, "versioned", nil)
	wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
	return resp.GetResponse().GetNotes()
}

func TestReload(t *testing.T) {
	dir := modulesDir(t, map[string][]byte{"versioned.wasm": versionedWAT(t, "v1", 0)})
	r := newRuntime(t, dir, nil)
	ctx := context.Background()
	v1 := r.Version()

	// Unchanged directory: nothing happens.
	if resp, err := r.Reload(ctx); err != nil || len(resp.GetLoaded())+len(resp.GetRemoved())+len(resp.GetRejected()) != 0 {
		t.Fatalf("idle reload = %v, %v", resp, err)
	}

	// A bad replacement is rejected and the old version keeps serving.
	writeModule(t, dir, "versioned.wasm", []byte("\x00asm garbage"))
	resp, err := r.Reload(ctx)
	if err != nil || len(resp.GetRejected()) != 1 || len(resp.GetLoaded()) != 0 {
		t.Fatalf("bad reload = %v, %v", resp, err)
	}
	if got := notes(t, r); !slices.Equal(got, []string{"v1"}) || r.Version() != v1 {
		t.Fatalf("after rejected reload: notes %v version %s (was %s)", got, r.Version(), v1)
	}

	// A good replacement is swapped in and changes the version.
	writeModule(t, dir, "versioned.wasm", versionedWAT(t, "v2", 0))
	resp, err = r.Reload(ctx)
	if err != nil || !slices.Equal(resp.GetLoaded(), []string{"versioned"}) || resp.GetModulesVersion() == v1 {
		t.Fatalf("good reload = %v, %v", resp, err)
	}
	if got := notes(t, r); !slices.Equal(got, []string{"v2"}) {
		t.Fatalf("after reload: notes %v", got)
	}

	// Removal unloads.
	if err := os.Remove(filepath.Join(dir, "versioned.wasm")); err != nil {
		t.Fatal(err)
	}
	resp, err = r.Reload(ctx)
	if err != nil || !slices.Equal(resp.GetRemoved(), []string{"versioned"}) {
		t.Fatalf("removal reload = %v, %v", resp, err)
	}
	if _, err := r.Invoke(ctx, "versioned", nil); err == nil {
		t.Fatal("removed module still invocable")
	}

	// Two files naming the same module: the second is rejected.
	writeModule(t, dir, "a.wasm", versionedWAT(t, "a", 0))
	writeModule(t, dir, "b.wasm", versionedWAT(t, "b", 0))
	resp, err = r.Reload(ctx)
	if err != nil || len(resp.GetLoaded()) != 1 || len(resp.GetRejected()) != 1 || !strings.Contains(resp.GetRejected()[0], "already loaded") {
		t.Fatalf("duplicate reload = %v, %v", resp, err)
	}
}

// TestReloadInFlight: a call running when its module is replaced finishes on the old version.
func TestReloadInFlight(t *testing.T) {
	dir := modulesDir(t, map[string][]byte{"versioned.wasm": versionedWAT(t, "old", 10_000_000)})
	r := newRuntime(t, dir, func(c *Config) { c.Limits.Timeout = time.Minute })
	r.mu.RLock()
	old := r.modules["versioned"]
	r.mu.RUnlock()

	var wg sync.WaitGroup
	var inflight *analysisv1.ModuleStatus
	var inflightNotes []string
	wg.Add(1)
	go func() {
		defer wg.Done()
		resp, err := r.Invoke(context.Background(), "versioned", nil)
		if err != nil {
			t.Error(err)
			return
		}
		s := resp.GetStatus()
		inflight, inflightNotes = &s, resp.GetResponse().GetNotes()
	}()
	for len(old.pool.slots) == 0 {
		time.Sleep(time.Millisecond)
	}
	writeModule(t, dir, "versioned.wasm", versionedWAT(t, "new", 0))
	if _, err := r.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := notes(t, r); !slices.Equal(got, []string{"new"}) {
		t.Errorf("new calls see %v", got)
	}
	wg.Wait()
	if inflight == nil || *inflight != analysisv1.ModuleStatus_MODULE_STATUS_OK || !slices.Equal(inflightNotes, []string{"old"}) {
		t.Errorf("in-flight call: status %v notes %v, want OK [old]", inflight, inflightNotes)
	}
}

// TestReloadPolling: a module dropped into the directory is picked up without a Reload call.
func TestReloadPolling(t *testing.T) {
	dir := t.TempDir()
	r := newRuntime(t, dir, func(c *Config) { c.ReloadInterval = 20 * time.Millisecond })
	v0 := r.Version()
	writeModule(t, dir, "versioned.wasm", versionedWAT(t, "polled", 0))
	deadline := time.Now().Add(20 * time.Second)
	for r.Version() == v0 {
		if time.Now().After(deadline) {
			t.Fatal("module never picked up by polling")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := notes(t, r); !slices.Equal(got, []string{"polled"}) {
		t.Errorf("notes %v", got)
	}
}
