package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/athena-mesh/athena/internal/grpcserver"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protojson"
)

// spanRecorder keeps the ended spans of the in-process mesh, reduced to what the stage
// breakdown needs. It is a SpanProcessor, so spans are recorded whatever the exporter setup.
type spanRecorder struct {
	mu    sync.Mutex
	spans []recordedSpan
}

// recordedSpan is one ended span.
type recordedSpan struct {
	trace        trace.TraceID
	id, parent   trace.SpanID
	name, module string
	depth        int
	start, end   time.Time
}

func (r *spanRecorder) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (r *spanRecorder) Shutdown(context.Context) error                  { return nil }
func (r *spanRecorder) ForceFlush(context.Context) error                { return nil }

func (r *spanRecorder) OnEnd(s sdktrace.ReadOnlySpan) {
	rs := recordedSpan{
		trace: s.SpanContext().TraceID(), id: s.SpanContext().SpanID(), parent: s.Parent().SpanID(),
		name: s.Name(), depth: -1, start: s.StartTime(), end: s.EndTime(),
	}
	for _, kv := range s.Attributes() {
		switch kv.Key {
		case attribute.Key("athena.module"):
			rs.module = kv.Value.AsString()
		case attribute.Key("athena.depth"):
			rs.depth = int(kv.Value.AsInt64())
		}
	}
	r.mu.Lock()
	r.spans = append(r.spans, rs)
	r.mu.Unlock()
}

// take returns the spans recorded so far and forgets them.
func (r *spanRecorder) take() []recordedSpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.spans
	r.spans = nil
	return out
}

// stageTotals accumulates the stage breakdown of several traces.
type stageTotals struct {
	traces int
	wall   time.Duration
	// share is wall time attributed to a stage: at every instant the time goes to the spans
	// that are running and have no running child, split equally when several run at once, so
	// the shares of one trace add up to its wall time.
	share map[string]time.Duration
	// busy is the sum of span durations of a stage, outermost spans only (parallel spans
	// overlap).
	busy  map[string]time.Duration
	count map[string]int
}

func newStageTotals() *stageTotals {
	return &stageTotals{share: map[string]time.Duration{}, busy: map[string]time.Duration{}, count: map[string]int{}}
}

// add folds the spans of whole traces into the totals. Only traces whose root span is a REST
// analysis request in spans count; the root's duration is the trace's wall time.
func (t *stageTotals) add(spans []recordedSpan) {
	byTrace := map[trace.TraceID][]recordedSpan{}
	for _, s := range spans {
		byTrace[s.trace] = append(byTrace[s.trace], s)
	}
	for _, ss := range byTrace {
		t.addTrace(ss)
	}
}

// analysisRoot returns the index of the root span of a complete trace of a REST analysis
// request, or -1 for partial traces and other traces (health checks, background work).
func analysisRoot(ss []recordedSpan) int {
	ids := make(map[trace.SpanID]bool, len(ss))
	for _, s := range ss {
		ids[s.id] = true
	}
	root := -1
	for i, s := range ss {
		if !ids[s.parent] {
			if root >= 0 {
				return -1 // spans of this trace are missing; a partial tree would skew the shares
			}
			root = i
		}
	}
	if root < 0 || !strings.Contains(ss[root].name, "/v1/analyses") && !strings.Contains(ss[root].name, "AnalysisService/Analyze") {
		return -1
	}
	return root
}

