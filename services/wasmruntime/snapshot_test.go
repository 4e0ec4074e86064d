package wasmruntime

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	"google.golang.org/protobuf/proto"
)

// Instances after the first are made from the snapshot of the first one's _initialize; each
// must start from the initialized state and own its memory.
func TestSnapshotInstancesStartInitializedAndIndependent(t *testing.T) {
	ctx := context.Background()
	eng, err := newEngine(ctx, testEngine(), testCacheDir())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.close(ctx)
	cm, err := eng.compile(ctx, probeWasm(t), "", DefaultMemoryPages)
	if err != nil {
		t.Fatal(err)
	}
	defer cm.close(ctx)
	if wc, ok := cm.(*wazeroCompiled); ok && wc.snap == nil {
		t.Fatal("the probe (a Go reactor) was not prepared for snapshots")
	}
	req, _ := proto.Marshal(&modulev1.AnalyzeRequest{Options: map[string]string{"mode": "count"}})
	count := func(inst instance) string {
		t.Helper()
		resp, err := callAnalyze(withCollector(ctx, &collector{}), inst, req, DefaultOutputBytes)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.GetNotes()) != 1 {
			t.Fatalf("notes %q", resp.GetNotes())
		}
		return resp.GetNotes()[0]
	}
	var insts []instance
	for range 3 {
		inst, err := cm.instantiate(ctx, newBoundedBuffer(1024), newBoundedBuffer(1024))
		if err != nil {
			t.Fatal(err)
		}
		defer inst.close(ctx)
		insts = append(insts, inst)
	}
	// The first instance ran _initialize; the others are clones. Calls on one never show in another.
	for round := 1; round <= 2; round++ {
		for i, inst := range insts {
			want := fmt.Sprintf("calls=%d table=1000 sq31=961", round)
			if got := count(inst); got != want {
				t.Errorf("instance %d round %d: %q, want %q", i, round, got, want)
			}
		}
	}
	// A clone made after the others were used still starts from the snapshot.
	late, err := cm.instantiate(ctx, newBoundedBuffer(1024), newBoundedBuffer(1024))
	if err != nil {
		t.Fatal(err)
	}
	defer late.close(ctx)
	if got := count(late); got != "calls=1 table=1000 sq31=961" {
		t.Errorf("late clone: %q", got)
	}
	// The real module list keeps working through clones: describe answers on every instance.
	for i, inst := range append(insts, late) {
		info, err := callDescribe(ctx, inst)
		if err != nil || info.GetName() != "probe" {
			t.Errorf("instance %d describe: %v %v", i, info, err)
		}
	}
}

// A module whose _initialize never returns is stopped by the deadline on every attempt and
// leaves no snapshot behind.
func TestSnapshotInitializeDeadline(t *testing.T) {
	if testEngine() != engineWazero {
		t.Skipf("engine %s cannot interrupt a running guest", testEngine())
	}
	ctx := context.Background()
	eng, err := newEngine(ctx, testEngine(), testCacheDir())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.close(ctx)
	cm, err := eng.compile(ctx, wat(t, hostileWAT("initloop", "(loop $l (br $l))", "(i64.const 0)")), "", DefaultMemoryPages)
	if err != nil {
		t.Fatal(err)
	}
	defer cm.close(ctx)
	for range 2 {
		dctx, cancel := context.WithTimeout(ctx, 50e6)
		_, err := cm.instantiate(dctx, newBoundedBuffer(64), newBoundedBuffer(64))
		cancel()
		if !errors.Is(err, errDeadline) {
			t.Fatalf("instantiate: %v, want a deadline error", err)
		}
	}
	if wc, ok := cm.(*wazeroCompiled); ok && wc.snap != nil && wc.snap.current() != nil {
		t.Fatal("a snapshot was taken of an instance whose _initialize did not finish")
	}
}

