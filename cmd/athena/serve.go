package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/athena-mesh/athena/internal/mesh"
	"github.com/athena-mesh/athena/internal/telemetry"
)

// serveFlags are the flags of `athena serve`.
type serveFlags struct {
	httpAddr, grpcAddr, listen                       string
	orchestratorAddr, wasmruntimeAddr, cacheAddr     string
	redisAddr, redisMaster, redisPassword, keyPrefix string
	modulesDir, rulesDir, compileCacheDir            string
	compileCacheMiB                                  int64
	apiKeys                                          string
	rateLimit                                        float64
	maxBodyBytes                                     int64
	cacheTTL, gracePeriod                            time.Duration
	logLevel, debugAddr                              string
	gcPercent                                        int
	ai                                               aiFlags
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	var f serveFlags
	fs.StringVar(&f.httpAddr, "http-addr", "127.0.0.1:8080", "REST listen address (serve all, gateway)")
	fs.StringVar(&f.grpcAddr, "grpc-addr", "127.0.0.1:9090", "public gRPC listen address (serve all)")
	fs.StringVar(&f.listen, "listen", "", "gRPC listen address of a single service (default 127.0.0.1:9090 gateway, :9091 orchestrator, :9092 wasmruntime, :9093 cache)")
	fs.StringVar(&f.orchestratorAddr, "orchestrator-addr", "127.0.0.1:9091", "orchestrator address (gateway)")
	fs.StringVar(&f.wasmruntimeAddr, "wasmruntime-addr", "127.0.0.1:9092", "wasmruntime address (orchestrator)")
	fs.StringVar(&f.cacheAddr, "cache-addr", "127.0.0.1:9093", "cache address (orchestrator)")
	fs.StringVar(&f.redisAddr, "redis-addr", "", "Redis address(es), comma-separated (several = Cluster); empty = in-memory cache")
	fs.StringVar(&f.redisMaster, "redis-master", "", "Redis Sentinel master name (redis-addr are then the sentinels)")
	fs.StringVar(&f.redisPassword, "redis-password", "", "Redis password")
	fs.StringVar(&f.keyPrefix, "key-prefix", "athena:", "prefix of every Redis key")
	fs.StringVar(&f.modulesDir, "modules-dir", defaultModulesDir(), "directory of analyzer modules (*.wasm)")
	fs.StringVar(&f.rulesDir, "rules-dir", "", "directory of user YARA rulesets (*.yar), hot reloaded")
	fs.StringVar(&f.compileCacheDir, "compile-cache-dir", "", "wazero compilation cache (default: the user cache dir)")
	fs.Int64Var(&f.compileCacheMiB, "compile-cache-max-mib", 1024, "bound of the compilation cache in MiB: least recently used entries beyond it are removed at start (negative: no bound)")
	fs.StringVar(&f.apiKeys, "api-keys", "", "API keys as tenant:key,tenant:key; empty disables authentication")
	fs.Float64Var(&f.rateLimit, "rate-limit", 0, "requests per second per API key (0 = unlimited)")
	fs.Int64Var(&f.maxBodyBytes, "max-body-bytes", 64<<20, "largest REST request body")
	fs.DurationVar(&f.cacheTTL, "cache-ttl", time.Hour, "report cache TTL")
	fs.DurationVar(&f.gracePeriod, "grace-period", 10*time.Second, "time in-flight requests get to finish at shutdown")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&f.debugAddr, "debug-addr", "", "serve Go's pprof endpoints on this address (empty: off)")
	fs.IntVar(&f.gcPercent, "gc-percent", defaultGCPercent, "Go GC target percentage when GOGC is unset (docs/benchmarks.md: 400 gives the cached path ~20% more throughput than 100)")
	f.ai.register(fs)
	which := "all"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		which, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return usageError{fmt.Errorf("--log-level: %w", err)}
	}
	name := "athena-" + which
	log := telemetry.NewLogger(name, level)
	slog.SetDefault(log)
	shutdown, err := telemetry.Setup(ctx, name)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = shutdown(sctx)
	}()
	o, err := f.options(log)
	if err != nil {
		return err
	}
	setGCPercent(f.gcPercent)
	if f.debugAddr != "" {
		stop, err := serveDebug(f.debugAddr, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	if which == "all" || which == "orchestrator" {
		o.AI = f.ai.config()
	}
	listen := func(def string) (net.Listener, error) {
		addr := f.listen
		if addr == "" {
			addr = def
		}
		return net.Listen("tcp", addr)
	}
	switch which {
	case "all":
		return mesh.All(ctx, o, mesh.Addrs{HTTP: f.httpAddr, GRPC: f.grpcAddr}, func(a mesh.Addrs) {
			log.Info("athena is up", "http", "http://"+a.HTTP, "grpc", a.GRPC, "orchestrator", a.Orchestrator, "wasmruntime", a.WasmRuntime, "cache", a.CacheSvc)
			fmt.Fprintf(stdout, "athena serving: REST http://%s  gRPC %s\n", a.HTTP, a.GRPC)
		})
	case "gateway":
		gl, err := listen("127.0.0.1:9090")
		if err != nil {
			return err
		}
		hl, err := net.Listen("tcp", f.httpAddr)
		if err != nil {
			gl.Close()
			return err
		}
		return mesh.ServeGateway(ctx, gl, hl, o, f.orchestratorAddr, nil)
	case "orchestrator":
		l, err := listen("127.0.0.1:9091")
		if err != nil {
			return err
		}
		return mesh.ServeOrchestrator(ctx, l, o, mesh.OrchestratorPeers{WasmRuntime: f.wasmruntimeAddr, Cache: f.cacheAddr})
	case "wasmruntime":
		l, err := listen("127.0.0.1:9092")
		if err != nil {
			return err
		}
		return mesh.ServeWasmRuntime(ctx, l, o)
	case "cache":
		l, err := listen("127.0.0.1:9093")
		if err != nil {
			return err
		}
		return mesh.ServeCache(ctx, l, o)
	}
	return usageError{fmt.Errorf("unknown service %q: want all, gateway, orchestrator, wasmruntime or cache", which)}
}

func (f *serveFlags) options(log *slog.Logger) (mesh.Options, error) {
	keys, err := mesh.ParseAPIKeys(f.apiKeys)
	if err != nil {
		return mesh.Options{}, usageError{err}
	}
	if f.compileCacheMiB == 0 {
		return mesh.Options{}, usageError{errors.New("--compile-cache-max-mib 0 would remove the whole compilation cache at every start; give a bound in MiB, or a negative number for none")}
	}
	var redis []string
	for _, a := range strings.Split(f.redisAddr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			redis = append(redis, a)
		}
	}
	if len(keys) == 0 {
		log.Warn("no API keys configured: the API is open to anyone who can reach it")
	}
	return mesh.Options{
		ModulesDir: f.modulesDir, CompileCacheDir: f.compileCacheDir, CompileCacheMaxBytes: compileCacheBytes(f.compileCacheMiB),
		RulesDir:   f.rulesDir,
		RedisAddrs: redis, RedisMaster: f.redisMaster, RedisPassword: f.redisPassword, KeyPrefix: f.keyPrefix,
		CacheTTL: f.cacheTTL, APIKeys: keys, RatePerSecond: f.rateLimit, MaxBodyBytes: f.maxBodyBytes,
		GracePeriod: f.gracePeriod, Logger: log, Registry: mesh.NewRegistry(),
	}, nil
}

