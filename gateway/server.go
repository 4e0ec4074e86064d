package gateway

import (
	"github.com/athena-mesh/athena/internal/grpcserver"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
)

// NewGRPCServer returns the gateway's gRPC server with the public service registered and the
// authentication, rate-limit and default-deadline interceptors installed.
func NewGRPCServer(cfg Config, reg prometheus.Registerer) *grpcserver.Server {
	cfg.defaults()
	g := newGuard(cfg, reg)
	srv := grpcserver.New(grpcserver.Options{
		Name: analysisv1.AnalysisService_ServiceDesc.ServiceName, Logger: cfg.Logger, Registerer: reg,
		Unary: []grpc.UnaryServerInterceptor{g.unary()}, Stream: []grpc.StreamServerInterceptor{g.stream()},
	})
	analysisv1.RegisterAnalysisServiceServer(srv, NewService(cfg))
	return srv
}
