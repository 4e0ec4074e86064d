// Package wasmruntime hosts the sandboxed analyzer modules: it loads every *.wasm of a modules
// directory, verifies the guest ABI (wasm-modules/ABI.md), keeps a bounded pool of instances per
// module and runs athena_analyze under per-call limits (deadline, memory pages, output bytes,
// captured log bytes). A module that loops, traps, allocates without end or returns garbage
// costs one status in one response, never the process.
package wasmruntime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/athena-mesh/athena/internal/compilecache"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ErrModuleNotFound is returned by Invoke for a module that is not loaded.
var ErrModuleNotFound = errors.New("module not found")

// ErrClosed is returned after Close.
var ErrClosed = errors.New("wasm runtime closed")

// Defaults for Limits fields left zero.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultMemoryPages = 4096 // 256 MiB
	DefaultOutputBytes = 16 << 20
	DefaultLogBytes    = 64 << 10
	DefaultMaxUses     = 1000
	DefaultPoolSize    = 4
	defaultReload      = 2 * time.Second
	// deadlineMargin is kept between the guest's stop and the caller's deadline so the partial
	// response still reaches the caller over gRPC.
	maxDeadlineMargin = 100 * time.Millisecond
	tracerName        = "github.com/athena-mesh/athena/services/wasmruntime"
)

// Config configures a Runtime.
type Config struct {
	// ModulesDir holds the *.wasm modules to load.
	ModulesDir string
	// CacheDir is wazero's on-disk compilation cache; "" means os.UserCacheDir()/athena/wazero.
	CacheDir string
	// CacheMaxBytes bounds CacheDir: New removes its least recently used entries beyond it
	// (internal/compilecache). 0 means compilecache.DefaultMaxBytes (1 GiB); negative, no bound.
	CacheMaxBytes int64
	// Engine is "wazero" (default) or "wasmer" (build tag wasmer, cgo).
	Engine string
	// Limits are the defaults for every module.
	Limits Limits
	// PerModule overrides Limits by module name; zero fields keep the default.
	PerModule map[string]Limits
	// PoolSize is the maximum number of instances per module (default 4).
	PoolSize int
	// GuestSlots bounds the guests running at once, across modules (default GOMAXPROCS when
	// the runtime starts: one per core). A guest is not preempted, so guests beyond the cores
	// only slow each other down, the one an analysis waits for included; a call whose guest
	// has no slot waits for one within its deadline.
	GuestSlots int
	// AllowUntrustedOnUnenforcedEngine lets an engine that cannot interrupt a guest (wasmer)
	// run sample input; without it such calls are refused.
	AllowUntrustedOnUnenforcedEngine bool
	// ReloadInterval is how often the modules directory is polled; 0 means 2s, <0 disables.
	ReloadInterval time.Duration
	// Logger receives load, reload and rejection logs; nil means slog.Default().
	Logger *slog.Logger
	// Registerer receives the Prometheus metrics; nil leaves them unregistered.
	Registerer prometheus.Registerer
	// KeptBytes bounds the content held for KeepContent (default DefaultKeptBytes).
	KeptBytes int64
	// KeepTime is how long kept content survives unused (default DefaultKeepTime).
	KeepTime time.Duration
}

// Limits bound one invocation.
type Limits struct {
	// Timeout caps the call's wall time (the caller's deadline may be shorter).
	Timeout time.Duration
	// MemoryPages caps linear memory in 64 KiB pages.
	MemoryPages uint32
	// OutputBytes caps the response plus everything emitted.
	OutputBytes int64
	// LogBytes caps captured stdout and stderr, each.
	LogBytes int64
	// MaxUses recycles an instance after at most that many calls: each instance draws its
	// own limit between three quarters of it and all of it, so that modules called together
	// are not recycled together.
	MaxUses int
}

