// Package mesh assembles Athena's four services from their packages: one at a time for
// `athena serve <service>`, or all of them in one process for `athena serve all`, the tests and
// `athena bench`. Each service has its own listener (in one process, a Unix socket for those
// behind the gateway) and the others reach it over gRPC, so behaviour and traces match the
// distributed deployment.
package mesh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/athena-mesh/athena/gateway"
	"github.com/athena-mesh/athena/internal/grpcserver"
	cachev1 "github.com/athena-mesh/athena/proto/gen/athena/cache/v1"
	orchestratorv1 "github.com/athena-mesh/athena/proto/gen/athena/orchestrator/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"github.com/athena-mesh/athena/services/cache"
	"github.com/athena-mesh/athena/services/orchestrator"
	"github.com/athena-mesh/athena/services/orchestrator/ai"
	"github.com/athena-mesh/athena/services/orchestrator/jobs"
	"github.com/athena-mesh/athena/services/wasmruntime"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Options configure the services. Zero values are the documented defaults.
type Options struct {
	// ModulesDir holds the analyzer modules (wasmruntime).
	ModulesDir string
	// CompileCacheDir is the wazero compilation cache; "" is the user cache dir.
	CompileCacheDir string
	// CompileCacheMaxBytes bounds the compilation cache (wasmruntime.Config.CacheMaxBytes):
	// 0 is 1 GiB, negative is no bound.
	CompileCacheMaxBytes int64
	// RulesDir holds user YARA rulesets (orchestrator).
	RulesDir string
	// RedisAddrs selects Redis for the cache (and the job queue); empty means in-memory.
	RedisAddrs []string
	// RedisMaster is the Sentinel master name, when Redis runs under Sentinel.
	RedisMaster string
	// RedisPassword authenticates to Redis.
	RedisPassword string
	// KeyPrefix prefixes every Redis key.
	KeyPrefix string
	// CacheTTL is the report TTL; 0 means one hour.
	CacheTTL time.Duration
	// APIKeys maps API keys to tenants at the gateway; empty disables authentication.
	APIKeys map[string]string
	// RatePerSecond is the per-tenant rate limit at the gateway; 0 disables it.
	RatePerSecond float64
	// MaxBodyBytes bounds REST bodies; 0 means 64 MiB.
	MaxBodyBytes int64
	// GracePeriod bounds draining at shutdown; 0 means 10s.
	GracePeriod time.Duration
	// AI configures the AI engine of the orchestrator; nil disables AI.
	AI *ai.Config
	// JobWorkers is the number of async jobs one orchestrator runs at a time; 0 means 2.
	JobWorkers int
	// Logger is the base logger.
	Logger *slog.Logger
	// Registry collects the metrics of every service in the process.
	Registry *prometheus.Registry
}

// NewRegistry returns a metrics registry with the Go and process collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Registry == nil {
		o.Registry = NewRegistry()
	}
	if o.GracePeriod == 0 {
		o.GracePeriod = 10 * time.Second
	}
}

// ServeCache runs the cache service on lis until ctx is done.
func ServeCache(ctx context.Context, lis net.Listener, o Options) error {
	o.defaults()
	log := o.Logger.With("component", "cache")
	var backend cache.Backend
	if len(o.RedisAddrs) > 0 {
		r, err := cache.NewRedis(ctx, cache.RedisConfig{Addrs: o.RedisAddrs, MasterName: o.RedisMaster, Password: o.RedisPassword, KeyPrefix: o.KeyPrefix})
		if err != nil {
			return fmt.Errorf("cache: %w", err)
		}
		backend = r
	} else {
		backend = cache.NewMemory(cache.MemoryConfig{})
	}
	defer backend.Close()
	name := cachev1.CacheService_ServiceDesc.ServiceName
	srv := grpcserver.New(grpcserver.Options{Name: name, Logger: log, Registerer: o.Registry, GracePeriod: o.GracePeriod})
	cs := cache.NewServer(backend, cache.WithLogger(log), cache.WithRegisterer(o.Registry))
	cachev1.RegisterCacheServiceServer(srv, cs)
	var wg sync.WaitGroup
	wctx, stopWatch := context.WithCancel(ctx)
	wg.Add(1)
	go func() {
		defer wg.Done()
		cs.WatchHealth(wctx, srv.Health, name)
	}()
	// The whole-server status follows the service status, so probes of "" work too.
	wg.Add(1)
	go func() {
		defer wg.Done()
		mirrorHealth(wctx, srv, name)
	}()
	err := srv.Run(ctx, lis)
	stopWatch()
	wg.Wait()
	return err
}

