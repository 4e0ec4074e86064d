package mesh

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/testutil"
)

// BenchmarkJobsOverRedis measures async throughput across processes: distinct 10 KiB random
// samples are submitted as jobs through one gateway onto one Redis job stream and worked by
// one or by two `athena serve orchestrator` processes, which share one wasmruntime and one
// cache process, as in a deployment. Each iteration submits ATHENA_BENCH_JOBS jobs (default
// 200) and waits until all are done; run it with -benchtime 1x. Reported: jobs/s and the CPU
// seconds per job of the service processes (Redis not included).
func BenchmarkJobsOverRedis(b *testing.B) {
	n := 200
	if v, err := strconv.Atoi(os.Getenv("ATHENA_BENCH_JOBS")); err == nil && v > 0 {
		n = v
	}
	bin := buildAthena(b)
	modules := testutil.ModulesDir(b)
	for _, orchestrators := range []int{1, 2} {
		b.Run(fmt.Sprintf("orchestrators=%d", orchestrators), func(b *testing.B) {
			redis := testutil.StartRedisServer(b)
			prefix := testutil.KeyPrefix(b)
			cacheAddr, rtAddr, gwAddr, httpAddr := freeAddr(b), freeAddr(b), freeAddr(b), freeAddr(b)
			common := []string{"--log-level", "warn"}
			procs := []*proc{
				start(b, bin, "cache", append(common, "--listen", cacheAddr, "--redis-addr", redis.Addr(), "--key-prefix", prefix)...),
				start(b, bin, "wasmruntime", append(common, "--listen", rtAddr, "--modules-dir", modules)...),
			}
			var first string
			for i := range orchestrators {
				addr := freeAddr(b)
				if i == 0 {
					first = addr
				}
				procs = append(procs, start(b, bin, "orchestrator", append(common, "--listen", addr, "--wasmruntime-addr", rtAddr,
					"--cache-addr", cacheAddr, "--redis-addr", redis.Addr(), "--key-prefix", prefix)...))
			}
			procs = append(procs, start(b, bin, "gateway", append(common, "--listen", gwAddr, "--http-addr", httpAddr, "--orchestrator-addr", first)...))
			base := "http://" + httpAddr
			if err := waitReady(context.Background(), base); err != nil {
				for _, p := range procs {
					b.Logf("%s log:\n%s", p.name, p.tail())
				}
				b.Fatal(err)
			}
			var pids []int
			for _, p := range procs {
				pids = append(pids, p.cmd.Process.Pid)
			}
			runJobs(b, base, 4) // instantiate the module pools before timing
			b.ResetTimer()
			cpu0 := processCPU(pids)
			start := time.Now()
			for range b.N {
				runJobs(b, base, n)
			}
			secs := time.Since(start).Seconds()
			b.ReportMetric(float64(n*b.N)/secs, "jobs/s")
			b.ReportMetric((processCPU(pids)-cpu0).Seconds()/float64(n*b.N), "cpu-s/job")
		})
	}
}

// runJobs submits n distinct random samples as jobs and polls until every one is done.
func runJobs(b *testing.B, base string, n int) {
	b.Helper()
	seed := rand.Uint64()
	ids := make([]string, 0, n)
	for i := range n {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		content := make([]byte, 10<<10)
		for j := range content {
			content[j] = byte(r.Uint32())
		}
		body, _ := json.Marshal(map[string]any{"sample": map[string]any{"content": base64.StdEncoding.EncodeToString(content)}})
		j, err := jobREST(http.MethodPost, base+"/v1/jobs", body)
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	poll(b, "every job done", 10*time.Minute, func() error {
		for len(ids) > 0 {
			j, err := jobREST(http.MethodGet, base+"/v1/jobs/"+ids[0], nil)
			if err != nil {
				return err
			}
			switch j.State {
			case "JOB_STATE_DONE":
				ids = ids[1:]
			case "JOB_STATE_FAILED":
				b.Fatalf("job %s failed: %s", ids[0], j.Error)
			default:
				return fmt.Errorf("%d jobs not done", len(ids))
			}
		}
		return nil
	})
}

// processCPU sums the user and system CPU time of processes from /proc (Linux), in clock
// ticks of 10 ms.
func processCPU(pids []int) time.Duration {
	var total time.Duration
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses and may contain spaces.
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) < 13 {
			continue
		}
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(utime+stime) * 10 * time.Millisecond
	}
	return total
}
