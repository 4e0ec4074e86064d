package analysisengine

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// benchPE builds a PE with about codeKB of reachable code (a chain of small functions called
// from main, with API calls sprinkled in) and, when padMB > 0, a data section of padMB MiB of
// mixed random bytes and strings, the shape of a large real-world executable.
func benchPE(b *testing.B, codeKB, padMB int) []byte {
	b.Helper()
	// The compile takes minutes on a busy machine: the result is kept in the temp directory,
	// keyed by the generator's parameters and version (and read from there inside wasip1).
	cached := filepath.Join(os.TempDir(), fmt.Sprintf("athena-ae-bench-v1-%d-%d.exe", codeKB, padMB))
	if pe, err := os.ReadFile(cached); err == nil {
		return pe
	}
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err != nil {
		b.Skip("x86_64-w64-mingw32-gcc not installed")
	}
	dir := b.TempDir()
	n := codeKB * 1024 / 110 // about 110 bytes of code per function at -O0
	var src strings.Builder
	src.WriteString("#include <windows.h>\nvolatile int sink;\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&src, "void f%d(int x);\n", i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&src, "void f%d(int x) { sink += x * %d; if (x & %d) sink ^= 0x5a; ", i, i+3, i%7+1)
		if i%500 == 0 {
			src.WriteString("if (sink == 42) { VirtualAllocEx(0, 0, 0, 0, 0); WriteProcessMemory(0, 0, 0, 0, 0); CreateRemoteThread(0, 0, 0, 0, 0, 0, 0); } ")
		}
		if i+1 < n {
			fmt.Fprintf(&src, "f%d(x + 1); ", i+1)
		}
		src.WriteString("}\n")
	}
	src.WriteString("int main(void) { f0(1); return sink; }\n")
	c := filepath.Join(dir, "big.c")
	if err := os.WriteFile(c, []byte(src.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	exe := filepath.Join(dir, "big.exe")
	if out, err := exec.Command("x86_64-w64-mingw32-gcc", "-O0", "-o", exe, c).CombinedOutput(); err != nil {
		b.Fatalf("compile: %v: %s", err, out)
	}
	if padMB > 0 {
		rng := rand.New(rand.NewPCG(1, 2))
		pad := make([]byte, padMB<<20)
		for i := range pad {
			pad[i] = byte(rng.Uint32())
		}
		for off := 0; off+64 < len(pad); off += 4096 {
			copy(pad[off:], fmt.Sprintf("resource string number %d with some text", off))
		}
		blob := filepath.Join(dir, "pad.bin")
		if err := os.WriteFile(blob, pad, 0o644); err != nil {
			b.Fatal(err)
		}
		out, err := exec.Command("x86_64-w64-mingw32-objcopy", "--add-section", ".rsrc2="+blob,
			"--set-section-flags", ".rsrc2=alloc,load,readonly,data", exe).CombinedOutput()
		if err != nil {
			b.Fatalf("objcopy: %v: %s", err, out)
		}
	}
	pe, err := os.ReadFile(exe)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(cached, pe, 0o644); err != nil {
		b.Logf("cache bench PE: %v", err)
	}
	return pe
}

func BenchmarkAnalyzePE(b *testing.B) {
	for _, size := range []struct {
		name          string
		codeKB, padMB int
	}{{"1MB", 1000, 0}, {"10MB", 1000, 9}} {
		b.Run(size.name, func(b *testing.B) {
			pe := benchPE(b, size.codeKB, size.padMB)
			a := New()
			b.SetBytes(int64(len(pe)))
			b.ReportMetric(float64(len(pe))/(1<<20), "MiB/sample")
			b.ResetTimer()
			var decoded int64
			for i := 0; i < b.N; i++ {
				r, err := a.Analyze(&modulev1.AnalyzeRequest{Content: pe, FileType: "pe"})
				if err != nil {
					b.Fatal(err)
				}
				decoded = r.GetDetails().GetCode().GetInstructionsDecoded()
			}
			b.ReportMetric(float64(decoded), "insns/op")
		})
	}
}

func BenchmarkAnalyzeGoPE(b *testing.B) {
	pe := testutil.GoWindowsPE(b)
	a := New()
	b.SetBytes(int64(len(pe)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := a.Analyze(&modulev1.AnalyzeRequest{Content: pe, FileType: "pe"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPhases times each phase of Analyze on the Go hello-world and on the 1 MB MinGW
// build of BenchmarkAnalyzePE, so the phases can be compared natively and inside WASM
// (GOOS=wasip1 go test -bench with a wasip1 runner; docs/benchmarks.md).
func BenchmarkPhases(b *testing.B) {
	b.Run("gope", func(b *testing.B) { benchPhases(b, testutil.GoWindowsPE(b)) })
	b.Run("mingw1MB", func(b *testing.B) { benchPhases(b, benchPE(b, 1000, 0)) })
	if p := os.Getenv("ATHENA_BENCH_FILE"); p != "" {
		b.Run("file", func(b *testing.B) {
			pe, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			benchPhases(b, pe)
		})
	}
}

func benchPhases(b *testing.B, pe []byte) {
	lim := DefaultLimits()
	wl := walkLimits{maxInstructions: lim.MaxInstructions, maxPerFunction: lim.MaxPerFunction, maxFunctions: lim.MaxFunctions, listing: lim.ListingLines}
	im, err := load(pe)
	if err != nil {
		b.Fatal(err)
	}
	res := walk(im, wl)
	strs := extractStrings(pe, 5, 20000)
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			if _, err := load(pe); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("walk", func(b *testing.B) {
		for b.Loop() {
			walk(im, wl)
		}
		b.ReportMetric(float64(res.decoded), "insns/op")
	})
	b.Run("strings", func(b *testing.B) {
		for b.Loop() {
			extractStrings(pe, 5, 20000)
		}
	})
	b.Run("detect", func(b *testing.B) {
		for b.Loop() {
			detect(newEvidence(im.imports, strs, res.features))
		}
	})
	b.Run("packer", func(b *testing.B) {
		for b.Loop() {
			detectPacker(im)
		}
	})
}
