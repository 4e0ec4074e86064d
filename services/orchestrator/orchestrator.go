// Package orchestrator is the analysis pipeline: hashing, cache lookup, singleflight, routing,
// fan-out to the analyzer modules, recursion into artifacts, scoring, AI assessment, caching and
// progress events.
package orchestrator

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	"github.com/athena-mesh/athena/services/orchestrator/jobs"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Errors the gRPC edge maps to status codes.
var (
	// ErrInvalid marks a request the client must fix (InvalidArgument).
	ErrInvalid = errors.New("invalid request")
	// ErrTooLarge marks a sample over the size limit (InvalidArgument, 413 over REST).
	ErrTooLarge = errors.New("sample too large")
	// ErrNotFound marks an unknown analysis or job id (NotFound).
	ErrNotFound = errors.New("not found")
	// ErrBusy marks back-pressure: the queue or worker pool is full (ResourceExhausted).
	ErrBusy = errors.New("busy")
)

// Config configures an Orchestrator.
type Config struct {
	// Invoker runs modules.
	Invoker Invoker
	// Store caches reports; nil disables caching.
	Store Store
	// Assessor adds AI assessments; nil disables AI.
	Assessor Assessor
	// Jobs queues asynchronous analyses; nil disables SubmitAnalysis.
	Jobs jobs.Queue
	// Routes is the routing table; nil means DefaultRoutes.
	Routes Routes
	// Thresholds map scores to verdicts; zero means DefaultThresholds.
	Thresholds Thresholds
	// TTL is the cache TTL of reports by verdict; missing verdicts use DefaultTTL.
	TTL map[analysisv1.Verdict]time.Duration
	// DefaultTTL is the report TTL when TTL has no entry; 0 means one hour.
	DefaultTTL time.Duration
	// MaxSampleBytes is the sample size limit; 0 means 64 MiB.
	MaxSampleBytes int64
	// DefaultTimeout is the analysis deadline when the request sets none; 0 means 60s.
	DefaultTimeout time.Duration
	// MaxDepth, MaxArtifacts cap recursion; 0 means 5 and 256.
	MaxDepth     int
	MaxArtifacts int
	// ArtifactBytesFactor caps the bytes of all artifacts at this multiple of the sample, and
	// MaxArtifactBytes caps it absolutely; 0 means 4 and 256 MiB.
	ArtifactBytesFactor int64
	MaxArtifactBytes    int64
	// ModuleConcurrency bounds parallel module calls per request; 0 means 4.
	ModuleConcurrency int
	// ChildConcurrency bounds the artifacts of one sample analyzed in parallel; 0 means 4.
	ChildConcurrency int
	// GlobalConcurrency bounds module calls across all requests; 0 means 32.
	GlobalConcurrency int
	// MaxBatch bounds the items of one batch; 0 means 100.
	MaxBatch int
	// BatchConcurrency bounds samples analyzed in parallel in one batch; 0 means 4.
	BatchConcurrency int
	// RulesDir holds user YARA rulesets passed to the pattern-matcher; empty means none.
	RulesDir string
	// Logger receives pipeline events.
	Logger *slog.Logger
	// Registerer receives the pipeline metrics; nil means none.
	Registerer prometheus.Registerer
}

// Orchestrator runs analyses.
type Orchestrator struct {
	cfg     Config
	log     *slog.Logger
	flight  singleflight.Group
	global  chan struct{}
	metrics *metrics
	rules   *rulesDir
	costs   *moduleCosts

	modMu      sync.Mutex
	modCache   *moduleSet
	modFetched time.Time
}

