package wasmruntime

import (
	"bufio"
	"context"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	"github.com/prometheus/client_golang/prometheus"
	promtest "github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestTelemetry(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev); _ = tp.Shutdown(context.Background()) })

	reg := prometheus.NewRegistry()
	r := newRuntime(t, modulesDir(t, map[string][]byte{
		"conformance.wasm": conformanceWasm(t),
		"hostile.wasm":     wat(t, hostileWAT("hostile", "", analyzeTrap)),
	}), func(c *Config) { c.Registerer = reg })

	invoke(t, r, "wat-conformance", &modulev1.AnalyzeRequest{Content: []byte("12345")})
	invoke(t, r, "wat-conformance", nil)
	wantStatus(t, invoke(t, r, "hostile", nil), analysisv1.ModuleStatus_MODULE_STATUS_ERROR, "trap")

	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want one per invocation (3)", len(spans))
	}
	attrs := func(i int) map[attribute.Key]attribute.Value {
		m := map[attribute.Key]attribute.Value{}
		for _, kv := range spans[i].Attributes() {
			m[kv.Key] = kv.Value
		}
		return m
	}
	first := attrs(0)
	for key, want := range map[attribute.Key]string{
		"athena.module": "wat-conformance", "athena.module.version": "1.0.0", "athena.outcome": "ok", "athena.instance": "fresh",
	} {
		if got := first[key].AsString(); got != want {
			t.Errorf("span attribute %s = %q, want %q", key, got, want)
		}
	}
	if first["athena.input_bytes"].AsInt64() != 5 || first["athena.output_bytes"].AsInt64() == 0 {
		t.Errorf("input/output bytes = %v/%v", first["athena.input_bytes"], first["athena.output_bytes"])
	}
	if got := attrs(1)["athena.instance"].AsString(); got != "reused" {
		t.Errorf("second call instance = %q", got)
	}
	if got := attrs(2)["athena.outcome"].AsString(); got != outcomeTrap {
		t.Errorf("hostile outcome = %q", got)
	}

	if got := promtest.ToFloat64(r.metrics.invocations.WithLabelValues("wat-conformance", "ok")); got != 2 {
		t.Errorf("ok invocations = %v, want 2", got)
	}
	if got := promtest.ToFloat64(r.metrics.invocations.WithLabelValues("hostile", "trap")); got != 1 {
		t.Errorf("trap invocations = %v, want 1", got)
	}
	n, err := promtest.GatherAndCount(reg, "athena_wasm_invocation_duration_seconds", "athena_wasm_pool_instances",
		"athena_wasm_pool_in_use", "athena_wasm_memory_pages", "athena_wasm_compile_seconds")
	if err != nil || n == 0 {
		t.Errorf("gather: %d series, %v", n, err)
	}
}

// TestGuestLogsAreBounded: a guest printing far more than LogBytes costs the host LogBytes.
func TestGuestLogsAreBounded(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev); _ = tp.Shutdown(context.Background()) })
	r := newRuntime(t, modulesDir(t, map[string][]byte{"probe.wasm": probeWasm(t)}), func(c *Config) { c.Limits.LogBytes = 100 })
	wantStatus(t, invoke(t, r, "probe", &modulev1.AnalyzeRequest{Options: map[string]string{"mode": "print", "size": "50000"}}),
		analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
	spans := rec.Ended()
	if len(spans) != 1 || len(spans[0].Events()) != 1 {
		t.Fatalf("spans %d, want one with a guest output event", len(spans))
	}
	for _, kv := range spans[0].Events()[0].Attributes {
		switch kv.Key {
		case "stdout", "stderr":
			if n := len(kv.Value.AsString()); n != 100 {
				t.Errorf("%s captured %d bytes, want 100", kv.Key, n)
			}
		case "stdout_dropped_bytes", "stderr_dropped_bytes":
			if kv.Value.AsInt64() < 49000 {
				t.Errorf("%s = %d", kv.Key, kv.Value.AsInt64())
			}
		}
	}
}

func rssBytes(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// TestHostileThousandCalls: 1,000 hostile calls in a row leave memory where it was (goleak in
// TestMain checks the goroutines) and the runtime serving.
func TestHostileThousandCalls(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	bodies := []string{analyzeTrap, analyzeDivZero, analyzeBadPtr, analyzeBadLen, analyzeBigOutput, analyzeGarbage, analyzeBadEmit, analyzeGrow}
	files := map[string][]byte{}
	for i, b := range bodies {
		files["h"+strconv.Itoa(i)+".wasm"] = wat(t, hostileWAT("h"+strconv.Itoa(i), "", b))
	}
	stoppable := testEngine() == engineWazero
	if stoppable {
		files["loop.wasm"] = wat(t, hostileWAT("loop", "", analyzeLoop))
	}
	r := hostileRuntime(t, files, func(c *Config) {
		c.PerModule = map[string]Limits{"loop": {Timeout: 5 * time.Millisecond}}
	})
	call := func(i int) {
		name := "h" + strconv.Itoa(i%len(bodies))
		if stoppable && i%50 == 0 {
			name = "loop"
		}
		resp := invoke(t, r, name, &modulev1.AnalyzeRequest{Content: []byte("hostile")})
		if resp.GetStatus() == analysisv1.ModuleStatus_MODULE_STATUS_OK {
			t.Fatalf("hostile call %d to %s succeeded", i, name)
		}
	}
	for i := range 100 {
		call(i)
	}
	debug.FreeOSMemory()
	before := rssBytes(t)
	for i := range 1000 {
		call(i)
	}
	stillServes(t, r)
	debug.FreeOSMemory()
	after := rssBytes(t)
	t.Logf("RSS before %d MiB, after 1000 hostile calls %d MiB", before>>20, after>>20)
	if after-before > 64<<20 {
		t.Errorf("RSS grew by %d MiB over 1000 hostile calls", (after-before)>>20)
	}
}
