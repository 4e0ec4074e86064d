package orchestrator

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/athena-mesh/athena/internal/bytecount"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

const tracerName = "github.com/athena-mesh/athena/services/orchestrator"

// pass is one analysis: a sample and its artifact tree, sharing the recursion budgets.
type pass struct {
	o        *Orchestrator
	opts     *analysisv1.AnalysisOptions
	mods     *moduleSet
	rules    []*modulev1.Resource
	emit     EventFunc
	id       string
	pipeline string
	sem      chan struct{}

	maxDepth     int
	maxArtifacts int
	// early, when set, delivers the submitted sample's source, prepared while it was hashed;
	// the first source taken (the submitted sample's) takes it.
	early chan *sampleSource

	mu         sync.Mutex
	byteBudget int64
	artifacts  int
}

// sample analyzes one object (the submitted sample at depth 0, an artifact deeper).
// ancestors holds the hashes on the path from the root, for cycle detection.
func (p *pass) sample(ctx context.Context, content []byte, sha, filename string, depth int, ancestors map[string]bool) *analysisv1.Report {
	ctx, span := otel.Tracer(tracerName).Start(ctx, "analyze sample", trace.WithAttributes(
		attribute.Int("athena.depth", depth), attribute.Int("athena.size", len(content))))
	defer span.End()

	// The entropy (a millisecond per megabyte) is computed while the content goes to the
	// runtime: once the modules start, every core has a module to run.
	entropied := make(chan float64, 1)
	go func() { entropied <- entropy(content) }()
	span.SetAttributes(attribute.String("athena.sha256", sha))
	r := &analysisv1.Report{
		Sample:          &analysisv1.Sample{Sha256: sha, Size: int64(len(content)), Filename: filename},
		Depth:           int32(depth),
		PipelineVersion: p.pipeline,
		Details:         &analysisv1.Details{},
	}
	// The request has no content: src gives it to each call, by a handle to the runtime's copy
	// when it can keep one.
	src := p.source(ctx, content)
	defer src.release(ctx)
	req := &modulev1.AnalyzeRequest{Filename: filename, Depth: int32(depth), Options: map[string]string{"sha256": sha}}
	if p.opts.IncludeStrings {
		req.Options["strings"] = "true"
	}
	if dl, ok := ctx.Deadline(); ok {
		req.DeadlineUnixMs = dl.UnixMilli()
	}

	// The identification decides the routes, so it runs first. A large sample is only
	// identified then (identify=only): its parse, which takes milliseconds a megabyte, runs
	// with the other modules instead of before them. Whichever call parsed the sample sends
	// what the parse extracted (archive members) on identified.
	identify := p.mods.names[IdentifyModule] && p.wanted(IdentifyModule)
	split := identify && len(content) >= splitIdentifyBytes
	identified := make(chan []*modulev1.Artifact, 1)
	if identify {
		idReq := req
		if split {
			idReq = shallowCopy(req)
			idReq.Options = maps.Clone(req.Options)
			idReq.Options["identify"] = "only"
		}
		resp := p.invokeAs(ctx, r, IdentifyModule, src, idReq, !split)
		identifyFrom(r, resp)
		if !split {
			identified <- p.merge(r, resp)
		}
	}
	if !split {
		close(identified)
	}
	if r.Sample.FileType == "" {
		r.Sample.FileType, r.Sample.MimeType = "unknown", "application/octet-stream"
		r.Flavors = append(r.Flavors, "unknown", "data")
	}
	req.FileType, req.Flavors = r.Sample.FileType, slices.Clone(r.Flavors)
	routed := p.o.cfg.Routes.Select(r.Flavors, p.mods.names, p.opts.Modules)
	p.event(sha, depth, &analysisv1.AnalysisEvent{Kind: &analysisv1.AnalysisEvent_Identified{Identified: &analysisv1.IdentifiedEvent{
		FileType: r.Sample.FileType, MimeType: r.Sample.MimeType, Flavors: r.Flavors, Modules: routed}}})
	if split {
		routed = append(routed, IdentifyModule)
	}

	responses := make([]*modulev1.AnalyzeResponse, len(routed))
	g, gctx := errgroup.WithContext(ctx)
	// Longest expected first, each call on its way before the next starts (Gosched lets the
	// new goroutine run to its RPC): the runtime gives its guest slots to the calls as their
	// handlers reach them, mostly in arrival order (not always: docs/architecture.md).
	// responses keeps the routing order, so the report does not depend on it.
	for _, i := range p.o.costs.order(routed, r.Sample.FileType) {
		name := routed[i]
		mreq := req
		if name == "pattern-matcher" && len(p.rules) > 0 {
			mreq = shallowCopy(req)
			mreq.Resources = p.rules
		}
		g.Go(func() error {
			responses[i] = p.invoke(gctx, r, name, src, mreq)
			if name == IdentifyModule {
				identified <- responses[i].GetArtifacts()
			}
			return nil
		})
		runtime.Gosched()
	}
	// What the identification's parse extracted (archive members) is analyzed while the other
	// modules run on this sample, instead of after the slowest of them.
	taken := map[string]bool{}
	var early recursed
	earlyDone := make(chan struct{})
	go func() {
		defer close(earlyDone)
		early = p.children(ctx, sha, <-identified, depth, ancestors, taken)
	}()
	_ = g.Wait() // invoke records failures in the report; it never returns an error.
	src.release(ctx)
	var found []*modulev1.Artifact
	for i, resp := range responses {
		arts := p.merge(r, resp)
		if routed[i] == IdentifyModule {
			// The parse's identification has the flavors parsing found besides the routing
			// ones; its artifacts went to identified.
			identifyFrom(r, resp)
			continue
		}
		found = append(found, arts...)
	}
	r.Sample.Entropy = <-entropied
	sampleDigests(r, content)
	sortModules(p.o.cfg.Routes, r.Modules)
	dedupeIOCs(r)
	<-earlyDone
	late := p.children(ctx, sha, found, depth, ancestors, taken)
	for _, rc := range []recursed{early, late} {
		r.Artifacts = append(r.Artifacts, rc.artifacts...)
		r.Findings = append(r.Findings, rc.findings...)
	}
	dedupeFindings(r)
	_, scoreSpan := otel.Tracer(tracerName).Start(ctx, "orchestrator.score")
	for _, f := range r.Findings {
		normalize(f)
	}
	r.Score = Score(r.Findings)
	r.Verdict = p.o.cfg.Thresholds.Verdict(r.Score)
	scoreSpan.End()
	span.SetAttributes(attribute.Int("athena.score", int(r.Score)), attribute.String("athena.verdict", r.Verdict.String()))
	return r
}

