package wasmruntime

import (
	"context"
	"encoding/binary"
	"testing"
	"unsafe"

	"github.com/athena-mesh/athena/internal/hostabi"
	"github.com/athena-mesh/athena/internal/windowfilter"
)

// windowWAT exports a 3-page memory with "abcdabcd" at offset 0 and probe(filter, data, from,
// to, out, cap), which returns athena.window_filter's answer.
const windowWAT = `(module
  (import "athena" "window_filter" (func $wf (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 3)
  (data (i32.const 0) "abcdabcd")
  (func (export "probe") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $wf (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5))))`

// TestHostWindowFilterEngine calls athena.window_filter through the engine under test (wazero,
// or wasmer with -tags wasmer) with good and hostile arguments.
func TestHostWindowFilterEngine(t *testing.T) {
	ctx := context.Background()
	inst := watInstance(t, windowWAT)
	const page, filterAt, outAt = 65536, 1024, 2 * 65536
	// A filter that lets "abcd" through.
	var fl windowfilter.Filter
	fl.AddWindow(binary.BigEndian.Uint32([]byte("abcd")))
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&fl)), windowfilter.Size)
	if !inst.memory().write(filterAt, raw) {
		t.Fatal("write filter")
	}
	for _, tc := range []struct {
		name                               string
		filter, data, from, to, out, capty uint32
		want                               int32
		blocks                             [][2]uint32
	}{
		{"abcd twice", filterAt, 0, 0, 8, outAt, 4, 1, [][2]uint32{{0, 1<<3 | 1<<7}}},
		{"from 4", filterAt, 0, 4, 8, outAt, 4, 1, [][2]uint32{{0, 1 << 7}}},
		{"the window reaches back before from", filterAt, 0, 7, 8, outAt, 4, 1, [][2]uint32{{0, 1 << 7}}},
		{"to 7", filterAt, 0, 0, 7, outAt, 4, 1, [][2]uint32{{0, 1 << 3}}},
		{"nothing to probe", filterAt, 0, 5, 5, outAt, 4, 0, nil},
		{"no room", filterAt, 0, 0, 8, outAt, 0, 0, nil},
		{"filter not aligned", filterAt + 4, 0, 0, 8, outAt, 4, hostabi.WindowErrFilter, nil},
		{"filter past memory end", 3*page - 8, 0, 0, 8, outAt, 4, hostabi.WindowErrFilter, nil},
		{"filter pointer wraps", 0xfffffff8, 0, 0, 8, outAt, 4, hostabi.WindowErrFilter, nil},
		{"data past memory end", filterAt, 3*page - 4, 0, 8, outAt, 4, hostabi.WindowErrInput, nil},
		{"from after to", filterAt, 0, 9, 8, outAt, 4, hostabi.WindowErrInput, nil},
		{"output past memory end", filterAt, 0, 0, 8, 3*page - 4, 1, hostabi.WindowErrOutput, nil},
		{"output size wraps", filterAt, 0, 0, 8, outAt, 0x20000001, hostabi.WindowErrOutput, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := inst.call(ctx, "probe", uint64(tc.filter), uint64(tc.data), uint64(tc.from), uint64(tc.to), uint64(tc.out), uint64(tc.capty))
			if err != nil {
				t.Fatalf("probe trapped: %v", err)
			}
			if got := int32(uint32(res)); got != tc.want {
				t.Fatalf("athena.window_filter = %d, want %d", got, tc.want)
			}
			for k, bl := range tc.blocks {
				b, ok := inst.memory().read(tc.out+uint32(k)*8, 8)
				if !ok || binary.LittleEndian.Uint32(b) != bl[0] || binary.LittleEndian.Uint32(b[4:]) != bl[1] {
					t.Fatalf("block %d = % x, want %v", k, b, bl)
				}
			}
		})
	}
}