// mirrorHealth copies the named service's status to the server-wide status.
func mirrorHealth(ctx context.Context, srv *grpcserver.Server, name string) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		resp, err := srv.Health.Check(ctx, &healthpb.HealthCheckRequest{Service: name})
		if err == nil {
			srv.Health.SetServingStatus("", resp.Status)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ServeWasmRuntime runs the wasmruntime service on lis until ctx is done.
func ServeWasmRuntime(ctx context.Context, lis net.Listener, o Options) error {
	o.defaults()
	log := o.Logger.With("component", "wasmruntime")
	rt, err := wasmruntime.New(ctx, wasmruntime.Config{ModulesDir: o.ModulesDir, CacheDir: o.CompileCacheDir, CacheMaxBytes: o.CompileCacheMaxBytes, PerModule: ModuleLimits(), Logger: log, Registerer: o.Registry})
	if err != nil {
		return err // "wasm runtime: …"; All adds the service's name
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.GracePeriod)
		defer cancel()
		_ = rt.Close(cctx)
	}()
	srv := grpcserver.New(grpcserver.Options{Name: wasmruntimev1.WasmRuntimeService_ServiceDesc.ServiceName, Logger: log, Registerer: o.Registry, GracePeriod: o.GracePeriod})
	wasmruntimev1.RegisterWasmRuntimeServiceServer(srv, wasmruntime.NewServer(rt))
	if len(rt.Modules()) == 0 {
		log.Warn("no analyzer modules loaded; analyses will only hash samples", "dir", o.ModulesDir)
	}
	srv.SetServing(true)
	return srv.Run(ctx, lis)
}

// ModuleLimits are the per-module overrides of the runtime's default limits. The sandbox
// interprets JavaScript inside WASM, which is 15–50× slower than native (docs/sandbox.md): a
// heavily obfuscated script needs more than the default 30 s. The request deadline still
// bounds every call.
func ModuleLimits() map[string]wasmruntime.Limits {
	return map[string]wasmruntime.Limits{"sandbox": {Timeout: 60 * time.Second}}
}

// OrchestratorPeers are the addresses the orchestrator dials.
type OrchestratorPeers struct {
	WasmRuntime string
	Cache       string
}

