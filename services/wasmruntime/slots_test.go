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
	if r.guests.size != 1 {
		t.Fatalf("%d guest slots, want 1", r.guests.size)
	}
	spinning := make(chan *wasmruntimev1.InvokeResponse, 1)
	go func() {
		resp, err := r.Invoke(context.Background(), "probe", spin("1500"))
		if err != nil {
			t.Error(err)
		}
		spinning <- resp
	}()
	for deadline := time.Now().Add(30 * time.Second); r.guests.held() == 0; time.Sleep(time.Millisecond) {
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
	if n := r.guests.held(); n != 0 {
		t.Errorf("%d guest slots still held after every call returned", n)
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

// TestGuestSlotsLeaveOneForTheLead: while a content's rank-1 call has no slot, its other
// calls leave one free for it (here within the grace period); a lone slot is never held back;
// the gate opening wakes them, and so does the end of the grace period.
func TestGuestSlotsLeaveOneForTheLead(t *testing.T) {
	short := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), leadGrace/2)
		t.Cleanup(cancel)
		return ctx
	}
	s, gate := newGuestSlots(2), newLeadGate()
	if err := s.acquire(short(), gate.c); err != nil {
		t.Fatalf("a rank-2 call with both slots free: %v", err)
	}
	if err := s.acquire(short(), gate.c); err == nil {
		t.Fatal("a rank-3 call took the slot left for the lead")
	}
	if err := s.acquire(short(), nil); err != nil {
		t.Fatalf("the lead did not get the slot left for it: %v", err)
	}
	s.release()
	woke := make(chan error, 1)
	go func() { woke <- s.acquire(context.Background(), gate.c) }()
	select {
	case err := <-woke:
		t.Fatalf("a rank-3 call took the last slot before the lead started (%v)", err)
	case <-time.After(leadGrace / 2):
	}
	gate.open()
	select {
	case err := <-woke:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("opening the gate did not wake the waiting call")
	}
	if s.held() != 2 {
		t.Fatalf("%d slots held, want 2", s.held())
	}

	one := newGuestSlots(1)
	if err := one.acquire(short(), newLeadGate().c); err != nil {
		t.Fatalf("with one slot in all, a rank-2 call waits for nothing: %v", err)
	}

	// A rank-1 call that never comes: after the grace period the last slot is taken.
	late := newGuestSlots(2)
	if err := late.acquire(short(), nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := late.acquire(ctx, newLeadGate().c); err != nil {
		t.Fatalf("a rank-2 call still waited for a rank-1 call long after the grace period: %v", err)
	}
}

// TestRankedCallsOverKeptContent: through InvokeKept on a real guest, with two slots, a
// running rank-2 guest and a waiting rank-3 call leave the second slot to the rank-1 call, which
// starts at once; after it, rank 3 runs. (The grace period is lengthened so that the test does
// not race it.)
func TestRankedCallsOverKeptContent(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"probe.wasm": probeWasm(t)}), func(c *Config) { c.GuestSlots = 2 })
	r.guests.grace = time.Minute
	h, err := r.KeepContent([]byte("ranked"))
	if err != nil {
		t.Fatal(err)
	}
	spinning := make(chan *wasmruntimev1.InvokeResponse, 1)
	go func() {
		resp, err := r.InvokeKept(context.Background(), "probe", h, 2, spin("1000"))
		if err != nil {
			t.Error(err)
		}
		spinning <- resp
	}()
	for deadline := time.Now().Add(30 * time.Second); r.guests.held() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the rank-2 guest never took a slot")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	resp, err := r.InvokeKept(ctx, "probe", h, 3, &modulev1.AnalyzeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, "guest slots")

	lead, err := r.InvokeKept(context.Background(), "probe", h, 1, &modulev1.AnalyzeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, lead, analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
	if w := <-spinning; w.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_OK {
		t.Fatalf("rank 2: %v %s", w.GetStatus(), w.GetError())
	}
	after := invokeKeptRank(t, r, h, 3)
	wantStatus(t, after, analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
}

func invokeKeptRank(t *testing.T, r *Runtime, h string, rank uint32) *wasmruntimev1.InvokeResponse {
	t.Helper()
	resp, err := r.InvokeKept(context.Background(), "probe", h, rank, &modulev1.AnalyzeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