func (t *stageTotals) addTrace(ss []recordedSpan) {
	root := analysisRoot(ss)
	if root < 0 {
		return
	}
	byID := make(map[trace.SpanID]int, len(ss))
	for i, s := range ss {
		byID[s.id] = i
	}
	stages := make([]string, len(ss))
	for i := range ss {
		stages[i] = stageOf(ss, byID, i)
	}
	for i, s := range ss {
		// A span nested in a span of the same stage (gRPC client → server → handler) is
		// already covered by its parent.
		if p, ok := byID[s.parent]; ok && stages[p] == stages[i] {
			continue
		}
		t.busy[stages[i]] += s.end.Sub(s.start)
		t.count[stages[i]]++
	}
	t.traces++
	t.wall += ss[root].end.Sub(ss[root].start)

	// Sweep over span starts and ends, tracking which running spans have no running child.
	type edge struct {
		at    time.Time
		i     int
		start bool
	}
	edges := make([]edge, 0, 2*len(ss))
	for i, s := range ss {
		edges = append(edges, edge{s.start, i, true}, edge{s.end, i, false})
	}
	slices.SortStableFunc(edges, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		// Ends before starts at the same instant, so zero-length gaps are not counted twice.
		return cmp.Compare(boolInt(a.start), boolInt(b.start))
	})
	running := make([]bool, len(ss))
	children := make([]int, len(ss)) // running children per span
	leaves := map[string]int{}       // running childless spans per stage
	nleaves := 0
	parentOf := func(i int) int {
		if p, ok := byID[ss[i].parent]; ok {
			return p
		}
		return -1
	}
	setLeaf := func(i int, on bool) {
		d := -1
		if on {
			d = 1
		}
		leaves[stages[i]] += d
		nleaves += d
	}
	var last time.Time
	for _, e := range edges {
		if nleaves > 0 && e.at.After(last) {
			slice := e.at.Sub(last) / time.Duration(nleaves)
			for st, n := range leaves {
				if n > 0 {
					t.share[st] += slice * time.Duration(n)
				}
			}
		}
		last = e.at
		p := parentOf(e.i)
		if e.start {
			running[e.i] = true
			if p >= 0 && running[p] {
				if children[p] == 0 {
					setLeaf(p, false)
				}
				children[p]++
			}
			if children[e.i] == 0 {
				setLeaf(e.i, true)
			}
			continue
		}
		if !running[e.i] {
			continue
		}
		running[e.i] = false
		if children[e.i] == 0 {
			setLeaf(e.i, false)
		}
		if p >= 0 && running[p] && children[p] > 0 {
			children[p]--
			if children[p] == 0 {
				setLeaf(p, true)
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stageOf names the pipeline stage a span belongs to. Spans below an artifact's analysis
// (depth ≥ 1) are prefixed "recursion: ".
func stageOf(ss []recordedSpan, byID map[trace.SpanID]int, i int) string {
	s := ss[i]
	depth := 0
	for j := i; ; {
		if (ss[j].name == "analyze sample" || ss[j].name == "orchestrator.child") && ss[j].depth >= 0 {
			depth = ss[j].depth
			break
		}
		p, ok := byID[ss[j].parent]
		if !ok {
			break
		}
		j = p
	}
	var st string
	switch {
	case s.name == "wasmruntime.invoke" && s.module == "file-processor":
		st = "identify (file-processor, wasm)"
	case s.name == "wasmruntime.invoke":
		st = "module " + s.module + " (wasm)"
	case s.name == "orchestrator.invoke", strings.Contains(s.name, "WasmRuntimeService/Invoke"):
		st = "module slot wait + gRPC"
	case strings.Contains(s.name, "WasmRuntimeService/KeepContent"), strings.Contains(s.name, "WasmRuntimeService/ReleaseContent"):
		st = "sample to the runtime (gRPC)"
	case strings.Contains(s.name, "CacheService/Get"):
		st = "cache get"
	case strings.Contains(s.name, "CacheService/Set"):
		st = "cache put"
	case s.name == "get" || s.name == "set" || s.name == "pipeline": // redisotel names spans after the command
		st = "cache backend"
	case s.name == "orchestrator.score":
		st = "scoring"
	case s.name == "orchestrator.recurse":
		st = "recursion bookkeeping"
	case s.name == "analyze sample", s.name == "orchestrator.child", strings.Contains(s.name, "OrchestratorService"), strings.Contains(s.name, "ListModules"):
		st = "orchestrator (hashing, routing, merging)"
	case strings.HasPrefix(s.name, "ai."):
		st = "ai"
	case strings.HasPrefix(s.name, "gateway"), strings.HasPrefix(s.name, "POST "), strings.Contains(s.name, "athena.gateway."), strings.Contains(s.name, "AnalysisService"):
		st = "gateway (REST, JSON, gRPC hop)"
	default:
		st = "other: " + s.name
	}
	if depth > 0 && st != "recursion bookkeeping" {
		st = "recursion: " + st
	}
	return st
}

// print writes the breakdown as a table, largest share first.
func (t *stageTotals) print(w io.Writer) {
	if t.traces == 0 {
		fmt.Fprintln(w, "  no complete traces recorded")
		return
	}
	names := make([]string, 0, len(t.share))
	for st := range t.busy {
		names = append(names, st)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(t.share[b], t.share[a]) })
	n := time.Duration(t.traces)
	fmt.Fprintf(w, "  %-52s %8s %12s %12s\n", "stage", "spans", "span ms", "share of wall")
	for _, st := range names {
		fmt.Fprintf(w, "  %-52s %8.1f %12.1f %11.1f%%\n", st, float64(t.count[st])/float64(t.traces),
			float64((t.busy[st]/n).Microseconds())/1000, 100*float64(t.share[st])/float64(t.wall))
	}
	fmt.Fprintf(w, "  %-52s %8s %12.1f %11.1f%%\n", "wall (root span)", "", float64((t.wall/n).Microseconds())/1000, 100.0)
	fmt.Fprintln(w, "  spans and span ms are per analysis; parallel spans overlap, so span ms can exceed the wall")
}

// recordSpans makes rec receive every span of this process, with W3C trace context
// propagated over the mesh's loopback gRPC hops, and returns a function that restores the
// previous global provider and propagator.
func recordSpans(rec *spanRecorder) func() {
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	return func() {
		_ = tp.Shutdown(context.Background())
		otel.SetTracerProvider(prevTP)
		otel.SetTextMapPropagator(prevProp)
	}
}

// benchStages analyzes content uncached runs times, one at a time, and prints the latency
// percentiles, the CPU time and page faults of this process per analysis and the stage
// breakdown of the recorded traces. inProcess says the mesh is this process, whose page faults
// then tell whether its memory was still growing during the runs.
func benchStages(ctx context.Context, w io.Writer, send stageSend, rec *spanRecorder, name, protocol string, content []byte, runs, warmup int, timeline, inProcess bool) error {
	for range warmup {
		if _, err := send(ctx); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	time.Sleep(200 * time.Millisecond) // let the warm-up's last spans end before forgetting them
	rec.take()
	u0 := usageNow()
	lat := make([]time.Duration, 0, runs)
	var tree treeCount
	var reportBytes int
	for range runs {
		t := time.Now()
		b, err := send(ctx)
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
		var report treeReport
		if err := json.Unmarshal(b, &report); err != nil {
			return fmt.Errorf("decode report: %w", err)
		}
		tree.add(&report)
		reportBytes += len(b)
	}
	u := usageNow().minus(u0)
	blocks := blockP95s(lat, stabilityBlock)
	time.Sleep(200 * time.Millisecond)
	totals := newStageTotals()
	spans := rec.take()
	totals.add(spans)
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	faults := u.faults / int64(runs)
	fmt.Fprintf(w, "\n%s: %d bytes, %d uncached analyses over %s, one at a time: p50 %s, p95 %s, max %s; process CPU %.3fs and %d page faults per analysis\n",
		name, len(content), runs, protocol, pct(.5).Round(time.Millisecond), pct(.95).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond),
		u.cpu.Seconds()/float64(runs), faults)
	if inProcess {
		fmt.Fprintf(w, "  the mesh allocated %.1f MB per analysis and collected its garbage %d times in the %d\n",
			float64(u.allocated)/float64(runs)/1e6, u.collections, runs)
		if faults >= growingFaults {
			fmt.Fprintf(w, "  the mesh was still growing its memory: each analysis touched %.1f MiB for the first time, paid in system time;\n"+
				"  a fresh process does so for its first few dozen analyses of a large sample, so more --warmup measures the steady state\n",
				float64(faults*int64(os.Getpagesize()))/(1<<20))
		}
	}
	if len(blocks) > 1 {
		fmt.Fprintf(w, "  p95 of each %d analyses in turn:", stabilityBlock)
		for _, d := range blocks {
			fmt.Fprintf(w, " %d", d.Round(time.Millisecond).Milliseconds())
		}
		fmt.Fprintln(w, " ms")
	}
	fmt.Fprintf(w, "  per analysis: %.1f artifacts analyzed, %.1f skipped, %.1f module runs cut short (deadline or unavailable), %d KiB of report JSON\n",
		float64(tree.analyzed)/float64(runs), float64(tree.skipped)/float64(runs), float64(tree.cut)/float64(runs), reportBytes/runs>>10)
	totals.print(w)
	if timeline {
		printTimeline(w, spans)
	}
	return nil
}

// stabilityBlock is how many consecutive analyses of a long stages run get a p95 of their
// own: whether the tail holds over minutes, or the process (or the machine) slows down.
const stabilityBlock = 500

// blockP95s returns the p95 of each whole block of n consecutive latencies, in order of
// measurement (a partial last block is left out).
func blockP95s(lat []time.Duration, n int) []time.Duration {
	var out []time.Duration
	for b := 0; b+n <= len(lat); b += n {
		blk := slices.Clone(lat[b : b+n])
		slices.Sort(blk)
		out = append(out, blk[n*95/100])
	}
	return out
}

// printTimeline writes the spans of the analyses whose wall times are the median and the
// longest of spans' complete analyses.
func printTimeline(w io.Writer, spans []recordedSpan) {
	type analysis struct {
		spans []recordedSpan
		root  int
	}
	byTrace := map[trace.TraceID][]recordedSpan{}
	for _, s := range spans {
		byTrace[s.trace] = append(byTrace[s.trace], s)
	}
	var all []analysis
	for _, ss := range byTrace {
		if root := analysisRoot(ss); root >= 0 {
			all = append(all, analysis{ss, root})
		}
	}
	if len(all) == 0 {
		return
	}
	wall := func(a analysis) time.Duration { return a.spans[a.root].end.Sub(a.spans[a.root].start) }
	slices.SortFunc(all, func(a, b analysis) int { return cmp.Compare(wall(a), wall(b)) })
	printTrace(w, "median", all[len(all)/2].spans, all[len(all)/2].root)
	printTrace(w, "slowest", all[len(all)-1].spans, all[len(all)-1].root)
}

// printTrace writes the spans of one analysis in order of start, each with its stage and its
// start and end in ms from the root span's start.
func printTrace(w io.Writer, which string, spans []recordedSpan, root int) {
	ss := slices.Clone(spans)
	byID := make(map[trace.SpanID]int, len(ss))
	for i, s := range ss {
		byID[s.id] = i
	}
	stages := make(map[trace.SpanID]string, len(ss))
	for i, s := range ss {
		stages[s.id] = stageOf(ss, byID, i)
	}
	t0, t1 := ss[root].start, ss[root].end
	slices.SortStableFunc(ss, func(a, b recordedSpan) int { return a.start.Compare(b.start) })
	ms := func(t time.Time) float64 { return float64(t.Sub(t0).Microseconds()) / 1000 }
	fmt.Fprintf(w, "  timeline of the %s analysis (%.1f ms):\n", which, ms(t1))
	for _, s := range ss {
		name := s.name
		if s.module != "" {
			name += " " + s.module
		}
		fmt.Fprintf(w, "  %8.1f %8.1f  %-40s %s\n", ms(s.start), ms(s.end), stages[s.id], name)
	}
}

// treeReport is what treeCount reads of a report's JSON. Decoding only that keeps the
// load generator's garbage, which the in-process mesh collects with its own, small.
type treeReport struct {
	Modules []struct {
		Status string `json:"status"`
	} `json:"modules"`
	Artifacts []struct {
		Report *treeReport `json:"report"`
	} `json:"artifacts"`
}

// treeCount counts, over the report trees of several analyses, the artifacts analyzed and
// skipped and the module runs that did not finish.
type treeCount struct{ analyzed, skipped, cut int }

func (tc *treeCount) add(report *treeReport) {
	for _, m := range report.Modules {
		switch m.Status {
		case "MODULE_STATUS_DEADLINE_EXCEEDED", "MODULE_STATUS_UNAVAILABLE":
			tc.cut++
		}
	}
	for _, a := range report.Artifacts {
		if a.Report == nil {
			tc.skipped++
			continue
		}
		tc.analyzed++
		tc.add(a.Report)
	}
}

// postRaw posts a JSON body and returns the response body of a 200 answer.
func postRaw(ctx context.Context, c *http.Client, url, key string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("POST %s: status %d: %.300s", req.URL.Path, resp.StatusCode, b)
	}
	return b, nil
}

// growingFaults is the number of page faults per analysis (a megabyte of 4 KiB pages) above
// which the stages mode says that the in-process mesh was still growing its memory.
const growingFaults = 256

// processUsage is what this process used: user+system CPU time, and minor page faults — first
// touches of memory that the process had not used before (its heap and the guests' memories
// growing), which cost system time.
type processUsage struct {
	cpu    time.Duration
	faults int64
	// allocated and collections are the Go heap's bytes allocated and garbage collections.
	allocated, collections uint64
}

// usageNow is this process's usage so far.
func usageNow() processUsage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return processUsage{}
	}
	m := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(m)
	return processUsage{cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), faults: int64(ru.Minflt),
		allocated: m[0].Value.Uint64(), collections: m[1].Value.Uint64()}
}

