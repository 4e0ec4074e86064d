package telemetry

import (
	"context"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// GRPCMetrics counts and times gRPC calls on a server.
type GRPCMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewGRPCMetrics registers athena_grpc_server_requests_total and
// athena_grpc_server_request_duration_seconds on reg. The metrics carry a service label so
// the four services of `athena serve all` can share one registry.
func NewGRPCMetrics(reg prometheus.Registerer) *GRPCMetrics {
	m := &GRPCMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_grpc_server_requests_total",
			Help: "gRPC requests handled, by service, method and status code.",
		}, []string{"grpc_service", "grpc_method", "grpc_code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "athena_grpc_server_request_duration_seconds",
			Help:    "gRPC request latency, by service and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"grpc_service", "grpc_method"}),
	}
	Register(reg, m.requests, m.duration)
	return m
}

// Register registers collectors, reusing one that is already registered under the same name,
// so that several services in one process can share a registry.
func Register(reg prometheus.Registerer, cs ...prometheus.Collector) {
	if reg == nil {
		return
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			// AlreadyRegistered is expected when services share a registry; other errors mean a
			// programming mistake in a metric definition, which the metrics test catches.
			continue
		}
	}
}

func splitMethod(full string) (string, string) {
	full = strings.TrimPrefix(full, "/")
	if i := strings.LastIndex(full, "/"); i >= 0 {
		return full[:i], full[i+1:]
	}
	return "unknown", full
}

// UnaryInterceptor records unary calls.
func (m *GRPCMetrics) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		start := time.Now()
		resp, err := handler(ctx, req)
		m.observe(info.FullMethod, start, err)
		return resp, err
	}
}

// StreamInterceptor records streaming calls.
func (m *GRPCMetrics) StreamInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		start := time.Now()
		err := handler(srv, ss)
		m.observe(info.FullMethod, start, err)
		return err
	}
}

func (m *GRPCMetrics) observe(method string, start time.Time, err error) {
	svc, meth := splitMethod(method)
	m.requests.WithLabelValues(svc, meth, status.Code(err).String()).Inc()
	m.duration.WithLabelValues(svc, meth).Observe(time.Since(start).Seconds())
}
