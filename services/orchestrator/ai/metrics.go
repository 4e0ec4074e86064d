package ai

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the engine's Prometheus collectors.
type metrics struct {
	tokens       *prometheus.CounterVec
	cost         *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	errors       *prometheus.CounterVec
	breakerState *prometheus.GaugeVec
	iocs         *prometheus.CounterVec
}

// newMetrics registers the collectors on reg; when a collector of the same name is already
// there (a second engine on one registry), the existing one is used.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &metrics{
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_ai_tokens_total", Help: "Tokens used by AI provider calls.",
		}, []string{"provider", "model", "direction"}),
		cost: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_ai_cost_usd_total", Help: "Computed cost of AI provider calls in US dollars.",
		}, []string{"provider", "model"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "athena_ai_request_duration_seconds", Help: "Latency of one AI provider HTTP attempt.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60},
		}, []string{"provider", "model", "outcome"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_ai_errors_total", Help: "AI provider errors by reason.",
		}, []string{"provider", "reason"}),
		breakerState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "athena_ai_breaker_state", Help: "Circuit breaker state per AI provider: 0 closed, 1 half-open, 2 open.",
		}, []string{"provider"}),
		iocs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_ai_iocs_total", Help: "IOCs claimed by AI providers, by whether static evidence corroborates them (a hallucination rate).",
		}, []string{"provider", "corroborated"}),
	}
	var err error
	if m.tokens, err = register(reg, m.tokens); err != nil {
		return nil, err
	}
	if m.cost, err = register(reg, m.cost); err != nil {
		return nil, err
	}
	if m.duration, err = register(reg, m.duration); err != nil {
		return nil, err
	}
	if m.errors, err = register(reg, m.errors); err != nil {
		return nil, err
	}
	if m.breakerState, err = register(reg, m.breakerState); err != nil {
		return nil, err
	}
	if m.iocs, err = register(reg, m.iocs); err != nil {
		return nil, err
	}
	return m, nil
}

func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}
