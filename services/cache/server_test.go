package cache

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/testing/protocmp"

	athenatest "github.com/athena-mesh/athena/internal/testutil"
	cachev1 "github.com/athena-mesh/athena/proto/gen/athena/cache/v1"
)

const healthName = "athena.cache.v1.CacheService"

type harness struct {
	client cachev1.CacheServiceClient
	health healthpb.HealthClient
	srv    *Server
	reg    *prometheus.Registry
}

// serve runs a Server over bufconn with the health service and WatchHealth, all stopped at
// cleanup.
func serve(t *testing.T, b Backend, opts ...Option) *harness {
	t.Helper()
	reg := prometheus.NewRegistry()
	srv := NewServer(b, append([]Option{WithRegisterer(reg), WithHealthInterval(20 * time.Millisecond)}, opts...)...)
	lis := bufconn.Listen(1 << 20)
	gs := grpc.NewServer()
	hs := health.NewServer()
	cachev1.RegisterCacheServiceServer(gs, srv)
	healthpb.RegisterHealthServer(gs, hs)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = gs.Serve(lis) }()
	go func() { defer wg.Done(); srv.WatchHealth(ctx, hs, healthName) }()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		cancel()
		gs.Stop()
		wg.Wait()
	})
	return &harness{client: cachev1.NewCacheServiceClient(conn), health: healthpb.NewHealthClient(conn), srv: srv, reg: reg}
}

func TestServerRoundTrip(t *testing.T) {
	h := serve(t, NewMemory(MemoryConfig{}))
	ctx := context.Background()
	if _, err := h.client.Set(ctx, &cachev1.SetRequest{Entry: &cachev1.Entry{Key: "k", Value: []byte("v"), TtlMs: 60_000, Tags: []string{"t"}}}); err != nil {
		t.Fatal(err)
	}
	got, err := h.client.Get(ctx, &cachev1.GetRequest{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if !got.GetFound() || string(got.GetValue()) != "v" || got.GetTtlMs() <= 0 || got.GetTtlMs() > 60_000 {
		t.Fatalf("Get = %v", got)
	}
	if _, err := h.client.BatchSet(ctx, &cachev1.BatchSetRequest{Entries: []*cachev1.Entry{
		{Key: "a", Value: []byte("1"), Tags: []string{"t"}}, {Key: "b", Value: []byte("2")},
	}}); err != nil {
		t.Fatal(err)
	}
	bg, err := h.client.BatchGet(ctx, &cachev1.BatchGetRequest{Keys: []string{"b", "zz", "a"}})
	if err != nil {
		t.Fatal(err)
	}
	want := &cachev1.BatchGetResponse{Entries: []*cachev1.Entry{{Key: "b", Value: []byte("2")}, {Key: "a", Value: []byte("1"), Tags: []string{"t"}}}}
	if d := cmp.Diff(want, bg, protocmp.Transform()); d != "" {
		t.Fatalf("BatchGet (-want +got):\n%s", d)
	}
	inv, err := h.client.InvalidateTag(ctx, &cachev1.InvalidateTagRequest{Tag: "t"})
	if err != nil || inv.GetDeleted() != 2 {
		t.Fatalf("InvalidateTag = %v, %v; want 2", inv, err)
	}
	del, err := h.client.Delete(ctx, &cachev1.DeleteRequest{Keys: []string{"a", "b"}})
	if err != nil || del.GetDeleted() != 1 {
		t.Fatalf("Delete = %v, %v; want 1", del, err)
	}
	st, err := h.client.Stats(ctx, &cachev1.StatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	wantStats := &cachev1.StatsResponse{Backend: "memory", Hits: 3, Misses: 1, Keys: 0, Healthy: true}
	if d := cmp.Diff(wantStats, st, protocmp.Transform()); d != "" {
		t.Fatalf("Stats (-want +got):\n%s", d)
	}
	if got := testutil.ToFloat64(h.srv.m.hits.WithLabelValues("memory")); got != 3 {
		t.Errorf("athena_cache_hits_total = %v, want 3", got)
	}
	if got := testutil.ToFloat64(h.srv.m.misses.WithLabelValues("memory")); got != 1 {
		t.Errorf("athena_cache_misses_total = %v, want 1", got)
	}
	if n, err := testutil.GatherAndCount(h.reg, "athena_cache_request_duration_seconds"); err != nil || n == 0 {
		t.Errorf("latency histogram series = %d, %v", n, err)
	}
}

func TestServerValidation(t *testing.T) {
	h := serve(t, NewMemory(MemoryConfig{}), WithMaxValueBytes(8))
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"get empty key", func() error { _, err := h.client.Get(ctx, &cachev1.GetRequest{}); return err }, "key is empty"},
		{"set no entry", func() error { _, err := h.client.Set(ctx, &cachev1.SetRequest{}); return err }, "entry is missing"},
		{"set empty key", func() error {
			_, err := h.client.Set(ctx, &cachev1.SetRequest{Entry: &cachev1.Entry{Value: []byte("v")}})
			return err
		}, "key is empty"},
		{"value too large", func() error {
			_, err := h.client.Set(ctx, &cachev1.SetRequest{Entry: &cachev1.Entry{Key: "k", Value: []byte("123456789")}})
			return err
		}, "limit 8"},
		{"negative ttl", func() error {
			_, err := h.client.Set(ctx, &cachev1.SetRequest{Entry: &cachev1.Entry{Key: "k", TtlMs: -1}})
			return err
		}, "negative"},
		{"key too long", func() error {
			_, err := h.client.Get(ctx, &cachev1.GetRequest{Key: strings.Repeat("k", MaxKeyBytes+1)})
			return err
		}, "limit 1024"},
		{"batch too large", func() error {
			_, err := h.client.BatchGet(ctx, &cachev1.BatchGetRequest{Keys: make([]string, MaxBatch+1)})
			return err
		}, "keys, limit"},
		{"batch set bad entry", func() error {
			_, err := h.client.BatchSet(ctx, &cachev1.BatchSetRequest{Entries: []*cachev1.Entry{{Key: "a"}, {}}})
			return err
		}, "key is empty"},
		{"delete empty key", func() error {
			_, err := h.client.Delete(ctx, &cachev1.DeleteRequest{Keys: []string{""}})
			return err
		}, "key is empty"},
		{"invalidate empty tag", func() error {
			_, err := h.client.InvalidateTag(ctx, &cachev1.InvalidateTagRequest{})
			return err
		}, "empty tag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want InvalidArgument containing %q", err, tc.want)
			}
		})
	}
}