func (l Limits) withDefaults(d Limits) Limits {
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	if l.MemoryPages == 0 {
		l.MemoryPages = d.MemoryPages
	}
	if l.OutputBytes <= 0 {
		l.OutputBytes = d.OutputBytes
	}
	if l.LogBytes <= 0 {
		l.LogBytes = d.LogBytes
	}
	if l.MaxUses <= 0 {
		l.MaxUses = d.MaxUses
	}
	return l
}

// Runtime hosts the loaded modules.
type Runtime struct {
	cfg     Config
	log     *slog.Logger
	eng     engine
	metrics *metrics
	tracer  trace.Tracer
	kept    *keptStore
	// prefetching holds a token per running background digest computation (KeepContent).
	prefetching chan struct{}
	// guests holds a token per running guest (Config.GuestSlots).
	guests chan struct{}

	reloadMu sync.Mutex // one reload at a time
	mu       sync.RWMutex
	modules  map[string]*module   // by module name
	files    map[string]fileState // by path: what was last seen there
	closed   bool

	cancel context.CancelFunc // stops the background goroutines
	wg     sync.WaitGroup
}

// fileState remembers a file so an unchanged one is not re-hashed or reloaded.
type fileState struct {
	size    int64
	modTime time.Time
	sha256  string
	module  string // loaded module name, "" if rejected
	reason  string // rejection reason
}

// module is one loaded module version.
type module struct {
	name     string
	path     string
	sha256   string
	info     *modulev1.ModuleInfo
	limits   Limits
	desc     *analysisv1.ModuleDescriptor
	compiled compiledModule
	pool     *pool
	inflight sync.WaitGroup // calls still running on this version
}

// New loads every module of cfg.ModulesDir and starts polling it for changes. A module that fails
// verification is logged and skipped; an unreadable directory or engine is an error.
func New(ctx context.Context, cfg Config) (*Runtime, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = DefaultPoolSize
	}
	if cfg.GuestSlots <= 0 {
		cfg.GuestSlots = runtime.GOMAXPROCS(0)
	}
	if cfg.Engine == "" {
		cfg.Engine = engineWazero
	}
	if cfg.CacheDir == "" {
		cfg.CacheDir = compilecache.Dir("wazero")
	}
	cfg.Limits = cfg.Limits.withDefaults(Limits{
		Timeout: DefaultTimeout, MemoryPages: DefaultMemoryPages, OutputBytes: DefaultOutputBytes,
		LogBytes: DefaultLogBytes, MaxUses: DefaultMaxUses,
	})
	if cfg.ReloadInterval == 0 {
		cfg.ReloadInterval = defaultReload
	}
	if cfg.ModulesDir == "" {
		return nil, errors.New("wasm runtime: no modules directory")
	}
	if _, err := os.ReadDir(cfg.ModulesDir); err != nil {
		return nil, fmt.Errorf("wasm runtime: modules directory: %w", err)
	}
	kept := newKeptStore(cfg.KeptBytes, cfg.KeepTime)
	m, err := newMetrics(cfg.Registerer, kept)
	if err != nil {
		return nil, fmt.Errorf("wasm runtime: register metrics: %w", err)
	}
	kept.counted, kept.countedRuns = m.keptDigests, m.keptRuns
	if cfg.Engine == engineWazero {
		pruneCompileCache(cfg.Logger, cfg.CacheDir, cfg.CacheMaxBytes)
	}
	eng, err := newEngine(ctx, cfg.Engine, cfg.CacheDir)
	if err != nil {
		return nil, fmt.Errorf("wasm runtime: %w", err)
	}
	r := &Runtime{
		cfg: cfg, log: cfg.Logger, eng: eng, metrics: m, kept: kept, prefetching: make(chan struct{}, prefetchSlots()),
		guests:  make(chan struct{}, cfg.GuestSlots),
		tracer:  otel.Tracer(tracerName),
		modules: map[string]*module{},
		files:   map[string]fileState{},
	}
	if _, err := r.Reload(ctx); err != nil {
		_ = eng.close(ctx)
		return nil, err
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancel = cancel
	if cfg.ReloadInterval > 0 {
		r.wg.Add(1)
		go r.poll(bg)
	}
	return r, nil
}

