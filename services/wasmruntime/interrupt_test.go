package wasmruntime

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
)

// spinWAT counts to its argument in a loop (a nested block and an if exercise the decoder) and
// loops forever when the argument is 0.
const spinWAT = `(module
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (func (export "spin") (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (loop $again
        (if (i32.and (i32.ne (local.get $n) (i32.const 0)) (i32.eq (local.get $i) (local.get $n))) (then (br $done)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (global.set $g (local.get $i))
        (i64.store offset=8 align=4 (i32.const 0) (i64.extend_i32_u (local.get $i)))
        (br $again)))
    (local.get $i))
)`

func TestInstrumentLoops(t *testing.T) {
	src := wat(t, spinWAT)
	out, err := instrumentLoops(src)
	if err != nil {
		t.Fatal(err)
	}
	check := []byte{0x23, 1, 0x41, 1, 0x6b, 0x24, 1} // budget-- (the budget is global 1, after $g)
	if n := bytes.Count(out, check); n != 1 {
		t.Fatalf("%d loop checks in the instrumented module, want 1", n)
	}

	ctx := context.Background()
	inst := spinInstance(t, src, true)
	// The check costs nothing visible to a call that ends by itself...
	if got, err := inst.call(ctx, "spin", 1000); err != nil || got != 1000 {
		t.Fatalf("spin(1000) = %d, %v", got, err)
	}
	// ...stops one that does not, at the deadline...
	stopsAtDeadline(t, inst)
	// ...and a deadline that passes after a call leaves nothing behind for the next call.
	dctx, cancel := context.WithCancel(ctx)
	if _, err := inst.call(dctx, "spin", 10); err != nil {
		t.Fatal(err)
	}
	cancel()
	if got, err := inst.call(ctx, "spin", 5); err != nil || got != 5 {
		t.Fatalf("spin(5) after a cancelled call = %d, %v", got, err)
	}
}

// A module the instrumenter cannot decode (a SIMD instruction) or that has no sched_yield to
// call is compiled unchanged and stopped by wazero's own checks.
func TestUninstrumentableModuleStillStops(t *testing.T) {
	for name, src := range map[string]string{
		"simd": `(module
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (memory (export "memory") 1)
  (func (export "spin") (param $n i32) (result i32)
    (loop $l (v128.store (i32.const 0) (v128.const i64x2 1 2)) (br $l))
    (i32.const 0))
)`,
		"no sched_yield": `(module
  (memory (export "memory") 1)
  (func (export "spin") (param $n i32) (result i32)
    (loop $l (br $l))
    (i32.const 0))
)`,
	} {
		t.Run(name, func(t *testing.T) { uninstrumentedStops(t, wat(t, src)) })
	}
}

func uninstrumentedStops(t *testing.T, src []byte) {
	if _, err := instrumentLoops(src); !errors.Is(err, errNotInstrumented) {
		t.Fatalf("instrumentLoops: %v, want errNotInstrumented", err)
	}
	stopsAtDeadline(t, spinInstance(t, src, false))
}

// spinInstance compiles src on wazero and instantiates it; instrumented says whether the host's
// loop budget must have been applied.
func spinInstance(t testing.TB, src []byte, instrumented bool) instance {
	t.Helper()
	ctx := context.Background()
	eng, err := newEngine(ctx, engineWazero, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.close(ctx) })
	cm, err := eng.compile(ctx, src, "", 16)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cm.close(ctx) })
	if got := cm.(*wazeroCompiled).interruptible; got != instrumented {
		t.Fatalf("compiled with the host's loop budget: %v, want %v", got, instrumented)
	}
	inst, err := cm.instantiate(ctx, newBoundedBuffer(64), newBoundedBuffer(64))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.close(ctx) })
	return inst
}

// stopsAtDeadline calls spin(0), which never returns by itself, under a 50 ms deadline.
func stopsAtDeadline(t *testing.T, inst instance) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := inst.call(ctx, "spin", 0); !errors.Is(err, errDeadline) {
		t.Fatalf("spin(0) = %v, want a deadline error", err)
	}
}

