package wasmruntime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

// The conformance suite: what every engine must do with well-behaved modules. It runs on wazero
// by default and on wasmer with `go test -tags wasmer`.

func invoke(t *testing.T, r *Runtime, name string, req *modulev1.AnalyzeRequest) *wasmruntimev1.InvokeResponse {
	t.Helper()
	if req == nil {
		req = &modulev1.AnalyzeRequest{}
	}
	resp, err := r.Invoke(context.Background(), name, req)
	if err != nil {
		t.Fatalf("Invoke(%s): %v", name, err)
	}
	return resp
}

func wantStatus(t *testing.T, resp *wasmruntimev1.InvokeResponse, want analysisv1.ModuleStatus, errSubstr string) {
	t.Helper()
	if resp.GetStatus() != want {
		t.Fatalf("status = %v (%s), want %v", resp.GetStatus(), resp.GetError(), want)
	}
	if !strings.Contains(resp.GetError(), errSubstr) {
		t.Fatalf("error = %q, want it to contain %q", resp.GetError(), errSubstr)
	}
}

// stillServes checks that a well-behaved module still answers after something went wrong.
func stillServes(t *testing.T, r *Runtime) {
	t.Helper()
	resp := invoke(t, r, "wat-conformance", &modulev1.AnalyzeRequest{Content: []byte("after")})
	wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
	if got := resp.GetResponse().GetIdentification().GetFileType(); got != "wat-echo" {
		t.Fatalf("file type after hostile call = %q", got)
	}
}

func TestConformanceWATRoundTrip(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"conformance.wasm": conformanceWasm(t)}), nil)
	req := &modulev1.AnalyzeRequest{
		Content:   []byte("MZ\x90\x00 sample bytes \xff\x00"),
		Filename:  "sample.exe",
		FileType:  "pe",
		Flavors:   []string{"pe", "exe"},
		Options:   map[string]string{"k": "v"},
		Resources: []*modulev1.Resource{{Name: "rules/x.yar", Data: []byte("rule x {condition: true}")}},
		Depth:     2,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	callerDeadline, _ := ctx.Deadline()
	for i, wantReused := range []bool{false, true, true} {
		resp, err := r.Invoke(ctx, "wat-conformance", req)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
		if resp.GetInstanceReused() != wantReused {
			t.Errorf("call %d: instance_reused = %v, want %v", i, resp.GetInstanceReused(), wantReused)
		}
		if resp.GetVersion() != "1.0.0" || resp.GetMemoryPages() < 2 {
			t.Errorf("version %q pages %d", resp.GetVersion(), resp.GetMemoryPages())
		}
		got := resp.GetResponse()
		if got.GetIdentification().GetFileType() != "wat-echo" || !slices.Equal(got.GetNotes(), []string{"emitted by wat"}) {
			t.Fatalf("response = %v", got)
		}
		if len(got.GetArtifacts()) != 1 {
			t.Fatalf("artifacts = %v", got.GetArtifacts())
		}
		// The module echoes the request bytes it received: they are the request plus the
		// host's deadline, which must lie before the caller's own deadline.
		echoed := &modulev1.AnalyzeRequest{}
		if err := proto.Unmarshal(got.GetArtifacts()[0].GetContent(), echoed); err != nil {
			t.Fatalf("echoed request: %v", err)
		}
		guestDeadline := time.UnixMilli(echoed.GetDeadlineUnixMs())
		if !guestDeadline.Before(callerDeadline) || guestDeadline.Before(time.Now().Add(-time.Minute)) {
			t.Errorf("guest deadline %v, caller deadline %v", guestDeadline, callerDeadline)
		}
		echoed.DeadlineUnixMs = 0
		if diff := cmp.Diff(req, echoed, protocmp.Transform()); diff != "" {
			t.Errorf("request seen by the guest (-sent +seen):\n%s", diff)
		}
	}
	if req.GetDeadlineUnixMs() != 0 {
		t.Error("Invoke modified the caller's request")
	}
}

