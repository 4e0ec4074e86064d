package wasmruntime

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/athena-mesh/athena/internal/compilecache"
	"github.com/athena-mesh/athena/internal/hostabi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

// wazeroEngine runs modules on wazero. The memory cap is a wazero RuntimeConfig setting, so each
// compiled module gets its own wazero.Runtime; they share one on-disk compilation cache.
type wazeroEngine struct {
	cache    wazero.CompilationCache
	rewrites rewriteCache
}

// newWazeroEngine opens the compilation cache at cacheDir, which New defaults and prunes.
func newWazeroEngine(_ context.Context, cacheDir string) (*wazeroEngine, error) {
	cache, err := wazero.NewCompilationCacheWithDir(cacheDir)
	if err != nil {
		return nil, fmt.Errorf("wazero compilation cache %s: %w", cacheDir, err)
	}
	return &wazeroEngine{cache: cache, rewrites: newRewriteCache(cacheDir)}, nil
}

func (e *wazeroEngine) name() string           { return engineWazero }
func (e *wazeroEngine) deadlineEnforced() bool { return true }
func (e *wazeroEngine) memoryEnforced() bool   { return true }

func (e *wazeroEngine) close(ctx context.Context) error { return e.cache.Close(ctx) }

func (e *wazeroEngine) compile(ctx context.Context, wasm []byte, sha256 string, memoryPages uint32) (compiledModule, error) {
	// A runaway guest is stopped when the call's context ends: by the host's own loop checks
	// when the module could be instrumented (interrupt.go), else by wazero's much slower ones.
	rw := e.rewrites.rewriteModule(wasm, sha256)
	interruptible := rw.instrumentErr == nil
	cfg := wazero.NewRuntimeConfig().
		WithCompilationCache(e.cache).
		WithCloseOnContextDone(!interruptible).
		WithMemoryLimitPages(memoryPages)
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	ok := false
	defer func() {
		if !ok {
			_ = rt.Close(ctx)
		}
	}()
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		return nil, fmt.Errorf("instantiate wasi: %w", err)
	}
	_, err := rt.NewHostModuleBuilder("athena").
		NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(wazeroEmit), []api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, nil).
		WithParameterNames("ptr", "len").
		Export("emit").
		NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(wazeroDigest), []api.ValueType{api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).
		WithParameterNames("alg", "ptr", "len", "out").
		Export("digest").
		NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(wazeroTextRuns), []api.ValueType{api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).
		WithParameterNames("kind", "min_len", "ptr", "len", "out", "cap").
		Export("text_runs").
		NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(wazeroWindowFilter), []api.ValueType{api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).
		WithParameterNames("filter", "data", "from", "to", "out", "cap").
		Export("window_filter").
		Instantiate(ctx)
	if err != nil {
		return nil, fmt.Errorf("instantiate host module athena: %w", err)
	}
	// A module that snapshots (snapshot.go) is compiled in its rewritten form; any other the
	// way it is.
	var warnings []string
	if !interruptible {
		warnings = append(warnings, fmt.Sprintf("deadline checked by wazero at every loop iteration (several times slower): %v", rw.instrumentErr))
	}
	var snap *snapshotter
	if rw.plan != nil {
		snap = &snapshotter{plan: rw.plan}
		rw.plan.wasm = nil // compiled below; the engine keeps what it needs
	}
	cm, err := rt.CompileModule(ctx, rw.wasm)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	ok = true
	_, hasInit := cm.ExportedFunctions()["_initialize"]
	if hasInit && snap == nil {
		warnings = append(warnings, fmt.Sprintf("every new instance runs _initialize: %v", rw.snapErr))
	}
	return &wazeroCompiled{rt: rt, cm: cm, snap: snap, interruptible: interruptible, hasInit: hasInit, notes: warnings}, nil
}

// wazeroEmit is the athena.emit host function; the collector travels in the call's context.
func wazeroEmit(ctx context.Context, m api.Module, stack []uint64) {
	c := collectorFrom(ctx)
	if c == nil {
		return
	}
	if !c.emit(wazeroMemory{m.Memory()}, api.DecodeU32(stack[0]), api.DecodeU32(stack[1])) {
		// Closing the module from inside a host function makes the guest's call return an
		// ExitError: the guest is stopped now instead of running on to its deadline.
		_ = m.CloseWithExitCode(ctx, exitCodeEmitRejected)
	}
}