func (r *Runtime) poll(ctx context.Context) {
	defer r.wg.Done()
	t := time.NewTicker(r.cfg.ReloadInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := r.Reload(ctx); err != nil && !errors.Is(err, ErrClosed) {
				r.log.Warn("reload modules", "err", err)
			}
		}
	}
}

// Modules describes the loaded modules, sorted by name.
func (r *Runtime) Modules() []*analysisv1.ModuleDescriptor {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*analysisv1.ModuleDescriptor, 0, len(r.modules))
	for _, m := range r.modules {
		out = append(out, proto.CloneOf(m.desc))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GetName() < out[j].GetName() })
	return out
}

// Version hashes every loaded module's name and sha256; it changes when any module changes.
func (r *Runtime) Version() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.versionLocked()
}

func (r *Runtime) versionLocked() string {
	names := make([]string, 0, len(r.modules))
	for n := range r.modules {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s=%s\n", n, r.modules[n].sha256)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Reload rescans the modules directory: new and changed files are verified and swapped in
// (calls already running finish on the old version), removed files are unloaded, and a file
// that fails verification is rejected with a logged reason while the old version stays.
func (r *Runtime) Reload(ctx context.Context) (*wasmruntimev1.ReloadModulesResponse, error) {
	r.reloadMu.Lock()
	defer r.reloadMu.Unlock()
	r.mu.RLock()
	closed := r.closed
	r.mu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	entries, err := os.ReadDir(r.cfg.ModulesDir)
	if err != nil {
		return nil, fmt.Errorf("read modules directory: %w", err)
	}
	resp := &wasmruntimev1.ReloadModulesResponse{}
	seen := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".wasm") {
			continue
		}
		path := filepath.Join(r.cfg.ModulesDir, e.Name())
		seen[path] = true
		fi, err := e.Info()
		if err != nil {
			continue // removed while scanning; the next scan sees it gone
		}
		old, known := r.files[path]
		if known && old.size == fi.Size() && old.modTime.Equal(fi.ModTime()) {
			continue
		}
		wasm, err := os.ReadFile(path)
		if err != nil {
			r.reject(resp, path, fi, "", fmt.Sprintf("read: %v", err))
			continue
		}
		sum := sha256.Sum256(wasm)
		sha := hex.EncodeToString(sum[:])
		if known && old.sha256 == sha {
			old.size, old.modTime = fi.Size(), fi.ModTime()
			r.files[path] = old
			continue
		}
		m, err := r.load(ctx, path, wasm, sha)
		if err != nil {
			r.reject(resp, path, fi, sha, err.Error())
			continue
		}
		if other := r.owner(m.name); other != "" && other != path {
			r.unload(ctx, m)
			r.reject(resp, path, fi, sha, fmt.Sprintf("module name %q already loaded from %s", m.name, filepath.Base(other)))
			continue
		}
		// A file that now names a different module unloads the module it held before.
		if known && old.module != "" && old.module != m.name {
			r.remove(old.module)
			resp.Removed = append(resp.Removed, old.module)
		}
		r.swap(m)
		r.files[path] = fileState{size: fi.Size(), modTime: fi.ModTime(), sha256: sha, module: m.name}
		resp.Loaded = append(resp.Loaded, m.name)
		r.log.Info("module loaded", "module", m.name, "version", m.info.GetVersion(), "sha256", sha, "file", e.Name(), "compile_ms", m.desc.GetCompileMs())
	}
	for path, st := range r.files {
		if seen[path] {
			continue
		}
		delete(r.files, path)
		if st.module != "" {
			r.remove(st.module)
			resp.Removed = append(resp.Removed, st.module)
			r.log.Info("module removed", "module", st.module, "file", filepath.Base(path))
		}
	}
	r.mu.RLock()
	resp.ModulesVersion = r.versionLocked()
	r.mu.RUnlock()
	if len(resp.GetLoaded()) > 0 || len(resp.GetRemoved()) > 0 {
		// Compiling leaves hundreds of megabytes of garbage (module bytes, decoded sections,
		// replaced versions) that the heap would otherwise keep until the scavenger gets to
		// it; loading is rare, so return it to the OS now.
		debug.FreeOSMemory()
	}
	return resp, nil
}

