package wasmruntime

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the runtime's Prometheus collectors. They always exist so the code never checks
// for nil; they are registered only when Config.Registerer is set.
type metrics struct {
	invocations *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	poolSize    *prometheus.GaugeVec
	poolInUse   *prometheus.GaugeVec
	memoryPages *prometheus.GaugeVec
	compile     *prometheus.GaugeVec
	kept        prometheus.GaugeFunc
	keptDigests *prometheus.CounterVec
	keptRuns    *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer, kept *keptStore) (*metrics, error) {
	m := &metrics{
		invocations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_wasm_invocations_total",
			Help: "Module invocations by module and outcome (ok, module_error, deadline, memory, output, pool, trap, abi, refused, cancelled).",
		}, []string{"module", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "athena_wasm_invocation_duration_seconds",
			Help:    "Wall time of module invocations, waiting for an instance included.",
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}, []string{"module"}),
		poolSize: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "athena_wasm_pool_instances",
			Help: "Live instances per module (idle and busy).",
		}, []string{"module"}),
		poolInUse: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "athena_wasm_pool_in_use",
			Help: "Instances serving a call per module.",
		}, []string{"module"}),
		memoryPages: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "athena_wasm_memory_pages",
			Help: "Linear memory size in 64 KiB pages of the instance after its last call.",
		}, []string{"module"}),
		compile: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "athena_wasm_compile_seconds",
			Help: "Compile time of the loaded version of each module (small when the disk cache hit).",
		}, []string{"module"}),
		kept: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "athena_wasm_kept_content_bytes",
			Help: "Bytes of sample content held for KeepContent handles.",
		}, func() float64 { return float64(kept.Bytes()) }),
		keptDigests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_wasm_kept_digests_total",
			Help: "athena.digest answers over kept content by source: prefetch (a whole-sample digest computed ahead of the calls), call (computed by the first call asking), memo (answered from either), range (byte counts of a part of the content, from its prefix counts).",
		}, []string{"source"}),
		keptRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_wasm_kept_text_runs_total",
			Help: "athena.text_runs calls over kept content by how they were answered: index (the call found the content's runs for every call), memo (answered from them), scan (scanned its own bytes: not the kept content, a shorter minimum length than the memo holds, or too many runs to hold).",
		}, []string{"source"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.invocations, m.duration, m.poolSize, m.poolInUse, m.memoryPages, m.compile, m.kept, m.keptDigests, m.keptRuns} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// forget drops the per-module gauges of an unloaded module.
func (m *metrics) forget(module string) {
	m.poolSize.DeleteLabelValues(module)
	m.poolInUse.DeleteLabelValues(module)
	m.memoryPages.DeleteLabelValues(module)
	m.compile.DeleteLabelValues(module)
}
