package wasmruntime

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
)

// Hostile modules: each misbehaves in one way, must cost exactly one status in one response,
// and must leave the runtime serving a normal module afterwards.

const (
	analyzeLoop      = `(loop $l (br $l)) (i64.const 0)`
	analyzeGrow      = `(loop $l (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then unreachable)) (br $l)) (i64.const 0)`
	analyzeTrap      = `unreachable`
	analyzeDivZero   = `(drop (i32.div_u (i32.const 1) (i32.sub (local.get $len) (local.get $len)))) (i64.const 0)`
	analyzeBadPtr    = `(i64.const 0xfffffff000000064)`                         // ptr 0xfffffff0, len 100
	analyzeBadLen    = `(i64.const 0x0001f00000007000)`                         // ptr 124 KiB, len 28 KiB, memory 128 KiB
	analyzeBigOutput = `(i64.const 0x0000000000010000)`                         // ptr 0, len 64 KiB: in memory, over the test cap
	analyzeGarbage   = `(i64.store (i32.const 0) (i64.const -1)) (i64.const 8)` // ptr 0, 8 bytes of 0xff
	analyzeBadEmit   = `(call $emit (i32.const 0xfffffff0) (i32.const 64)) (i64.const 0)`
	analyzeOK        = `(i64.const 0)`
)

func hostileRuntime(t *testing.T, files map[string][]byte, mod func(*Config)) *Runtime {
	t.Helper()
	files["conformance.wasm"] = conformanceWasm(t)
	return newRuntime(t, modulesDir(t, files), func(c *Config) {
		// Generous timeouts: only the loop cases run into a deadline, and they bring their own.
		c.Limits = Limits{Timeout: time.Minute, MemoryPages: 64, OutputBytes: 32 << 10, LogBytes: 1024}
		c.PerModule = map[string]Limits{"probe": {MemoryPages: 256}}
		if mod != nil {
			mod(c)
		}
	})
}

func TestHostileWAT(t *testing.T) {
	enforced := testEngine() == engineWazero
	tests := []struct {
		name      string
		analyze   string
		status    analysisv1.ModuleStatus
		errSubstr string
		needsStop bool // the engine must interrupt the guest
	}{
		{"infinite loop in analyze", analyzeLoop, analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, "deadline exceeded", true},
		{"unbounded memory.grow", analyzeGrow, analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED, "memory limit", false},
		{"unreachable", analyzeTrap, analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "trap", false},
		{"divide by zero", analyzeDivZero, analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "trap", false},
		{"result pointer outside memory", analyzeBadPtr, analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "outside memory", false},
		{"result length outside memory", analyzeBadLen, analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "outside memory", false},
		{"oversized output", analyzeBigOutput, analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED, "output limit", false},
		{"undecodable output", analyzeGarbage, analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "decode AnalyzeResponse", false},
		{"emit pointer outside memory", analyzeBadEmit, analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "athena.emit", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needsStop && !enforced {
				t.Skipf("engine %s cannot interrupt a running guest", testEngine())
			}
			r := hostileRuntime(t, map[string][]byte{"hostile.wasm": wat(t, hostileWAT("hostile", "", tt.analyze))}, nil)
			for i := 0; i < 2; i++ { // twice: the discarded instance is replaced
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				if tt.needsStop {
					ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
				}
				resp, err := r.Invoke(ctx, "hostile", &modulev1.AnalyzeRequest{Content: []byte("x")})
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				wantStatus(t, resp, tt.status, tt.errSubstr)
				if resp.GetInstanceReused() {
					t.Error("a failed instance was reused")
				}
				stillServes(t, r)
			}
		})
	}
}

func TestHostileLoopInInitialize(t *testing.T) {
	if testEngine() != engineWazero {
		t.Skipf("engine %s cannot interrupt _initialize", testEngine())
	}
	r := hostileRuntime(t, map[string][]byte{"initloop.wasm": wat(t, hostileWAT("initloop", `(loop $l (br $l))`, analyzeOK))}, func(c *Config) {
		c.Limits.Timeout = 300 * time.Millisecond
		c.PerModule = map[string]Limits{"wat-conformance": {Timeout: time.Minute}}
	})
	for _, m := range r.Modules() {
		if m.GetName() == "initloop" {
			t.Fatal("a module whose _initialize never returns was loaded")
		}
	}
	stillServes(t, r)
}

