//go:build wasmer

package wasmruntime

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/athena-mesh/athena/internal/hostabi"
	"github.com/wasmerio/wasmer-go/wasmer"
)

// wasmerEngine runs modules on wasmer-go (cgo, bundled libwasmer). It cannot interrupt a
// running guest and has no memory cap, so the runtime refuses sample input on it unless
// Config.AllowUntrustedOnUnenforcedEngine is set, checks memory after each call, and reports
// both in every module's warnings.
//
// A wasmer Store is not safe for concurrent use, so every instance gets its own Store and
// deserializes the module compiled once at load (no recompilation).
type wasmerEngine struct {
	eng *wasmer.Engine

	// graves delays deleting closed instances: a trap left by a failed call has a finalizer
	// that deletes it in C, and deleting it after its store segfaults (seen in the hostile
	// tests). Errors are flattened to strings at once so traps become garbage right after the
	// call; a closed instance is deleted only after two more GC cycles have run finalizers.
	mu     sync.Mutex
	graves []grave
}

type grave struct {
	numGC  int64
	delete func()
}

func newWasmerEngine(context.Context) (engine, error) {
	return &wasmerEngine{eng: wasmer.NewEngine()}, nil
}

// bury schedules del and runs the deletions whose wait is over.
func (e *wasmerEngine) bury(del func()) {
	var st debug.GCStats
	debug.ReadGCStats(&st)
	e.mu.Lock()
	e.graves = append(e.graves, grave{numGC: st.NumGC, delete: del})
	var due []func()
	kept := e.graves[:0]
	for _, g := range e.graves {
		if st.NumGC >= g.numGC+2 {
			due = append(due, g.delete)
		} else {
			kept = append(kept, g)
		}
	}
	e.graves = kept
	e.mu.Unlock()
	for _, d := range due {
		d()
	}
}

func (e *wasmerEngine) name() string           { return engineWasmer }
func (e *wasmerEngine) deadlineEnforced() bool { return false }
func (e *wasmerEngine) memoryEnforced() bool   { return false }

// close leaves instances still waiting to be deleted to wasmer-go's own finalizers.
func (e *wasmerEngine) close(context.Context) error { return nil }

func (e *wasmerEngine) compile(_ context.Context, wasm []byte, _ string, _ uint32) (compiledModule, error) {
	store := wasmer.NewStore(e.eng)
	defer store.Close()
	mod, err := wasmer.NewModule(store, wasm)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	defer mod.Close()
	exports := map[string]string{}
	for _, ex := range mod.Exports() {
		ty := ex.Type()
		switch ty.Kind() {
		case wasmer.FUNCTION:
			ft := ty.IntoFunctionType()
			exports[ex.Name()] = "(" + kinds(ft.Params()) + ")->(" + kinds(ft.Results()) + ")"
		case wasmer.MEMORY:
			exports[ex.Name()] = "memory"
		}
	}
	ser, err := mod.Serialize()
	if err != nil {
		return nil, fmt.Errorf("serialize: %w", err)
	}
	return &wasmerCompiled{engine: e, serialized: ser, exp: exports}, nil
}

func kinds(vs []*wasmer.ValueType) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.Kind().String()
	}
	return strings.Join(s, ",")
}

type wasmerCompiled struct {
	engine     *wasmerEngine
	serialized []byte
	exp        map[string]string
}

func (c *wasmerCompiled) exports() map[string]string { return c.exp }

func (c *wasmerCompiled) warnings() []string { return nil }

func (c *wasmerCompiled) close(context.Context) error { return nil }

// wasmerEnv is the per-instance state athena.emit needs: the current call's context (which
// carries its collector) and the instance's memory.
type wasmerEnv struct {
	mu  sync.Mutex
	ctx context.Context
	mem *wasmer.Memory
}