// FuzzInstrumentLoops: whatever the instrumenter accepts from a module wazero accepts must
// still be a module wazero accepts.
func FuzzInstrumentLoops(f *testing.F) {
	f.Add(wat(f, hostileWAT("seed", "", "(i64.const 0)")))
	fuzzRewriteKeepsModulesValid(f, errNotInstrumented, instrumentLoops)
}

// fuzzRewriteKeepsModulesValid fuzzes a rewrite of whole modules (seeded with the spin and
// conformance modules besides f's own): it fails only with an error wrapping notDone, and
// what it makes of a module wazero accepts, wazero accepts.
func fuzzRewriteKeepsModulesValid(f *testing.F, notDone error, rewrite func([]byte) ([]byte, error)) {
	f.Add(wat(f, spinWAT))
	f.Add(conformanceWasm(f))
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	f.Cleanup(func() { rt.Close(ctx) })
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := rewrite(b)
		if err != nil {
			if !errors.Is(err, notDone) {
				t.Fatalf("error not wrapping %v: %v", notDone, err)
			}
			return
		}
		if _, err := rt.CompileModule(ctx, b); err != nil {
			return // the input was not a valid module to begin with
		}
		if _, err := rt.CompileModule(ctx, out); err != nil {
			t.Fatalf("valid module became invalid: %v", err)
		}
	})
}

func TestAppendSLEB(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 63, 64, -64, -65, 127, 128, yieldEvery, -yieldEvery, 1<<31 - 1, -1 << 31} {
		b := appendSLEB(nil, v)
		r := &reader{b: b}
		if got := r.sleb(32); got != v || r.err != nil || r.pos != len(b) {
			t.Errorf("appendSLEB(%d) = % x, reads back as %d (%v)", v, b, got, r.err)
		}
	}
}

// The registry says when a module runs on the slower paths.
func TestRegistryWarnsAboutSlowPaths(t *testing.T) {
	if testEngine() != engineWazero {
		t.Skip("wazero paths")
	}
	src := strings.Replace(hostileWAT("plain", "", "(i64.const 0)"),
		`(import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))`, "", 1)
	r := newRuntime(t, modulesDir(t, map[string][]byte{"plain.wasm": wat(t, src)}), nil)
	w := r.Modules()[0].GetWarnings()
	if len(w) != 1 || !strings.Contains(w[0], "deadline checked by wazero at every loop iteration") {
		t.Fatalf("warnings = %q", w)
	}
}

// BenchmarkLoopCheck: the cost of bounding a guest's loops, on the counting loop of spinWAT
// (ns per iteration): the host's budget, wazero's per-iteration check (a module the host
// cannot instrument), and no check at all (unsafe; the baseline).
func BenchmarkLoopCheck(b *testing.B) {
	const iterations = 10_000_000
	ctx := context.Background()
	withYield := wat(b, spinWAT)
	noYield := wat(b, strings.Replace(spinWAT, `(import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))`, "", 1))
	run := func(b *testing.B, call func() error) {
		for b.Loop() {
			if err := call(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/iterations, "ns/iteration")
	}
	for _, tc := range []struct {
		name         string
		wasm         []byte
		instrumented bool
	}{{"budget", withYield, true}, {"wazero-check", noYield, false}} {
		b.Run(tc.name, func(b *testing.B) {
			inst := spinInstance(b, tc.wasm, tc.instrumented)
			run(b, func() error { _, err := inst.call(ctx, "spin", iterations); return err })
		})
	}
	b.Run("none", func(b *testing.B) {
		rt := wazero.NewRuntime(ctx)
		defer rt.Close(ctx)
		m, err := rt.Instantiate(ctx, noYield)
		if err != nil {
			b.Fatal(err)
		}
		spin := m.ExportedFunction("spin")
		run(b, func() error { _, err := spin.Call(ctx, iterations); return err })
	})
}

// A module without globals gets a global section, placed where the format requires it.
func TestInstrumentModuleWithoutGlobals(t *testing.T) {
	src := wat(t, `(module
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (memory (export "memory") 1)
  (func (export "spin") (param $n i32) (result i32) (loop $l (br $l)) (i32.const 0))
)`)
	if _, err := instrumentLoops(src); err != nil {
		t.Fatal(err)
	}
	stopsAtDeadline(t, spinInstance(t, src, true))
}