// ServeOrchestrator runs the orchestrator on lis until ctx is done. It reports SERVING only
// while the wasmruntime and cache services do.
func ServeOrchestrator(ctx context.Context, lis net.Listener, o Options, peers OrchestratorPeers) error {
	o.defaults()
	log := o.Logger.With("component", "orchestrator")
	rtConn, err := grpcserver.Dial(peers.WasmRuntime)
	if err != nil {
		return err
	}
	defer rtConn.Close()
	cacheConn, err := grpcserver.Dial(peers.Cache)
	if err != nil {
		return err
	}
	defer cacheConn.Close()
	store := orchestrator.CacheClient{Client: cachev1.NewCacheServiceClient(cacheConn)}
	var assessor orchestrator.Assessor
	if o.AI != nil {
		engine, err := ai.New(*o.AI, aiStore{store}, o.Registry, log.With("component", "ai"))
		if err != nil {
			return fmt.Errorf("ai: %w", err)
		}
		assessor = engine
	}
	queue, closeQueue, err := o.jobQueue()
	if err != nil {
		return err
	}
	defer closeQueue()
	orch, err := orchestrator.New(orchestrator.Config{
		Invoker:    orchestrator.RuntimeClient{Client: wasmruntimev1.NewWasmRuntimeServiceClient(rtConn)},
		Store:      store,
		Assessor:   assessor,
		Jobs:       queue,
		DefaultTTL: o.CacheTTL,
		RulesDir:   o.RulesDir,
		Logger:     log,
		Registerer: o.Registry,
	})
	if err != nil {
		return err
	}
	srv := grpcserver.New(grpcserver.Options{Name: orchestratorv1.OrchestratorService_ServiceDesc.ServiceName, Logger: log, Registerer: o.Registry, GracePeriod: o.GracePeriod})
	orchestratorv1.RegisterOrchestratorServiceServer(srv, orchestrator.NewServer(orch))
	// Job workers stop taking work when the server starts draining; a job cut short is
	// re-claimed by another orchestrator (Redis) after the visibility timeout.
	wctx, stopWork := context.WithCancel(ctx)
	workDone := make(chan error, 1)
	go func() { workDone <- orch.Work(wctx, o.jobWorkers()) }()
	err = runWithDeps(ctx, srv, lis, log, dep{rtConn, wasmruntimev1.WasmRuntimeService_ServiceDesc.ServiceName}, dep{cacheConn, cachev1.CacheService_ServiceDesc.ServiceName})
	stopWork()
	if werr := <-workDone; werr != nil && !errors.Is(werr, context.Canceled) {
		log.Warn("job workers stopped", "error", werr)
	}
	return err
}

func (o *Options) jobWorkers() int {
	if o.JobWorkers > 0 {
		return o.JobWorkers
	}
	return 2
}

// jobQueue returns the async job queue: a Redis Stream when Redis is configured, else memory.
func (o *Options) jobQueue() (jobs.Queue, func(), error) {
	if len(o.RedisAddrs) == 0 {
		q := jobs.NewMemory(jobs.MemoryConfig{})
		return q, func() { q.Close() }, nil
	}
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: o.RedisAddrs, MasterName: o.RedisMaster, Password: o.RedisPassword,
		DialTimeout: 500 * time.Millisecond, ReadTimeout: 2 * time.Second, WriteTimeout: time.Second,
	})
	if err := redisotel.InstrumentTracing(client); err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("instrument redis: %w", err)
	}
	q := jobs.NewRedis(client, jobs.RedisConfig{KeyPrefix: o.KeyPrefix + "jobs:"})
	return q, func() { q.Close(); client.Close() }, nil
}

// aiStore gives the AI engine the orchestrator's cache.
type aiStore struct{ s orchestrator.Store }

func (a aiStore) Get(ctx context.Context, key string) ([]byte, bool, error) { return a.s.Get(ctx, key) }

func (a aiStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return a.s.Set(ctx, key, value, ttl, "ai")
}

type dep struct {
	conn    *grpc.ClientConn
	service string
}

// runWithDeps serves while a watcher keeps the health status in step with the dependencies.
func runWithDeps(ctx context.Context, srv *grpcserver.Server, lis net.Listener, log *slog.Logger, deps ...dep) error {
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		watchDeps(wctx, srv, log, deps)
	}()
	err := srv.Run(ctx, lis)
	stop()
	wg.Wait()
	return err
}

