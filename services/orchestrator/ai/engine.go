// Package ai asks LLM providers (Anthropic, OpenAI, DeepSeek, OpenAI-compatible local servers)
// and a built-in heuristic for a structured assessment of an analyzed sample, combines their
// answers by strategy, cross-checks every indicator they claim against the static evidence and
// merges the result into the static verdict by a documented rule (docs/ai.md).
package ai

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

// tracerName names the tracer of LLM call spans.
const tracerName = "github.com/athena-mesh/athena/services/orchestrator/ai"

// Store is a key-value cache with TTL; the orchestrator passes its cache.
type Store interface {
	// Get returns the value and whether it was found.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// Set stores a value for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Input is what one assessment is about.
type Input struct {
	// Report is the static report: sample, findings, IOCs, details.
	Report *analysisv1.Report
	// Excerpts are deobfuscated text excerpts the orchestrator gathered; the engine caps them.
	Excerpts []string
	// Options are the request's AI options; nil means server defaults.
	Options *analysisv1.AIOptions
}

// Result is the AI part of a report.
type Result struct {
	// AI is the report's ai section.
	AI *analysisv1.AIReport
	// Findings are findings the AI stage adds, such as ai.prompt_injection.
	Findings []*analysisv1.Finding
	// Verdict is the merged verdict (docs/ai.md, "Verdict merge rule").
	Verdict analysisv1.Verdict
	// Score is the merged score.
	Score int32
}

// Engine runs AI assessments. It is safe for concurrent use.
type Engine struct {
	cfg       Config
	store     Store
	logger    *slog.Logger
	metrics   *metrics
	tracer    trace.Tracer
	providers map[string]*provider
	order     []string
	http      *http.Client
	// sleep waits between retries; tests replace it to observe backoff without waiting.
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time

	mu       sync.Mutex
	day      string
	daySpend float64
}

// New builds an engine. Providers without keys are kept and reported as unconfigured; the
// heuristic provider is always present.
func New(cfg Config, store Store, reg prometheus.Registerer, logger *slog.Logger) (*Engine, error) {
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("register ai metrics: %w", err)
	}
	e := &Engine{
		cfg: cfg, store: store, logger: logger, metrics: m,
		tracer:    otel.Tracer(tracerName),
		providers: map[string]*provider{},
		sleep:     sleepCtx,
		now:       time.Now,
	}
	// One transport for all providers; per-attempt deadlines come from contexts.
	httpClient := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	e.http = httpClient
	hasHeuristic := false
	for _, pc := range cfg.Providers {
		if pc.Kind == KindHeuristic {
			hasHeuristic = true
		}
		pc = pc.withDefaults()
		if _, dup := e.providers[pc.Name]; dup {
			return nil, fmt.Errorf("ai provider %q configured twice", pc.Name)
		}
		e.providers[pc.Name] = newProvider(cfg, pc, httpClient, m)
		e.order = append(e.order, pc.Name)
	}
	if !hasHeuristic {
		pc := ProviderConfig{Name: string(KindHeuristic), Kind: KindHeuristic}.withDefaults()
		e.providers[pc.Name] = newProvider(cfg, pc, httpClient, m)
		e.order = append(e.order, pc.Name)
	}
	return e, nil
}

// Close releases idle connections to the providers.
func (e *Engine) Close() {
	e.http.CloseIdleConnections()
}

// Providers returns every provider's state, in configuration order.
func (e *Engine) Providers() []*analysisv1.ProviderStatus {
	day := e.now().UTC().Format(time.DateOnly)
	out := make([]*analysisv1.ProviderStatus, 0, len(e.order))
	for _, name := range e.order {
		out = append(out, e.providers[name].status(day))
	}
	return out
}

// request is the state of one Assess call.
type request struct {
	in        Input
	strategy  analysisv1.AIStrategy
	allowExt  bool
	budget    float64
	optsHash  string
	injection string
	mu        sync.Mutex
	spent     float64
	notes     []string
}

