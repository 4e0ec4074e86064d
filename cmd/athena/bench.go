package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/athena-mesh/athena/internal/mesh"
	"golang.org/x/sync/errgroup"
)

// benchResult is one load run.
type benchResult struct {
	Mode        string        `json:"mode"`
	Requests    int64         `json:"requests"`
	Errors      int64         `json:"errors"`
	Seconds     float64       `json:"seconds"`
	RPS         float64       `json:"rps"`
	P50, P95    time.Duration `json:"-"`
	P99, Max    time.Duration `json:"-"`
	Concurrency int           `json:"concurrency"`
	SampleBytes int           `json:"sampleBytes"`
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", stderr)
	url := fs.String("url", "", "REST base URL of a running gateway; empty starts an in-process mesh on loopback")
	modulesDir := fs.String("modules-dir", defaultModulesDir(), "analyzer modules for the in-process mesh")
	mode := fs.String("mode", "both", "cached, uncached, both, batch, jobs or stages")
	conc := fs.Int("concurrency", 32, "concurrent connections")
	duration := fs.Duration("duration", 10*time.Second, "length of each run")
	cachedSize := fs.Int("cached-size", 4<<10, "sample size of the cached run")
	uncachedSize := fs.Int("uncached-size", 100<<10, "sample size of the uncached run")
	uncachedConc := fs.Int("uncached-concurrency", 2, "concurrent connections of the uncached run")
	apiKey := fs.String("api-key", "", "API key, when the gateway requires one")
	samplePath := fs.String("sample", "", "uncached mode: analyze this file again and again (bypassCache) instead of distinct random samples")
	batchN := fs.Int("batch-samples", 1000, "batch and jobs modes: number of distinct samples")
	batchSize := fs.Int("batch-size", 10<<10, "batch and jobs modes: sample size")
	var stageSamples stringList
	fs.Var(&stageSamples, "stage-sample", "stages mode: NAME=FILE, a sample to analyze uncached (repeatable)")
	runs := fs.Int("runs", 5, "stages mode: analyses per sample")
	warmup := fs.Int("warmup", 1, "stages mode: uncounted analyses per sample first (a fresh in-process mesh's first few dozen analyses of a large sample are slower: its memory is still growing)")
	stageProtocol := fs.String("stage-protocol", "rest", "stages mode: how the samples are sent, rest (POST /v1/analyses) or grpc (AnalysisService/Analyze, as the CLI does)")
	timeline := fs.Bool("timeline", false, "stages mode: also print the spans of the median and the slowest analysis, in ms from their start")
	gcPercent := fs.Int("gc-percent", defaultGCPercent, "in-process mesh: Go GC target percentage when GOGC is unset, as serve sets it")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (with the in-process mesh: of the mesh too) to this file")
	execTrace := fs.String("trace", "", "write a Go execution trace of this process (with the in-process mesh: of the mesh too) to this file (go tool trace)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	for _, r := range []struct {
		path  string
		start func(io.Writer) error
		stop  func()
	}{{*cpuProfile, pprof.StartCPUProfile, pprof.StopCPUProfile}, {*execTrace, trace.Start, trace.Stop}} {
		if r.path == "" {
			continue
		}
		f, err := os.Create(r.path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := r.start(f); err != nil {
			return err
		}
		defer r.stop()
	}
	if *conc < 1 || *duration <= 0 {
		return usageError{errors.New("--concurrency must be >= 1 and --duration > 0")}
	}
	var rec *spanRecorder
	if *mode == "stages" {
		if *url != "" {
			return usageError{errors.New("--mode stages records the spans of an in-process mesh: leave --url empty")}
		}
		if len(stageSamples) == 0 || *runs < 1 || *warmup < 0 {
			return usageError{errors.New("--mode stages needs at least one --stage-sample NAME=FILE, --runs >= 1 and --warmup >= 0")}
		}
		if *stageProtocol != "rest" && *stageProtocol != "grpc" {
			return usageError{fmt.Errorf("--stage-protocol %q: want rest or grpc", *stageProtocol)}
		}
		rec = &spanRecorder{}
		defer recordSpans(rec)()
	}
	base, grpcAddr := *url, ""
	if base == "" {
		setGCPercent(*gcPercent)
		log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		mctx, stop := context.WithCancel(ctx)
		defer stop()
		ready := make(chan mesh.Addrs, 1)
		done := make(chan error, 1)
		go func() {
			done <- mesh.All(mctx, mesh.Options{ModulesDir: *modulesDir, Logger: log}, mesh.Addrs{}, func(a mesh.Addrs) { ready <- a })
		}()
		select {
		case a := <-ready:
			base, grpcAddr = "http://"+a.HTTP, a.GRPC
		case err := <-done:
			return err
		}
		defer func() { stop(); <-done }()
		if err := waitReady(ctx, base, done); err != nil {
			return err
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: max(*conc, *uncachedConc), MaxConnsPerHost: max(*conc, *uncachedConc)}}
	if *mode == "cached" || *mode == "uncached" || *mode == "both" {
		fmt.Fprintf(stdout, "%-9s %5s %9s %7s %10s %9s %9s %9s %9s\n", "mode", "conns", "requests", "errors", "req/s", "p50", "p95", "p99", "max")
	}
	print := func(r benchResult) {
		fmt.Fprintf(stdout, "%-9s %5d %9d %7d %10.1f %9s %9s %9s %9s\n", r.Mode, r.Concurrency, r.Requests, r.Errors, r.RPS,
			r.P50.Round(10*time.Microsecond), r.P95.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond))
	}
	if *mode == "cached" || *mode == "both" {
		body := requestBody(randomSample(*cachedSize, 1), false)
		if err := post(ctx, client, base, *apiKey, body); err != nil {
			return fmt.Errorf("warm-up request: %w", err)
		}
		r := load(ctx, client, base, *apiKey, *conc, *duration, func(int64) []byte { return body })
		r.Mode, r.SampleBytes = "cached", *cachedSize
		print(r)
	}
	if *mode == "uncached" || *mode == "both" {
		seed := rand.Uint64()
		gen := func(i int64) []byte { return requestBody(randomSample(*uncachedSize, seed+uint64(i)), true) }
		size := *uncachedSize
		if *samplePath != "" {
			content, err := os.ReadFile(*samplePath)
			if err != nil {
				return err
			}
			body := requestBody(content, true)
			gen, size = func(int64) []byte { return body }, len(content)
		}
		r := load(ctx, client, base, *apiKey, *uncachedConc, *duration, gen)
		r.Mode, r.SampleBytes = "uncached", size
		print(r)
	}
	switch *mode {
	case "stages":
		for _, spec := range stageSamples {
			name, path, ok := strings.Cut(spec, "=")
			if !ok {
				name, path = filepath.Base(spec), spec
			}
			content, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			send, stop, err := stageSender(*stageProtocol, client, base, grpcAddr, *apiKey, content)
			if err != nil {
				return err
			}
			err = benchStages(ctx, stdout, send, rec, name, *stageProtocol, content, *runs, *warmup, *timeline, *url == "")
			stop()
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	case "batch":
		n, secs, err := benchBatch(ctx, client, base, *apiKey, *batchN, *batchSize)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "batch: %d distinct %d-byte samples in batches of 100: %.2fs, %.1f samples/s\n", n, *batchSize, secs, float64(n)/secs)
	case "jobs":
		n, secs, err := benchJobs(ctx, client, base, *apiKey, *batchN, *batchSize)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "jobs: %d distinct %d-byte samples submitted and completed: %.2fs, %.1f jobs/s\n", n, *batchSize, secs, float64(n)/secs)
	}
	return nil
}

