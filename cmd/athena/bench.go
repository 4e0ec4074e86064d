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
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/athena-mesh/athena/internal/mesh"
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
	mode := fs.String("mode", "both", "cached, uncached or both")
	conc := fs.Int("concurrency", 32, "concurrent connections")
	duration := fs.Duration("duration", 10*time.Second, "length of each run")
	cachedSize := fs.Int("cached-size", 4<<10, "sample size of the cached run")
	uncachedSize := fs.Int("uncached-size", 100<<10, "sample size of the uncached run")
	uncachedConc := fs.Int("uncached-concurrency", 2, "concurrent connections of the uncached run")
	apiKey := fs.String("api-key", "", "API key, when the gateway requires one")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *conc < 1 || *duration <= 0 {
		return usageError{errors.New("--concurrency must be >= 1 and --duration > 0")}
	}
	base := *url
	if base == "" {
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
			base = "http://" + a.HTTP
		case err := <-done:
			return err
		}
		defer func() { stop(); <-done }()
		if err := waitReady(ctx, base); err != nil {
			return err
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: max(*conc, *uncachedConc), MaxConnsPerHost: max(*conc, *uncachedConc)}}
	fmt.Fprintf(stdout, "%-9s %5s %9s %7s %10s %9s %9s %9s %9s\n", "mode", "conns", "requests", "errors", "req/s", "p50", "p95", "p99", "max")
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
		r := load(ctx, client, base, *apiKey, *uncachedConc, *duration, func(i int64) []byte {
			return requestBody(randomSample(*uncachedSize, seed+uint64(i)), true)
		})
		r.Mode, r.SampleBytes = "uncached", *uncachedSize
		print(r)
	}
	return nil
}

func waitReady(ctx context.Context, base string) error {
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
