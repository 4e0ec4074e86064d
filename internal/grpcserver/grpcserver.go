// Package grpcserver builds the gRPC servers and client connections of the Athena services
// with the same interceptors, telemetry, health service and shutdown sequence.
package grpcserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/athena-mesh/athena/internal/telemetry"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"
)

// MaxMessageBytes bounds gRPC messages between services. Samples are capped well below it
// (64 MiB by default), leaving room for base64-free binary framing and the report.
const MaxMessageBytes = 160 << 20

// Flow control between services. gRPC's defaults (64 KiB windows grown by a bandwidth probe,
// 32 KiB transport buffers) make a megabyte sample wait for window updates on every hop;
// static windows large enough for a typical sample let it cross in one burst. The connection
// window bounds what one peer can have in flight unread.
const (
	streamWindowBytes = 8 << 20
	connWindowBytes   = 16 << 20
	transportBufBytes = 256 << 10
)

// Options configure a Server.
type Options struct {
	// Name is the service name used in logs and as the health service name.
	Name string
	// Logger receives request errors and lifecycle events.
	Logger *slog.Logger
	// Registerer receives the gRPC metrics; nil means none.
	Registerer prometheus.Registerer
	// GracePeriod bounds GracefulStop before in-flight calls are cut; 0 means 10s.
	GracePeriod time.Duration
	// Unary and Stream are extra interceptors, run after the built-in ones.
	Unary  []grpc.UnaryServerInterceptor
	Stream []grpc.StreamServerInterceptor
}

// Server is a gRPC server with a health service that starts NOT_SERVING.
type Server struct {
	*grpc.Server
	// Health is the server's health service; the owner marks it SERVING when its dependencies answer.
	Health *health.Server
	name   string
	log    *slog.Logger
	grace  time.Duration
	// unary is the chain of unary interceptors, for Local calls.
	unary   grpc.UnaryServerInterceptor
	localMu sync.RWMutex
	local   map[string]localMethod // by full method name
}

// New builds a Server. Register services on it, then call Serve.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.GracePeriod == 0 {
		o.GracePeriod = 10 * time.Second
	}
	metrics := telemetry.NewGRPCMetrics(o.Registerer)
	unary := append([]grpc.UnaryServerInterceptor{recoverUnary(o.Logger), metrics.UnaryInterceptor(), logUnary(o.Logger)}, o.Unary...)
	stream := append([]grpc.StreamServerInterceptor{recoverStream(o.Logger), metrics.StreamInterceptor()}, o.Stream...)
	gs := grpc.NewServer(
		grpc.StatsHandler(otelgrpc.NewServerHandler()),
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
		grpc.MaxRecvMsgSize(MaxMessageBytes),
		grpc.MaxSendMsgSize(MaxMessageBytes),
		grpc.InitialWindowSize(streamWindowBytes),
		grpc.InitialConnWindowSize(connWindowBytes),
		grpc.ReadBufferSize(transportBufBytes),
		grpc.WriteBufferSize(transportBufBytes),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	)
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	hs.SetServingStatus(o.Name, healthpb.HealthCheckResponse_NOT_SERVING)
	s := &Server{Server: gs, Health: hs, name: o.Name, log: o.Logger, grace: o.GracePeriod, unary: chainUnary(unary), local: map[string]localMethod{}}
	healthpb.RegisterHealthServer(s, hs)
	reflection.Register(gs)
	return s
}

// chainUnary is the interceptors as one, the first outermost, as grpc.ChainUnaryInterceptor
// runs them.
func chainUnary(ints []grpc.UnaryServerInterceptor) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		return chainFrom(ints, 0, info, handler)(ctx, req)
	}
}

func chainFrom(ints []grpc.UnaryServerInterceptor, i int, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) grpc.UnaryHandler {
	if i == len(ints) {
		return handler
	}
	return func(ctx context.Context, req any) (any, error) {
		return ints[i](ctx, req, info, chainFrom(ints, i+1, info, handler))
	}
}

// SetServing marks the server and its named service SERVING or NOT_SERVING.
func (s *Server) SetServing(ok bool) {
	st := healthpb.HealthCheckResponse_NOT_SERVING
	if ok {
		st = healthpb.HealthCheckResponse_SERVING
	}
	s.Health.SetServingStatus("", st)
	s.Health.SetServingStatus(s.name, st)
}

// Run serves on lis until ctx is done, then drops readiness, drains in-flight calls for at
// most the grace period and stops.
func (s *Server) Run(ctx context.Context, lis net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(lis) }()
	s.log.Info("grpc listening", "addr", lis.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", s.name, err)
	case <-ctx.Done():
	}
	s.Health.Shutdown()
	done := make(chan struct{})
	go func() { s.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(s.grace):
		s.log.Warn("grace period over, cutting in-flight calls", "grace", s.grace)
		s.Stop()
		<-done
	}
	if err := <-errc; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return fmt.Errorf("serve %s: %w", s.name, err)
	}
	return nil
}

// Dial opens an instrumented client connection to a peer service. Calls inherit the caller's
// deadline; the otelgrpc handler propagates the trace.
func Dial(target string, extra ...grpc.DialOption) (*grpc.ClientConn, error) {
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessageBytes), grpc.MaxCallSendMsgSize(MaxMessageBytes)),
		grpc.WithInitialWindowSize(streamWindowBytes),
		grpc.WithInitialConnWindowSize(connWindowBytes),
		grpc.WithReadBufferSize(transportBufBytes),
		grpc.WithWriteBufferSize(transportBufBytes),
	}, extra...)
	conn, err := grpc.NewClient(target, opts...)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", target, err)
	}
	return conn, nil
}

// WaitServing blocks until the peer's health service reports SERVING for service ("" for the
// whole server) or ctx ends.
func WaitServing(ctx context.Context, conn *grpc.ClientConn, service string) error {
	hc := healthpb.NewHealthClient(conn)
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		resp, err := hc.Check(cctx, &healthpb.HealthCheckRequest{Service: service})
		cancel()
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("status %s", resp.GetStatus())
			}
			return fmt.Errorf("wait for %q: %w (last: %v)", service, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func recoverUnary(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				log.ErrorContext(ctx, "panic in handler", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		return handler(ctx, req)
	}
}

func recoverStream(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		defer func() {
			if r := recover(); r != nil {
				log.ErrorContext(ss.Context(), "panic in stream handler", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		return handler(srv, ss)
	}
}

// logUnary logs failed calls once, at the edge, with the status code.
func logUnary(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		if err != nil {
			code := status.Code(err)
			lvl := slog.LevelWarn
			if code == codes.Internal || code == codes.Unknown || code == codes.DataLoss {
				lvl = slog.LevelError
			}
			log.Log(ctx, lvl, "request failed", "method", info.FullMethod, "code", code.String(), "error", status.Convert(err).Message())
		}
		return resp, err
	}
}