func (u processUsage) minus(v processUsage) processUsage {
	return processUsage{cpu: u.cpu - v.cpu, faults: u.faults - v.faults,
		allocated: u.allocated - v.allocated, collections: u.collections - v.collections}
}

// stageSend analyzes the stages mode's sample once, uncached, and returns the report as JSON.
type stageSend func(context.Context) ([]byte, error)

// stageSender returns the stageSend of protocol: rest posts to the gateway's REST API, grpc
// calls the gateway's gRPC API on its own connection (closed by stop), as the CLI does.
func stageSender(protocol string, c *http.Client, base, grpcAddr, key string, content []byte) (send stageSend, stop func(), err error) {
	if protocol == "rest" {
		body := requestBody(content, true)
		return func(ctx context.Context) ([]byte, error) { return postRaw(ctx, c, base+"/v1/analyses", key, body) }, func() {}, nil
	}
	conn, err := grpcserver.Dial(grpcAddr)
	if err != nil {
		return nil, nil, err
	}
	client := analysisv1.NewAnalysisServiceClient(conn)
	req := &analysisv1.AnalyzeRequest{
		Sample:  &analysisv1.SampleInput{Content: content, Filename: "bench.bin"},
		Options: &analysisv1.AnalysisOptions{BypassCache: true},
	}
	send = func(ctx context.Context) ([]byte, error) {
		if key != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "x-api-key", key)
		}
		resp, err := client.Analyze(ctx, req)
		if err != nil {
			return nil, err
		}
		// The report as the REST API gives it, for the same counts of the tree.
		return protojson.Marshal(resp.GetReport())
	}
	return send, func() { _ = conn.Close() }, nil
}
