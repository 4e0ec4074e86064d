package wasmruntime

import (
	"bytes"
	"errors"
	"testing"

	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	"google.golang.org/protobuf/proto"
)

// sliceMemory is a memoryView over a byte slice, for exercising the host side of the ABI
// without an engine.
type sliceMemory []byte

func (m sliceMemory) read(ptr, n uint32) ([]byte, bool) { return readMem(m, ptr, n) }
func (m sliceMemory) write(ptr uint32, b []byte) bool {
	dst, ok := readMem(m, ptr, uint32(len(b)))
	if !ok || uint64(len(b)) > 1<<32-1 {
		return false
	}
	copy(dst, b)
	return true
}
func (m sliceMemory) size() uint64 { return uint64(len(m)) }

// FuzzReadResult fuzzes what a guest can hand back: a packed i64 result over arbitrary memory.
// The host must never panic, never read outside memory, and accept exactly the in-range
// results under the cap.
func FuzzReadResult(f *testing.F) {
	valid, _ := proto.Marshal(&modulev1.AnalyzeResponse{Notes: []string{"n"}, Error: "e"})
	mem := append(make([]byte, 16), valid...)
	f.Add(uint64(16)<<32|uint64(len(valid)), mem, int64(1<<20))
	f.Add(uint64(0xfffffff0)<<32|100, mem, int64(1<<20))
	f.Add(uint64(0)<<32|0xffffffff, mem, int64(0))
	f.Add(uint64(1)<<32|uint64(len(mem)), mem, int64(1<<20))
	f.Add(uint64(0), []byte{}, int64(-1))
	f.Add(^uint64(0), bytes.Repeat([]byte{0xff}, 64), int64(8))
	f.Fuzz(func(t *testing.T, packed uint64, memory []byte, maxBytes int64) {
		b, err := readResult(sliceMemory(memory), packed, maxBytes)
		ptr, n := unpack(packed)
		inRange := uint64(ptr)+uint64(n) <= uint64(len(memory))
		overCap := maxBytes > 0 && int64(n) > maxBytes
		switch {
		case n == 0:
			if err != nil || b != nil {
				t.Fatalf("empty result: %v %v", b, err)
			}
		case overCap:
			if !errors.Is(err, errOutputLimit) {
				t.Fatalf("over cap: err = %v", err)
			}
		case !inRange:
			if !errors.Is(err, errABI) {
				t.Fatalf("out of range: err = %v", err)
			}
		default:
			if err != nil || !bytes.Equal(b, memory[ptr:uint64(ptr)+uint64(n)]) {
				t.Fatalf("in range: %v", err)
			}
			if len(b) > 0 && &b[0] == &memory[ptr] {
				t.Fatal("result aliases guest memory")
			}
		}
		if err == nil {
			if _, err := decodeResponse(b); err != nil && !errors.Is(err, errABI) {
				t.Fatalf("decode error not marked as ABI violation: %v", err)
			}
		}
	})
}

// FuzzEmit fuzzes athena.emit: any pointer, length and memory; fragments that decode are kept and
// merged, anything else stops the guest with an ABI or output error, never a panic.
func FuzzEmit(f *testing.F) {
	frag, _ := proto.Marshal(&modulev1.AnalyzeResponse{Notes: []string{"a"}, Identification: &modulev1.Identification{FileType: "pe"}})
	f.Add(append([]byte{0, 0}, frag...), uint32(2), uint32(len(frag)), int64(1<<20))
	f.Add(frag, uint32(0), uint32(len(frag)), int64(3))
	f.Add([]byte{0x0a, 0xff, 0xff}, uint32(0), uint32(3), int64(1<<20))
	f.Add([]byte{}, uint32(0xffffffff), uint32(0xffffffff), int64(0))
	f.Fuzz(func(t *testing.T, memory []byte, ptr, n uint32, limit int64) {
		c := &collector{limit: limit}
		for range 3 {
			ok := c.emit(sliceMemory(memory), ptr, n)
			if !ok && c.err == nil {
				t.Fatal("rejected emit without an error")
			}
		}
		merged, err := c.finish()
		if err == nil && merged != nil && c.bytes != 3*int64(n) {
			t.Fatalf("bytes = %d after three emits of %d", c.bytes, n)
		}
		if err != nil && !errors.Is(err, errABI) && !errors.Is(err, errOutputLimit) {
			t.Fatalf("untyped error %v", err)
		}
		if c.emit(sliceMemory(memory), ptr, n) && len(c.fragments) > 3 {
			t.Fatal("emit accepted after finish")
		}
	})
}

// FuzzDecodeInfo: athena_describe bytes from a hostile module.
func FuzzDecodeInfo(f *testing.F) {
	b, _ := proto.Marshal(&modulev1.ModuleInfo{Name: "x", AbiVersion: 1})
	f.Add(b)
	f.Add([]byte{0x0a, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := decodeInfo(b); err != nil && !errors.Is(err, errABI) {
			t.Fatal(err)
		}
	})
}

func TestCheckExports(t *testing.T) {
	good := map[string]string{"memory": "memory", "athena_alloc": "(i32)->(i32)", "athena_describe": "()->(i64)", "athena_analyze": "(i32,i32)->(i64)", "_initialize": "()->()"}
	if err := checkExports(good); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"memory", "athena_alloc", "athena_describe", "athena_analyze"} {
		bad := map[string]string{}
		for k, v := range good {
			if k != name {
				bad[k] = v
			}
		}
		if err := checkExports(bad); !errors.Is(err, errABI) {
			t.Errorf("without %s: %v", name, err)
		}
	}
}