// benchBatch posts n distinct samples through /v1/analyses:batch, 100 per request, two
// requests at a time, and returns the wall time.
func benchBatch(ctx context.Context, c *http.Client, base, key string, n, size int) (int, float64, error) {
	seed := rand.Uint64()
	start := time.Now()
	var g errgroup.Group
	g.SetLimit(2)
	for off := 0; off < n; off += 100 {
		g.Go(func() error {
			var reqs []map[string]any
			for i := off; i < min(n, off+100); i++ {
				reqs = append(reqs, map[string]any{"sample": map[string]any{"content": base64.StdEncoding.EncodeToString(randomSample(size, seed+uint64(i)))}})
			}
			body, _ := json.Marshal(map[string]any{"requests": reqs})
			var out struct {
				Results []struct {
					Error *struct{ Message string } `json:"error"`
				} `json:"results"`
			}
			if err := postJSON(ctx, c, base+"/v1/analyses:batch", key, body, &out); err != nil {
				return err
			}
			for _, r := range out.Results {
				if r.Error != nil && r.Error.Message != "" {
					return fmt.Errorf("batch item: %s", r.Error.Message)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, 0, err
	}
	return n, time.Since(start).Seconds(), nil
}

// benchJobs submits n distinct samples as async jobs and polls until every one is done.
func benchJobs(ctx context.Context, c *http.Client, base, key string, n, size int) (int, float64, error) {
	seed := rand.Uint64()
	start := time.Now()
	ids := make([]string, 0, n)
	for i := range n {
		body, _ := json.Marshal(map[string]any{"sample": map[string]any{"content": base64.StdEncoding.EncodeToString(randomSample(size, seed+uint64(i)))}})
		var job struct{ ID string }
		if err := postJSON(ctx, c, base+"/v1/jobs", key, body, &job); err != nil {
			return 0, 0, err
		}
		ids = append(ids, job.ID)
	}
	for _, id := range ids {
		for {
			var job struct{ State, Error string }
			if err := getJSON(ctx, c, base+"/v1/jobs/"+id, key, &job); err != nil {
				return 0, 0, err
			}
			if job.State == "JOB_STATE_DONE" {
				break
			}
			if job.State == "JOB_STATE_FAILED" {
				return 0, 0, fmt.Errorf("job %s failed: %s", id, job.Error)
			}
			select {
			case <-ctx.Done():
				return 0, 0, ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	return n, time.Since(start).Seconds(), nil
}

func postJSON(ctx context.Context, c *http.Client, url, key string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	return doJSON(c, req, key, out)
}

func getJSON(ctx context.Context, c *http.Client, url, key string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	return doJSON(c, req, key, out)
}

func doJSON(c *http.Client, req *http.Request, key string, out any) error {
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d: %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	return json.Unmarshal(b, out)
}

func waitReady(ctx context.Context, base string, done chan error) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-done:
			// A service failed after the listeners opened (a missing modules directory): the
			// mesh is gone and will never be ready. The error goes back for whoever waits on done.
			done <- err
			return fmt.Errorf("in-process mesh: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("mesh did not become ready within 2 minutes")
}

// randomSample returns deterministic pseudo-random bytes: distinct per seed, so uncached runs
// never hit the cache.
func randomSample(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func requestBody(content []byte, bypass bool) []byte {
	b, _ := json.Marshal(map[string]any{
		"sample":  map[string]any{"content": base64.StdEncoding.EncodeToString(content), "filename": "bench.bin"},
		"options": map[string]any{"bypassCache": bypass},
	})
	return b
}

func post(ctx context.Context, c *http.Client, base, key string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/analyses", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// load runs conc workers posting bodies for d and returns the latency distribution.
func load(ctx context.Context, c *http.Client, base, key string, conc int, d time.Duration, body func(int64) []byte) benchResult {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var n, errs atomic.Int64
	lat := make([][]time.Duration, conc)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				b := body(n.Add(1))
				t := time.Now()
				err := post(ctx, c, base, key, b)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					errs.Add(1)
					continue
				}
				lat[w] = append(lat[w], time.Since(t))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(p*float64(len(all))))]
	}
	r := benchResult{Requests: int64(len(all)), Errors: errs.Load(), Seconds: elapsed, RPS: float64(len(all)) / elapsed,
		P50: pct(.50), P95: pct(.95), P99: pct(.99), Concurrency: conc}
	if len(all) > 0 {
		r.Max = all[len(all)-1]
	}
	return r
}
