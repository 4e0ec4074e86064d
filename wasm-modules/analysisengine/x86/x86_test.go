package x86

import (
	"bytes"
	"debug/elf"
	"debug/pe"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	"golang.org/x/arch/x86/x86asm"
)

// oracle is what x86asm says about code, as facts.
func oracle(code []byte, mode int) Inst {
	var want Inst
	inst, err := x86asm.Decode(code, mode)
	FromX86asm(&want, inst, err)
	return want
}

// mismatch returns a description of how the fast path differs from x86asm on code, or "".
// Code the fast path hands to x86asm cannot differ.
func mismatch(code []byte, mode int) string {
	var got Inst
	if !decodeFast(&got, code, mode) {
		return ""
	}
	if want := oracle(code, mode); got != want {
		inst, err := x86asm.Decode(code, mode)
		return fmt.Sprintf("mode %d % x (%v, %v):\n got  %+v\n want %+v", mode, code[:min(len(code), 15)], inst, err, got, want)
	}
	return ""
}

// sections returns the executable sections of the binaries the tests decode: the Go-built
// Windows PE, the go command and /bin/ls.
func sections(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	if f, err := pe.NewFile(bytes.NewReader(testutil.GoWindowsPE(t))); err == nil {
		if s := f.Section(".text"); s != nil {
			out["go-pe:.text"], _ = s.Data()
		}
	}
	for _, path := range []string{"/usr/local/go/bin/go", "/bin/ls"} {
		f, err := elf.Open(path)
		if err != nil {
			t.Logf("skip %s: %v", path, err)
			continue
		}
		for _, s := range f.Sections {
			if s.Flags&elf.SHF_EXECINSTR != 0 && s.Type != elf.SHT_NOBITS {
				b, err := s.Data()
				if err == nil {
					out[path+":"+s.Name] = b
				}
			}
		}
		f.Close()
	}
	if len(out) == 0 {
		t.Fatal("no code to decode")
	}
	return out
}

// TestDecodeRealCode decodes real code linearly from the start of each executable section (the
// instruction boundaries a disassembler sees) in both modes, and at every byte offset of the
// first 64 KiB (misaligned starts are a good source of odd encodings).
func TestDecodeRealCode(t *testing.T) {
	for name, text := range sections(t) {
		t.Run(name, func(t *testing.T) {
			for _, mode := range []int{64, 32} {
				fast, total, bad := 0, 0, 0
				for pc := 0; pc < len(text); {
					code := text[pc:min(pc+16, len(text))]
					if m := mismatch(code, mode); m != "" {
						if bad++; bad <= 10 {
							t.Errorf("at %#x: %s", pc, m)
						}
					}
					var in Inst
					if decodeFast(&in, code, mode) {
						fast++
					}
					Decode(&in, code, mode)
					total++
					if in.Len == 0 {
						pc++
					} else {
						pc += int(in.Len)
					}
				}
				t.Logf("mode %d: %d instructions, %.1f%% on the fast path", mode, total, 100*float64(fast)/float64(total))
				for pc := 0; pc < min(len(text), 64<<10); pc++ {
					if m := mismatch(text[pc:min(pc+16, len(text))], mode); m != "" {
						if bad++; bad <= 10 {
							t.Errorf("at %#x: %s", pc, m)
						}
					}
				}
			}
		})
	}
}

// TestDecodeFastPathCoverage pins how much of the Go PE's code the fast path decodes: the
// point of the package. A drop means a common encoding went to x86asm.
func TestDecodeFastPathCoverage(t *testing.T) {
	text := sections(t)["go-pe:.text"]
	fast, total := 0, 0
	for pc := 0; pc < len(text); {
		code := text[pc:min(pc+16, len(text))]
		var in Inst
		if decodeFast(&in, code, 64) {
			fast++
		}
		Decode(&in, code, 64)
		total++
		pc += max(int(in.Len), 1)
	}
	if float64(fast) < 0.97*float64(total) {
		t.Errorf("fast path decodes %d of %d instructions, want at least 97%%", fast, total)
	}
}

// prefixSets are the prefix combinations the exhaustive test puts before each opcode.
var prefixSets = [][]byte{
	nil, {0x66}, {0xf2}, {0xf3}, {0xf0}, {0xf0, 0x48}, {0x66, 0xf0}, {0x67}, {0x64}, {0x65}, {0x2e}, {0x26}, {0x66, 0x66}, {0x66, 0xf3}, {0xf3, 0x66}, {0xf2, 0xf3},
	{0x40}, {0x41}, {0x42}, {0x44}, {0x48}, {0x49}, {0x4a}, {0x4c}, {0x4f}, {0x45}, {0x66, 0x48}, {0xf3, 0x48}, {0xf2, 0x48},
	{0x66, 0x41}, {0x65, 0x48}, {0x64, 0x66}, {0x48, 0x66}, {0x48, 0x48}, {0x40, 0x0f},
}

