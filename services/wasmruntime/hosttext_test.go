package wasmruntime

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"testing"

	"github.com/athena-mesh/athena/internal/textruns"
)

// FuzzHostTextRuns: any kind, pointers, capacity and memory. The host never panics, changes
// nothing outside the output range, and answers exactly the documented code; in range, it
// writes the runs textruns finds.
func FuzzHostTextRuns(f *testing.F) {
	mem := append([]byte("hello world\x00w\x00i\x00d\x00e\x00!\x00\x01\x01"), make([]byte, 64)...)
	f.Add(mem, uint32(textruns.ASCII), uint32(3), uint32(0), uint32(26), uint32(30), uint32(4))
	f.Add(mem, uint32(textruns.UTF16LEEven), uint32(3), uint32(0), uint32(26), uint32(30), uint32(4))
	f.Add(mem, uint32(textruns.UTF16LEOdd), uint32(1), uint32(1), uint32(25), uint32(40), uint32(0))
	f.Add(mem, uint32(0), uint32(3), uint32(0), uint32(26), uint32(30), uint32(4))
	f.Add(mem, uint32(textruns.ASCII), uint32(3), uint32(0xfffffff0), uint32(26), uint32(30), uint32(4))
	f.Add(mem, uint32(textruns.ASCII), uint32(3), uint32(0), uint32(26), uint32(30), uint32(0x20000000))
	f.Add(mem, uint32(textruns.ASCII), uint32(3), uint32(0), uint32(26), uint32(0xfffffffc), uint32(1))
	f.Fuzz(func(t *testing.T, memory []byte, kind, minLen, ptr, n, out, capacity uint32) {
		before := bytes.Clone(memory)
		got := hostTextRuns(sliceMemory(memory), kind, minLen, ptr, n, out, capacity)
		inOK := uint64(ptr)+uint64(n) <= uint64(len(memory))
		size := uint64(capacity) * textruns.PairSize
		outOK := uint64(out)+size <= uint64(len(memory))
		switch {
		case !textruns.Kind(kind).Valid():
			if got != textErrKind {
				t.Fatalf("kind %d: got %d", kind, got)
			}
		case !inOK:
			if got != textErrInput {
				t.Fatalf("input [%#x,+%d) of %d bytes: got %d", ptr, n, len(memory), got)
			}
		case !outOK:
			if got != textErrOutput {
				t.Fatalf("output at %#x, %d pairs, of %d bytes: got %d", out, capacity, len(memory), got)
			}
		default:
			if got < 0 || uint64(got) > uint64(capacity) {
				t.Fatalf("got %d runs for a capacity of %d", got, capacity)
			}
			// Without overlap the runs are exactly textruns'.
			if uint64(out) >= uint64(ptr)+uint64(n) || uint64(out)+size <= uint64(ptr) {
				want := make([]byte, size)
				if w := textruns.Encode(textruns.Kind(kind), int(minLen), before[ptr:ptr+n], want); int32(w) != got {
					t.Fatalf("%d runs, want %d", got, w)
				}
				if !bytes.Equal(memory[out:uint64(out)+uint64(got)*textruns.PairSize], want[:uint64(got)*textruns.PairSize]) {
					t.Fatal("runs differ from textruns.Encode")
				}
			}
			copy(before[out:], memory[out:uint64(out)+size])
		}
		if !bytes.Equal(before, memory) {
			t.Fatal("memory changed outside the output range")
		}
	})
}

// textWAT exports memory with text at offset 0 and probe(kind, min, ptr, len, out, cap), which
// returns athena.text_runs's answer.
const textWAT = `(module
  (import "athena" "text_runs" (func $runs (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "ab\01hello\02w\00i\00d\00e\00\01\01")
  (func (export "probe") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $runs (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5))))`

// TestHostTextRunsEngine calls athena.text_runs through the engine under test (wazero, or
// wasmer with -tags wasmer) with good and hostile arguments: every answer is a result code,
// and the instance keeps working after each.
func TestHostTextRunsEngine(t *testing.T) {
	ctx := context.Background()
	eng, err := newEngine(ctx, testEngine(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.close(ctx)
	cm, err := eng.compile(ctx, wat(t, textWAT), "", 16)
	if err != nil {
		t.Fatal(err)
	}
	defer cm.close(ctx)
	inst, err := cm.instantiate(ctx, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.close(ctx)
	const page = 65536
	for _, tc := range []struct {
		name                          string
		kind, min, ptr, n, out, capty uint32
		want                          int32
		runs                          [][2]uint32
	}{
		{"ascii", uint32(textruns.ASCII), 2, 0, 19, 1024, 8, 2, [][2]uint32{{0, 2}, {3, 8}}},
		{"ascii, min 3", uint32(textruns.ASCII), 3, 0, 19, 1024, 8, 1, [][2]uint32{{3, 8}}},
		{"ascii, one at a time", uint32(textruns.ASCII), 2, 0, 19, 1024, 1, 1, [][2]uint32{{0, 2}}},
		{"utf-16le odd", uint32(textruns.UTF16LEOdd), 3, 0, 19, 1024, 8, 1, [][2]uint32{{9, 17}}},
		{"utf-16le even finds none", uint32(textruns.UTF16LEEven), 3, 0, 19, 1024, 8, 0, nil},
		{"offsets relative to ptr", uint32(textruns.UTF16LEEven), 3, 1, 18, 1024, 8, 1, [][2]uint32{{8, 16}}},
		{"no room", uint32(textruns.ASCII), 1, 0, 19, 1024, 0, 0, nil},
		{"output ends at memory end", uint32(textruns.ASCII), 1, 0, 19, page - 16, 2, 2, [][2]uint32{{0, 2}, {3, 8}}},
		{"unknown kind", 9, 1, 0, 19, 1024, 8, textErrKind, nil},
		{"input past memory end", uint32(textruns.ASCII), 1, page - 2, 3, 1024, 8, textErrInput, nil},
		{"input length wraps", uint32(textruns.ASCII), 1, 16, 0xfffffff8, 1024, 8, textErrInput, nil},
		{"output past memory end", uint32(textruns.ASCII), 1, 0, 19, page - 8, 2, textErrOutput, nil},
		{"output size wraps", uint32(textruns.ASCII), 1, 0, 19, 1024, 0x20000001, textErrOutput, nil},
		{"output pointer wraps", uint32(textruns.ASCII), 1, 0, 19, 0xfffffffc, 1, textErrOutput, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := inst.call(ctx, "probe", uint64(tc.kind), uint64(tc.min), uint64(tc.ptr), uint64(tc.n), uint64(tc.out), uint64(tc.capty))
			if err != nil {
				t.Fatalf("probe trapped: %v", err)
			}
			if got := int32(uint32(res)); got != tc.want {
				t.Fatalf("athena.text_runs = %d, want %d", got, tc.want)
			}
			for k, r := range tc.runs {
				b, ok := inst.memory().read(tc.out+uint32(k)*8, 8)
				if !ok || binary.LittleEndian.Uint32(b) != r[0] || binary.LittleEndian.Uint32(b[4:]) != r[1] {
					t.Fatalf("run %d = % x, want %v", k, b, r)
				}
			}
		})
	}
}
