package wasmruntime

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

func dispatchWasm(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/dispatch.wasm") // wat2wasm testdata/dispatch.wat
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// brDepths lists the depth of every br in the module's code, in order.
func brDepths(t *testing.T, wasm []byte) []uint32 {
	t.Helper()
	var depths []uint32
	r := &reader{b: wasm, pos: 8}
	for !r.done() {
		id := r.byte()
		body := r.bytes(int(r.u32()))
		if id != secCode {
			continue
		}
		c := &reader{b: body}
		for range c.u32() {
			f := &reader{b: c.bytes(int(c.u32()))}
			f.skipLocals()
			for !f.done() && f.err == nil {
				switch op := f.byte(); op {
				case opBlock, opLoop, opIf:
					f.blockType()
				case opBr:
					depths = append(depths, f.u32())
				case opEnd:
				default:
					if err := f.skipImmediates(op); err != nil {
						t.Fatal(err)
					}
				}
			}
			if f.err != nil {
				t.Fatal(f.err)
			}
		}
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	return depths
}

// TestThreadBranches: in a function of Go's shape, the jumps to a basic block further down
// become a br to the block it follows, the jump back stays with the dispatch, and the
// function computes what it did.
func TestThreadBranches(t *testing.T) {
	src := dispatchWasm(t)
	out, n, err := threadBranches(src)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("%d branches threaded, want 5", n)
	}
	if got, want := brDepths(t, src), []uint32{4, 4, 3, 3, 2, 1}; !slices.Equal(got, want) {
		t.Fatalf("the test module's branches are %v, want %v (rebuild testdata/dispatch.wasm)", got, want)
	}
	// Region 0's two jumps through the default and its jump to region 2, region 1's jump to
	// region 2, region 2's jump back to region 1 (unchanged) and its jump to region 3.
	if got, want := brDepths(t, out), []uint32{3, 3, 1, 1, 2, 0}; !slices.Equal(got, want) {
		t.Errorf("threaded branches %v, want %v", got, want)
	}

	ctx := context.Background()
	for _, cfg := range []wazero.RuntimeConfig{wazero.NewRuntimeConfigCompiler(), wazero.NewRuntimeConfigInterpreter()} {
		rt := wazero.NewRuntimeWithConfig(ctx, cfg)
		wasi_snapshot_preview1.MustInstantiate(ctx, rt)
		before, err := rt.Instantiate(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		compiled, err := rt.CompileModule(ctx, out)
		if err != nil {
			t.Fatalf("threaded module: %v", err)
		}
		after, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName("threaded"))
		if err != nil {
			t.Fatal(err)
		}
		for _, arg := range []int32{-3, -1, 0, 1, 2, 7, 40} {
			want := int32(0)
			for i := int32(0); i < arg; i++ {
				want += i
				if i%2 == 0 {
					want += 100
				}
			}
			b, err := before.ExportedFunction("sum").Call(ctx, 0, uint64(uint32(arg)))
			if err != nil || int32(b[0]) != want {
				t.Fatalf("original sum(%d) = %v, %v; want %d", arg, b, err, want)
			}
			a, err := after.ExportedFunction("sum").Call(ctx, 0, uint64(uint32(arg)))
			if err != nil || int32(a[0]) != want {
				t.Errorf("threaded sum(%d) = %v, %v; want %d", arg, a, err, want)
			}
		}
		_ = rt.Close(ctx)
	}
}

// TestThreadBranchesGoGuest: a real Go guest has its forward jumps made direct by the
// thousand and stays a module wazero compiles; the runtime's tests of the guest run it so.
func TestThreadBranchesGoGuest(t *testing.T) {
	src := probeWasm(t)
	out, n, err := threadBranches(src)
	if err != nil {
		t.Fatal(err)
	}
	if n < 1000 {
		t.Errorf("%d branches threaded in the Go guest, want thousands", n)
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	if _, err := rt.CompileModule(ctx, out); err != nil {
		t.Fatalf("threaded Go guest: %v", err)
	}
	rw := rewriteCache{}.rewriteModule(src, "")
	if rw.threadErr != nil || rw.instrumentErr != nil || rw.plan == nil {
		t.Fatalf("Go guest not fully rewritten: %v, %v, %v", rw.threadErr, rw.instrumentErr, rw.snapErr)
	}
}

// FuzzThreadBranches: whatever the rewrite accepts from a module wazero accepts must still be
// a module wazero accepts.
func FuzzThreadBranches(f *testing.F) {
	f.Add(dispatchWasm(f))
	fuzzRewriteKeepsModulesValid(f, errNotThreaded, func(b []byte) ([]byte, error) {
		out, _, err := threadBranches(b)
		return out, err
	})
}

// TestGoShapedLoopStops: with its forward jumps direct, a Go-shaped function still passes its
// dispatch loop's head, and the budget there, at every jump back, and a loop that runs too long
// stops at its deadline.
func TestGoShapedLoopStops(t *testing.T) {
	src := dispatchWasm(t)
	threaded, _, err := threadBranches(src)
	if err != nil {
		t.Fatal(err)
	}
	out, err := instrumentLoops(threaded)
	if err != nil {
		t.Fatal(err)
	}
	check := []byte{0x23, 0, 0x41, 1, 0x6b, 0x24, 0} // budget--, the budget being global 0
	if n := bytes.Count(out, check); n != 1 {
		t.Fatalf("%d budget checks, want 1 (at the dispatch loop's head)", n)
	}
	if got := brDepths(t, out); !slices.Equal(got, []uint32{3, 3, 1, 1, 2, 0}) {
		t.Fatalf("branches %v after instrumenting", got)
	}

	inst := spinInstance(t, src, true)
	ctx := context.Background()
	if got, err := inst.call(ctx, "sum", 0, 10); err != nil || got != 545 {
		t.Fatalf("sum(10) = %d, %v; want 545", got, err)
	}
	dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := inst.call(dctx, "sum", 0, math.MaxInt32); !errors.Is(err, errDeadline) {
		t.Fatalf("sum(MaxInt32) = %v, want a deadline error", err)
	}
}