// wazeroDigest is the athena.digest host function (internal/hostabi).
func wazeroDigest(ctx context.Context, m api.Module, stack []uint64) {
	stack[0] = api.EncodeI32(hostabi.Digest(abiMemory{wazeroMemory{m.Memory()}},
		api.DecodeU32(stack[0]), api.DecodeU32(stack[1]), api.DecodeU32(stack[2]), api.DecodeU32(stack[3]), knownMemo(ctx), runtime.Gosched))
}

// wazeroTextRuns is the athena.text_runs host function (internal/hostabi).
func wazeroTextRuns(ctx context.Context, m api.Module, stack []uint64) {
	stack[0] = api.EncodeI32(hostabi.TextRuns(abiMemory{wazeroMemory{m.Memory()}},
		api.DecodeU32(stack[0]), api.DecodeU32(stack[1]), api.DecodeU32(stack[2]), api.DecodeU32(stack[3]), api.DecodeU32(stack[4]), api.DecodeU32(stack[5]), knownMemo(ctx), runtime.Gosched))
}

// wazeroWindowFilter is the athena.window_filter host function (internal/hostabi).
func wazeroWindowFilter(_ context.Context, m api.Module, stack []uint64) {
	stack[0] = api.EncodeI32(hostabi.WindowFilter(abiMemory{wazeroMemory{m.Memory()}},
		api.DecodeU32(stack[0]), api.DecodeU32(stack[1]), api.DecodeU32(stack[2]), api.DecodeU32(stack[3]), api.DecodeU32(stack[4]), api.DecodeU32(stack[5]), runtime.Gosched))
}

// exitCodeEmitRejected is the exit code of a guest stopped for a bad athena.emit.
const exitCodeEmitRejected = 0xa7e0

type wazeroCompiled struct {
	rt            wazero.Runtime
	cm            wazero.CompiledModule
	snap          *snapshotter // nil: every instance runs _initialize
	interruptible bool         // instrumented with the stop global (interrupt.go)
	hasInit       bool         // exports _initialize
	notes         []string     // slower paths taken, for the registry
}

func (c *wazeroCompiled) warnings() []string { return c.notes }

func (c *wazeroCompiled) exports() map[string]string {
	out := map[string]string{}
	for name, def := range c.cm.ExportedFunctions() {
		out[name] = signature(def.ParamTypes(), def.ResultTypes())
	}
	for name := range c.cm.ExportedMemories() {
		out[name] = "memory"
	}
	return out
}

func signature(params, results []api.ValueType) string {
	names := func(ts []api.ValueType) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = api.ValueTypeName(t)
		}
		return strings.Join(s, ",")
	}
	return "(" + names(params) + ")->(" + names(results) + ")"
}

func (c *wazeroCompiled) instantiate(ctx context.Context, stdout, stderr io.Writer) (instance, error) {
	// A WASI reactor: _initialize runs the Go runtime and package initializers; no _start. The
	// host calls it itself, under the loop budget (interrupt.go), or only once per module for a
	// snapshot (snapshot.go); only a module with neither has wazero run it as a start function.
	start := []string{"_initialize"}
	if c.snap != nil || c.interruptible {
		start = nil
	}
	inst := &wazeroInstance{fns: map[string]api.Function{}}
	cfg := wazero.NewModuleConfig().
		// An empty name lets one runtime hold many instances of the module.
		WithName("").
		WithStartFunctions(start...).
		WithOsyield(inst.yield).
		WithStdout(stdout).
		WithStderr(stderr).
		WithSysWalltime().
		WithSysNanotime().
		WithRandSource(rand.Reader)
	mem := &instanceMemory{}
	if c.snap != nil {
		mem.image = c.snap.image()
	}
	m, err := c.rt.InstantiateModule(experimental.WithMemoryAllocator(ctx, mem.allocator()), c.cm, cfg)
	if err != nil {
		mem.release() // wazero closed the module; _initialize has returned
		if ctx.Err() != nil {
			return nil, fmt.Errorf("_initialize: %w: %w", errDeadline, err)
		}
		return nil, fmt.Errorf("instantiate: %w", err)
	}
	if m.Memory() == nil {
		_ = m.Close(ctx)
		mem.release()
		return nil, errors.New("instantiate: module exports no memory")
	}
	inst.m, inst.mem = m, mem
	switch {
	case c.snap != nil:
		err = c.snap.initialize(ctx, m, mem.hasSnapshot(), func(ctx context.Context, fn string) error {
			_, err := inst.call(ctx, fn)
			return err
		})
	case c.interruptible && c.hasInit:
		_, err = inst.call(ctx, "_initialize")
	}
	if err != nil {
		_ = inst.close(ctx)
		return nil, fmt.Errorf("instantiate: %w", err)
	}
	return inst, nil
}