func watchDeps(ctx context.Context, srv *grpcserver.Server, log *slog.Logger, deps []dep) {
	serving := false
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		err := depsServing(ctx, deps)
		if (err == nil) != serving {
			serving = err == nil
			srv.SetServing(serving)
			if serving {
				log.Info("dependencies serving")
			} else {
				log.Warn("dependency not serving", "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func depsServing(ctx context.Context, deps []dep) error {
	for _, d := range deps {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		resp, err := healthpb.NewHealthClient(d.conn).Check(cctx, &healthpb.HealthCheckRequest{Service: d.service})
		cancel()
		if err != nil {
			return fmt.Errorf("%s: %w", d.service, err)
		}
		if resp.Status != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("%s: %s", d.service, resp.Status)
		}
	}
	return nil
}

// ServeGateway runs the gateway's gRPC API on grpcLis and REST on httpLis until ctx is done.
// REST calls go through the gRPC API (its interceptors: keys, rate limits, deadlines): unary
// ones in process, streams over a connection to selfLis when it is not nil (`serve all` gives
// it a Unix socket), else to grpcLis. On shutdown readiness drops first, then HTTP and gRPC
// drain within the grace period.
func ServeGateway(ctx context.Context, grpcLis, httpLis net.Listener, o Options, orchestratorAddr string, selfLis net.Listener) error {
	o.defaults()
	log := o.Logger.With("component", "gateway")
	orchConn, err := grpcserver.Dial(orchestratorAddr)
	if err != nil {
		return err
	}
	defer orchConn.Close()
	cfg := gateway.Config{Orchestrator: orchConn, APIKeys: o.APIKeys, RatePerSecond: o.RatePerSecond, MaxBodyBytes: o.MaxBodyBytes, Logger: log}
	srv := gateway.NewGRPCServer(cfg, o.Registry)
	selfTarget := grpcLis.Addr().String()
	if selfLis != nil {
		defer selfLis.Close()
		selfTarget = dialTarget(selfLis)
	}
	self, err := grpcserver.Dial(selfTarget) // connects on first use
	if err != nil {
		return err
	}
	defer self.Close()
	orchDep := dep{orchConn, orchestratorv1.OrchestratorService_ServiceDesc.ServiceName}
	handler, err := gateway.NewHTTPHandler(ctx, gateway.HTTPConfig{
		Self:         srv.Local(self),
		Ready:        func(ctx context.Context) error { return depsServing(ctx, []dep{orchDep}) },
		Gatherer:     o.Registry,
		Registerer:   o.Registry,
		MaxBodyBytes: o.MaxBodyBytes,
	})
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	httpErr := make(chan error, 1)
	go func() {
		log.Info("http listening", "addr", httpLis.Addr().String())
		httpErr <- hs.Serve(httpLis)
	}()
	grpcErr := make(chan error, 1)
	gctx, stopGRPC := context.WithCancel(context.WithoutCancel(ctx))
	defer stopGRPC()
	if selfLis != nil {
		// Stopping srv (at the end of runWithDeps) stops this Serve too.
		go func() { _ = srv.Serve(selfLis) }()
	}
	go func() { grpcErr <- runWithDeps(gctx, srv, grpcLis, log, orchDep) }()

	select {
	case <-ctx.Done():
	case err := <-httpErr:
		stopGRPC()
		<-grpcErr
		return fmt.Errorf("http: %w", err)
	case err := <-grpcErr:
		_ = hs.Close()
		return err
	}
	srv.SetServing(false)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.GracePeriod)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("http drain cut short", "error", err)
		_ = hs.Close()
	}
	<-httpErr
	stopGRPC()
	return <-grpcErr
}

// Addrs are the listen addresses of `serve all`.
type Addrs struct {
	HTTP, GRPC                          string
	Orchestrator, WasmRuntime, CacheSvc string
}