func (r *request) note(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// Assess runs the AI stage for one report. Provider failures never fail the call: they are
// recorded in the assessments and the heuristic answers instead. Only a missing report is an
// error.
func (e *Engine) Assess(ctx context.Context, in Input) (*Result, error) {
	if in.Report == nil {
		return nil, errors.New("assess: no report")
	}
	opts := in.Options
	if opts == nil {
		opts = &analysisv1.AIOptions{}
	}
	req := &request{in: in, strategy: opts.GetStrategy(), allowExt: opts.GetAllowExternal() && e.cfg.AllowExternal}
	if req.strategy == analysisv1.AIStrategy_AI_STRATEGY_UNSPECIFIED {
		req.strategy = e.cfg.DefaultStrategy
	}
	req.budget = e.cfg.RequestBudgetUSD
	if b := opts.GetMaxCostUsd(); b > 0 && (req.budget == 0 || b < req.budget) {
		req.budget = b
	}
	names := opts.GetProviders()
	if len(names) == 0 {
		names = e.cfg.DefaultProviders
	}
	req.optsHash = fmt.Sprintf("%s|%s", req.strategy, strings.Join(names, ","))

	var findings []*analysisv1.Finding
	texts := append([]string(nil), in.Excerpts...)
	for _, f := range in.Report.GetFindings() {
		texts = append(texts, f.GetEvidence())
	}
	if ev := detectInjection(texts); ev != "" {
		req.injection = ev
		findings = append(findings, injectionFinding(ev))
		req.note("prompt injection attempt in the sample: AI output is annotation only")
	}

	var assessments []*analysisv1.AIAssessment
	var merged *analysisv1.AIAssessment
	var agreement float64
	switch req.strategy {
	case analysisv1.AIStrategy_AI_STRATEGY_ENSEMBLE:
		assessments, merged, agreement = e.ensemble(ctx, req, e.resolve(req, names))
	case analysisv1.AIStrategy_AI_STRATEGY_SEQUENTIAL:
		assessments, merged, agreement = e.sequential(ctx, req, e.resolve(req, names))
	case analysisv1.AIStrategy_AI_STRATEGY_SPECIALIZED:
		assessments, merged, agreement = e.single(ctx, req, e.resolve(req, e.chain(e.route(req, opts.GetProviders()))))
	case analysisv1.AIStrategy_AI_STRATEGY_HEDGED:
		assessments, merged, agreement = e.hedged(ctx, req, e.resolve(req, e.chain(names)))
	default:
		req.strategy = analysisv1.AIStrategy_AI_STRATEGY_SINGLE
		assessments, merged, agreement = e.single(ctx, req, e.resolve(req, e.chain(names)))
	}
	verdict, score, changed, why := e.mergeVerdict(req, merged, assessments, agreement)
	if why != "" {
		req.note("%s", why)
	}
	return &Result{
		AI: &analysisv1.AIReport{
			Strategy:       req.strategy,
			Assessments:    assessments,
			Merged:         merged,
			AgreementRatio: agreement,
			Notes:          req.notes,
			VerdictChanged: changed,
		},
		Findings: findings,
		Verdict:  verdict,
		Score:    score,
	}, nil
}

// chain is names followed by the configured fallback chain, without repeats.
func (e *Engine) chain(names []string) []string {
	return dedupe(append(append([]string(nil), names...), e.cfg.Fallback...))
}

// route picks the specialized strategy's providers by file type, then category, then default;
// a request's own provider list filters the route.
func (e *Engine) route(req *request, requested []string) []string {
	ft := req.in.Report.GetSample().GetFileType()
	key := ft
	r, ok := e.cfg.Routes[ft]
	if !ok {
		key = category(ft)
		r, ok = e.cfg.Routes[key]
	}
	if !ok {
		key = "default"
		r = e.cfg.Routes[key]
	}
	if len(requested) > 0 {
		allowed := map[string]bool{}
		for _, n := range requested {
			allowed[n] = true
		}
		var filtered []string
		for _, n := range r {
			if allowed[n] {
				filtered = append(filtered, n)
			}
		}
		if len(filtered) == 0 {
			filtered = requested
		}
		r = filtered
	}
	req.note("specialized: file type %q routed by %q to %s", ft, key, strings.Join(r, ", "))
	return r
}

// resolve turns names into callable providers, noting each one left out and why.
func (e *Engine) resolve(req *request, names []string) []*provider {
	var out []*provider
	for _, n := range dedupe(names) {
		p, ok := e.providers[n]
		switch {
		case !ok:
			req.note("provider %q is not known; skipped", n)
		case !p.isConfigured:
			req.note("provider %q is unconfigured (%s); skipped", n, p.whyNot)
		case p.isExternal && !req.allowExt:
			req.note("provider %q skipped: it sends content outside the mesh and external AI is not allowed (request allow_external=%t, server policy=%t)",
				n, req.in.Options.GetAllowExternal(), e.cfg.AllowExternal)
		default:
			out = append(out, p)
		}
	}
	return out
}

// single asks providers in order until one gives a valid answer; the heuristic answers when
// none does.
func (e *Engine) single(ctx context.Context, req *request, chain []*provider) ([]*analysisv1.AIAssessment, *analysisv1.AIAssessment, float64) {
	var out []*analysisv1.AIAssessment
	for _, p := range chain {
		a := e.assessOne(ctx, req, p, nil)
		if a == nil {
			continue
		}
		out = append(out, a)
		if a.GetError() == "" {
			return out, proto.CloneOf(a), 1
		}
	}
	return e.fallbackHeuristic(req, out)
}

// fallbackHeuristic appends the heuristic assessment after every other provider failed or was
// skipped.
func (e *Engine) fallbackHeuristic(req *request, out []*analysisv1.AIAssessment) ([]*analysisv1.AIAssessment, *analysisv1.AIAssessment, float64) {
	for _, a := range out {
		if a.GetProvider() == string(KindHeuristic) && a.GetError() == "" {
			return out, proto.CloneOf(a), 1
		}
	}
	req.note("no provider gave a valid answer; the heuristic provider answered")
	h := e.heuristic(req.in)
	out = append(out, h)
	return out, proto.CloneOf(h), 1
}

// ensemble asks all providers in parallel and takes a majority vote.
func (e *Engine) ensemble(ctx context.Context, req *request, ps []*provider) ([]*analysisv1.AIAssessment, *analysisv1.AIAssessment, float64) {
	results := make([]*analysisv1.AIAssessment, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Go(func() { results[i] = e.assessOne(ctx, req, p, nil) })
	}
	wg.Wait()
	var out []*analysisv1.AIAssessment
	for _, a := range results {
		if a != nil {
			out = append(out, a)
		}
	}
	if len(valid(out)) == 0 {
		return e.fallbackHeuristic(req, out)
	}
	merged, agreement := vote(valid(out))
	return out, merged, agreement
}

// sequential asks providers in turn; each sees the valid assessments before it. The last valid
// answer is the merged one.
func (e *Engine) sequential(ctx context.Context, req *request, ps []*provider) ([]*analysisv1.AIAssessment, *analysisv1.AIAssessment, float64) {
	var out []*analysisv1.AIAssessment
	for _, p := range ps {
		a := e.assessOne(ctx, req, p, valid(out))
		if a != nil {
			out = append(out, a)
		}
	}
	good := valid(out)
	if len(good) == 0 {
		return e.fallbackHeuristic(req, out)
	}
	_, agreement := vote(good)
	last := proto.CloneOf(good[len(good)-1])
	// Agreement is measured against the final answer, not the majority.
	same := 0
	for _, a := range good {
		if a.GetVerdict() == last.GetVerdict() {
			same++
		}
	}
	agreement = float64(same) / float64(len(good))
	return out, last, agreement
}

// hedged starts the first provider, and the next one each time HedgeDelay passes without a
// valid answer (or at once when one fails); the first valid answer wins and the rest are
// cancelled.
func (e *Engine) hedged(ctx context.Context, req *request, chain []*provider) ([]*analysisv1.AIAssessment, *analysisv1.AIAssessment, float64) {
	var race []*provider
	for _, p := range chain {
		if p.cfg.Kind != KindHeuristic {
			race = append(race, p)
		}
	}
	if len(race) == 0 {
		return e.fallbackHeuristic(req, nil)
	}
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		p *provider
		a *analysisv1.AIAssessment
	}
	results := make(chan result, len(race))
	var wg sync.WaitGroup
	next, running := 0, 0
	start := func() {
		p := race[next]
		next++
		running++
		wg.Go(func() { results <- result{p: p, a: e.assessOne(hctx, req, p, nil)} })
	}
	start()
	timer := time.NewTimer(e.cfg.HedgeDelay)
	defer timer.Stop()
	var out []*analysisv1.AIAssessment
	var winner *analysisv1.AIAssessment
	for running > 0 && winner == nil {
		select {
		case r := <-results:
			running--
			if r.a != nil {
				out = append(out, r.a)
			}
			if r.a != nil && r.a.GetError() == "" {
				winner = r.a
				break
			}
			if next < len(race) {
				start()
				timer.Reset(e.cfg.HedgeDelay)
			}
		case <-timer.C:
			if next < len(race) {
				req.note("hedged: %s slow after %s; started %s", race[next-1].cfg.Name, e.cfg.HedgeDelay, race[next].cfg.Name)
				start()
				timer.Reset(e.cfg.HedgeDelay)
			}
		}
	}
	cancel()
	wg.Wait()
	close(results)
	for r := range results {
		if r.a == nil {
			continue
		}
		if strings.Contains(r.a.GetError(), context.Canceled.Error()) {
			req.note("hedged: %s cancelled after %s answered", r.p.cfg.Name, winner.GetProvider())
			continue
		}
		out = append(out, r.a)
	}
	if winner == nil {
		return e.fallbackHeuristic(req, out)
	}
	return out, proto.CloneOf(winner), 1
}

