package mesh

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/grpcserver"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// TestListenLocal: a service behind the gateway listens on a Unix socket that gRPC reaches by
// its dial target, and on loopback when the socket's path is too long for the system.
func TestListenLocal(t *testing.T) {
	dir := t.TempDir()
	l, err := listenLocal(dir, "svc")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dialTarget(l), "unix:"+filepath.Join(dir, "svc.sock"); got != want {
		t.Fatalf("dial target %q, want %q", got, want)
	}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go func() { _ = srv.Serve(l) }()
	defer srv.Stop()
	conn, err := grpcserver.Dial(dialTarget(l))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil || resp.Status != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health over the Unix socket: %v, %v", resp, err)
	}

	long := filepath.Join(t.TempDir(), strings.Repeat("d", 120))
	if err := os.Mkdir(long, 0o700); err != nil {
		t.Fatal(err)
	}
	l2, err := listenLocal(long, "svc")
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if l2.Addr().Network() != "tcp" || !strings.HasPrefix(dialTarget(l2), "127.0.0.1:") {
		t.Errorf("with a %d-byte socket path: %s listener, target %q; want loopback TCP", len(long)+9, l2.Addr().Network(), dialTarget(l2))
	}
}