func TestHostileRejectedAtLoad(t *testing.T) {
	tests := []struct {
		name   string
		wasm   func(t *testing.T) []byte
		reason string
	}{
		{"not WASM", func(*testing.T) []byte { return []byte("MZ this is a PE, not wasm") }, "not a WebAssembly module"},
		{"empty file", func(*testing.T) []byte { return nil }, "not a WebAssembly module"},
		{"truncated WASM", func(t *testing.T) []byte { b := conformanceWasm(t); return b[:len(b)/2] }, "compile"},
		{"missing exports", func(t *testing.T) []byte { return wat(t, `(module (memory (export "memory") 1))`) }, "missing export athena_alloc"},
		{"wrong signature", func(t *testing.T) []byte {
			return wat(t, strings.Replace(hostileWAT("sig", "", analyzeOK), "(param $in i32) (param $len i32) (result i64) (i64.const 0))", "(param $in i32) (param $len i32) (result i32) (i32.const 0))", 1))
		}, "export athena_analyze is (i32,i32)->(i32)"},
		{"describe returns garbage", func(t *testing.T) []byte {
			return wat(t, strings.Replace(hostileWAT("garbage", "", analyzeOK), "(i64.const 16) (i64.const 32)", "(i64.const 0) (i64.const 32)", 1))
		}, "decode ModuleInfo"},
		{"describe traps", func(t *testing.T) []byte {
			return wat(t, strings.Replace(hostileWAT("dtrap", "", analyzeOK), "(result i64)\n", "(result i64) unreachable\n", 1))
		}, "athena_describe"},
		{"init traps", func(t *testing.T) []byte { return wat(t, hostileWAT("itrap", "unreachable", analyzeOK)) }, "instantiate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wasm := tt.wasm(t)
			r := hostileRuntime(t, map[string][]byte{}, nil)
			if err := os.WriteFile(r.cfg.ModulesDir+"/bad.wasm", wasm, 0o644); err != nil {
				t.Fatal(err)
			}
			resp, err := r.Reload(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.GetRejected()) != 1 || !strings.Contains(resp.GetRejected()[0], tt.reason) || len(resp.GetLoaded()) != 0 {
				t.Fatalf("reload = %v, want one rejection containing %q", resp, tt.reason)
			}
			if n := len(r.Modules()); n != 1 {
				t.Errorf("%d modules loaded, want only the conformance module", n)
			}
			stillServes(t, r)
		})
	}
}

func TestHostileGoGuest(t *testing.T) {
	enforced := testEngine() == engineWazero
	tests := []struct {
		name      string
		options   map[string]string
		status    analysisv1.ModuleStatus
		errSubstr string
		notes     []string
		needsStop bool
	}{
		{"infinite loop", map[string]string{"mode": "loop"}, analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, "deadline exceeded", nil, true},
		{"emitted work survives the deadline", map[string]string{"mode": "emit-loop"}, analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, "deadline exceeded", []string{"before loop"}, true},
		{"unbounded allocation", map[string]string{"mode": "alloc"}, analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED, "memory limit", nil, false},
		{"Go panic kills the guest runtime", map[string]string{"mode": "crash"}, analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "probe crash", nil, false},
		{"oversized output", map[string]string{"mode": "big", "size": "100000"}, analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED, "output limit", nil, false},
		{"oversized emits", map[string]string{"mode": "emit", "count": "5000"}, analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED, "output limit", nil, false},
	}
	r := hostileRuntime(t, map[string][]byte{"probe.wasm": probeWasm(t)}, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needsStop && !enforced {
				t.Skipf("engine %s cannot interrupt a running guest", testEngine())
			}
			// Loops are stopped by the caller's deadline, the rest must end on their own.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if tt.needsStop {
				ctx, cancel = context.WithTimeout(context.Background(), time.Second)
			}
			defer cancel()
			resp, err := r.Invoke(ctx, "probe", &modulev1.AnalyzeRequest{Content: []byte("x"), Options: tt.options})
			if err != nil {
				t.Fatal(err)
			}
			wantStatus(t, resp, tt.status, tt.errSubstr)
			if tt.notes != nil && fmt.Sprint(resp.GetResponse().GetNotes()) != fmt.Sprint(tt.notes) {
				t.Errorf("notes = %q, want %q", resp.GetResponse().GetNotes(), tt.notes)
			}
			if ok := invoke(t, r, "probe", nil); ok.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_OK || ok.GetInstanceReused() {
				t.Errorf("next probe call: %v (reused %v), want OK on a fresh instance", ok.GetStatus(), ok.GetInstanceReused())
			}
			stillServes(t, r)
		})
	}
}

// TestHostileCallerDeadline: the caller's deadline, shorter than the module's, stops the guest
// and the response still comes back as a status rather than a Go error.
func TestHostileCallerDeadline(t *testing.T) {
	if testEngine() != engineWazero {
		t.Skipf("engine %s cannot interrupt a running guest", testEngine())
	}
	r := hostileRuntime(t, map[string][]byte{"hostile.wasm": wat(t, hostileWAT("hostile", "", analyzeLoop))}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	resp, err := r.Invoke(ctx, "hostile", &modulev1.AnalyzeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, "deadline exceeded")

	// A cancelled caller is not a deadline.
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	resp, err = r.Invoke(ctx, "hostile", &modulev1.AnalyzeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "cancelled")
	stillServes(t, r)
}

// TestHostilePoolExhausted: with every instance stuck, a caller waits until its deadline and
// then gets RESOURCE_EXHAUSTED with a message saying why.
func TestHostilePoolExhausted(t *testing.T) {
	if testEngine() != engineWazero {
		t.Skipf("engine %s cannot interrupt a running guest", testEngine())
	}
	r := hostileRuntime(t, map[string][]byte{"hostile.wasm": wat(t, hostileWAT("hostile", "", analyzeLoop))}, func(c *Config) {
		c.PoolSize = 2
		c.PerModule = map[string]Limits{"hostile": {Timeout: 3 * time.Second}}
	})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := r.Invoke(context.Background(), "hostile", &modulev1.AnalyzeRequest{})
			if err != nil || resp.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED {
				t.Errorf("stuck call: %v %v", resp, err)
			}
		}()
	}
	r.mu.RLock()
	p := r.modules["hostile"].pool
	r.mu.RUnlock()
	for len(p.slots) < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	resp, err := r.Invoke(ctx, "hostile", &modulev1.AnalyzeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED, "all 2 instances of hostile busy")
	wg.Wait()
	stillServes(t, r)
}