func (c *wazeroCompiled) close(ctx context.Context) error {
	if c.snap != nil {
		c.snap.close()
	}
	return c.rt.Close(ctx)
}

type wazeroInstance struct {
	m   api.Module
	mem *instanceMemory
	fns map[string]api.Function
	// done is the running call's ctx.Done(). Only the goroutine running the call reads and
	// writes it: call sets it, and yield runs inside the call.
	done <-chan struct{}
}

// yield is the instance's WASI sched_yield, which instrumented modules call every yieldEvery
// loop iterations (interrupt.go): it stops a call whose context has ended and otherwise lets the
// Go scheduler run something else.
func (i *wazeroInstance) yield() {
	select {
	case <-i.done:
		panic(errInterrupted) // wazero recovers it and Call returns an error
	default:
	}
	runtime.Gosched()
}

func (i *wazeroInstance) call(ctx context.Context, fn string, args ...uint64) (uint64, error) {
	f, ok := i.fns[fn]
	if !ok {
		f = i.m.ExportedFunction(fn)
		if f == nil {
			return 0, fmt.Errorf("export %s not found", fn)
		}
		i.fns[fn] = f
	}
	i.done = ctx.Done()
	res, err := f.Call(ctx, args...)
	i.done = nil
	if err != nil {
		var exit *sys.ExitError
		if errors.Is(err, errInterrupted) || (errors.As(err, &exit) && (exit.ExitCode() == sys.ExitCodeDeadlineExceeded || exit.ExitCode() == sys.ExitCodeContextCanceled)) {
			return 0, fmt.Errorf("%s: %w: %w", fn, errDeadline, err)
		}
		return 0, fmt.Errorf("%s: %w", fn, err)
	}
	if len(res) == 0 {
		return 0, nil
	}
	return res[0], nil
}

func (i *wazeroInstance) memory() memoryView { return wazeroMemory{i.m.Memory()} }

// close closes the module and then unmaps its memory. The pool only closes an instance that no
// call is running on, so the memory is no longer in use.
func (i *wazeroInstance) close(ctx context.Context) error {
	err := i.m.Close(ctx)
	i.mem.release()
	return err
}

type wazeroMemory struct{ m api.Memory }

func (w wazeroMemory) read(ptr, n uint32) ([]byte, bool) {
	if w.m == nil {
		return nil, false
	}
	return w.m.Read(ptr, n)
}

func (w wazeroMemory) write(ptr uint32, b []byte) bool {
	if w.m == nil {
		return false
	}
	return w.m.Write(ptr, b)
}

func (w wazeroMemory) size() uint64 {
	if w.m == nil {
		return 0
	}
	return uint64(w.m.Size())
}

// pruneCompileCache keeps the compilation cache at dir within maxBytes (compilecache.Prune)
// before the engine opens it. It only saves disk, so failing is logged, not returned.
func pruneCompileCache(log *slog.Logger, dir string, maxBytes int64) {
	p, err := compilecache.Prune(dir, maxBytes, time.Now())
	switch {
	case err != nil:
		log.Warn("compilation cache: prune failed", "dir", dir, "err", err)
	case p.OverBudget:
		log.Warn("compilation cache: above its bound after pruning (what is left was used within the day)",
			"dir", dir, "bytes", p.KeptBytes, "removed_files", p.Files, "removed_bytes", p.Bytes)
	case p.Files > 0:
		log.Info("compilation cache: pruned", "dir", dir, "removed_files", p.Files, "removed_bytes", p.Bytes, "bytes", p.KeptBytes)
	}
}