// valid returns the assessments without errors.
func valid(as []*analysisv1.AIAssessment) []*analysisv1.AIAssessment {
	var out []*analysisv1.AIAssessment
	for _, a := range as {
		if a.GetError() == "" {
			out = append(out, a)
		}
	}
	return out
}

// assessOne asks one provider, through the cache, the budget and the one validation retry.
// It returns nil when the provider was skipped (budget), an assessment with Error when it failed.
func (e *Engine) assessOne(ctx context.Context, req *request, p *provider, previous []*analysisv1.AIAssessment) *analysisv1.AIAssessment {
	if p.cfg.Kind == KindHeuristic {
		return e.heuristic(req.in)
	}
	pr := buildPrompt(e.cfg, req.in, previous)
	key := e.cacheKey(req, p, pr)
	if a := e.cached(ctx, key); a != nil {
		crossCheck(a, req.in)
		return a
	}
	a := &analysisv1.AIAssessment{Provider: p.cfg.Name, Model: p.cfg.Model}
	turns := []turn{{role: "user", text: pr.user}}
	start := time.Now()
	defer func() { a.LatencyMs = time.Since(start).Milliseconds() }()
	for try := 0; try < 2; try++ {
		if why := e.overBudget(req, p, pr, turns); why != "" {
			req.note("budget: %s; %s skipped", why, p.cfg.Name)
			if try == 0 {
				return nil
			}
			a.Error = "budget exhausted before the validation retry"
			return a
		}
		c, err := e.call(ctx, p, pr.system, turns)
		e.account(req, a, p, c)
		if err != nil && !errors.Is(err, ErrInvalidOutput) {
			a.Error = err.Error()
			return a
		}
		var parsed *analysisv1.AIAssessment
		if err == nil {
			parsed, err = parseAnswer([]byte(c.text))
			if err != nil {
				e.metrics.errors.WithLabelValues(p.cfg.Name, "invalid_output").Inc()
			}
		}
		if err != nil {
			if try == 1 {
				a.Error = fmt.Sprintf("invalid answer after one retry: %v", err)
				return a
			}
			prev := c.text
			if strings.TrimSpace(prev) == "" {
				prev = "(no structured answer)"
			}
			turns = append(turns, turn{role: "assistant", text: capBytes(prev, 8<<10)}, turn{role: "user", text: retryInstruction(err)})
			continue
		}
		parsed.Provider, parsed.Model = p.cfg.Name, a.Model
		parsed.InputTokens, parsed.OutputTokens, parsed.CostUsd = a.InputTokens, a.OutputTokens, a.CostUsd
		a = parsed
		break
	}
	a.LatencyMs = time.Since(start).Milliseconds()
	crossCheck(a, req.in)
	bad := float64(a.GetUncorroboratedIocs())
	e.metrics.iocs.WithLabelValues(p.cfg.Name, "false").Add(bad)
	e.metrics.iocs.WithLabelValues(p.cfg.Name, "true").Add(float64(len(a.GetIocs())) - bad)
	e.storeCached(ctx, key, a)
	return a
}