func (c *wasmerCompiled) instantiate(ctx context.Context, stdout, stderr io.Writer) (instance, error) {
	// wasmer objects must be deleted child first (instance, module, store) and exactly once;
	// wi.closeNow does that for whatever was created so far.
	wi := &wasmerInstance{engine: c.engine, store: wasmer.NewStore(c.engine.eng), stdout: stdout, stderr: stderr, fns: map[string]wasmer.NativeFunction{}}
	fail := func(err error) (instance, error) {
		wi.closeNow()
		return nil, err
	}
	mod, err := wasmer.DeserializeModule(wi.store, c.serialized)
	if err != nil {
		return fail(fmt.Errorf("deserialize: %w", err))
	}
	wi.mod = mod
	// A module that imports nothing from WASI (the WAT conformance module) gets no WASI:
	// wasmer refuses to generate WASI imports for it.
	imports := wasmer.NewImportObject()
	if wasmer.GetWasiVersion(mod) != wasmer.WASI_VERSION_INVALID {
		wasi, err := wasmer.NewWasiStateBuilder("athena-module").CaptureStdout().CaptureStderr().Finalize()
		if err != nil {
			return fail(fmt.Errorf("wasi: %w", err))
		}
		wi.wasi = wasi
		if imports, err = wasi.GenerateImportObject(wi.store, mod); err != nil {
			return fail(fmt.Errorf("wasi imports: %w", err))
		}
	}
	wi.env = &wasmerEnv{}
	// wasmer 2.0's poll_oneoff panics in Rust on clock subscriptions ("Polling not implemented
	// for clocks yet"), which aborts the whole process; the Go runtime polls a clock whenever
	// it idles. Replace it with a host implementation.
	// wasmer-go's WASI also lacks sock_accept, which Go's net package imports (the sandbox module
	// links it): the runtime grants no sockets, so every descriptor is a bad one (EBADF).
	imports.Register("wasi_snapshot_preview1", map[string]wasmer.IntoExtern{
		"poll_oneoff": wasmer.NewFunctionWithEnvironment(wi.store,
			wasmer.NewFunctionType(wasmer.NewValueTypes(wasmer.I32, wasmer.I32, wasmer.I32, wasmer.I32), wasmer.NewValueTypes(wasmer.I32)),
			wi.env, wasmerPollOneoff),
		"sock_accept": wasmer.NewFunction(wi.store,
			wasmer.NewFunctionType(wasmer.NewValueTypes(wasmer.I32, wasmer.I32, wasmer.I32), wasmer.NewValueTypes(wasmer.I32)),
			func([]wasmer.Value) ([]wasmer.Value, error) { return []wasmer.Value{wasmer.NewI32(wasiErrnoBadf)}, nil }),
	})
	emit := wasmer.NewFunctionWithEnvironment(wi.store,
		wasmer.NewFunctionType(wasmer.NewValueTypes(wasmer.I32, wasmer.I32), wasmer.NewValueTypes()),
		wi.env, wasmerEmit)
	digest := wasmerComputing(wi.store, wi.env, 4, hostabi.DigestErrInput, func(ctx context.Context, m hostabi.Memory, a []uint32) int32 {
		return hostabi.Digest(m, a[0], a[1], a[2], a[3], knownMemo(ctx), runtime.Gosched)
	})
	textRuns := wasmerComputing(wi.store, wi.env, 6, hostabi.TextErrInput, func(ctx context.Context, m hostabi.Memory, a []uint32) int32 {
		return hostabi.TextRuns(m, a[0], a[1], a[2], a[3], a[4], a[5], knownMemo(ctx), runtime.Gosched)
	})
	windowFilter := wasmerComputing(wi.store, wi.env, 6, hostabi.WindowErrInput, func(_ context.Context, m hostabi.Memory, a []uint32) int32 {
		return hostabi.WindowFilter(m, a[0], a[1], a[2], a[3], a[4], a[5], runtime.Gosched)
	})
	imports.Register("athena", map[string]wasmer.IntoExtern{"emit": emit, "digest": digest, "text_runs": textRuns, "window_filter": windowFilter})
	inst, err := wasmer.NewInstance(mod, imports)
	if err != nil {
		return fail(fmt.Errorf("instantiate: %w", err))
	}
	wi.inst = inst
	mem, err := inst.Exports.GetMemory("memory")
	if err != nil {
		return fail(fmt.Errorf("instantiate: %w", err))
	}
	wi.env.mem = mem
	// _initialize is optional in the ABI (a module without a runtime to start needs none).
	if _, err := inst.Exports.GetFunction("_initialize"); err == nil {
		if _, err := wi.call(ctx, "_initialize"); err != nil {
			return fail(fmt.Errorf("_initialize: %w", err))
		}
	}
	return wi, nil
}

