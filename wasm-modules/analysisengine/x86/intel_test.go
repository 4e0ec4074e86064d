package x86

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// intelMismatch returns how AppendIntel differs from x86asm.IntelSyntax on code at pc, or "".
// Code AppendIntel leaves to x86asm cannot differ.
func intelMismatch(code []byte, pc uint64, mode int) (string, bool) {
	got, ok := AppendIntel(nil, code, pc, mode)
	if !ok {
		return "", false
	}
	inst, err := x86asm.Decode(code, mode)
	if want := x86asm.IntelSyntax(inst, pc, nil); err != nil || string(got) != want {
		return fmt.Sprintf("mode %d % x (%v):\n got  %q\n want %q", mode, code[:min(len(code), 15)], err, got, want), true
	}
	return "", true
}

// TestIntelRealCode formats real code linearly and at every byte offset of the first 64 KiB
// of each executable section, in both modes, at a 64-bit and a 32-bit address.
func TestIntelRealCode(t *testing.T) {
	for name, text := range sections(t) {
		t.Run(name, func(t *testing.T) {
			for _, mode := range []int{64, 32} {
				base := uint64(0x140001000)
				if mode == 32 {
					base = 0x401000
				}
				covered, fast, bad := 0, 0, 0
				check := func(off int) int {
					code := text[off:min(off+16, len(text))]
					m, ok := intelMismatch(code, base+uint64(off), mode)
					if m != "" {
						if bad++; bad <= 10 {
							t.Errorf("at %#x: %s", off, m)
						}
					}
					if ok {
						covered++
					}
					var in Inst
					if decodeFast(&in, code, mode) {
						fast++
					}
					Decode(&in, code, mode)
					return max(int(in.Len), 1)
				}
				for off := 0; off < len(text); off += check(off) {
				}
				t.Logf("mode %d: %d of %d fast-path instructions formatted here", mode, covered, fast)
				for off := 0; off < min(len(text), 64<<10); off++ {
					check(off)
				}
			}
		})
	}
}

// TestIntelExhaustive formats every opcode with every ModR/M byte (and every 0F opcode with
// every ModR/M byte) behind each of the decoder's prefix sets, in both modes.
func TestIntelExhaustive(t *testing.T) {
	tails := [][]byte{
		{0x24, 0x30, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88},
		{0x65, 0x80, 0xff, 0xff, 0xff, 0xfe, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88},
		{0x8d, 0x08, 0x90, 0x00, 0x00, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
	}
	if testing.Short() || raceEnabled {
		tails = tails[:1]
	}
	buf := make([]byte, 0, 32)
	seen := &mismatches{t: t}
	covered := 0
	eachEncoding(tails, func(mode int, pfx, op, tail []byte) {
		buf = append(append(append(buf[:0], pfx...), op...), tail...)
		m, ok := intelMismatch(buf, 0x140001000, mode)
		if ok {
			covered++
		}
		seen.report(mode, pfx, op, m)
	})
	t.Logf("%d encodings formatted here", covered)
	seen.done()
}

func FuzzIntel(f *testing.F) {
	f.Add([]byte{0x48, 0x8b, 0x05, 0x10, 0x20, 0x30, 0x40}, true, uint64(0x140001000))
	f.Add([]byte{0x65, 0x48, 0x8b, 0x04, 0x25, 0x60, 0, 0, 0}, true, uint64(0))
	f.Add([]byte{0x64, 0xa1, 0x30, 0, 0, 0}, false, uint64(0x401000))
	f.Add([]byte{0xc7, 0x44, 0x24, 0x08, 'a', 'b', 'c', 'd'}, true, uint64(0x1000))
	f.Add([]byte{0x66, 0x0f, 0x1f, 0x44, 0, 0}, true, uint64(0x1000))
	f.Add([]byte{0x6a, 0xff}, false, uint64(0x401000))
	f.Add([]byte{0xe8, 0x00, 0x00, 0x00, 0x80}, false, uint64(0xfffffff0))
	rng := rand.New(rand.NewPCG(7, 8))
	for range 32 {
		b := make([]byte, 1+rng.IntN(15))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		f.Add(b, rng.IntN(2) == 0, rng.Uint64())
	}
	f.Fuzz(func(t *testing.T, code []byte, x64 bool, pc uint64) {
		mode := 32
		if x64 {
			mode = 64
		}
		if m, _ := intelMismatch(code, pc, mode); m != "" {
			t.Fatal(m)
		}
	})
}
