package orchestrator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func newOrch(t *testing.T, cfg Config) *Orchestrator {
	t.Helper()
	o, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return o
}

func sample(s string) *analysisv1.SampleInput {
	return &analysisv1.SampleInput{Content: []byte(s), Filename: "s.txt"}
}

func findingIDs(r *analysisv1.Report) []string {
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.Id)
	}
	return ids
}

func hasFinding(r *analysisv1.Report, id string) bool {
	for _, f := range r.Findings {
		if f.Id == id {
			return true
		}
	}
	return false
}

// artifactsOf makes the identification module return, for each content, the artifacts next
// gives; every other module answers OK with nothing.
func artifactsOf(next func(content []byte) [][]byte) func(context.Context, string, *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
	return func(_ context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
		if module != IdentifyModule {
			return nil, nil
		}
		resp := &modulev1.AnalyzeResponse{Identification: &modulev1.Identification{FileType: "zip", MimeType: "application/zip", Flavors: []string{"archive"}}}
		for i, c := range next(req.Content) {
			resp.Artifacts = append(resp.Artifacts, &modulev1.Artifact{
				Kind: analysisv1.ArtifactKind_ARTIFACT_KIND_EXTRACTED, Content: c,
				Filename: fmt.Sprintf("member%d", i), Provenance: []string{"zip"},
			})
		}
		return ok(resp), nil
	}
}

