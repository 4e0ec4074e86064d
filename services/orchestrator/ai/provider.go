package ai

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/time/rate"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

// windowSize is how many recent calls the latency median and error rate look at.
const windowSize = 50

// provider is one configured provider with its resilience state.
type provider struct {
	cfg          ProviderConfig
	isConfigured bool
	whyNot       string
	isExternal   bool
	client       client // nil for heuristic and unconfigured providers
	breaker      *gobreaker.CircuitBreaker[completion]
	limiter      *rate.Limiter // nil when unlimited
	slots        chan struct{}

	mu        sync.Mutex
	latencies []time.Duration // ring of recent successful latencies
	outcomes  []bool          // ring of recent outcomes, true = error
	calls     int64
	spendDay  string
	spend     float64
}

// newProvider builds the runtime of one provider.
func newProvider(cfg Config, p ProviderConfig, httpClient *http.Client, m *metrics) *provider {
	p = p.withDefaults()
	ok, why := p.configured()
	pr := &provider{cfg: p, isConfigured: ok, whyNot: why, isExternal: p.external(), slots: make(chan struct{}, p.MaxConcurrency)}
	if p.RatePerSecond > 0 {
		pr.limiter = rate.NewLimiter(rate.Limit(p.RatePerSecond), p.Burst)
	}
	pr.breaker = gobreaker.NewCircuitBreaker[completion](gobreaker.Settings{
		Name:        p.Name,
		MaxRequests: 1,
		Timeout:     cfg.BreakerCooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= cfg.BreakerFailures },
		OnStateChange: func(name string, _, to gobreaker.State) {
			m.breakerState.WithLabelValues(name).Set(breakerGauge(to))
		},
		// A call cancelled by the caller (a hedge that lost, a client that left) says nothing
		// about the provider's health.
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
		// A refusal or a 4xx other than 429 is an answer from a working server.
		IsSuccessful: func(err error) bool {
			if err == nil || errors.Is(err, ErrRefused) || errors.Is(err, ErrInvalidOutput) {
				return true
			}
			var ae *apiError
			return errors.As(err, &ae) && ae.status >= 400 && ae.status < 500 && ae.status != http.StatusTooManyRequests &&
				ae.status != http.StatusRequestTimeout
		},
	})
	m.breakerState.WithLabelValues(p.Name).Set(0)
	if ok {
		switch p.Kind {
		case KindAnthropic:
			pr.client = newAnthropicClient(p, httpClient)
		case KindOpenAI, KindDeepSeek, KindOpenAICompatible:
			pr.client = newOpenAIClient(p, httpClient)
		}
	}
	return pr
}

func breakerGauge(s gobreaker.State) float64 {
	switch s {
	case gobreaker.StateHalfOpen:
		return 1
	case gobreaker.StateOpen:
		return 2
	default:
		return 0
	}
}

// retryable reports whether an attempt's error is worth another attempt, and how long the
// server asked us to wait.
func retryable(err error) (bool, time.Duration) {
	var ae *apiError
	if errors.As(err, &ae) {
		switch {
		case ae.status == http.StatusTooManyRequests, ae.status == http.StatusRequestTimeout, ae.status >= 500:
			return true, ae.retryAfter
		default:
			return false, 0
		}
	}
	if errors.Is(err, ErrRefused) || errors.Is(err, ErrInvalidOutput) || errors.Is(err, gobreaker.ErrOpenState) ||
		errors.Is(err, gobreaker.ErrTooManyRequests) || errors.Is(err, context.Canceled) {
		return false, 0
	}
	// Transport errors and per-attempt timeouts.
	return true, 0
}

// backoff is the wait before retry n (0-based): full jitter over an exponential ceiling, or the
// server's Retry-After when it asked for longer.
func (e *Engine) backoff(n int, after time.Duration) time.Duration {
	ceiling := e.cfg.RetryBase << n
	if ceiling > e.cfg.RetryMax || ceiling <= 0 {
		ceiling = e.cfg.RetryMax
	}
	d := time.Duration(rand.Int64N(int64(ceiling) + 1))
	if after > 0 {
		d = max(d, min(after, e.cfg.MaxRetryAfter))
	}
	return d
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// call makes one logical request to a provider: rate limit, concurrency slot, then attempts
// through the breaker with retries. Each attempt gets its own span and timeout.
func (e *Engine) call(ctx context.Context, p *provider, system string, turns []turn) (completion, error) {
	if p.limiter != nil {
		if err := p.limiter.Wait(ctx); err != nil {
			return completion{}, fmt.Errorf("rate limit: %w", err)
		}
	}
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	case <-ctx.Done():
		return completion{}, fmt.Errorf("wait for a concurrency slot: %w", ctx.Err())
	}
	var lastErr error
	for attempt := 0; attempt <= p.cfg.MaxRetries; attempt++ {
		if attempt > 0 {
			ok, after := retryable(lastErr)
			if !ok {
				break
			}
			if err := e.sleep(ctx, e.backoff(attempt-1, after)); err != nil {
				return completion{}, fmt.Errorf("%w (then %w)", lastErr, err)
			}
		}
		c, err := e.attempt(ctx, p, system, turns, attempt)
		if err == nil {
			return c, nil
		}
		lastErr = err
		if errors.Is(err, gobreaker.ErrOpenState) || ctx.Err() != nil {
			break
		}
	}
	return completion{}, lastErr
}