// splitIdentifyBytes is the smallest sample identified on its own before its parse: below it,
// the parse costs less than a second call to the identification module.
const splitIdentifyBytes = 64 << 10

// identifyFrom sets the sample's type and flavors from the identification module's response,
// if it has them.
func identifyFrom(r *analysisv1.Report, resp *modulev1.AnalyzeResponse) {
	if id := resp.GetIdentification(); id != nil && id.FileType != "" {
		r.Sample.FileType, r.Sample.MimeType, r.Sample.Description = id.FileType, id.MimeType, id.Description
		r.Flavors = id.Flavors
	}
}

// sampleDigests fills the sample's digests besides the SHA-256. The crypto module computes them
// all (through the runtime, which may have computed them while the identification ran); the
// MD5 and SHA-1 are computed here when it did not run or did not give them, so a report always
// has them. The orchestrator used to hash them itself while the identification ran, on the
// core the runtime's digests of the sample now use.
func sampleDigests(r *analysisv1.Report, content []byte) {
	if c := r.Details.GetCrypto(); c != nil {
		r.Sample.Ssdeep, r.Sample.Tlsh, r.Sample.Sha512 = c.Ssdeep, c.Tlsh, c.Sha512
		if isHex(c.Sha1, sha1.Size) && isHex(c.Md5, md5.Size) {
			r.Sample.Sha1, r.Sample.Md5 = c.Sha1, c.Md5
			return
		}
	}
	r.Sample.Sha1, r.Sample.Md5 = otherHashes(content)
}