// All runs the four services in one process until ctx is done. The gateway listens on HTTP and
// GRPC (loopback ports when empty); the services behind it, and the gateway's own REST-to-gRPC
// connection (its streams), talk over Unix sockets in a private directory unless their
// addresses are given: on loopback TCP a large message now and then stalled for 20–150 ms (a
// segment lost and sent again), which showed as the slowest analyses (docs/benchmarks.md).
// ready is called with the bound addresses (dial targets) once every listener is open.
// Shutdown goes from the edge inwards: the gateway drains first, then the orchestrator, then
// the wasmruntime and cache.
func All(ctx context.Context, o Options, a Addrs, ready func(Addrs)) error {
	o.defaults()
	sockets, err := os.MkdirTemp("", "athena-mesh-")
	if err != nil {
		return fmt.Errorf("socket directory: %w", err)
	}
	defer os.RemoveAll(sockets)
	listen := func(addr, name string, local bool) (net.Listener, error) {
		switch {
		case addr != "":
			return net.Listen("tcp", addr)
		case local:
			return listenLocal(sockets, name)
		}
		return net.Listen("tcp", "127.0.0.1:0")
	}
	var lis [6]net.Listener
	for i, l := range []struct {
		addr, name string
		local      bool
	}{
		{a.HTTP, "http", false}, {a.GRPC, "grpc", false}, {a.Orchestrator, "orchestrator", true},
		{a.WasmRuntime, "wasmruntime", true}, {a.CacheSvc, "cache", true}, {"", "gateway", true},
	} {
		lst, err := listen(l.addr, l.name, l.local)
		if err != nil {
			for _, prev := range lis[:i] {
				prev.Close()
			}
			return fmt.Errorf("listen %s: %w", l.name, err)
		}
		lis[i] = lst
	}
	bound := Addrs{HTTP: lis[0].Addr().String(), GRPC: lis[1].Addr().String(), Orchestrator: dialTarget(lis[2]), WasmRuntime: dialTarget(lis[3]), CacheSvc: dialTarget(lis[4])}

	innerCtx, stopInner := context.WithCancel(context.WithoutCancel(ctx))
	defer stopInner()
	orchCtx, stopOrch := context.WithCancel(context.WithoutCancel(ctx))
	defer stopOrch()

	errs := make(chan error, 4)
	var inner sync.WaitGroup
	inner.Add(2)
	go func() { defer inner.Done(); errs <- named("cache", ServeCache(innerCtx, lis[4], o)) }()
	go func() { defer inner.Done(); errs <- named("wasmruntime", ServeWasmRuntime(innerCtx, lis[3], o)) }()
	orchDone := make(chan struct{})
	go func() {
		defer close(orchDone)
		errs <- named("orchestrator", ServeOrchestrator(orchCtx, lis[2], o, OrchestratorPeers{WasmRuntime: bound.WasmRuntime, Cache: bound.CacheSvc}))
	}()
	gwDone := make(chan struct{})
	gwCtx, stopGW := context.WithCancel(ctx)
	defer stopGW()
	go func() {
		defer close(gwDone)
		errs <- named("gateway", ServeGateway(gwCtx, lis[1], lis[0], o, bound.Orchestrator, lis[5]))
	}()
	if ready != nil {
		ready(bound)
	}
	var first error
	select {
	case <-ctx.Done():
	case first = <-errs:
		// One service failed: bring the rest down in the same order.
	}
	stopGW()
	<-gwDone
	stopOrch()
	<-orchDone
	stopInner()
	inner.Wait()
	close(errs)
	var all []error
	if first != nil {
		all = append(all, first)
	}
	for err := range errs {
		if err != nil {
			all = append(all, err)
		}
	}
	return errors.Join(all...)
}

// listenLocal listens on the Unix socket name.sock in dir, or, when the system refuses it (a
// path too long for a socket address, from a long TMPDIR), on an ephemeral loopback port.
func listenLocal(dir, name string) (net.Listener, error) {
	if l, err := net.Listen("unix", filepath.Join(dir, name+".sock")); err == nil {
		return l, nil
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

// dialTarget is the gRPC target of lis: host:port, or unix:PATH for a Unix socket.
func dialTarget(lis net.Listener) string {
	a := lis.Addr()
	if a.Network() == "unix" {
		return "unix:" + a.String()
	}
	return a.String()
}

func named(name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", name, err)
}

// ParseAPIKeys parses "tenant:key,tenant2:key2" into key → tenant.
func ParseAPIKeys(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		tenant, key, ok := strings.Cut(part, ":")
		if !ok || tenant == "" || key == "" {
			return nil, fmt.Errorf("api key %q: want tenant:key", part)
		}
		out[key] = tenant
	}
	return out, nil
}