func TestConformanceGoGuest(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"probe.wasm": probeWasm(t)}), nil)
	tests := []struct {
		name      string
		options   map[string]string
		status    analysisv1.ModuleStatus
		errSubstr string
		notes     []string
	}{
		{"echo", nil, analysisv1.ModuleStatus_MODULE_STATUS_OK, "", []string{"bytes=3", "filename=f.bin"}},
		{"module error", map[string]string{"mode": "error"}, analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "probe failure", nil},
		{"emitted fragments are merged before the result", map[string]string{"mode": "emit", "count": "3"}, analysisv1.ModuleStatus_MODULE_STATUS_OK, "",
			[]string{"fragment 0", "fragment 1", "fragment 2", "bytes=3", "filename=f.bin"}},
		{"stdout and stderr are captured, not fatal", map[string]string{"mode": "print", "size": "100000"}, analysisv1.ModuleStatus_MODULE_STATUS_OK, "", []string{"bytes=3", "filename=f.bin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := invoke(t, r, "probe", &modulev1.AnalyzeRequest{Content: []byte("abc"), Filename: "f.bin", Options: tt.options})
			wantStatus(t, resp, tt.status, tt.errSubstr)
			if tt.status == analysisv1.ModuleStatus_MODULE_STATUS_OK && resp.GetResponse().GetIdentification().GetFileType() != "probe" {
				t.Errorf("identification = %v", resp.GetResponse().GetIdentification())
			}
			if !slices.Equal(resp.GetResponse().GetNotes(), tt.notes) {
				t.Errorf("notes = %q, want %q", resp.GetResponse().GetNotes(), tt.notes)
			}
		})
	}
	// A module error is the module's answer, not a broken instance: the next call reuses it.
	invoke(t, r, "probe", &modulev1.AnalyzeRequest{Options: map[string]string{"mode": "error"}})
	if resp := invoke(t, r, "probe", nil); !resp.GetInstanceReused() {
		t.Error("instance not reused after a module error")
	}
}

func TestConformanceRegistry(t *testing.T) {
	conf := conformanceWasm(t)
	dir := modulesDir(t, map[string][]byte{"conformance.wasm": conf})
	r := newRuntime(t, dir, func(c *Config) {
		c.PoolSize = 3
		c.PerModule = map[string]Limits{"wat-conformance": {Timeout: 2 * time.Second, OutputBytes: 1234}}
	})
	sum := sha256.Sum256(conf)
	mods := r.Modules()
	if len(mods) != 1 {
		t.Fatalf("modules = %v", mods)
	}
	got := mods[0]
	want := &analysisv1.ModuleDescriptor{
		Name: "wat-conformance", Version: "1.0.0", Sha256: hex.EncodeToString(sum[:]), Size: int64(len(conf)),
		Engine: testEngine(), FileTypes: []string{"text"}, Description: "ABI conformance module written in WAT",
		Limits: &analysisv1.ModuleLimits{TimeoutMs: 2000, MemoryPages: DefaultMemoryPages, OutputBytes: 1234,
			LogBytes: DefaultLogBytes, PoolSize: 3, MaxUses: DefaultMaxUses, DeadlineEnforced: testEngine() == engineWazero},
	}
	if diff := cmp.Diff(want, got, protocmp.Transform(),
		protocmp.IgnoreFields(&analysisv1.ModuleDescriptor{}, "loaded_at", "compile_ms", "warnings")); diff != "" {
		t.Errorf("descriptor (-want +got):\n%s", diff)
	}
	if got.GetLoadedAt().AsTime().IsZero() {
		t.Error("loaded_at not set")
	}
	if testEngine() == engineWasmer && len(got.GetWarnings()) == 0 {
		t.Error("wasmer descriptor has no warning about the unenforced deadline")
	}

	v1 := r.Version()
	if v1 == "" {
		t.Fatal("empty version")
	}
	if err := os.WriteFile(filepath.Join(dir, "other.wasm"), wat(t, hostileWAT("other", "", "(i64.const 0)")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v2 := r.Version(); v2 == v1 {
		t.Error("version unchanged after a module was added")
	}
}

func TestConformanceErrors(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"conformance.wasm": conformanceWasm(t)}), nil)
	if _, err := r.Invoke(context.Background(), "nope", &modulev1.AnalyzeRequest{}); !errors.Is(err, ErrModuleNotFound) {
		t.Errorf("unknown module: err = %v, want ErrModuleNotFound", err)
	}
	// A nil request is an empty request.
	wantStatus(t, invoke(t, r, "wat-conformance", nil), analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
	// A request protobuf cannot encode (a string that is not UTF-8) fails before any guest work.
	for _, bad := range []*modulev1.AnalyzeRequest{
		{Filename: "a\xffb"},
		{Options: map[string]string{"k": "\xc3"}},
		{Resources: []*modulev1.Resource{{Name: "rules/\xfe"}}},
	} {
		wantStatus(t, invoke(t, r, "wat-conformance", bad), analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "not valid UTF-8")
	}
	wantStatus(t, invoke(t, r, "wat-conformance", &modulev1.AnalyzeRequest{Content: []byte("ok")}), analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Invoke(context.Background(), "wat-conformance", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: err = %v, want ErrClosed", err)
	}
	if _, err := r.Reload(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Reload after Close: err = %v, want ErrClosed", err)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no directory", Config{}},
		{"missing directory", Config{ModulesDir: filepath.Join(t.TempDir(), "none")}},
		{"unknown engine", Config{ModulesDir: t.TempDir(), Engine: "v8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.ReloadInterval = -1
			r, err := New(context.Background(), tt.cfg)
			if err == nil {
				_ = r.Close(context.Background())
				t.Fatal("New succeeded")
			}
		})
	}
}

