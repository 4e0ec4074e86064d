package wasmruntime

import (
	"context"
	"errors"

	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// server adapts a Runtime to the WasmRuntimeService gRPC API.
type server struct {
	wasmruntimev1.UnimplementedWasmRuntimeServiceServer
	rt *Runtime
}

// NewServer returns the gRPC WasmRuntimeService backed by r. Module outcomes travel in
// InvokeResponse.status; gRPC errors are only NotFound (unknown module), InvalidArgument (empty
// module name) and Unavailable (runtime closed).
func NewServer(r *Runtime) wasmruntimev1.WasmRuntimeServiceServer {
	return &server{rt: r}
}

func (s *server) Invoke(ctx context.Context, req *wasmruntimev1.InvokeRequest) (*wasmruntimev1.InvokeResponse, error) {
	if req.GetModule() == "" {
		return nil, status.Error(codes.InvalidArgument, "module is required")
	}
	resp, err := s.rt.Invoke(ctx, req.GetModule(), req.GetRequest())
	if err != nil {
		return nil, toStatus(err)
	}
	return resp, nil
}

func (s *server) ListModules(context.Context, *wasmruntimev1.ListModulesRequest) (*wasmruntimev1.ListModulesResponse, error) {
	s.rt.mu.RLock()
	closed := s.rt.closed
	s.rt.mu.RUnlock()
	if closed {
		return nil, toStatus(ErrClosed)
	}
	return &wasmruntimev1.ListModulesResponse{Modules: s.rt.Modules(), ModulesVersion: s.rt.Version()}, nil
}

func (s *server) ReloadModules(ctx context.Context, _ *wasmruntimev1.ReloadModulesRequest) (*wasmruntimev1.ReloadModulesResponse, error) {
	resp, err := s.rt.Reload(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	return resp, nil
}

func toStatus(err error) error {
	switch {
	case errors.Is(err, ErrModuleNotFound):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, ErrClosed):
		return status.Error(codes.Unavailable, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	default:
		return status.Error(codes.Internal, err.Error())
	}
}