// isHex reports whether s is lower-case hex of n bytes.
func isHex(s string, n int) bool {
	if len(s) != 2*n {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (p *pass) wanted(module string) bool {
	return len(p.opts.Modules) == 0 || module == IdentifyModule || slices.Contains(p.opts.Modules, module)
}

// invoke runs one module on src's content with req under the per-request and global
// concurrency bounds and records its outcome in r.Modules. It never fails the report.
func (p *pass) invoke(ctx context.Context, r *analysisv1.Report, module string, src *sampleSource, req *modulev1.AnalyzeRequest) *modulev1.AnalyzeResponse {
	return p.invokeAs(ctx, r, module, src, req, true)
}

// invokeAs is invoke that records the call (in r.Modules, the events and the metrics) only
// when record is set: a large sample's identification is not a module run of its own, the
// identification module's run is its parse.
func (p *pass) invokeAs(ctx context.Context, r *analysisv1.Report, module string, src *sampleSource, req *modulev1.AnalyzeRequest, record bool) *modulev1.AnalyzeResponse {
	sha := r.Sample.Sha256
	depth := int(r.Depth)
	run := &analysisv1.ModuleRun{Name: module}
	// The span covers the wait for a worker slot and the call, so traces show queueing.
	ctx, span := otel.Tracer(tracerName).Start(ctx, "orchestrator.invoke", trace.WithAttributes(
		attribute.String("athena.module", module), attribute.Bool("athena.identify_only", !record)))
	defer span.End()
	defer func() {
		if !record {
			if run.Status != analysisv1.ModuleStatus_MODULE_STATUS_OK {
				// The parse's run, recorded, says what went wrong if it fails too; this one only
				// explains routes chosen without an identification.
				p.o.log.WarnContext(ctx, "identification failed; routed as unknown", "module", module, "status", run.Status.String(), "error", run.Error)
			}
			return
		}
		p.mu.Lock()
		r.Modules = append(r.Modules, run)
		p.mu.Unlock()
		p.event(sha, depth, &analysisv1.AnalysisEvent{Kind: &analysisv1.AnalysisEvent_ModuleFinished{ModuleFinished: &analysisv1.ModuleFinishedEvent{Run: run}}})
		p.o.metrics.modules.WithLabelValues(module, statusLabel(run.Status)).Inc()
	}()
	start := time.Now()
	select {
	case p.sem <- struct{}{}:
		defer func() { <-p.sem }()
	case <-ctx.Done():
		run.Status, run.Error = analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, "deadline reached before the module could start"
		return nil
	}
	select {
	case p.o.global <- struct{}{}:
		defer func() { <-p.o.global }()
	case <-ctx.Done():
		run.Status, run.Error = analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, "deadline reached waiting for a free worker"
		return nil
	}
	if record {
		p.event(sha, depth, &analysisv1.AnalysisEvent{Kind: &analysisv1.AnalysisEvent_ModuleStarted{ModuleStarted: &analysisv1.ModuleStartedEvent{Module: module}}})
	}
	resp, err := src.invoke(ctx, module, req)
	run.DurationMs = time.Since(start).Milliseconds()
	if err != nil {
		run.Status, run.Error = callStatus(ctx, err), status.Convert(err).Message()
		return nil
	}
	if resp.DurationMs > 0 && req.FileType != "" {
		p.o.costs.observe(module, req.FileType, resp.DurationMs)
	}
	run.Version = resp.Version
	run.Status, run.Error = resp.Status, resp.Error
	if run.Status == analysisv1.ModuleStatus_MODULE_STATUS_UNSPECIFIED {
		run.Status = analysisv1.ModuleStatus_MODULE_STATUS_OK
	}
	if e := resp.GetResponse().GetError(); e != "" && run.Status == analysisv1.ModuleStatus_MODULE_STATUS_OK {
		run.Status, run.Error = analysisv1.ModuleStatus_MODULE_STATUS_ERROR, e
	}
	run.FindingCount = int32(len(resp.GetResponse().GetFindings()))
	return resp.GetResponse()
}

func callStatus(ctx context.Context, err error) analysisv1.ModuleStatus {
	switch status.Code(err) {
	case codes.DeadlineExceeded:
		return analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED
	case codes.ResourceExhausted:
		return analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED
	case codes.Unavailable:
		return analysisv1.ModuleStatus_MODULE_STATUS_UNAVAILABLE
	}
	if ctx.Err() != nil {
		return analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED
	}
	return analysisv1.ModuleStatus_MODULE_STATUS_ERROR
}

// merge folds a module response into the report and returns its artifacts.
func (p *pass) merge(r *analysisv1.Report, resp *modulev1.AnalyzeResponse) []*modulev1.Artifact {
	if resp == nil {
		return nil
	}
	r.Findings = append(r.Findings, resp.Findings...)
	r.Iocs = append(r.Iocs, resp.Iocs...)
	r.Notes = append(r.Notes, resp.Notes...)
	if resp.Details != nil {
		proto.Merge(r.Details, resp.Details)
	}
	return resp.Artifacts
}

// recursed is what analyzing a batch of artifacts adds to their parent's report.
type recursed struct {
	artifacts []*analysisv1.Artifact
	findings  []*analysisv1.Finding
}

// children analyzes the artifacts of the sample parent within the depth, count and byte
// budgets, at most ChildConcurrency at a time so that under a deadline the artifacts analyzed
// are complete rather than all half done, and rolls their verdicts up. taken holds the hashes
// of the parent's artifacts already handled; children adds to it.
func (p *pass) children(ctx context.Context, parent string, arts []*modulev1.Artifact, depth int, ancestors, taken map[string]bool) recursed {
	var out recursed
	if len(arts) == 0 {
		return out
	}
	ctx, span := otel.Tracer(tracerName).Start(ctx, "orchestrator.recurse", trace.WithAttributes(attribute.Int("athena.artifacts", len(arts))))
	defer span.End()
	path := make(map[string]bool, len(ancestors)+1)
	for k := range ancestors {
		path[k] = true
	}
	path[parent] = true
	var todo []int
	contents := map[int][]byte{}
	for _, a := range arts {
		if len(a.Content) == 0 {
			continue
		}
		sha := sha256Hex(a.Content)
		if taken[sha] {
			continue
		}
		taken[sha] = true
		art := &analysisv1.Artifact{
			Kind: a.Kind, Sha256: sha, Size: int64(len(a.Content)), Description: a.Description,
			Filename: a.Filename, Provenance: a.Provenance,
		}
		out.artifacts = append(out.artifacts, art)
		p.event(parent, depth, &analysisv1.AnalysisEvent{Kind: &analysisv1.AnalysisEvent_ArtifactDiscovered{ArtifactDiscovered: &analysisv1.ArtifactDiscoveredEvent{
			Kind: a.Kind, Sha256: sha, Size: art.Size, Description: a.Description}}})
		switch {
		case path[sha]:
			art.SkippedReason = "cycle: the artifact equals an ancestor"
			out.findings = append(out.findings, capFinding("recursion.cycle", "artifact repeats an ancestor (self-including container)", sha, 150))
		case depth+1 > p.maxDepth:
			art.SkippedReason = fmt.Sprintf("depth limit %d reached", p.maxDepth)
			out.findings = append(out.findings, capFinding("recursion.depth_limit", "nesting deeper than the depth limit", sha, 100))
		case !p.take(int64(len(a.Content))):
			art.SkippedReason = "artifact count or byte budget exhausted"
			out.findings = append(out.findings, capFinding("recursion.budget", "artifact count or byte budget exhausted", sha, 100))
		case ctx.Err() != nil:
			art.SkippedReason = "analysis deadline reached"
		default:
			todo = append(todo, len(out.artifacts)-1)
			contents[len(out.artifacts)-1] = a.Content
		}
	}
	var g errgroup.Group
	g.SetLimit(p.o.cfg.ChildConcurrency)
	for _, i := range todo {
		art := out.artifacts[i]
		g.Go(func() error {
			if ctx.Err() != nil {
				// Queued behind the limit until the deadline: say so instead of a hollow report.
				art.SkippedReason = "analysis deadline reached"
				return nil
			}
			art.Report = p.child(ctx, contents[i], art, depth+1, path)
			return nil
		})
	}
	_ = g.Wait()
	for _, i := range todo {
		if f := rollUp(out.artifacts[i]); f != nil {
			out.findings = append(out.findings, f)
		}
	}
	return out
}

// take reserves an artifact slot and bytes from the budget.
func (p *pass) take(n int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.artifacts >= p.maxArtifacts || p.byteBudget < n {
		return false
	}
	p.artifacts++
	p.byteBudget -= n
	return true
}

// child analyzes one artifact, reusing a cached report of the same bytes.
func (p *pass) child(ctx context.Context, content []byte, art *analysisv1.Artifact, depth int, path map[string]bool) *analysisv1.Report {
	// The span holds the cache lookup and store of the artifact next to its analysis.
	ctx, span := otel.Tracer(tracerName).Start(ctx, "orchestrator.child", trace.WithAttributes(attribute.Int("athena.depth", depth)))
	defer span.End()
	key := reportKey(art.Sha256, optionsHash(p.opts)+fmt.Sprintf(":d%d", depth), p.pipeline)
	if !p.opts.BypassCache {
		if r := p.o.cached(ctx, key); r != nil {
			r.Cached = true
			return r
		}
	}
	r := p.sample(ctx, content, art.Sha256, art.Filename, depth, path)
	r.Id = newID()
	if ctx.Err() == nil {
		p.o.store(ctx, key, r)
	}
	return r
}

func (p *pass) event(sha string, depth int, ev *analysisv1.AnalysisEvent) {
	if p.emit != nil {
		p.emit(event(p.id, sha, int32(depth), ev))
	}
}

func capFinding(id, title, sha string, score int32) *analysisv1.Finding {
	return &analysisv1.Finding{
		Module: "orchestrator", Id: id, Title: title, Severity: analysisv1.Severity_SEVERITY_LOW,
		Score: score, Evidence: "artifact sha256 " + sha, Offset: -1, Family: "recursion",
		Reason:           "recursion caps are an evasion technique when reached on purpose; weighted low",
		AttackTechniques: []string{"T1027"},
	}
}

func dedupeFindings(r *analysisv1.Report) {
	seen := map[string]bool{}
	out := r.Findings[:0]
	for _, f := range r.Findings {
		k := f.Module + "|" + f.Id + "|" + f.Evidence + "|" + fmt.Sprint(f.Offset)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	r.Findings = out
}

func dedupeIOCs(r *analysisv1.Report) {
	seen := map[string]bool{}
	out := r.Iocs[:0]
	for _, i := range r.Iocs {
		k := i.Type.String() + "|" + i.Value
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, i)
	}
	r.Iocs = out
}

// sortModules orders module runs by their route priority, so reports list them the same way
// whatever order the parallel calls finished in.
func sortModules(routes Routes, ms []*analysisv1.ModuleRun) {
	order := map[string]int{}
	for _, rt := range routes {
		order[rt.Module] = rt.Priority
	}
	slices.SortStableFunc(ms, func(a, b *analysisv1.ModuleRun) int { return order[a.Name] - order[b.Name] })
}

func statusLabel(s analysisv1.ModuleStatus) string {
	switch s {
	case analysisv1.ModuleStatus_MODULE_STATUS_OK:
		return "ok"
	case analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED:
		return "deadline_exceeded"
	case analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED:
		return "resource_exhausted"
	case analysisv1.ModuleStatus_MODULE_STATUS_UNAVAILABLE:
		return "unavailable"
	default:
		return "error"
	}
}

// entropy is the Shannon entropy of b in bits per byte.
func entropy(b []byte) float64 { return math.Round(bytecount.Of(b)*10000) / 10000 }
