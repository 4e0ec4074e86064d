package orchestrator

import (
	"github.com/athena-mesh/athena/internal/telemetry"
	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	analyses *prometheus.CounterVec
	duration prometheus.Histogram
	cache    *prometheus.CounterVec
	modules  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		analyses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_analyses_total",
			Help: "Analyses finished, by verdict and file type.",
		}, []string{"verdict", "file_type"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "athena_analysis_duration_seconds",
			Help:    "Wall time of uncached analyses.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_report_cache_requests_total",
			Help: "Report cache lookups by the orchestrator, by result (hit, miss).",
		}, []string{"result"}),
		modules: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_module_calls_total",
			Help: "Module invocations made by the orchestrator, by module and outcome.",
		}, []string{"module", "outcome"}),
	}
	telemetry.Register(reg, m.analyses, m.duration, m.cache, m.modules)
	return m
}
