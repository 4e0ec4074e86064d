package wasmruntime

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
)

func TestPoolRecycle(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{
		"conformance.wasm": conformanceWasm(t),
		"hostile.wasm":     wat(t, hostileWAT("hostile", "", `(if (i32.gt_u (local.get $len) (i32.const 50)) (then unreachable)) (i64.const 0)`)),
	}), func(c *Config) { c.PerModule = map[string]Limits{"wat-conformance": {MaxUses: 2}} })

	t.Run("after max uses", func(t *testing.T) {
		var got []bool
		for range 5 {
			got = append(got, invoke(t, r, "wat-conformance", nil).GetInstanceReused())
		}
		want := []bool{false, true, false, true, false}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("instance_reused per call = %v, want %v", got, want)
			}
		}
	})
	t.Run("after a trap", func(t *testing.T) {
		req := &modulev1.AnalyzeRequest{Content: []byte("x")}
		invoke(t, r, "hostile", req)
		if !invoke(t, r, "hostile", req).GetInstanceReused() {
			t.Fatal("healthy instance not reused")
		}
		wantStatus(t, invoke(t, r, "hostile", &modulev1.AnalyzeRequest{Content: make([]byte, 100)}), analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "unreachable")
		if invoke(t, r, "hostile", req).GetInstanceReused() {
			t.Fatal("instance reused after a trap")
		}
	})
}

// TestPoolConcurrency runs many concurrent calls through a small pool: all succeed (waiting for
// an instance rather than failing) and the pool never holds more than its size.
func TestPoolConcurrency(t *testing.T) {
	const size = 3
	r := newRuntime(t, modulesDir(t, map[string][]byte{"conformance.wasm": conformanceWasm(t)}), func(c *Config) {
		c.PoolSize = size
		c.PerModule = map[string]Limits{"wat-conformance": {MaxUses: 7}}
	})
	r.mu.RLock()
	p := r.modules["wat-conformance"].pool
	r.mu.RUnlock()
	var maxLive atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				resp, err := r.Invoke(context.Background(), "wat-conformance", &modulev1.AnalyzeRequest{Content: []byte{byte(g), byte(i)}})
				if err != nil || resp.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_OK {
					t.Errorf("call: %v %v", resp, err)
					return
				}
				if n := p.live.Load(); n > maxLive.Load() {
					maxLive.Store(n)
				}
			}
		}()
	}
	wg.Wait()
	if m := maxLive.Load(); m > size {
		t.Errorf("pool grew to %d live instances, size %d", m, size)
	}
}

// Each instance draws its own call limit between three quarters of MaxUses and MaxUses, so
// that modules called once per analysis each are not all recycled by the same analysis.
func TestUseLimit(t *testing.T) {
	seen := map[int]bool{}
	for range 2000 {
		n := useLimit(1000)
		if n < 750 || n > 1000 {
			t.Fatalf("useLimit(1000) = %d, want 750..1000", n)
		}
		seen[n] = true
	}
	if len(seen) < 100 {
		t.Errorf("useLimit(1000) drew only %d distinct limits in 2000 draws", len(seen))
	}
	for _, tc := range [][2]int{{0, 0}, {-1, 0}, {1, 1}, {2, 2}, {3, 3}} {
		if got := useLimit(tc[0]); got != tc[1] {
			t.Errorf("useLimit(%d) = %d, want %d", tc[0], got, tc[1])
		}
	}
}