// New validates cfg, fills defaults and returns an Orchestrator.
func New(cfg Config) (*Orchestrator, error) {
	if cfg.Invoker == nil {
		return nil, errors.New("orchestrator: no module invoker")
	}
	if cfg.Routes == nil {
		cfg.Routes = DefaultRoutes
	}
	if cfg.Thresholds == (Thresholds{}) {
		cfg.Thresholds = DefaultThresholds
	}
	if cfg.Thresholds.Suspicious <= 0 || cfg.Thresholds.Malicious <= cfg.Thresholds.Suspicious || cfg.Thresholds.Malicious > 1000 {
		return nil, fmt.Errorf("orchestrator: thresholds must satisfy 0 < suspicious < malicious <= 1000, got %d and %d", cfg.Thresholds.Suspicious, cfg.Thresholds.Malicious)
	}
	setDefault(&cfg.DefaultTTL, time.Hour)
	setDefault(&cfg.MaxSampleBytes, 64<<20)
	setDefault(&cfg.DefaultTimeout, 60*time.Second)
	setDefault(&cfg.MaxDepth, 5)
	setDefault(&cfg.MaxArtifacts, 256)
	setDefault(&cfg.ArtifactBytesFactor, 4)
	setDefault(&cfg.MaxArtifactBytes, 256<<20)
	setDefault(&cfg.ModuleConcurrency, 4)
	setDefault(&cfg.ChildConcurrency, 4)
	setDefault(&cfg.GlobalConcurrency, 32)
	setDefault(&cfg.MaxBatch, 100)
	setDefault(&cfg.BatchConcurrency, 4)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Orchestrator{
		cfg:     cfg,
		log:     cfg.Logger,
		global:  make(chan struct{}, cfg.GlobalConcurrency),
		metrics: newMetrics(cfg.Registerer),
		rules:   &rulesDir{dir: cfg.RulesDir},
		costs:   newModuleCosts(),
	}, nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// EventFunc receives progress events. It is called from several goroutines, never
// concurrently.
type EventFunc func(*analysisv1.AnalysisEvent)

// Analyze analyzes one sample and returns its report.
func (o *Orchestrator) Analyze(ctx context.Context, sample *analysisv1.SampleInput, opts *analysisv1.AnalysisOptions) (*analysisv1.Report, error) {
	return o.analyze(ctx, sample, opts, nil)
}

// AnalyzeStream analyzes one sample, calling emit for every progress event; the last event
// carries the report.
func (o *Orchestrator) AnalyzeStream(ctx context.Context, sample *analysisv1.SampleInput, opts *analysisv1.AnalysisOptions, emit EventFunc) (*analysisv1.Report, error) {
	var mu sync.Mutex
	safe := func(ev *analysisv1.AnalysisEvent) {
		mu.Lock()
		defer mu.Unlock()
		emit(ev)
	}
	return o.analyze(ctx, sample, opts, safe)
}

func (o *Orchestrator) validate(sample *analysisv1.SampleInput, opts *analysisv1.AnalysisOptions) error {
	if sample == nil || len(sample.Content) == 0 {
		return fmt.Errorf("%w: sample.content is empty", ErrInvalid)
	}
	if int64(len(sample.Content)) > o.cfg.MaxSampleBytes {
		return fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(sample.Content), o.cfg.MaxSampleBytes)
	}
	if opts.GetMaxDepth() < 0 || opts.GetMaxArtifacts() < 0 || opts.GetTimeoutMs() < 0 {
		return fmt.Errorf("%w: options.maxDepth, options.maxArtifacts and options.timeoutMs must not be negative", ErrInvalid)
	}
	if len(sample.Filename) > 1024 {
		return fmt.Errorf("%w: sample.filename is longer than 1024 bytes", ErrInvalid)
	}
	return nil
}