func TestRecursionCaps(t *testing.T) {
	// level n contains level n+1, without end.
	deeper := func(c []byte) [][]byte {
		var n int
		fmt.Sscanf(string(c), "level %d", &n)
		return [][]byte{[]byte(fmt.Sprintf("level %d", n+1))}
	}
	tests := []struct {
		name    string
		cfg     Config
		opts    *analysisv1.AnalysisOptions
		content string
		next    func([]byte) [][]byte
		check   func(t *testing.T, r *analysisv1.Report)
	}{
		{
			name: "depth", cfg: Config{MaxDepth: 2}, content: "level 0", next: deeper,
			check: func(t *testing.T, r *analysisv1.Report) {
				d1 := r.Artifacts[0].Report
				d2 := d1.GetArtifacts()[0].Report
				if d1.GetDepth() != 1 || d2.GetDepth() != 2 {
					t.Fatalf("depths %d, %d; want 1, 2", d1.GetDepth(), d2.GetDepth())
				}
				a := d2.Artifacts[0]
				if a.Report != nil || !strings.Contains(a.SkippedReason, "depth limit 2") {
					t.Errorf("artifact at depth 3: report %v, skipped %q; want skipped for the depth limit", a.Report != nil, a.SkippedReason)
				}
				if !hasFinding(d2, "recursion.depth_limit") {
					t.Errorf("depth-2 findings %v lack recursion.depth_limit", findingIDs(d2))
				}
			},
		},
		{
			name: "depth option below config", cfg: Config{MaxDepth: 5}, opts: &analysisv1.AnalysisOptions{MaxDepth: 1}, content: "level 0", next: deeper,
			check: func(t *testing.T, r *analysisv1.Report) {
				d1 := r.Artifacts[0].Report
				if d1 == nil || d1.Artifacts[0].Report != nil || !strings.Contains(d1.Artifacts[0].SkippedReason, "depth limit 1") {
					t.Fatalf("with maxDepth 1 the depth-2 artifact must be skipped; got %v", d1)
				}
			},
		},
		{
			name: "self-including container", content: "quine",
			next: func(c []byte) [][]byte { return [][]byte{c} },
			check: func(t *testing.T, r *analysisv1.Report) {
				if len(r.Artifacts) != 1 || !strings.HasPrefix(r.Artifacts[0].SkippedReason, "cycle") {
					t.Fatalf("artifacts %v; want one skipped as a cycle", r.Artifacts)
				}
				if !hasFinding(r, "recursion.cycle") {
					t.Errorf("findings %v lack recursion.cycle", findingIDs(r))
				}
			},
		},
		{
			name: "two-step cycle", content: "A",
			next: func(c []byte) [][]byte {
				if string(c) == "A" {
					return [][]byte{[]byte("B")}
				}
				return [][]byte{[]byte("A")}
			},
			check: func(t *testing.T, r *analysisv1.Report) {
				b := r.Artifacts[0].Report
				if b == nil || len(b.Artifacts) != 1 || !strings.HasPrefix(b.Artifacts[0].SkippedReason, "cycle") {
					t.Fatalf("B's artifact A must be skipped as a cycle; got %v", b)
				}
				if !hasFinding(b, "recursion.cycle") {
					t.Errorf("B's findings %v lack recursion.cycle", findingIDs(b))
				}
			},
		},
		{
			name: "count", cfg: Config{MaxArtifacts: 3}, content: "parent of ten",
			next: func(c []byte) [][]byte {
				if !bytes.HasPrefix(c, []byte("parent")) {
					return nil
				}
				var out [][]byte
				for i := range 10 {
					out = append(out, []byte(fmt.Sprintf("child %d", i)))
				}
				return out
			},
			check: func(t *testing.T, r *analysisv1.Report) {
				analyzed, skipped := 0, 0
				for _, a := range r.Artifacts {
					if a.Report != nil {
						analyzed++
					} else if strings.Contains(a.SkippedReason, "budget") {
						skipped++
					}
				}
				if analyzed != 3 || skipped != 7 {
					t.Errorf("analyzed %d, skipped for budget %d; want 3 and 7", analyzed, skipped)
				}
				if !hasFinding(r, "recursion.budget") {
					t.Errorf("findings %v lack recursion.budget", findingIDs(r))
				}
			},
		},
		{
			// 1× a 16-byte sample leaves room for one 10-byte child, not two.
			name: "bytes", cfg: Config{ArtifactBytesFactor: 1}, content: "parent 16 bytes.",
			next: func(c []byte) [][]byte {
				if !bytes.HasPrefix(c, []byte("parent")) {
					return nil
				}
				return [][]byte{[]byte("child 0000"), []byte("child 1111")}
			},
			check: func(t *testing.T, r *analysisv1.Report) {
				if len(r.Artifacts) != 2 || r.Artifacts[0].Report == nil || r.Artifacts[1].Report != nil {
					t.Fatalf("artifacts %v; want the first analyzed and the second skipped", r.Artifacts)
				}
				if !strings.Contains(r.Artifacts[1].SkippedReason, "byte budget") {
					t.Errorf("skipped reason %q; want the byte budget", r.Artifacts[1].SkippedReason)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Invoker = newFake(artifactsOf(tt.next))
			o := newOrch(t, cfg)
			r, err := o.Analyze(context.Background(), sample(tt.content), tt.opts)
			if err != nil {
				t.Fatalf("Analyze: %v (a recursion cap must be a finding, not an error)", err)
			}
			tt.check(t, r)
		})
	}
}

func TestFailingModulesDoNotFailTheReport(t *testing.T) {
	fake := newFake(func(ctx context.Context, module string, _ *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
		switch module {
		case "crypto":
			return nil, status.Error(codes.Unavailable, "runtime gone")
		case "network":
			<-ctx.Done() // hangs until the analysis deadline
			return nil, status.FromContextError(ctx.Err()).Err()
		case "deobfuscator":
			return &wasmruntimev1.InvokeResponse{Status: analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED, Error: "memory limit"}, nil
		case "pattern-matcher":
			return ok(&modulev1.AnalyzeResponse{Error: "bad rules"}), nil
		}
		return nil, nil
	})
	o := newOrch(t, Config{Invoker: fake})
	r, err := o.Analyze(context.Background(), sample("hello"), &analysisv1.AnalysisOptions{TimeoutMs: 1500})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	want := map[string]analysisv1.ModuleStatus{
		IdentifyModule:    analysisv1.ModuleStatus_MODULE_STATUS_OK,
		"crypto":          analysisv1.ModuleStatus_MODULE_STATUS_UNAVAILABLE,
		"network":         analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED,
		"deobfuscator":    analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED,
		"pattern-matcher": analysisv1.ModuleStatus_MODULE_STATUS_ERROR,
	}
	got := map[string]*analysisv1.ModuleRun{}
	for _, m := range r.Modules {
		got[m.Name] = m
	}
	for name, st := range want {
		m := got[name]
		if m == nil {
			t.Errorf("modules[] lacks %s: %v", name, r.Modules)
			continue
		}
		if m.Status != st {
			t.Errorf("%s: status %s, want %s", name, m.Status, st)
		}
		if st != analysisv1.ModuleStatus_MODULE_STATUS_OK && m.Error == "" {
			t.Errorf("%s: failed without an error message", name)
		}
	}
	if r.Verdict != analysisv1.Verdict_VERDICT_CLEAN || r.Sample.GetSha256() == "" {
		t.Errorf("report verdict %s sha %q; want a complete clean report", r.Verdict, r.Sample.GetSha256())
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "deadline") {
		t.Errorf("notes %q do not mention the deadline that cut network", r.Notes)
	}
}

func TestCacheHit(t *testing.T) {
	fake := newFake(nil)
	o := newOrch(t, Config{Invoker: fake, Store: newStore()})
	ctx := context.Background()
	first, err := o.Analyze(ctx, sample("cache me"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Cached {
		t.Fatal("first analysis reported cached")
	}
	second, err := o.Analyze(ctx, sample("cache me"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Cached || second.Id != first.Id {
		t.Errorf("second: cached %v id %s; want cached with id %s", second.Cached, second.Id, first.Id)
	}
	if n := fake.count(IdentifyModule); n != 1 {
		t.Errorf("identification ran %d times; the hit must not invoke modules", n)
	}
	got, err := o.GetAnalysis(ctx, first.Id)
	if err != nil || got.Id != first.Id {
		t.Errorf("GetAnalysis(%s) = %v, %v", first.Id, got.GetId(), err)
	}
	third, err := o.Analyze(ctx, sample("cache me"), &analysisv1.AnalysisOptions{BypassCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if third.Cached || third.Id == first.Id || fake.count(IdentifyModule) != 2 {
		t.Errorf("bypassCache: cached %v id %s calls %d; want a fresh analysis", third.Cached, third.Id, fake.count(IdentifyModule))
	}
	if _, err := o.GetAnalysis(ctx, "feedface"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("GetAnalysis(unknown) = %v; want not found", err)
	}
}

// inFunction counts the goroutines whose stack contains fn.
func inFunction(fn string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte(fn)) {
			count++
		}
	}
	return count
}

func TestSingleflight(t *testing.T) {
	const n = 8
	release := make(chan struct{})
	fake := newFake(func(ctx context.Context, module string, _ *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
		if module == IdentifyModule {
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		return nil, nil
	})
	o := newOrch(t, Config{Invoker: fake, Store: newStore()})
	reports := make([]*analysisv1.Report, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reports[i], errs[i] = o.Analyze(context.Background(), sample("same bytes"), nil)
		}()
	}
	// Hold the first analysis until every request waits in singleflight (the stacks show it),
	// so only singleflight, not the cache, can keep the work to one run.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for inFunction("singleflight.(*Group).Do(") < n {
		select {
		case <-ctx.Done():
			close(release)
			wg.Wait()
			t.Fatalf("only %d of %d requests reached singleflight", inFunction("singleflight.(*Group).Do("), n)
		case <-time.After(time.Millisecond):
		}
	}
	close(release)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		if reports[i].Id != reports[0].Id || reports[i].Cached {
			t.Errorf("request %d got id %s cached %v, request 0 got %s; want one shared fresh analysis", i, reports[i].Id, reports[i].Cached, reports[0].Id)
		}
	}
	if c := fake.count(IdentifyModule); c != 1 {
		t.Errorf("%d concurrent identical requests invoked the modules %d times; want 1", n, c)
	}
	// Each caller owns its copy: changing one must not change another.
	reports[0].Notes = append(reports[0].Notes, "mine")
	if len(reports[1].Notes) != 0 {
		t.Error("singleflight callers share one report value")
	}
}

func TestStreamEventOrder(t *testing.T) {
	fake := newFake(artifactsOf(func(c []byte) [][]byte {
		if string(c) == "outer" {
			return [][]byte{[]byte("inner")}
		}
		return nil
	}))
	o := newOrch(t, Config{Invoker: fake})
	var events []*analysisv1.AnalysisEvent
	r, err := o.AnalyzeStream(context.Background(), sample("outer"), nil, func(ev *analysisv1.AnalysisEvent) {
		events = append(events, ev)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 4 {
		t.Fatalf("%d events; want accepted, identified, module events and the report", len(events))
	}
	if events[0].GetAccepted() == nil {
		t.Errorf("first event %v; want accepted", events[0])
	}
	last := events[len(events)-1]
	if last.GetReport() == nil || last.GetReport().Id != r.Id {
		t.Errorf("last event %v; want the report %s", last, r.Id)
	}
	identified := -1
	started, finished := map[string]int{}, map[string]int{}
	reports := 0
	artifact := false
	for i, ev := range events {
		if ev.AnalysisId != r.Id {
			t.Errorf("event %d has analysis id %q, want %q", i, ev.AnalysisId, r.Id)
		}
		if ev.Depth != 0 {
			if ev.GetReport() != nil {
				t.Errorf("event %d: report at depth %d", i, ev.Depth)
			}
			continue
		}
		switch {
		case ev.GetIdentified() != nil:
			if identified >= 0 {
				t.Errorf("identified twice at depth 0 (events %d and %d)", identified, i)
			}
			identified = i
			for _, m := range ev.GetIdentified().Modules {
				if _, ok := started[m]; ok {
					t.Errorf("%s started before it was routed", m)
				}
			}
		case ev.GetModuleStarted() != nil:
			started[ev.GetModuleStarted().Module] = i
		case ev.GetModuleFinished() != nil:
			name := ev.GetModuleFinished().Run.Name
			s, ok := started[name]
			if !ok || s > i {
				t.Errorf("%s finished (event %d) before it started", name, i)
			}
			finished[name] = i
		case ev.GetArtifactDiscovered() != nil:
			artifact = true
		case ev.GetReport() != nil:
			reports++
		}
	}
	if identified < 0 {
		t.Fatal("no identified event at depth 0")
	}
	if finished[IdentifyModule] > identified {
		t.Errorf("identification finished after the identified event")
	}
	for _, m := range events[identified].GetIdentified().Modules {
		if finished[m] < identified {
			t.Errorf("routed module %s has no module_finished after identified", m)
		}
	}
	if reports != 1 {
		t.Errorf("%d report events; want exactly one, last", reports)
	}
	if !artifact {
		t.Error("no artifact_discovered event for the inner member")
	}
}

func TestValidation(t *testing.T) {
	o := newOrch(t, Config{Invoker: newFake(nil), MaxSampleBytes: 8})
	tests := []struct {
		name   string
		sample *analysisv1.SampleInput
		opts   *analysisv1.AnalysisOptions
		want   error
	}{
		{"nil sample", nil, nil, ErrInvalid},
		{"empty content", &analysisv1.SampleInput{}, nil, ErrInvalid},
		{"too large", sample("123456789"), nil, ErrTooLarge},
		{"negative depth", sample("x"), &analysisv1.AnalysisOptions{MaxDepth: -1}, ErrInvalid},
		{"long filename", &analysisv1.SampleInput{Content: []byte("x"), Filename: strings.Repeat("a", 1025)}, nil, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := o.Analyze(context.Background(), tt.sample, tt.opts)
			if err == nil || !errors.Is(err, tt.want) {
				t.Errorf("Analyze = %v; want %v", err, tt.want)
			}
			if code := status.Code(toStatus(err)); code != codes.InvalidArgument {
				t.Errorf("status code %s; want InvalidArgument", code)
			}
		})
	}
}

func TestNewRejectsBadThresholds(t *testing.T) {
	for _, th := range []Thresholds{{Suspicious: 500, Malicious: 400}, {Suspicious: -1, Malicious: 10}, {Suspicious: 100, Malicious: 1001}} {
		if _, err := New(Config{Invoker: newFake(nil), Thresholds: th}); err == nil {
			t.Errorf("New accepted thresholds %+v", th)
		}
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New accepted a config without an invoker")
	}
}

// TestPartialReportNotCached: a report in which a module ran out of time is returned (and
// readable by id) but not served from the cache to the next request.
func TestPartialReportNotCached(t *testing.T) {
	fake := newFake(func(ctx context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
		if module == "crypto" {
			return &wasmruntimev1.InvokeResponse{Status: analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, Error: "deadline"}, nil
		}
		return ok(&modulev1.AnalyzeResponse{}), nil
	})
	o := newOrch(t, Config{Invoker: fake, Store: newStore()})
	ctx := context.Background()
	first, err := o.Analyze(ctx, sample("slow"), nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := o.Analyze(ctx, sample("slow"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if second.Cached || second.Id == first.Id {
		t.Fatalf("partial report served from the cache: cached %v, ids %s %s", second.Cached, first.Id, second.Id)
	}
	if got, err := o.GetAnalysis(ctx, first.Id); err != nil || got.Id != first.Id {
		t.Fatalf("GetAnalysis of a partial report = %v, %v", got.GetId(), err)
	}
}

// TestLargeSampleIdentifiedBeforeItsParse: a large sample is identified on its own
// (identify=only), routed on that identification, and parsed by the identification module
// alongside the other modules; the report is what one identification call gave before: the
// module once in modules[], the flavors the parse found besides the routing ones, the parse's
// details, findings and artifacts (analyzed as children).
func TestLargeSampleIdentifiedBeforeItsParse(t *testing.T) {
	engineCalled := make(chan struct{})
	var mu sync.Mutex
	seenFlavors := map[string][]string{}
	fake := newFake(func(ctx context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
		if req.Depth == 0 {
			mu.Lock()
			seenFlavors[module] = req.Flavors
			mu.Unlock()
		}
		id := &modulev1.Identification{FileType: "pe", MimeType: "application/vnd.microsoft.portable-executable", Flavors: []string{"pe", "executable"}}
		switch {
		case module == IdentifyModule && req.Depth > 0:
			return ok(&modulev1.AnalyzeResponse{Identification: &modulev1.Identification{FileType: "text", Flavors: []string{"text"}}}), nil
		case module == IdentifyModule && req.Options["identify"] == "only":
			return ok(&modulev1.AnalyzeResponse{Identification: id}), nil
		case module == IdentifyModule:
			// The parse waits for the analysis-engine's call: it runs beside the other modules.
			select {
			case <-engineCalled:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			id.Flavors = append(id.Flavors, "pe:signed")
			return ok(&modulev1.AnalyzeResponse{
				Identification: id,
				Details:        &analysisv1.Details{File: &analysisv1.FileDetails{FileType: "pe", Description: "parsed"}},
				Findings:       []*analysisv1.Finding{{Id: "pe.signed", Score: 10}},
				Artifacts:      []*modulev1.Artifact{{Kind: analysisv1.ArtifactKind_ARTIFACT_KIND_EXTRACTED, Content: []byte("a dropped text file"), Filename: "x.txt"}},
			}), nil
		case module == "analysis-engine":
			close(engineCalled)
		}
		return nil, nil
	})
	o := newOrch(t, Config{Invoker: fake})
	var events []*analysisv1.AnalysisEvent
	var emu sync.Mutex
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	content := bytes.Repeat([]byte("MZ athena "), splitIdentifyBytes/10+1)
	r, err := o.AnalyzeStream(ctx, &analysisv1.SampleInput{Content: content}, nil, func(ev *analysisv1.AnalysisEvent) {
		emu.Lock()
		events = append(events, ev)
		emu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := fake.count(IdentifyModule); got != 3 { // identify, parse, the child's
		t.Errorf("identification module called %d times, want 3", got)
	}
	var runs []string
	for _, m := range r.Modules {
		runs = append(runs, m.Name)
		if m.Status != analysisv1.ModuleStatus_MODULE_STATUS_OK {
			t.Errorf("%s: %s %s", m.Name, m.Status, m.Error)
		}
	}
	if want := []string{IdentifyModule, "crypto", "pattern-matcher", "network", "analysis-engine"}; !slices.Equal(runs, want) {
		t.Errorf("modules %v, want %v", runs, want)
	}
	if want := []string{"pe", "executable"}; !slices.Equal(seenFlavors["crypto"], want) || !slices.Equal(seenFlavors["analysis-engine"], want) {
		t.Errorf("the modules were sent flavors %v and %v, want the identification's %v", seenFlavors["crypto"], seenFlavors["analysis-engine"], want)
	}
	if want := []string{"pe", "executable", "pe:signed"}; r.Sample.FileType != "pe" || !slices.Equal(r.Flavors, want) {
		t.Errorf("sample %q with flavors %v, want pe with %v", r.Sample.FileType, r.Flavors, want)
	}
	if r.GetDetails().GetFile().GetDescription() != "parsed" || !hasFinding(r, "pe.signed") {
		t.Errorf("the parse's details and findings are missing: %v, %v", r.GetDetails().GetFile(), findingIDs(r))
	}
	if len(r.Artifacts) != 1 || r.Artifacts[0].GetReport().GetSample().GetFileType() != "text" {
		t.Errorf("artifacts %v, want the parse's one, analyzed", r.Artifacts)
	}
	// The identified event comes before the identification module's run, which is reported
	// once.
	identifiedAt, started := -1, 0
	for i, ev := range events {
		if ev.GetDepth() != 0 {
			continue
		}
		if ev.GetIdentified() != nil {
			identifiedAt = i
		}
		if s := ev.GetModuleStarted(); s != nil && s.Module == IdentifyModule {
			started++
			if identifiedAt < 0 {
				t.Error("the identification module's run started before the identified event")
			}
		}
	}
	if identifiedAt < 0 || started != 1 {
		t.Errorf("identified event at %d, identification module started %d times; want one of each", identifiedAt, started)
	}

	// A sample just below the threshold is identified and parsed in one call, before the others.
	small := newFake(nil)
	if _, err := newOrch(t, Config{Invoker: small}).Analyze(ctx, &analysisv1.SampleInput{Content: content[:splitIdentifyBytes-1]}, nil); err != nil {
		t.Fatal(err)
	}
	if got := small.count(IdentifyModule); got != 1 {
		t.Errorf("below the threshold: identification module called %d times, want 1", got)
	}
}

// TestLargeSampleIdentificationFails: when a large sample's identification fails, it is routed
// as unknown data; its parse still runs, and the report takes the type it found.
func TestLargeSampleIdentificationFails(t *testing.T) {
	fake := newFake(func(ctx context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
		switch {
		case module == IdentifyModule && req.Options["identify"] == "only":
			return nil, status.Error(codes.Internal, "trap")
		case module == IdentifyModule:
			return ok(&modulev1.AnalyzeResponse{Identification: &modulev1.Identification{FileType: "pe", Flavors: []string{"pe", "executable", "pe:64"}}}), nil
		}
		return nil, nil
	})
	content := bytes.Repeat([]byte("MZ athena "), splitIdentifyBytes/10+1)
	r, err := newOrch(t, Config{Invoker: fake}).Analyze(context.Background(), &analysisv1.SampleInput{Content: content}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var runs []string
	for _, m := range r.Modules {
		runs = append(runs, m.Name)
	}
	if want := []string{IdentifyModule, "crypto", "pattern-matcher", "network", "deobfuscator"}; !slices.Equal(runs, want) {
		t.Errorf("modules %v, want %v (routed as unknown data)", runs, want)
	}
	if want := []string{"pe", "executable", "pe:64"}; r.Sample.FileType != "pe" || !slices.Equal(r.Flavors, want) {
		t.Errorf("sample %q with flavors %v, want pe with %v from the parse", r.Sample.FileType, r.Flavors, want)
	}
}