// account adds a call's usage to the assessment and the request's spend.
func (e *Engine) account(req *request, a *analysisv1.AIAssessment, p *provider, c completion) {
	if c.model != "" {
		a.Model = c.model
	}
	cost := e.priceOf(p, a.GetModel()).cost(c.inputTokens, c.outputTokens)
	a.InputTokens += c.inputTokens
	a.OutputTokens += c.outputTokens
	a.CostUsd += cost
	req.mu.Lock()
	req.spent += cost
	req.mu.Unlock()
}

// price returns a model's price, or the conservative default.
func (e *Engine) price(model string) Price {
	if p, ok := e.cfg.Prices[model]; ok {
		return p
	}
	return e.cfg.DefaultPrice
}

// priceOf prices a call by the model that answered (a dated snapshot, say), else by the
// configured model id, else the default.
func (e *Engine) priceOf(p *provider, answered string) Price {
	if pr, ok := e.cfg.Prices[answered]; ok {
		return pr
	}
	return e.price(p.cfg.Model)
}

// overBudget estimates the next call's worst case (about 3 bytes per prompt token, the full
// output allowance) and returns why it would exceed a budget, or "".
func (e *Engine) overBudget(req *request, p *provider, pr prompt, turns []turn) string {
	n := len(pr.system)
	for _, t := range turns {
		n += len(t.text)
	}
	est := e.price(p.cfg.Model).cost(int64(n/3+1), p.cfg.MaxOutputTokens)
	req.mu.Lock()
	spent := req.spent
	req.mu.Unlock()
	if req.budget > 0 && spent+est > req.budget {
		return fmt.Sprintf("request budget $%.4f would be exceeded (spent $%.4f, next call up to $%.4f)", req.budget, spent, est)
	}
	if e.cfg.DailyBudgetUSD > 0 {
		e.mu.Lock()
		day := e.now().UTC().Format(time.DateOnly)
		if e.day != day {
			e.day, e.daySpend = day, 0
		}
		daySpend := e.daySpend
		e.mu.Unlock()
		if daySpend+est > e.cfg.DailyBudgetUSD {
			return fmt.Sprintf("daily budget $%.2f would be exceeded (spent $%.4f today)", e.cfg.DailyBudgetUSD, daySpend)
		}
	}
	return ""
}