func healthStatus(t *testing.T, h *harness) healthpb.HealthCheckResponse_ServingStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := h.health.Check(ctx, &healthpb.HealthCheckRequest{Service: healthName})
	if err != nil {
		t.Fatalf("health check: %v", err)
	}
	return r.GetStatus()
}

func waitHealth(t *testing.T, h *harness, want healthpb.HealthCheckResponse_ServingStatus) {
	t.Helper()
	waitFor(t, func() bool { return healthStatus(t, h) == want })
}

// TestRedisRecovery stops Redis under a running server: calls fail with UNAVAILABLE well before
// their (generous) deadline, health goes NOT_SERVING, and after a restart both recover with no
// intervention.
func TestRedisRecovery(t *testing.T) {
	rs := athenatest.StartRedisServer(t)
	b := newRedisBackend(t, rs.Addr())
	h := serve(t, b)
	ctx := context.Background()
	waitHealth(t, h, healthpb.HealthCheckResponse_SERVING)
	if _, err := h.client.Set(ctx, &cachev1.SetRequest{Entry: &cachev1.Entry{Key: "k", Value: []byte("v")}}); err != nil {
		t.Fatal(err)
	}

	rs.Stop()
	for _, name := range []string{"get", "set", "batchget", "invalidate"} {
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		var err error
		switch name {
		case "get":
			_, err = h.client.Get(cctx, &cachev1.GetRequest{Key: "k"})
		case "set":
			_, err = h.client.Set(cctx, &cachev1.SetRequest{Entry: &cachev1.Entry{Key: "k", Value: []byte("v")}})
		case "batchget":
			_, err = h.client.BatchGet(cctx, &cachev1.BatchGetRequest{Keys: []string{"k"}})
		case "invalidate":
			_, err = h.client.InvalidateTag(cctx, &cachev1.InvalidateTagRequest{Tag: "t"})
		}
		deadlineHit := cctx.Err() != nil
		cancel()
		if status.Code(err) != codes.Unavailable || deadlineHit {
			t.Fatalf("%s while Redis is down: %v (deadline hit: %v); want UNAVAILABLE before the deadline", name, err, deadlineHit)
		}
	}
	st, err := h.client.Stats(ctx, &cachev1.StatsRequest{})
	if err != nil || st.GetHealthy() {
		t.Fatalf("Stats while down = %v, %v; want healthy=false", st, err)
	}
	waitHealth(t, h, healthpb.HealthCheckResponse_NOT_SERVING)

	rs.Start()
	waitHealth(t, h, healthpb.HealthCheckResponse_SERVING)
	var got *cachev1.GetResponse
	waitFor(t, func() bool {
		got, err = h.client.Get(ctx, &cachev1.GetRequest{Key: "k"})
		return err == nil
	})
	if !got.GetFound() || string(got.GetValue()) != "v" {
		t.Fatalf("Get after restart = %v (data written before the stop must survive)", got)
	}
}

// TestRedisWithTelemetry checks that the redisotel-instrumented client (the production
// configuration) works end to end.
func TestRedisWithTelemetry(t *testing.T) {
	r, err := NewRedis(context.Background(), RedisConfig{Addrs: []string{athenatest.Redis(t)}, KeyPrefix: athenatest.KeyPrefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := serve(t, r)
	ctx := context.Background()
	if _, err := h.client.Set(ctx, &cachev1.SetRequest{Entry: &cachev1.Entry{Key: "k", Value: []byte("v")}}); err != nil {
		t.Fatal(err)
	}
	got, err := h.client.Get(ctx, &cachev1.GetRequest{Key: "k"})
	if err != nil || string(got.GetValue()) != "v" {
		t.Fatalf("Get = %v, %v", got, err)
	}
	st, err := h.client.Stats(ctx, &cachev1.StatsRequest{})
	if err != nil || st.GetBackend() != "redis" || st.GetKeys() != 1 || !st.GetHealthy() || st.GetMemoryBytes() <= 0 {
		t.Fatalf("Stats = %v, %v", st, err)
	}
}

func TestNewRedisUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := NewRedis(ctx, RedisConfig{Addrs: []string{"127.0.0.1:1"}, DisableTelemetry: true})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("NewRedis on a closed port = %v, want ErrUnavailable", err)
	}
}