func (o *Orchestrator) analyze(ctx context.Context, sample *analysisv1.SampleInput, opts *analysisv1.AnalysisOptions, emit EventFunc) (*analysisv1.Report, error) {
	if opts == nil {
		opts = &analysisv1.AnalysisOptions{}
	}
	if err := o.validate(sample, opts); err != nil {
		return nil, err
	}
	timeout := o.cfg.DefaultTimeout
	if opts.TimeoutMs > 0 {
		timeout = time.Duration(opts.TimeoutMs) * time.Millisecond
	}
	// Finish a little before the caller's own deadline, so a report with the modules that
	// did not finish marked as such can still reach the caller.
	if dl, ok := ctx.Deadline(); ok {
		remaining := time.Until(dl)
		timeout = min(timeout, remaining-min(remaining/20, 500*time.Millisecond))
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	start := time.Now()
	mods, err := o.modules(ctx)
	if err != nil {
		return nil, err
	}
	rules, rulesHash := o.rules.load(o.log)
	pipeline := o.pipelineVersion(mods, rulesHash)
	// With bypassCache no lookup waits for the hash, so a large sample goes to the runtime
	// (KeepContent, milliseconds a megabyte) while it is hashed. If the analysis then joins an
	// identical one already running, the content is released unused.
	var early chan *sampleSource
	if opts.BypassCache && len(sample.Content) >= keepMinBytes {
		early = make(chan *sampleSource, 1)
		go func() { early <- o.source(ctx, sample.Content, mods, opts) }()
	}
	sha := sha256Hex(sample.Content)
	key := reportKey(sha, optionsHash(opts), pipeline)
	id := newID()
	if emit != nil {
		emit(event(id, sha, 0, &analysisv1.AnalysisEvent{Kind: &analysisv1.AnalysisEvent_Accepted{Accepted: &analysisv1.AcceptedEvent{Size: int64(len(sample.Content)), Filename: sample.Filename}}}))
	}
	if !opts.BypassCache {
		if r := o.cached(ctx, key); r != nil {
			o.metrics.cache.WithLabelValues("hit").Inc()
			r.Cached = true
			if sample.Filename != "" && r.Sample != nil {
				r.Sample.Filename = sample.Filename
			}
			o.finish(emit, r)
			return r, nil
		}
		o.metrics.cache.WithLabelValues("miss").Inc()
	}
	ran := false
	run := func() (*analysisv1.Report, error) {
		ran = true
		p := &pass{
			o: o, opts: opts, mods: mods, rules: rules, emit: emit, id: id, pipeline: pipeline, early: early,
			byteBudget: min(o.cfg.MaxArtifactBytes, o.cfg.ArtifactBytesFactor*int64(len(sample.Content))),
			maxDepth:   o.cfg.MaxDepth, maxArtifacts: o.cfg.MaxArtifacts,
			sem: make(chan struct{}, o.cfg.ModuleConcurrency),
		}
		if opts.MaxDepth > 0 {
			p.maxDepth = min(int(opts.MaxDepth), o.cfg.MaxDepth)
		}
		if opts.MaxArtifacts > 0 {
			p.maxArtifacts = min(int(opts.MaxArtifacts), o.cfg.MaxArtifacts)
		}
		r := p.sample(ctx, sample.Content, sha, sample.Filename, 0, nil)
		r.Id = id
		if opts.GetAi().GetEnabled() {
			o.assess(ctx, r, sample.Content, opts, emit)
		}
		r.DurationMs = time.Since(start).Milliseconds()
		r.CreatedAt = timestamppb.Now()
		o.store(ctx, key, r)
		o.metrics.analyses.WithLabelValues(verdictLabel(r.Verdict), r.GetSample().GetFileType()).Inc()
		o.metrics.duration.Observe(time.Since(start).Seconds())
		return r, nil
	}
	var r *analysisv1.Report
	if early != nil {
		defer func() {
			if !ran { // joined an identical analysis: nothing took the content
				go func() { (<-early).release(ctx) }()
			}
		}()
	}
	if emit != nil {
		// A streamed analysis runs on its own so that its caller sees every module event.
		r, err = run()
	} else {
		var v any
		var shared bool
		v, err, shared = o.flight.Do(key, func() (any, error) { return run() })
		if err == nil {
			// Each caller that shared the run gets its own copy (finish and the servers
			// change it); a report nobody shared is this caller's already.
			r = v.(*analysisv1.Report)
			if shared {
				r = proto.Clone(r).(*analysisv1.Report)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		r.Notes = append(r.Notes, fmt.Sprintf("analysis deadline of %s reached; modules that did not finish are marked in modules[]", timeout))
	}
	o.finish(emit, r)
	return r, nil
}

func (o *Orchestrator) finish(emit EventFunc, r *analysisv1.Report) {
	if emit != nil {
		emit(event(r.Id, r.GetSample().GetSha256(), 0, &analysisv1.AnalysisEvent{Kind: &analysisv1.AnalysisEvent_Report{Report: r}}))
	}
}

func event(id, sha string, depth int32, ev *analysisv1.AnalysisEvent) *analysisv1.AnalysisEvent {
	ev.Time = timestamppb.Now()
	ev.AnalysisId = id
	ev.Sha256 = sha
	ev.Depth = depth
	return ev
}

// GetAnalysis returns a stored report by id.
func (o *Orchestrator) GetAnalysis(ctx context.Context, id string) (*analysisv1.Report, error) {
	if id == "" || len(id) > 64 {
		return nil, fmt.Errorf("%w: id must be 1 to 64 characters", ErrInvalid)
	}
	if o.cfg.Store == nil {
		return nil, fmt.Errorf("%w: analysis %q (no cache configured)", ErrNotFound, id)
	}
	key, found, err := o.cfg.Store.Get(ctx, "analysis:"+id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%w: analysis %q (unknown or expired)", ErrNotFound, id)
	}
	r := o.cached(ctx, string(key))
	if r == nil {
		return nil, fmt.Errorf("%w: analysis %q (report expired)", ErrNotFound, id)
	}
	return r, nil
}

func (o *Orchestrator) cached(ctx context.Context, key string) *analysisv1.Report {
	if o.cfg.Store == nil {
		return nil
	}
	b, found, err := o.cfg.Store.Get(ctx, key)
	if err != nil {
		// A cache outage costs a fresh analysis, never the request.
		o.log.WarnContext(ctx, "cache read failed", "error", err)
		return nil
	}
	if !found {
		return nil
	}
	r := &analysisv1.Report{}
	if err := proto.Unmarshal(b, r); err != nil {
		o.log.WarnContext(ctx, "cached report undecodable", "key", key, "error", err)
		return nil
	}
	return r
}

// transient reports whether a module in the report tree failed for a reason that may not
// recur (deadline, runtime unreachable, pool busy). Such a report is returned but never cached,
// so a retry gets a complete analysis instead of the partial one for the whole TTL.
func transient(r *analysisv1.Report) bool {
	for _, m := range r.GetModules() {
		switch m.Status {
		case analysisv1.ModuleStatus_MODULE_STATUS_DEADLINE_EXCEEDED, analysisv1.ModuleStatus_MODULE_STATUS_UNAVAILABLE:
			return true
		case analysisv1.ModuleStatus_MODULE_STATUS_RESOURCE_EXHAUSTED:
			if strings.Contains(m.Error, "pool") || strings.Contains(m.Error, "busy") {
				return true
			}
		}
	}
	for _, a := range r.GetArtifacts() {
		if a.Report != nil && transient(a.Report) {
			return true
		}
		if strings.HasPrefix(a.SkippedReason, "analysis deadline") {
			return true
		}
	}
	return false
}

func (o *Orchestrator) store(ctx context.Context, key string, r *analysisv1.Report) {
	if o.cfg.Store == nil {
		return
	}
	ttl := o.cfg.DefaultTTL
	if t, ok := o.cfg.TTL[r.Verdict]; ok {
		ttl = t
	}
	if transient(r) {
		// Kept for GetAnalysis under its own key, never under the report key.
		r.Notes = append(r.Notes, "not cached: a module did not finish (deadline or unavailable); a new request analyzes again")
		key, ttl = "partial:"+r.Id, min(ttl, 10*time.Minute)
	}
	b, err := proto.Marshal(r)
	if err != nil {
		o.log.ErrorContext(ctx, "encode report", "error", err)
		return
	}
	// The cache write must not be lost to a request that was cancelled after the work was done.
	ctx = context.WithoutCancel(ctx)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	// The report and the id's pointer to it are written at once: both are in place before the
	// caller learns the id, so GetAnalysis finds the report whichever lands first.
	byID := make(chan error, 1)
	go func() { byID <- o.cfg.Store.Set(ctx, "analysis:"+r.Id, []byte(key), ttl) }()
	if err := o.cfg.Store.Set(ctx, key, b, ttl, "sha256:"+r.GetSample().GetSha256(), "pipeline:"+r.PipelineVersion); err != nil {
		o.log.WarnContext(ctx, "cache write failed", "error", err)
	}
	if err := <-byID; err != nil {
		o.log.WarnContext(ctx, "cache write failed", "error", err)
	}
}

// moduleSet is the loaded modules as the runtime reports them.
type moduleSet struct {
	names   map[string]bool
	version string
	list    []*analysisv1.ModuleDescriptor
}

// modules returns the runtime's modules, refreshed at most once a second so a hot reload is
// seen quickly without a round trip per analysis.
func (o *Orchestrator) modules(ctx context.Context) (*moduleSet, error) {
	o.modMu.Lock()
	defer o.modMu.Unlock()
	if o.modCache != nil && time.Since(o.modFetched) < time.Second {
		return o.modCache, nil
	}
	resp, err := o.cfg.Invoker.ListModules(ctx)
	if err != nil {
		if o.modCache != nil {
			return o.modCache, nil
		}
		return nil, fmt.Errorf("list modules: %w", err)
	}
	set := &moduleSet{names: map[string]bool{}, version: resp.ModulesVersion, list: resp.Modules}
	for _, m := range resp.Modules {
		set.names[m.Name] = true
	}
	o.modCache, o.modFetched = set, time.Now()
	return set, nil
}

// ListModules returns the modules and the pipeline version.
func (o *Orchestrator) ListModules(ctx context.Context) ([]*analysisv1.ModuleDescriptor, string, error) {
	mods, err := o.modules(ctx)
	if err != nil {
		return nil, "", err
	}
	_, rulesHash := o.rules.load(o.log)
	return mods.list, o.pipelineVersion(mods, rulesHash), nil
}

// pipelineVersion hashes everything that decides a report's content: module hashes, user
// rulesets, routing and scoring.
func (o *Orchestrator) pipelineVersion(mods *moduleSet, rulesHash string) string {
	h := sha256.New()
	fmt.Fprintf(h, "modules=%s\nrules=%s\nroutes=%s\nscoring=%s\nthresholds=%d/%d\n",
		mods.version, rulesHash, o.cfg.Routes.Version(), ScoringVersion, o.cfg.Thresholds.Suspicious, o.cfg.Thresholds.Malicious)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// optionsHash hashes the options that change a report's content; bypassCache and timeoutMs
// do not.
func optionsHash(opts *analysisv1.AnalysisOptions) string {
	mods := append([]string(nil), opts.Modules...)
	sort.Strings(mods)
	ai := opts.GetAi()
	s := fmt.Sprintf("modules=%s depth=%d strings=%t artifacts=%d ai=%t/%s/%s/%t/%g",
		strings.Join(mods, ","), opts.MaxDepth, opts.IncludeStrings, opts.MaxArtifacts,
		ai.GetEnabled(), ai.GetStrategy(), strings.Join(ai.GetProviders(), ","), ai.GetAllowExternal(), ai.GetMaxCostUsd())
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

func reportKey(sha, optsHash, pipeline string) string {
	return "report:" + sha + ":" + optsHash + ":" + pipeline
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// otherHashes returns the SHA-1 and MD5 of b; the SHA-256 is computed once, earlier, because
// it keys the cache and the artifact deduplication.
func otherHashes(b []byte) (string, string) {
	s1 := sha1.Sum(b)
	m5 := md5.Sum(b)
	return hex.EncodeToString(s1[:]), hex.EncodeToString(m5[:])
}

func verdictLabel(v analysisv1.Verdict) string {
	return strings.ToLower(strings.TrimPrefix(v.String(), "VERDICT_"))
}