// TestDecodeExhaustive tries every opcode with every ModR/M byte (and, for the 0F map, every
// second opcode byte and ModR/M byte) behind each prefix set, with a few different tails for
// SIB, displacement and immediate, in both modes.
func TestDecodeExhaustive(t *testing.T) {
	tails := [][]byte{
		{0x24, 0x30, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88},
		{0x65, 0x80, 0xff, 0xff, 0xff, 0xfe, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88},
		{0x25, 0x60, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00},
		{0x30, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00},
		{0x8d, 0x08, 0x90, 0x00, 0x00, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
	}
	cuts := 8 // cut-off prefixes tried per encoding
	if testing.Short() || raceEnabled {
		tails, cuts = tails[:1], 2
	}
	buf := make([]byte, 0, 32)
	seen := &mismatches{t: t}
	fast, total := 0, 0
	try := func(mode int, pfx, op []byte, tail []byte) {
		buf = append(append(append(buf[:0], pfx...), op...), tail...)
		// The whole encoding and every cut-off prefix of it: the fast path must not read past
		// the end.
		for n := len(buf); n > 0 && n >= len(buf)-cuts; n-- {
			var in Inst
			if decodeFast(&in, buf[:n], mode) {
				fast++
			}
			total++
			seen.report(mode, pfx, op, mismatch(buf[:n], mode))
		}
	}
	eachEncoding(tails, try)
	t.Logf("%d encodings, %d on the fast path", total, fast)
	seen.done()
}

// eachEncoding calls try with every opcode and ModR/M byte, and every 0F opcode with every
// ModR/M byte, behind each prefix set and with each tail, in both modes.
func eachEncoding(tails [][]byte, try func(mode int, pfx, op, tail []byte)) {
	for _, mode := range []int{64, 32} {
		for _, pfx := range prefixSets {
			for op := range 256 {
				for b := range 256 {
					for _, tail := range tails {
						if op != 0x0f {
							try(mode, pfx, []byte{byte(op), byte(b)}, tail)
						}
						try(mode, pfx, []byte{0x0f, byte(op), byte(b)}, tail)
					}
				}
			}
		}
	}
}

// mismatches reports an exhaustive test's mismatches, the first one per mode, prefix set,
// opcode and ModR/M.reg, at most 60.
type mismatches struct {
	t    *testing.T
	seen map[string]bool
}

func (ms *mismatches) report(mode int, pfx, op []byte, m string) {
	if m == "" {
		return
	}
	if ms.seen == nil {
		ms.seen = map[string]bool{}
	}
	key := fmt.Sprintf("%d % x % x /%d", mode, pfx, op[:len(op)-1], op[len(op)-1]>>3&7)
	if !ms.seen[key] && len(ms.seen) < 60 {
		ms.t.Errorf("%s: %s", key, m)
	}
	ms.seen[key] = true
}

func (ms *mismatches) done() {
	if len(ms.seen) > 0 {
		ms.t.Errorf("%d mismatching encodings", len(ms.seen))
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{0x48, 0x8b, 0x05, 0x10, 0x20, 0x30, 0x40}, true)
	f.Add([]byte{0x65, 0x48, 0x8b, 0x04, 0x25, 0x60, 0, 0, 0}, true)
	f.Add([]byte{0x64, 0xa1, 0x30, 0, 0, 0}, false)
	f.Add([]byte{0xc7, 0x44, 0x24, 0x08, 'a', 'b', 'c', 'd'}, true)
	f.Add([]byte{0x66, 0x0f, 0x1f, 0x44, 0, 0}, true)
	f.Add([]byte{0xf2, 0x48, 0x0f, 0x2c, 0xc1}, true)
	rng := rand.New(rand.NewPCG(5, 6))
	for range 32 {
		b := make([]byte, 1+rng.IntN(15))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		f.Add(b, rng.IntN(2) == 0)
	}
	f.Fuzz(func(t *testing.T, code []byte, x64 bool) {
		mode := 32
		if x64 {
			mode = 64
		}
		if m := mismatch(code, mode); m != "" {
			t.Fatal(m)
		}
	})
}
