package wasmruntime

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/testutil"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
)

// Benchmarks run on the engine the binary is built for: `go test -bench . ./services/wasmruntime/`
// for wazero, add `-tags wasmer` for wasmer. docs/benchmarks.md has the numbers.

func reportPercentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds()), "p99-µs")
}

// benchInvoke times b.N calls of module with req and reports their percentiles.
func benchInvoke(b *testing.B, r *Runtime, module string, req *modulev1.AnalyzeRequest) {
	ctx := context.Background()
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, err := r.Invoke(ctx, module, req); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(start))
	}
	reportPercentiles(b, d)
}

// BenchmarkInvokePooled: host overhead of a pooled call whose analyze does nothing, for the WAT
// module (pure host cost) and the Go probe (Go guest's request decode + response encode).
func BenchmarkInvokePooled(b *testing.B) {
	for _, tc := range []struct {
		name, module string
		wasm         func(testing.TB) []byte
	}{
		{"wat-empty", "empty", func(t testing.TB) []byte { return wat(t, hostileWAT("empty", "", analyzeOK)) }},
		{"go-probe", "probe", probeWasm},
	} {
		b.Run(testEngine()+"/"+tc.name, func(b *testing.B) {
			r := newRuntime(b, modulesDir(b, map[string][]byte{tc.module + ".wasm": tc.wasm(b)}), nil)
			ctx := context.Background()
			req := &modulev1.AnalyzeRequest{Content: []byte("x"), Filename: "f"}
			if resp, err := r.Invoke(ctx, tc.module, req); err != nil || resp.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_OK {
				b.Fatalf("warm-up: %v %v", resp, err)
			}
			benchInvoke(b, r, tc.module, req)
		})
	}
}

func realModules(b *testing.B) map[string][]byte {
	b.Helper()
	dir := testutil.ModulesDir(b)
	files, _ := filepath.Glob(filepath.Join(dir, "*.wasm"))
	out := map[string][]byte{}
	for _, f := range files {
		w, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".wasm")] = w
	}
	return out
}

// BenchmarkInstantiateFresh: a new instance (including _initialize, i.e. the Go runtime start)
// of each real module and of the probe.
func BenchmarkInstantiateFresh(b *testing.B) {
	mods := realModules(b)
	mods["probe"] = probeWasm(b)
	eng, err := newEngine(context.Background(), testEngine(), testCacheDir())
	if err != nil {
		b.Fatal(err)
	}
	defer eng.close(context.Background())
	for _, name := range sortedKeys(mods) {
		b.Run(testEngine()+"/"+name, func(b *testing.B) {
			cm, err := eng.compile(context.Background(), mods[name], "", DefaultMemoryPages)
			if err != nil {
				b.Fatal(err)
			}
			defer cm.close(context.Background())
			d := make([]time.Duration, 0, b.N)
			for b.Loop() {
				start := time.Now()
				inst, err := cm.instantiate(context.Background(), newBoundedBuffer(1024), newBoundedBuffer(1024))
				if err != nil {
					b.Fatal(err)
				}
				d = append(d, time.Since(start))
				_ = inst.close(context.Background())
			}
			reportPercentiles(b, d)
		})
	}
}

// BenchmarkCompile: cold compile (empty cache directory) vs cached compile per module. wasmer has
// no disk cache here, so both of its rows are cold.
func BenchmarkCompile(b *testing.B) {
	mods := realModules(b)
	for _, name := range sortedKeys(mods) {
		for _, mode := range []string{"cold", "cached"} {
			b.Run(testEngine()+"/"+name+"/"+mode, func(b *testing.B) {
				cache := b.TempDir()
				if mode == "cached" {
					warm, _ := newEngine(context.Background(), testEngine(), cache)
					cm, err := warm.compile(context.Background(), mods[name], "", DefaultMemoryPages)
					if err != nil {
						b.Fatal(err)
					}
					_ = cm.close(context.Background())
					_ = warm.close(context.Background())
				}
				for b.Loop() {
					dir := cache
					if mode == "cold" {
						b.StopTimer()
						dir = b.TempDir()
						b.StartTimer()
					}
					eng, err := newEngine(context.Background(), testEngine(), dir)
					if err != nil {
						b.Fatal(err)
					}
					cm, err := eng.compile(context.Background(), mods[name], "", DefaultMemoryPages)
					if err != nil {
						b.Fatal(err)
					}
					_ = cm.close(context.Background())
					_ = eng.close(context.Background())
				}
			})
		}
	}
}

