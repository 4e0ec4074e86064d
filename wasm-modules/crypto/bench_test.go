package cryptoscan

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// benchInput is a large real binary when ATHENA_BENCH_FILE names one, else 16 MiB of bytes that
// mix random and structured content.
func benchInput(b *testing.B) []byte {
	b.Helper()
	if p := os.Getenv("ATHENA_BENCH_FILE"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, 16<<20)
	for i := range data {
		if i%4096 < 2048 {
			data[i] = byte(rng.Uint32())
		} else {
			data[i] = byte(i >> 3)
		}
	}
	return data
}

func BenchmarkDigests(b *testing.B) {
	data := benchInput(b)
	for _, bm := range []struct {
		name string
		fn   func([]byte)
	}{
		{"md5", func(d []byte) { md5.Sum(d) }},
		{"sha1", func(d []byte) { sha1.Sum(d) }},
		{"sha256", func(d []byte) { sha256.Sum256(d) }},
		{"sha512", func(d []byte) { sha512.Sum512(d) }},
		{"ssdeep", func(d []byte) { SSDeep(d) }},
		{"tlsh", func(d []byte) { TLSH(d) }},
		{"tlsh_count_direct", func(d []byte) { tlshCount(d, new([256]uint32)) }},
		{"tlsh_count_paired", func(d []byte) { tlshCountPaired(d, new([256]uint32)) }},
		{"entropy", func(d []byte) { EntropyProfile(d) }},
		{"constants", func(d []byte) { NewConstantScanner().Scan(d) }},
		{"keys", func(d []byte) { FindKeys(d) }},
		{"miners", func(d []byte) { FindMinerIndicators(d) }},
		{"all_hashes", func(d []byte) { Hash(d) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			cpu := processCPU()
			for b.Loop() {
				bm.fn(data)
			}
			reportCPU(b, cpu, len(data))
		})
	}
}

func BenchmarkAnalyze(b *testing.B) {
	data := benchInput(b)
	req := &modulev1.AnalyzeRequest{Content: data}
	b.Run("native", func(b *testing.B) {
		m := New()
		b.SetBytes(int64(len(data)))
		cpu := processCPU()
		for b.Loop() {
			if _, err := m.Analyze(req); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, cpu, len(data))
	})
	b.Run("wasm", func(b *testing.B) {
		w := loadWASM(b)
		b.SetBytes(int64(len(data)))
		cpu := processCPU()
		for b.Loop() {
			w.analyze(b, req)
		}
		reportCPU(b, cpu, len(data))
	})
}

// reportCPU adds MB per CPU second (process user+system time, GC included) since start.
func reportCPU(b *testing.B, start float64, size int) {
	b.Helper()
	if used := processCPU() - start; used > 0 && start > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/used/1e6, "cpu-MB/s")
	}
}

// BenchmarkWASMComponents builds ./internal/wasmbench for wasip1, runs it once per iteration
// under wazero with real clocks, and reports each part's MB/s inside WASM (guest wall clock).
func BenchmarkWASMComponents(b *testing.B) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("go toolchain not found")
	}
	wasmPath := filepath.Join(b.TempDir(), "wasmbench.wasm")
	build := exec.Command(goBin, "build", "-o", wasmPath, "./internal/wasmbench")
	build.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build wasmbench: %v\n%s", err, out)
	}
	bin, err := os.ReadFile(wasmPath)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	if err := hosttest.Instantiate(ctx, rt, nil); err != nil {
		b.Fatal(err)
	}
	compiled, err := rt.CompileModule(ctx, bin)
	if err != nil {
		b.Fatal(err)
	}
	sums := map[string]float64{}
	var names []string
	for b.Loop() {
		var out bytes.Buffer
		cfg := wazero.NewModuleConfig().WithArgs("wasmbench", "16").WithStdout(&out).WithStderr(os.Stderr).
			WithSysWalltime().WithSysNanotime().WithName("")
		mod, err := rt.InstantiateModule(ctx, compiled, cfg)
		if err != nil {
			b.Fatal(err)
		}
		mod.Close(ctx)
		for line := range strings.Lines(out.String()) {
			name, v, ok := strings.Cut(strings.TrimSpace(line), " ")
			mbps, err := strconv.ParseFloat(v, 64)
			if !ok || err != nil {
				b.Fatalf("unexpected wasmbench line %q", line)
			}
			if _, seen := sums[name]; !seen {
				names = append(names, name)
			}
			sums[name] += mbps
		}
	}
	for _, n := range names {
		b.ReportMetric(sums[n]/float64(b.N), n+"-MB/s")
	}
}
