package wasmruntime

import (
	"context"
	"testing"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
)

func spin(ms string) *modulev1.AnalyzeRequest {
	return &modulev1.AnalyzeRequest{Options: map[string]string{"mode": "spin", "ms": ms}}
}

// TestGuestSlots: with one guest slot, a call that arrives while a guest runs waits for the
// slot — here past its deadline, so its guest never starts and the answer names the slots —
// and the running guest is not disturbed.
func TestGuestSlots(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"probe.wasm": probeWasm(t)}), func(c *Config) { c.GuestSlots = 1 })
	if cap(r.guests) != 1 {
		t.Fatalf("%d guest slots, want 1", cap(r.guests))
	}
	spinning := make(chan *wasmruntimev1.InvokeResponse, 1)
	go func() {
		resp, err := r.Invoke(context.Background(), "probe", spin("1500"))
		if err != nil {
			t.Error(err)
		}
		spinning <- resp
	}()
	for deadline := time.Now().Add(30 * time.Second); len(r.guests) == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the spinning guest never took the slot")
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	resp, err := r.Invoke(ctx, "probe", &modulev1.AnalyzeRequest{Content: []byte("waits")})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, "guest slots")
	if resp.DurationMs != 0 {
		t.Errorf("the waiting call reports %d ms of guest time; its guest never ran", resp.DurationMs)
	}

	done := <-spinning
	wantStatus(t, done, analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
	if done.DurationMs < 1500 {
		t.Errorf("the spinning guest ran %d ms, want its 1500", done.DurationMs)
	}
	if len(r.guests) != 0 {
		t.Errorf("%d guest slots still held after every call returned", len(r.guests))
	}
}

// TestGuestSlotFreedAtDeadline: a guest cut at its deadline frees its slot for the next call,
// also on an engine that cannot stop it (it spins on, abandoned, without holding the slot).
func TestGuestSlotFreedAtDeadline(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"probe.wasm": probeWasm(t)}), func(c *Config) { c.GuestSlots = 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	resp, err := r.Invoke(ctx, "probe", spin("2000"))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, "deadline")
	resp = invoke(t, r, "probe", &modulev1.AnalyzeRequest{Content: []byte("next")})
	wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
}