func (r *Runtime) reject(resp *wasmruntimev1.ReloadModulesResponse, path string, fi os.FileInfo, sha, reason string) {
	st := r.files[path] // keep the module the file held before: the old version stays
	st.size, st.modTime, st.sha256, st.reason = fi.Size(), fi.ModTime(), sha, reason
	r.files[path] = st
	resp.Rejected = append(resp.Rejected, fmt.Sprintf("%s: %s", filepath.Base(path), reason))
	r.log.Error("module rejected", "file", filepath.Base(path), "reason", reason, "kept", st.module)
}

// owner returns the file the named module is loaded from.
func (r *Runtime) owner(name string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if m, ok := r.modules[name]; ok {
		return m.path
	}
	return ""
}

// limitsFor returns the limits of a module: defaults with the module's overrides.
func (r *Runtime) limitsFor(name string) Limits {
	return r.cfg.PerModule[name].withDefaults(r.cfg.Limits)
}

// load compiles, verifies and describes one file, and starts its pool.
func (r *Runtime) load(ctx context.Context, path string, wasm []byte, sha string) (*module, error) {
	if len(wasm) < 8 || string(wasm[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly module (bad magic)")
	}
	// The memory cap is fixed at compile time, and the name that selects a per-module
	// override is only known after athena_describe: describe under the largest cap in the
	// configuration, and compile again if the module's own cap differs.
	describePages := r.cfg.Limits.MemoryPages
	for _, l := range r.cfg.PerModule {
		describePages = max(describePages, l.MemoryPages)
	}
	m, err := r.compileAndDescribe(ctx, path, wasm, sha, describePages)
	if err != nil {
		return nil, err
	}
	if lim := r.limitsFor(m.name); lim.MemoryPages != describePages {
		_ = m.compiled.close(ctx)
		if m, err = r.compileAndDescribe(ctx, path, wasm, sha, lim.MemoryPages); err != nil {
			return nil, err
		}
	}
	m.limits = r.limitsFor(m.name)
	m.desc = r.descriptor(m, int64(len(wasm)))
	m.pool = newPool(m.name, m.compiled, r.cfg.PoolSize, m.limits.MaxUses, m.limits.LogBytes, m.limits.Timeout, r.log, r.metrics)
	return m, nil
}

func (r *Runtime) compileAndDescribe(ctx context.Context, path string, wasm []byte, sha string, pages uint32) (*module, error) {
	start := time.Now()
	compiled, err := r.eng.compile(ctx, wasm, sha, pages)
	if err != nil {
		return nil, err
	}
	compileTime := time.Since(start)
	ok := false
	defer func() {
		if !ok {
			_ = compiled.close(ctx)
		}
	}()
	if err := checkExports(compiled.exports()); err != nil {
		return nil, err
	}
	if !r.eng.deadlineEnforced() && !r.cfg.AllowUntrustedOnUnenforcedEngine {
		// _initialize and athena_describe cannot be stopped on this engine either, but
		// they run no sample input: loading the operator's own modules is trusted.
		r.log.Warn("engine cannot enforce deadlines", "engine", r.eng.name(), "file", filepath.Base(path))
	}
	initCtx, cancel := context.WithTimeout(ctx, r.cfg.Limits.Timeout)
	defer cancel()
	out, errw := newBoundedBuffer(r.cfg.Limits.LogBytes), newBoundedBuffer(r.cfg.Limits.LogBytes)
	inst, err := compiled.instantiate(initCtx, out, errw)
	if err != nil {
		return nil, fmt.Errorf("instantiate: %w", err)
	}
	defer inst.close(ctx)
	info, err := callDescribe(initCtx, inst)
	if err != nil {
		return nil, fmt.Errorf("athena_describe: %w", err)
	}
	switch {
	case info.GetName() == "":
		return nil, errors.New("athena_describe: empty module name")
	case info.GetAbiVersion() != 1:
		return nil, fmt.Errorf("athena_describe: ABI version %d, this host speaks 1", info.GetAbiVersion())
	}
	ok = true
	info.SampleDigests = sampleDigests(info.GetSampleDigests())
	r.metrics.compile.WithLabelValues(info.GetName()).Set(compileTime.Seconds())
	return &module{name: info.GetName(), path: path, sha256: sha, info: info, compiled: compiled,
		desc: &analysisv1.ModuleDescriptor{CompileMs: compileTime.Milliseconds()}}, nil
}

func (r *Runtime) descriptor(m *module, size int64) *analysisv1.ModuleDescriptor {
	var warnings []string
	if !r.eng.deadlineEnforced() {
		w := "deadline not enforced: engine " + r.eng.name() + " cannot interrupt a running guest"
		if !r.cfg.AllowUntrustedOnUnenforcedEngine {
			w += "; sample input is refused (AllowUntrustedOnUnenforcedEngine is off)"
		}
		warnings = append(warnings, w)
	}
	if !r.eng.memoryEnforced() {
		warnings = append(warnings, "memory limit not enforced during the call: engine "+r.eng.name()+" checks it after the call")
	}
	warnings = append(warnings, m.compiled.warnings()...)
	return &analysisv1.ModuleDescriptor{
		Name:        m.name,
		Version:     m.info.GetVersion(),
		Sha256:      m.sha256,
		Size:        size,
		Engine:      r.eng.name(),
		FileTypes:   m.info.GetFileTypes(),
		Description: m.info.GetDescription(),
		LoadedAt:    timestamppb.Now(),
		CompileMs:   m.desc.GetCompileMs(),
		Warnings:    warnings,
		Limits: &analysisv1.ModuleLimits{
			TimeoutMs:        m.limits.Timeout.Milliseconds(),
			MemoryPages:      m.limits.MemoryPages,
			OutputBytes:      m.limits.OutputBytes,
			LogBytes:         m.limits.LogBytes,
			PoolSize:         int32(r.cfg.PoolSize),
			MaxUses:          int32(m.limits.MaxUses),
			DeadlineEnforced: r.eng.deadlineEnforced(),
		},
	}
}

// swap installs m, retiring the version it replaces once its calls have finished.
func (r *Runtime) swap(m *module) {
	m.pool.start()
	r.mu.Lock()
	old := r.modules[m.name]
	r.modules[m.name] = m
	r.mu.Unlock()
	if old != nil {
		r.retire(old)
	}
}

func (r *Runtime) remove(name string) {
	r.mu.Lock()
	old := r.modules[name]
	delete(r.modules, name)
	r.mu.Unlock()
	if old != nil {
		r.metrics.forget(name)
		r.retire(old)
	}
}

// retire closes a replaced version after its in-flight calls return. No new call can start on
// it: Invoke registers in inflight under the read lock that swap and remove exclude.
func (r *Runtime) retire(old *module) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		old.inflight.Wait()
		r.unload(context.Background(), old)
	}()
}

func (r *Runtime) unload(ctx context.Context, m *module) {
	if m.pool != nil {
		m.pool.close()
	}
	_ = m.compiled.close(ctx)
}

// Close stops polling, waits for in-flight calls (until ctx ends) and releases every module.
func (r *Runtime) Close(ctx context.Context) error {
	// Stop the reload poller first, so a reload that is compiling does not hold Close up
	// longer than it must.
	if r.cancel != nil {
		r.cancel()
	}
	r.reloadMu.Lock()
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		r.reloadMu.Unlock()
		return nil
	}
	r.closed = true
	mods := r.modules
	r.modules = map[string]*module{}
	r.mu.Unlock()
	r.reloadMu.Unlock()
	if r.cancel != nil {
		r.cancel()
	}
	for _, m := range mods {
		r.retire(m)
	}
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("close wasm runtime: %w", ctx.Err())
	}
	return r.eng.close(ctx)
}