// serveDebug serves the pprof handlers on their own listener, never on the public one.
func serveDebug(addr string, log *slog.Logger) (func(), error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("debug listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		log.Info("debug listening", "addr", lis.Addr().String())
		_ = srv.Serve(lis)
	}()
	return func() { _ = srv.Close(); <-done }, nil
}

// defaultModulesDir finds the analyzer modules: ATHENA_MODULES_DIR is applied by parseFlags;
// otherwise the modules folder next to the executable (make build puts them in bin/modules),
// else bin/modules under the working directory.
func defaultModulesDir() string {
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		dir := filepath.Join(filepath.Dir(exe), "modules")
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir
		}
	}
	return filepath.Join("bin", "modules")
}

// defaultGCPercent is the GC target of the services: docs/benchmarks.md measured 400 against
// Go's 100 on the cached path.
const defaultGCPercent = 400

// setGCPercent sets the GC target to p (when p > 0) unless GOGC says otherwise.
func setGCPercent(p int) {
	if _, set := os.LookupEnv("GOGC"); !set && p > 0 {
		debug.SetGCPercent(p)
	}
}

// compileCacheBytes is the --compile-cache-max-mib bound in bytes; negative stays "no bound".
func compileCacheBytes(mib int64) int64 {
	if mib < 0 {
		return -1
	}
	return min(mib, math.MaxInt64>>20) << 20
}
