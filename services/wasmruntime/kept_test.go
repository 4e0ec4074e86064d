package wasmruntime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

func TestKeptStore(t *testing.T) {
	now := time.Unix(1000, 0)
	s := newKeptStore(100, time.Minute)
	s.now = func() time.Time { return now }

	a, err := s.Keep(bytes.Repeat([]byte("a"), 60))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Keep(bytes.Repeat([]byte("b"), 41)); !errors.Is(err, ErrKeptFull) {
		t.Fatalf("over the limit: %v, want ErrKeptFull", err)
	}
	b, err := s.Keep(bytes.Repeat([]byte("b"), 40))
	if err != nil || a == b || len(a) != 32 {
		t.Fatalf("second keep: %q, %v (first %q)", b, err, a)
	}
	if s.Bytes() != 100 {
		t.Fatalf("bytes = %d, want 100", s.Bytes())
	}

	// Use renews: a is used at +50s, so at +90s only b (unused since 0) has expired.
	now = now.Add(50 * time.Second)
	if got, err := s.Kept(a); err != nil || len(got) != 60 {
		t.Fatalf("Kept(a) = %d bytes, %v", len(got), err)
	}
	now = now.Add(40 * time.Second)
	if _, err := s.Kept(b); !errors.Is(err, ErrNotKept) {
		t.Fatalf("expired: %v, want ErrNotKept", err)
	}
	if s.Bytes() != 60 {
		t.Fatalf("bytes after expiry = %d, want 60", s.Bytes())
	}

	s.Release(a)
	s.Release(a) // twice is fine
	s.Release("unknown")
	if _, err := s.Kept(a); !errors.Is(err, ErrNotKept) {
		t.Fatalf("released: %v, want ErrNotKept", err)
	}
	if s.Bytes() != 0 {
		t.Fatalf("bytes after release = %d", s.Bytes())
	}
}

// TestKeptContentOverGRPC runs a real Go guest over gRPC on content kept by KeepContent: every
// call sees exactly the kept bytes, concurrent calls share them, and every misuse gets its
// documented code while the runtime keeps serving.
func TestKeptContentOverGRPC(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"probe.wasm": probeWasm(t)}), func(c *Config) { c.KeptBytes = 1 << 20 })
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.MaxRecvMsgSize(4 << 20))
	wasmruntimev1.RegisterWasmRuntimeServiceServer(srv, NewServer(r))
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(4<<20)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	client := wasmruntimev1.NewWasmRuntimeServiceClient(conn)
	ctx := context.Background()

	content := make([]byte, 700<<10)
	for i := range content {
		content[i] = byte(i * 7 / 3)
	}
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	kept, err := client.KeepContent(ctx, &wasmruntimev1.KeepContentRequest{Content: content})
	if err != nil {
		t.Fatal(err)
	}
	digest := &modulev1.AnalyzeRequest{Options: map[string]string{"mode": "digest"}}

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			resp, err := client.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: "probe", Request: digest, ContentHandle: kept.GetHandle()})
			if err != nil {
				errs <- err
				return
			}
			if got := resp.GetResponse().GetNotes(); len(got) != 1 || got[0] != want {
				errs <- errors.New("guest saw other content: " + got[0])
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	misuse := []struct {
		name string
		call func() error
		code codes.Code
	}{
		{"content and handle", func() error {
			_, err := client.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: "probe", ContentHandle: kept.GetHandle(),
				Request: &modulev1.AnalyzeRequest{Content: []byte("x")}})
			return err
		}, codes.InvalidArgument},
		{"unknown handle", func() error {
			_, err := client.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: "probe", ContentHandle: "feed", Request: digest})
			return err
		}, codes.FailedPrecondition},
		{"over the limit", func() error {
			_, err := client.KeepContent(ctx, &wasmruntimev1.KeepContentRequest{Content: content})
			return err
		}, codes.ResourceExhausted},
		{"handle without request", func() error {
			_, err := client.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: "probe", ContentHandle: kept.GetHandle()})
			return err
		}, codes.OK},
	}
	for _, m := range misuse {
		if got := status.Code(m.call()); got != m.code {
			t.Errorf("%s: code %v, want %v", m.name, got, m.code)
		}
	}

	if _, err := client.ReleaseContent(ctx, &wasmruntimev1.ReleaseContentRequest{Handle: kept.GetHandle()}); err != nil {
		t.Fatal(err)
	}
	if r.kept.Bytes() != 0 {
		t.Fatalf("kept bytes after release = %d", r.kept.Bytes())
	}
	if _, err := client.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: "probe", Request: digest, ContentHandle: kept.GetHandle()}); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("released handle: %v, want FailedPrecondition", err)
	}
	// Room again: the same content can be kept anew.
	if _, err := client.KeepContent(ctx, &wasmruntimev1.KeepContentRequest{Content: content}); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := client.KeepContent(ctx, &wasmruntimev1.KeepContentRequest{Content: content}); status.Code(err) != codes.Unavailable {
		t.Fatalf("KeepContent after Close: %v, want Unavailable", err)
	}
}
