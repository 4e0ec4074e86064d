package wasmruntime

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/athena-mesh/athena/internal/hostabi"
	"github.com/athena-mesh/athena/internal/textruns"
)

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
	inst := watInstance(t, textWAT)
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
		{"unknown kind", 9, 1, 0, 19, 1024, 8, hostabi.TextErrKind, nil},
		{"input past memory end", uint32(textruns.ASCII), 1, page - 2, 3, 1024, 8, hostabi.TextErrInput, nil},
		{"input length wraps", uint32(textruns.ASCII), 1, 16, 0xfffffff8, 1024, 8, hostabi.TextErrInput, nil},
		{"output past memory end", uint32(textruns.ASCII), 1, 0, 19, page - 8, 2, hostabi.TextErrOutput, nil},
		{"output size wraps", uint32(textruns.ASCII), 1, 0, 19, 1024, 0x20000001, hostabi.TextErrOutput, nil},
		{"output pointer wraps", uint32(textruns.ASCII), 1, 0, 19, 0xfffffffc, 1, hostabi.TextErrOutput, nil},
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