// charge adds a call's cost to today's totals.
func (e *Engine) charge(p *provider, cost float64) {
	day := e.now().UTC().Format(time.DateOnly)
	e.mu.Lock()
	if e.day != day {
		e.day, e.daySpend = day, 0
	}
	e.daySpend += cost
	e.mu.Unlock()
	p.mu.Lock()
	if p.spendDay != day {
		p.spendDay, p.spend = day, 0
	}
	p.spend += cost
	p.mu.Unlock()
}

// cacheKey identifies one provider's assessment: sample, provider, model, prompt version, the
// request's AI options and the digest of the exact prompt (which covers the findings, excerpts
// and, in a sequence, the earlier answers).
func (e *Engine) cacheKey(req *request, p *provider, pr prompt) string {
	h := sha256.New()
	for _, part := range []string{req.in.Report.GetSample().GetSha256(), p.cfg.Name, p.cfg.Model, e.cfg.PromptVersion, req.optsHash, pr.digest} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return "ai:assessment:" + hex.EncodeToString(h.Sum(nil))
}

func (e *Engine) cached(ctx context.Context, key string) *analysisv1.AIAssessment {
	if e.store == nil {
		return nil
	}
	b, ok, err := e.store.Get(ctx, key)
	if err != nil {
		e.logger.WarnContext(ctx, "ai cache get", "error", err)
		return nil
	}
	if !ok {
		return nil
	}
	a := &analysisv1.AIAssessment{}
	if err := proto.Unmarshal(b, a); err != nil {
		e.logger.WarnContext(ctx, "ai cache decode", "error", err)
		return nil
	}
	a.Cached = true
	return a
}

func (e *Engine) storeCached(ctx context.Context, key string, a *analysisv1.AIAssessment) {
	if e.store == nil || a.GetError() != "" {
		return
	}
	b, err := proto.Marshal(a)
	if err != nil {
		e.logger.WarnContext(ctx, "ai cache encode", "error", err)
		return
	}
	if err := e.store.Set(ctx, key, b, e.cfg.CacheTTL); err != nil {
		e.logger.WarnContext(ctx, "ai cache set", "error", err)
	}
}

func dedupe(names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