// wasiErrnoBadf is WASI's EBADF.
const wasiErrnoBadf = 8

// wasmerEmit is the athena.emit host function.
func wasmerEmit(e interface{}, args []wasmer.Value) ([]wasmer.Value, error) {
	env := e.(*wasmerEnv)
	env.mu.Lock()
	ctx, mem := env.ctx, env.mem
	env.mu.Unlock()
	c := collectorFrom(ctx)
	if c == nil || mem == nil {
		return nil, nil
	}
	// A rejected fragment is recorded in the collector and the guest runs on: returning an
	// error here would trap it, but wasmer-go v1.0.4 then frees the trap twice (its finalizer
	// and the C side both own it; SIGABRT "double free" in the hostile tests).
	c.emit(wasmerMemory{mem}, uint32(args[0].I32()), uint32(args[1].I32()))
	return nil, nil
}

// wasmerComputing adapts one of the athena imports that compute over guest memory
// (internal/hostabi: digest, text_runs, window_filter) to wasmer: fn gets the memory and the
// call's arguments as uint32. Errors are results, never traps (see wasmerEmit for why a trap
// from a wasmer-go host function is avoided); without a memory the answer is noMemory.
func wasmerComputing(store *wasmer.Store, env *wasmerEnv, params int, noMemory int32, fn func(ctx context.Context, mem hostabi.Memory, a []uint32) int32) *wasmer.Function {
	kinds := make([]wasmer.ValueKind, params)
	for i := range kinds {
		kinds[i] = wasmer.I32
	}
	return wasmer.NewFunctionWithEnvironment(store,
		wasmer.NewFunctionType(wasmer.NewValueTypes(kinds...), wasmer.NewValueTypes(wasmer.I32)),
		env, func(e interface{}, args []wasmer.Value) ([]wasmer.Value, error) {
			env := e.(*wasmerEnv)
			env.mu.Lock()
			ctx, mem := env.ctx, env.mem
			env.mu.Unlock()
			if mem == nil {
				return []wasmer.Value{wasmer.NewI32(noMemory)}, nil
			}
			a := make([]uint32, len(args))
			for i := range args {
				a[i] = uint32(args[i].I32())
			}
			return []wasmer.Value{wasmer.NewI32(fn(ctx, abiMemory{wasmerMemory{mem}}, a))}, nil
		})
}

// wasmerPollOneoff implements WASI poll_oneoff(in, out, nsubscriptions, nevents_out) -> errno:
// clock subscriptions (relative timeouts) sleep for the shortest one, capped at a second since
// nothing can interrupt it; fd subscriptions are reported ready at once (the host grants no
// files that could block).
func wasmerPollOneoff(e interface{}, args []wasmer.Value) ([]wasmer.Value, error) {
	const (
		subSize, eventSize = 48, 32
		errnoInval         = 28
		errnoFault         = 21
		maxSleep           = time.Second
	)
	env := e.(*wasmerEnv)
	in, out, n, nevents := uint32(args[0].I32()), uint32(args[1].I32()), uint32(args[2].I32()), uint32(args[3].I32())
	result := func(errno int32) ([]wasmer.Value, error) {
		return []wasmer.Value{wasmer.NewI32(errno)}, nil
	}
	if n == 0 {
		return result(errnoInval)
	}
	mem := wasmerMemory{env.mem}
	subs, ok := mem.read(in, n*subSize)
	if !ok || uint64(n)*subSize > 1<<32-1 {
		return result(errnoFault)
	}
	subs = append([]byte(nil), subs...)
	sleep := time.Duration(-1)
	for i := range n {
		sub := subs[i*subSize:]
		if sub[8] != 0 {
			sleep = 0
			continue
		}
		d := time.Duration(binary.LittleEndian.Uint64(sub[24:]))
		if binary.LittleEndian.Uint16(sub[40:])&1 != 0 { // absolute time: treat as due
			d = 0
		}
		if sleep < 0 || d < sleep {
			sleep = d
		}
	}
	if sleep > 0 {
		time.Sleep(min(sleep, maxSleep))
	}
	var count uint32
	for i := range n {
		sub := subs[i*subSize:]
		if sub[8] == 0 && sleep > 0 && time.Duration(binary.LittleEndian.Uint64(sub[24:])) > sleep && binary.LittleEndian.Uint16(sub[40:])&1 == 0 {
			continue // a longer clock has not fired
		}
		ev := make([]byte, eventSize)
		copy(ev[0:8], sub[0:8]) // userdata
		ev[10] = sub[8]         // type
		if !mem.write(out+count*eventSize, ev) {
			return result(errnoFault)
		}
		count++
	}
	var cnt [4]byte
	binary.LittleEndian.PutUint32(cnt[:], count)
	if !mem.write(nevents, cnt[:]) {
		return result(errnoFault)
	}
	return result(0)
}