// TestUnenforcedEngineRefusesSamples: on an engine that cannot stop a guest, sample input is
// refused unless the configuration allows it, and the registry says why.
func TestUnenforcedEngineRefusesSamples(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"conformance.wasm": conformanceWasm(t)}), func(c *Config) {
		c.AllowUntrustedOnUnenforcedEngine = false
	})
	resp := invoke(t, r, "wat-conformance", nil)
	if r.eng.deadlineEnforced() {
		wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
		if w := r.Modules()[0].GetWarnings(); len(w) != 0 {
			t.Errorf("warnings on an enforcing engine: %v", w)
		}
		return
	}
	wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "refusing sample input")
	if w := r.Modules()[0].GetWarnings(); len(w) == 0 || !strings.Contains(w[0], "deadline not enforced") {
		t.Errorf("warnings = %v", w)
	}
}

// TestNewPrunesCompileCache: a runtime starting on a compilation cache above its bound removes
// the least recently used entries, then compiles and serves its modules as usual.
func TestNewPrunesCompileCache(t *testing.T) {
	if testEngine() != engineWazero {
		t.Skip("only the wazero engine has an on-disk compilation cache")
	}
	cache := t.TempDir()
	stale := filepath.Join(cache, "wazero-dev-amd64-linux", strings.Repeat("ab", 32))
	if err := os.MkdirAll(filepath.Dir(stale), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, make([]byte, 64<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	r := newRuntime(t, modulesDir(t, map[string][]byte{"conformance.wasm": conformanceWasm(t)}), func(c *Config) {
		c.CacheDir, c.CacheMaxBytes = cache, 32<<10
	})
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale cache entry: stat err = %v, want it removed", err)
	}
	wantStatus(t, invoke(t, r, "wat-conformance", nil), analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
}

// TestGoGuestRequestBuffer: a Go guest writes the next request into the buffer of its last one
// when it fits (wasm-modules/guest), and each call still sees exactly its own content: after a
// call that changed its copy, after a larger request, and past the largest buffer kept (8 MiB).
func TestGoGuestRequestBuffer(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"probe.wasm": probeWasm(t)}), func(c *Config) { c.PoolSize = 1 })
	call := func(n int, seed byte) string {
		t.Helper()
		content := make([]byte, n)
		for i := range content {
			content[i] = byte(i*13) ^ seed ^ byte(i>>11)
		}
		// The guest inverts its copy of the content after hashing it.
		resp := invoke(t, r, "probe", &modulev1.AnalyzeRequest{Content: content, Options: map[string]string{"mode": "where", "flip": "1"}})
		wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
		notes := resp.GetResponse().GetNotes()
		sum := sha256.Sum256(content)
		if len(notes) != 2 || notes[0] != hex.EncodeToString(sum[:]) {
			t.Fatalf("%d bytes (seed %d): the guest hashed other bytes: notes %q", n, seed, notes)
		}
		return notes[1]
	}
	first := call(1<<20, 1)
	if again := call(1<<20, 2); again != first {
		t.Errorf("a request of the same size went to %s, not to the last one's buffer at %s", again, first)
	}
	if smaller := call(100<<10, 3); smaller != first {
		t.Errorf("a smaller request went to %s, not to the last one's buffer at %s", smaller, first)
	}
	call(1<<20+5, 4) // larger: a new buffer
	call(9<<20, 5)   // above the largest kept
	call(9<<20, 6)   // so this one has a new buffer too
	call(1<<20, 7)   // and so does this one
	call(1<<10, 8)   // which is kept for this one
}
