package deobfuscator

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
	"github.com/athena-mesh/athena/wasm-modules/internal/cputime"
	"github.com/tetratelabs/wazero"
)

// BenchmarkPlainText measures the fast rejection on 8 MiB of prose with nothing to decode,
// natively and inside WASM (the latter includes copying the sample into guest memory).
func BenchmarkPlainText(b *testing.B) {
	hosttest.BenchNativeAndWASM(b, Name, New(), plainText(8<<20))
}

// BenchmarkPrefilter measures the single pass alone, natively.
func BenchmarkPrefilter(b *testing.B) {
	in := plainText(8 << 20)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if worthLooking(in, 16) {
			b.Fatal("prose sent to the full search")
		}
	}
}

// BenchmarkEncodedPowerShell measures a four-layer PowerShell dropper (1.3 kB).
func BenchmarkEncodedPowerShell(b *testing.B) {
	sample, _ := powershellSample(b)
	hosttest.BenchNativeAndWASM(b, Name, New(), []byte(sample))
}

// BenchmarkObfuscatedJS measures the javascript-obfuscator fixtures, one call per file.
func BenchmarkObfuscatedJS(b *testing.B) {
	for _, name := range jsFixtures {
		data, err := os.ReadFile(filepath.Join("testdata", "js", name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) { hosttest.BenchNativeAndWASM(b, Name, New(), data) })
	}
}

// BenchmarkWASMComponents builds ./internal/wasmbench for wasip1 and runs each of its inputs
// under wazero with real clocks: the module's Analyze inside WASM without the ABI copy. It
// reports MB/s by the guest's wall clock and per CPU second of this process (the machine is
// shared). The native comparison is `go run ./deobfuscator/internal/wasmbench`.
func BenchmarkWASMComponents(b *testing.B) {
	ctx := context.Background()
	rt, compiled := hosttest.CompileCommand(b, "./internal/wasmbench")
	for _, part := range []string{"plain", "encoded", "tiny"} {
		b.Run(part, func(b *testing.B) {
			var size int64
			var wall, cpu float64
			for b.Loop() {
				var out bytes.Buffer
				cfg := wazero.NewModuleConfig().WithArgs("wasmbench", part, reps(part)).WithStdout(&out).WithStderr(os.Stderr).
					WithSysWalltime().WithSysNanotime().WithName("")
				c0 := cputime.Process()
				mod, err := rt.InstantiateModule(ctx, compiled, cfg)
				if err != nil {
					b.Fatal(err)
				}
				cpu += cputime.Process() - c0
				mod.Close(ctx)
				var name string
				var n int64
				var secs float64
				if _, err := fmt.Sscan(out.String(), &name, &n, &secs); err != nil || name != part {
					b.Fatalf("unexpected wasmbench output %q", out.String())
				}
				size += n
				wall += secs
			}
			b.ReportMetric(float64(size)/wall/1e6, "guest-MB/s")
			b.ReportMetric(wall*1e3/float64(b.N)/float64(atoi(reps(part))), "guest-ms/op")
			if cpu > 0 {
				b.ReportMetric(float64(size)/cpu/1e6, "cpu-MB/s")
			}
		})
	}
}

// reps is how often wasmbench searches an input per run: enough that building the input
// inside the guest is a small part of the CPU time.
func reps(part string) string {
	if part == "plain" {
		return "20"
	}
	return "50"
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
