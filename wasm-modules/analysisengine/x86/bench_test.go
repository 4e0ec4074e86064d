package x86

import (
	"bytes"
	"debug/pe"
	"os"
	"path/filepath"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
)

// fastPathStarts decodes text linearly and returns the offsets of the instructions the fast
// path decodes.
func fastPathStarts(text []byte) []int {
	var starts []int
	for pc := 0; pc < len(text); {
		code := text[pc:min(pc+16, len(text))]
		var in Inst
		if decodeFast(&in, code, 64) {
			starts = append(starts, pc)
		}
		Decode(&in, code, 64)
		pc += max(int(in.Len), 1)
	}
	return starts
}

// BenchmarkDecodeFast decodes, with the fast path alone, the instructions of a PE's .text
// that it decodes when read linearly: the MinGW PE the analysis-engine benchmarks build
// (left in the temporary directory by a native BenchmarkAnalyzePE/1MB; -O0 C) and the Go PE.
// Run it natively and inside WASM (internal/wasirun), where the decoder's branches, calls
// and bounds checks cost most.
func BenchmarkDecodeFast(b *testing.B) {
	samples := []struct {
		name string
		pe   func(b *testing.B) []byte
	}{
		{"mingw", func(b *testing.B) []byte {
			exe, err := os.ReadFile(filepath.Join(os.TempDir(), "athena-ae-bench-v1-1000-0.exe"))
			if err != nil {
				b.Skipf("run the analysis-engine's BenchmarkAnalyzePE/1MB natively first: %v", err)
			}
			return exe
		}},
		{"gope", func(b *testing.B) []byte { return testutil.GoWindowsPE(b) }},
	}
	for _, s := range samples {
		b.Run(s.name, func(b *testing.B) {
			f, err := pe.NewFile(bytes.NewReader(s.pe(b)))
			if err != nil {
				b.Fatal(err)
			}
			sec := f.Section(".text")
			if sec == nil {
				b.Fatal("no .text")
			}
			text, err := sec.Data()
			if err != nil {
				b.Fatal(err)
			}
			starts := fastPathStarts(text)
			var in Inst
			b.ResetTimer()
			for range b.N {
				for _, pc := range starts {
					decodeFast(&in, text[pc:min(pc+16, len(text))], 64)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(starts)), "ns/inst")
		})
	}
}
