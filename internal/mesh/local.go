package mesh

import (
	"context"
	"fmt"
	"time"

	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"github.com/athena-mesh/athena/services/cache"
	"github.com/athena-mesh/athena/services/orchestrator"
	"github.com/athena-mesh/athena/services/orchestrator/ai"
	"github.com/athena-mesh/athena/services/wasmruntime"
)

// Local builds the pipeline in-process, with no servers: the runtime is called directly and
// reports are cached in memory. `athena analyze --local` uses it. close releases the runtime.
func Local(ctx context.Context, o Options) (orch *orchestrator.Orchestrator, rt *wasmruntime.Runtime, close func(), err error) {
	o.defaults()
	rt, err = wasmruntime.New(ctx, wasmruntime.Config{ModulesDir: o.ModulesDir, CacheDir: o.CompileCacheDir, CacheMaxBytes: o.CompileCacheMaxBytes, PerModule: ModuleLimits(), Logger: o.Logger, Registerer: o.Registry, ReloadInterval: -1})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("wasmruntime: %w", err)
	}
	closeRT := func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = rt.Close(cctx)
	}
	store := BackendStore{B: cache.NewMemory(cache.MemoryConfig{})}
	var assessor orchestrator.Assessor
	if o.AI != nil {
		engine, err := ai.New(*o.AI, aiStore{store}, o.Registry, o.Logger)
		if err != nil {
			closeRT()
			return nil, nil, nil, fmt.Errorf("ai: %w", err)
		}
		assessor = engine
	}
	orch, err = orchestrator.New(orchestrator.Config{
		Invoker: RuntimeInvoker{RT: rt}, Store: store, Assessor: assessor, RulesDir: o.RulesDir,
		DefaultTTL: o.CacheTTL, Logger: o.Logger, Registerer: o.Registry,
	})
	if err != nil {
		closeRT()
		return nil, nil, nil, err
	}
	return orch, rt, closeRT, nil
}

// RuntimeInvoker calls an in-process runtime.
type RuntimeInvoker struct {
	// RT is the runtime.
	RT *wasmruntime.Runtime
}

// Invoke implements orchestrator.Invoker.
func (r RuntimeInvoker) Invoke(ctx context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
	return r.RT.Invoke(ctx, module, req)
}

// ListModules implements orchestrator.Invoker.
func (r RuntimeInvoker) ListModules(context.Context) (*wasmruntimev1.ListModulesResponse, error) {
	return &wasmruntimev1.ListModulesResponse{Modules: r.RT.Modules(), ModulesVersion: r.RT.Version()}, nil
}

// BackendStore adapts a cache backend to orchestrator.Store.
type BackendStore struct {
	// B is the backend.
	B cache.Backend
}

// Get implements orchestrator.Store.
func (s BackendStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	e, found, err := s.B.Get(ctx, key)
	return e.Value, found, err
}

// Set implements orchestrator.Store.
func (s BackendStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration, tags ...string) error {
	return s.B.Set(ctx, cache.Entry{Key: key, Value: value, TTL: ttl, Tags: tags})
}