type wasmerInstance struct {
	engine *wasmerEngine
	store  *wasmer.Store
	mod    *wasmer.Module
	inst   *wasmer.Instance
	wasi   *wasmer.WasiEnvironment
	env    *wasmerEnv
	stdout io.Writer
	stderr io.Writer
	fns    map[string]wasmer.NativeFunction
	once   sync.Once
}

// call runs fn to completion: wasmer cannot interrupt it, the deadline is the caller's problem
// (Runtime.run abandons the call on its own goroutine).
func (i *wasmerInstance) call(ctx context.Context, fn string, args ...uint64) (uint64, error) {
	f, ok := i.fns[fn]
	if !ok {
		var err error
		if f, err = i.inst.Exports.GetFunction(fn); err != nil {
			return 0, fmt.Errorf("export %s: %w", fn, err)
		}
		i.fns[fn] = f
	}
	i.env.mu.Lock()
	i.env.ctx = ctx
	i.env.mu.Unlock()
	params := make([]interface{}, len(args))
	for j, a := range args {
		params[j] = int32(uint32(a)) // every ABI parameter is an i32
	}
	res, err := f(params...)
	// Guest output captured by WASI goes to the bounded buffers after every call.
	if i.wasi != nil {
		if b := i.wasi.ReadStdout(); len(b) > 0 {
			_, _ = i.stdout.Write(b)
		}
		if b := i.wasi.ReadStderr(); len(b) > 0 {
			_, _ = i.stderr.Write(b)
		}
	}
	if err != nil {
		// Flattened on purpose: a *wasmer.TrapError keeps its C trap alive (see graves).
		return 0, fmt.Errorf("%s: %s", fn, err.Error())
	}
	switch v := res.(type) {
	case int32:
		return uint64(uint32(v)), nil
	case int64:
		return uint64(v), nil
	default:
		return 0, nil
	}
}

func (i *wasmerInstance) memory() memoryView {
	if i.env == nil {
		return wasmerMemory{}
	}
	return wasmerMemory{i.env.mem}
}

func (i *wasmerInstance) close(context.Context) error {
	i.closeNow()
	return nil
}

func (i *wasmerInstance) closeNow() {
	i.once.Do(func() { i.engine.bury(i.deleteNow) })
}

func (i *wasmerInstance) deleteNow() {
	if i.inst != nil {
		i.inst.Close()
	}
	if i.mod != nil {
		i.mod.Close()
	}
	i.store.Close()
}

type wasmerMemory struct{ m *wasmer.Memory }

func (w wasmerMemory) read(ptr, n uint32) ([]byte, bool) {
	if w.m == nil {
		return nil, false
	}
	return readMem(w.m.Data(), ptr, n)
}

func (w wasmerMemory) write(ptr uint32, b []byte) bool {
	if w.m == nil || uint64(len(b)) > 1<<32-1 {
		return false
	}
	dst, ok := readMem(w.m.Data(), ptr, uint32(len(b)))
	if !ok {
		return false
	}
	copy(dst, b)
	return true
}

func (w wasmerMemory) size() uint64 {
	if w.m == nil {
		return 0
	}
	return uint64(w.m.DataSize())
}