func TestPlanSnapshot(t *testing.T) {
	mod := func(sections ...[]byte) []byte {
		b := []byte("\x00asm\x01\x00\x00\x00")
		for _, s := range sections {
			b = append(b, s...)
		}
		return b
	}
	section := func(id byte, body ...byte) []byte { return appendSection(nil, id, body) }
	// type 0: () -> (); function 0 of type 0; memory 1 page; a mutable i32 global and an
	// immutable i64 one; exports _initialize and memory; code: one empty body; two adjacent
	// data segments and one far away.
	types := section(1, 1, 0x60, 0, 0)
	funcs := section(3, 1, 0)
	memory := section(secMemory, 1, 0, 1)
	globals := section(secGlobal, 2, 0x7f, 1, 0x41, 5, 0x0b, 0x7e, 0, 0x42, 7, 0x0b)
	exports := section(secExport, 2,
		11, '_', 'i', 'n', 'i', 't', 'i', 'a', 'l', 'i', 'z', 'e', 0, 0,
		6, 'm', 'e', 'm', 'o', 'r', 'y', 2, 0)
	code := section(10, 1, 2, 0, 0x0b)
	data := section(secData, 3,
		0, 0x41, 16, 0x0b, 2, 'a', 'b',
		0, 0x41, 18, 0x0b, 1, 'c',
		0, 0x41, 0x80, 0x08, 0x0b, 1, 'z')
	good := mod(types, funcs, memory, globals, exports, code, data)

	plan, err := planSnapshot(good)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{snapshotGlobalPrefix + "0"}; fmt.Sprint(plan.globals) != fmt.Sprint(want) {
		t.Errorf("globals %v, want %v", plan.globals, want)
	}
	if len(plan.data) != 2 || plan.data[0].offset != 16 || string(plan.data[0].bytes) != "abc" ||
		plan.data[1].offset != 1024 || string(plan.data[1].bytes) != "z" {
		t.Errorf("data %+v", plan.data)
	}
	if bytes.Contains(plan.wasm, []byte("abc")) || bytes.Contains(plan.wasm, data) {
		t.Error("rewritten module still carries its data section")
	}
	if !bytes.Contains(plan.wasm, []byte(snapshotGlobalPrefix+"0")) {
		t.Error("rewritten module does not export the mutable global")
	}
	// The rewritten module compiles and exposes the global.
	ctx := context.Background()
	eng, err := newEngine(ctx, engineWazero, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.close(ctx)
	cm, err := eng.compile(ctx, good, "", 1)
	if err != nil {
		t.Fatalf("compile rewritten module: %v", err)
	}
	_ = cm.close(ctx)

	for _, tc := range []struct {
		name string
		wasm []byte
	}{
		{"no _initialize", mod(types, funcs, memory, globals, section(secExport, 0), code, data)},
		{"start function", mod(types, funcs, memory, globals, exports, section(secStart, 0), code, data)},
		{"imported memory", mod(types, section(secImport, 1, 1, 'e', 1, 'm', 2, 0, 1), funcs, globals, exports, code)},
		{"passive data", mod(types, funcs, memory, globals, exports, code, section(secData, 1, 1, 1, 'x'))},
		{"data offset from a global", mod(types, funcs, memory, globals, exports, code, section(secData, 1, 0, 0x23, 0, 0x0b, 1, 'x'))},
		{"data count section", mod(types, funcs, memory, globals, exports, section(secDataCount, 0), code)},
		{"no memory", mod(types, funcs, globals, exports, code)},
		{"truncated section", good[:len(good)-3]},
		{"bad magic", append([]byte("\x00asn"), good[4:]...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := planSnapshot(tc.wasm); !errors.Is(err, errNoSnapshot) {
				t.Fatalf("planSnapshot: %v, want errNoSnapshot", err)
			}
		})
	}
}

// FuzzPlanSnapshot: module files come from a watched directory; whatever planSnapshot accepts
// must be a well-formed rewrite (never a panic, never a section outside the input).
func FuzzPlanSnapshot(f *testing.F) {
	f.Add([]byte("\x00asm\x01\x00\x00\x00"))
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x07\x05\x01\x01_\x00\x00"))
	f.Add(binary.LittleEndian.AppendUint32([]byte("\x00asm"), 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		plan, err := planSnapshot(b)
		if err != nil {
			if !errors.Is(err, errNoSnapshot) {
				t.Fatalf("error not wrapping errNoSnapshot: %v", err)
			}
			return
		}
		if len(plan.wasm) < 8 || !bytes.Equal(plan.wasm[:8], b[:8]) {
			t.Fatal("rewritten module lost its header")
		}
	})
}