// BenchmarkRSSAllModules: process RSS with every real module loaded and PoolSize (4) instances
// of each alive at once.
func BenchmarkRSSAllModules(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		debug.FreeOSMemory()
		base := rssBytesB(b)
		r := newRuntime(b, testutil.ModulesDir(b), func(c *Config) { c.PoolSize = 4; c.Limits.Timeout = 2 * time.Minute })
		type held struct {
			p  *pool
			pi *pooled
		}
		var pis []held
		var pools []*pool
		r.mu.RLock()
		for _, m := range r.modules {
			pools = append(pools, m.pool)
		}
		r.mu.RUnlock()
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, p := range pools {
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					pi, err := p.acquire(context.Background())
					if err != nil {
						b.Error(err)
						return
					}
					// One call so each instance has touched its heap once.
					_, _ = callAnalyze(withCollector(context.Background(), &collector{}), pi.inst, []byte{}, DefaultOutputBytes)
					mu.Lock()
					pis = append(pis, held{p, pi})
					mu.Unlock()
				}()
			}
		}
		wg.Wait()
		runtime.GC()
		rss := rssBytesB(b)
		b.ReportMetric(float64(rss>>20), "RSS-MiB")
		// Where it is: compiled machine code (anonymous executable mappings), snapshot pages
		// mapped from the memfd images, and anonymous read-write memory (the host's Go heap and
		// the pages instances wrote).
		code, snapshot, anonRW := smapsRSS(b)
		b.ReportMetric(float64(code>>20), "code-MiB")
		b.ReportMetric(float64(snapshot>>20), "snapshot-MiB")
		b.ReportMetric(float64(anonRW>>20), "anon-rw-MiB")
		b.ReportMetric(float64((rss-base)>>20), "runtime-MiB")
		b.ReportMetric(float64(len(pis)), "instances")
		var guest uint64
		for _, h := range pis {
			guest += h.pi.inst.memory().size()
		}
		b.ReportMetric(float64(guest>>20), "guest-memory-MiB")
		for _, h := range pis {
			h.p.put(h.pi, true)
		}
		b.StartTimer()
	}
}

func rssBytesB(b *testing.B) int64 {
	b.Helper()
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc")
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			for _, c := range strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")) {
				kb = kb*10 + int64(c-'0')
			}
			return kb << 10
		}
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// smapsRSS sums resident memory by kind from /proc/self/smaps.
func smapsRSS(b *testing.B) (code, snapshot, anonRW int64) {
	raw, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		b.Skip("no /proc")
	}
	var target *int64
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			target = nil
			switch {
			case len(f) == 5 && f[1] == "r-xp":
				target = &code
			case len(f) == 5 && f[1] == "rw-p":
				target = &anonRW
			case len(f) >= 6 && strings.HasPrefix(f[5], "/memfd:athena-wasm-snapshot"):
				target = &snapshot
			}
		case len(f) == 3 && f[0] == "Rss:" && target != nil:
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			*target += kb << 10
		}
	}
	return code, snapshot, anonRW
}

// BenchmarkDirectBranches: guest time of the real modules on a PE with Go's dispatch jumps as
// compiled and with the forward ones made direct (branches.go), each module alone in a runtime
// with a fresh cache. ATHENA_BENCH_FILE picks the sample (default: the Go hello-world PE).
//
//	go test -run XXX -bench DirectBranches -benchtime 20x ./services/wasmruntime/
func BenchmarkDirectBranches(b *testing.B) {
	sample := testutil.GoWindowsPE(b)
	if p := os.Getenv("ATHENA_BENCH_FILE"); p != "" {
		var err error
		if sample, err = os.ReadFile(p); err != nil {
			b.Fatal(err)
		}
	}
	modules := realModules(b)
	for _, m := range []struct{ file, name string }{
		{"analysisengine", "analysis-engine"}, {"patternmatcher", "pattern-matcher"}, {"network", "network"},
		{"crypto", "crypto"}, {"fileprocessor", "file-processor"},
	} {
		for _, direct := range []bool{false, true} {
			b.Run(m.name+"/direct="+strconv.FormatBool(direct), func(b *testing.B) {
				defer func(was bool) { directBranches = was }(directBranches)
				directBranches = direct
				r := newRuntime(b, modulesDir(b, map[string][]byte{m.file + ".wasm": modules[m.file]}), func(c *Config) {
					c.CacheDir, c.PoolSize, c.Limits.Timeout = b.TempDir(), 1, time.Minute
				})
				ctx := context.Background()
				req := &modulev1.AnalyzeRequest{Content: sample, FileType: "pe", Filename: "sample.exe"}
				if resp, err := r.Invoke(ctx, m.name, req); err != nil || resp.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_OK {
					b.Fatalf("warm-up: %v %v", resp.GetError(), err)
				}
				benchInvoke(b, r, m.name, req)
			})
		}
	}
}
