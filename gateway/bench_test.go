package gateway

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/internal/grpcserver"
	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkRESTAnalyze posts a 1.2 MB sample to /v1/analyses and reads the report, the
// scripted orchestrator behind the gateway answering over bufconn. "in-process" is the REST
// handler as served, reaching the gateway's gRPC API through grpcserver's Local connection;
// "self-dial" reaches it over a Unix socket, as `serve all` did before (docs/architecture.md).
// The difference is the cost of that hop.
func BenchmarkRESTAnalyze(b *testing.B) {
	e := newEnv(b, Config{}, 0)
	lis, err := net.Listen("unix", filepath.Join(b.TempDir(), "gateway.sock"))
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan struct{})
	go func() { defer close(served); _ = e.srv.Serve(lis) }()
	conn, err := grpcserver.Dial("unix://" + lis.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		conn.Close()
		e.srv.Stop()
		<-served
	})
	reg := prometheus.NewRegistry()
	h, err := NewHTTPHandler(context.Background(), HTTPConfig{
		Self: conn, Ready: func(context.Context) error { return nil }, Gatherer: reg, Registerer: reg,
	})
	if err != nil {
		b.Fatal(err)
	}
	selfDial := httptest.NewServer(h)
	b.Cleanup(selfDial.Close)

	sample := make([]byte, 1245047) // the size of the MinGW PE of docs/benchmarks.md
	r := rand.New(rand.NewPCG(1, 2))
	for i := range sample {
		sample[i] = byte(r.Uint32())
	}
	body := analyzeBody(string(sample))
	for _, bc := range []struct{ name, url string }{{"in-process", e.http.URL}, {"self-dial", selfDial.URL}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(sample)))
			b.ReportAllocs()
			for b.Loop() {
				resp, err := http.Post(bc.url+"/v1/analyses", "application/json", strings.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				report, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(report), `"size":"1245047"`) {
					b.Fatalf("status %d: %.200s", resp.StatusCode, report)
				}
			}
		})
	}
}
