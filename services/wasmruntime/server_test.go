package wasmruntime

import (
	"context"
	"net"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

func TestServer(t *testing.T) {
	r := newRuntime(t, modulesDir(t, map[string][]byte{"conformance.wasm": conformanceWasm(t)}), nil)
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	wasmruntimev1.RegisterWasmRuntimeServiceServer(srv, NewServer(r))
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	client := wasmruntimev1.NewWasmRuntimeServiceClient(conn)
	ctx := context.Background()

	tests := []struct {
		name string
		req  *wasmruntimev1.InvokeRequest
		code codes.Code
	}{
		{"ok", &wasmruntimev1.InvokeRequest{Module: "wat-conformance", Request: &modulev1.AnalyzeRequest{Content: []byte("x")}}, codes.OK},
		{"nil request is empty", &wasmruntimev1.InvokeRequest{Module: "wat-conformance"}, codes.OK},
		{"empty module name", &wasmruntimev1.InvokeRequest{}, codes.InvalidArgument},
		{"unknown module", &wasmruntimev1.InvokeRequest{Module: "nope"}, codes.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := client.Invoke(ctx, tt.req)
			if got := status.Code(err); got != tt.code {
				t.Fatalf("code = %v (%v), want %v", got, err, tt.code)
			}
			if tt.code == codes.OK && resp.GetStatus() != analysisv1.ModuleStatus_MODULE_STATUS_OK {
				t.Fatalf("status = %v", resp.GetStatus())
			}
		})
	}

	list, err := client.ListModules(ctx, &wasmruntimev1.ListModulesRequest{})
	if err != nil || len(list.GetModules()) != 1 || list.GetModulesVersion() != r.Version() {
		t.Fatalf("ListModules = %v, %v", list, err)
	}
	reload, err := client.ReloadModules(ctx, &wasmruntimev1.ReloadModulesRequest{})
	if err != nil || reload.GetModulesVersion() != r.Version() {
		t.Fatalf("ReloadModules = %v, %v", reload, err)
	}
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Invoke(ctx, &wasmruntimev1.InvokeRequest{Module: "wat-conformance"}); status.Code(err) != codes.Unavailable {
		t.Fatalf("after Close: %v, want Unavailable", err)
	}
}
