package orchestrator

import (
	"context"
	"fmt"
	"time"

	cachev1 "github.com/athena-mesh/athena/proto/gen/athena/cache/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
)

// Invoker runs analyzer modules: the wasmruntime service over gRPC, or the runtime in-process.
type Invoker interface {
	// Invoke runs one module. Module-level failures are reported in the response's status.
	Invoke(ctx context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error)
	// ListModules lists the loaded modules and their combined version.
	ListModules(ctx context.Context) (*wasmruntimev1.ListModulesResponse, error)
}

// ContentKeeper is an Invoker that can hold a sample's content between calls, so that the
// modules of one sample receive it once instead of once per module (the wasmruntime service:
// the content crosses the network once). The orchestrator uses it when the Invoker implements
// it and sends the content in every call otherwise.
type ContentKeeper interface {
	// KeepContent stores content and returns a handle for InvokeKept. modules are those the
	// caller already knows it will call with the content, so that the runtime can prepare what
	// they need from it (their declared whole-sample digests) meanwhile.
	KeepContent(ctx context.Context, content []byte, modules []string) (handle string, err error)
	// InvokeKept runs one module on the content kept under handle (req has no content). A
	// handle the runtime no longer holds fails with codes.FailedPrecondition.
	InvokeKept(ctx context.Context, module, handle string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error)
	// ReleaseContent drops the kept content.
	ReleaseContent(ctx context.Context, handle string) error
}

// Store is the key-value store reports are cached in: the cache service over gRPC, or a
// backend in-process.
type Store interface {
	// Get reads a key; found is false when it does not exist.
	Get(ctx context.Context, key string) (value []byte, found bool, err error)
	// Set writes a key with a TTL and tags.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration, tags ...string) error
}

// RuntimeClient adapts the wasmruntime gRPC client to Invoker.
type RuntimeClient struct {
	// Client is the generated client.
	Client wasmruntimev1.WasmRuntimeServiceClient
}

// Invoke implements Invoker.
func (c RuntimeClient) Invoke(ctx context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
	return c.Client.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: module, Request: req})
}

// KeepContent implements ContentKeeper.
func (c RuntimeClient) KeepContent(ctx context.Context, content []byte, modules []string) (string, error) {
	resp, err := c.Client.KeepContent(ctx, &wasmruntimev1.KeepContentRequest{Content: content, Modules: modules})
	return resp.GetHandle(), err
}

// InvokeKept implements ContentKeeper.
func (c RuntimeClient) InvokeKept(ctx context.Context, module, handle string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
	return c.Client.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: module, Request: req, ContentHandle: handle})
}

// ReleaseContent implements ContentKeeper.
func (c RuntimeClient) ReleaseContent(ctx context.Context, handle string) error {
	_, err := c.Client.ReleaseContent(ctx, &wasmruntimev1.ReleaseContentRequest{Handle: handle})
	return err
}

// ListModules implements Invoker.
func (c RuntimeClient) ListModules(ctx context.Context) (*wasmruntimev1.ListModulesResponse, error) {
	return c.Client.ListModules(ctx, &wasmruntimev1.ListModulesRequest{})
}

// CacheClient adapts the cache gRPC client to Store.
type CacheClient struct {
	// Client is the generated client.
	Client cachev1.CacheServiceClient
}

// Get implements Store.
func (c CacheClient) Get(ctx context.Context, key string) ([]byte, bool, error) {
	resp, err := c.Client.Get(ctx, &cachev1.GetRequest{Key: key})
	if err != nil {
		return nil, false, fmt.Errorf("cache get: %w", err)
	}
	return resp.GetValue(), resp.GetFound(), nil
}

// Set implements Store.
func (c CacheClient) Set(ctx context.Context, key string, value []byte, ttl time.Duration, tags ...string) error {
	_, err := c.Client.Set(ctx, &cachev1.SetRequest{Entry: &cachev1.Entry{Key: key, Value: value, TtlMs: ttl.Milliseconds(), Tags: tags}})
	if err != nil {
		return fmt.Errorf("cache set: %w", err)
	}
	return nil
}
