package mesh

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/testutil"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"
)

// readyTimeout bounds the wait for a mesh to become ready. Loading the seven modules on a cold
// wazero compilation cache on a loaded 2-core machine takes minutes, so it is generous; it is
// a setup limit, never an assertion about speed. (Test binaries use wazero's "dev" cache
// directory, not the one `make build` fills, and compile about ten times slower under -race.)
const readyTimeout = 10 * time.Minute

// shared is the one in-process mesh of this package, started by the first test that needs it
// and stopped in TestMain, with the span recorder installed before any service was built.
var shared struct {
	once   sync.Once
	err    error
	addrs  Addrs
	rec    *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	cancel context.CancelFunc
	done   chan error
}

// sharedMesh returns the addresses of the running in-process mesh.
func sharedMesh(t *testing.T) (Addrs, *tracetest.SpanRecorder) {
	t.Helper()
	shared.once.Do(func() {
		modules := testutil.ModulesDir(t)
		// The recorder must be the global provider before All builds the otelgrpc and otelhttp
		// handlers, which take the global provider when they are created.
		shared.rec = tracetest.NewSpanRecorder()
		shared.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(shared.rec))
		otel.SetTracerProvider(shared.tp)
		otel.SetTextMapPropagator(propagation.TraceContext{})

		ctx, cancel := context.WithCancel(context.Background())
		shared.cancel = cancel
		shared.done = make(chan error, 1)
		up := make(chan Addrs, 1)
		opts := Options{
			ModulesDir:  modules,
			Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
			GracePeriod: 10 * time.Second,
		}
		go func() { shared.done <- All(ctx, opts, Addrs{}, func(a Addrs) { up <- a }) }()
		select {
		case shared.addrs = <-up:
		case err := <-shared.done:
			shared.err = fmt.Errorf("mesh stopped before listening: %w", err)
			shared.done <- err
			return
		}
		shared.err = waitReady(ctx, "http://"+shared.addrs.HTTP)
	})
	if shared.err != nil {
		t.Fatalf("shared mesh: %v", shared.err)
	}
	return shared.addrs, shared.rec
}

// waitReady polls /readyz until it answers 200.
func waitReady(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var last string
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, b)
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s/readyz not ready: %w (last answer: %s)", base, ctx.Err(), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
		if err := <-shared.done; err != nil {
			fmt.Fprintf(os.Stderr, "mesh shutdown: %v\n", err)
			code = 1
		}
		_ = shared.tp.Shutdown(context.Background())
	}
	http.DefaultClient.CloseIdleConnections()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}
