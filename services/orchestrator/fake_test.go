package orchestrator

import (
	"context"
	"strings"
	"sync"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
)

// allModules are the seven analyzer modules the routing table names.
var allModules = []string{IdentifyModule, "crypto", "pattern-matcher", "network", "deobfuscator", "analysis-engine", "sandbox"}

// fakeInvoker stands in for the wasm runtime in unit tests of the pipeline logic. handle
// decides each module's answer; by default every module answers OK with nothing, and the
// identification module calls the sample plain text.
type fakeInvoker struct {
	modules []string
	handle  func(ctx context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error)

	mu    sync.Mutex
	calls map[string]int
}

func newFake(handle func(ctx context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error)) *fakeInvoker {
	return &fakeInvoker{modules: allModules, handle: handle, calls: map[string]int{}}
}

func (f *fakeInvoker) Invoke(ctx context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
	f.mu.Lock()
	f.calls[module]++
	f.mu.Unlock()
	if f.handle != nil {
		if resp, err := f.handle(ctx, module, req); resp != nil || err != nil {
			return resp, err
		}
	}
	if module == IdentifyModule {
		return ok(&modulev1.AnalyzeResponse{Identification: &modulev1.Identification{FileType: "text", MimeType: "text/plain", Flavors: []string{"text"}}}), nil
	}
	return ok(&modulev1.AnalyzeResponse{}), nil
}

func (f *fakeInvoker) ListModules(context.Context) (*wasmruntimev1.ListModulesResponse, error) {
	out := &wasmruntimev1.ListModulesResponse{ModulesVersion: "fake-" + strings.Join(f.modules, ",")}
	for _, m := range f.modules {
		out.Modules = append(out.Modules, &analysisv1.ModuleDescriptor{Name: m, Version: "1.0.0"})
	}
	return out, nil
}

func (f *fakeInvoker) count(module string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[module]
}

func ok(r *modulev1.AnalyzeResponse) *wasmruntimev1.InvokeResponse {
	return &wasmruntimev1.InvokeResponse{Response: r, Status: analysisv1.ModuleStatus_MODULE_STATUS_OK, Version: "1.0.0"}
}

// memStore is an in-memory Store.
type memStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newStore() *memStore { return &memStore{m: map[string][]byte{}} }

func (s *memStore) Get(_ context.Context, key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, found := s.m[key]
	return v, found, nil
}

func (s *memStore) Set(_ context.Context, key string, value []byte, _ time.Duration, _ ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = append([]byte(nil), value...)
	return nil
}