// attempt is one HTTP request, traced and measured.
func (e *Engine) attempt(ctx context.Context, p *provider, system string, turns []turn, n int) (completion, error) {
	ctx, span := e.tracer.Start(ctx, "ai.call "+p.cfg.Name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("gen_ai.provider.name", string(p.cfg.Kind)),
		attribute.String("gen_ai.request.model", p.cfg.Model),
		attribute.String("athena.ai.provider", p.cfg.Name),
		attribute.Int("athena.ai.attempt", n),
	))
	defer span.End()
	start := time.Now()
	c, err := p.breaker.Execute(func() (completion, error) {
		actx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
		defer cancel()
		return p.client.complete(actx, system, turns, p.cfg.MaxOutputTokens)
	})
	elapsed := time.Since(start)
	model := c.model
	if model == "" {
		model = p.cfg.Model
	}
	cost := e.priceOf(p, model).cost(c.inputTokens, c.outputTokens)
	e.charge(p, cost)
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	e.metrics.duration.WithLabelValues(p.cfg.Name, model, outcome).Observe(elapsed.Seconds())
	e.metrics.tokens.WithLabelValues(p.cfg.Name, model, "input").Add(float64(c.inputTokens))
	e.metrics.tokens.WithLabelValues(p.cfg.Name, model, "output").Add(float64(c.outputTokens))
	e.metrics.cost.WithLabelValues(p.cfg.Name, model).Add(cost)
	span.SetAttributes(
		attribute.String("gen_ai.response.model", model),
		attribute.Int64("gen_ai.usage.input_tokens", c.inputTokens),
		attribute.Int64("gen_ai.usage.output_tokens", c.outputTokens),
		attribute.Float64("athena.ai.cost_usd", cost),
	)
	p.record(elapsed, err)
	if err != nil {
		e.metrics.errors.WithLabelValues(p.cfg.Name, errorReason(err)).Inc()
		span.RecordError(err)
		span.SetStatus(codes.Error, errorReason(err))
		return c, fmt.Errorf("%s: %w", p.cfg.Name, err)
	}
	return c, nil
}

// errorReason is a low-cardinality label for an error.
func errorReason(err error) string {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		switch {
		case ae.status == http.StatusTooManyRequests:
			return "rate_limited"
		case ae.status >= 500:
			return "server_error"
		default:
			return "client_error"
		}
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		return "breaker_open"
	case errors.Is(err, ErrRefused):
		return "refused"
	case errors.Is(err, ErrInvalidOutput):
		return "invalid_output"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	default:
		return "transport"
	}
}

// record notes one attempt's outcome for the status view.
func (p *provider) record(d time.Duration, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if errors.Is(err, context.Canceled) {
		return
	}
	p.outcomes = appendRing(p.outcomes, err != nil)
	if err == nil {
		p.latencies = appendRing(p.latencies, d)
	}
}

func appendRing[T any](s []T, v T) []T {
	s = append(s, v)
	if len(s) > windowSize {
		s = s[len(s)-windowSize:]
	}
	return s
}

// status renders the provider for ListProviders.
func (p *provider) status(day string) *analysisv1.ProviderStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := &analysisv1.ProviderStatus{
		Name:         p.cfg.Name,
		Model:        p.cfg.Model,
		Configured:   p.isConfigured,
		BreakerState: p.breaker.State().String(),
		External:     p.isExternal,
		Calls:        p.calls,
	}
	if p.spendDay == day {
		st.SpendUsd = p.spend
	}
	errs := 0
	for _, bad := range p.outcomes {
		if bad {
			errs++
		}
	}
	if len(p.outcomes) > 0 {
		st.ErrorRate = float64(errs) / float64(len(p.outcomes))
	}
	if len(p.latencies) > 0 {
		sorted := append([]time.Duration(nil), p.latencies...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
		st.LatencyP50Ms = float64(sorted[len(sorted)/2]) / float64(time.Millisecond)
	}
	lastOK := len(p.outcomes) == 0 || !p.outcomes[len(p.outcomes)-1]
	st.Healthy = p.isConfigured && p.breaker.State() == gobreaker.StateClosed && lastOK
	return st
}
