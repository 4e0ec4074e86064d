package wasmruntime

import (
	"context"
	"errors"

	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
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
// module name, content and a content handle together), FailedPrecondition (content handle
// unknown or expired), ResourceExhausted (KeepContent over the limit) and Unavailable (runtime
// closed).
func NewServer(r *Runtime) wasmruntimev1.WasmRuntimeServiceServer {
	return &server{rt: r}
}

func (s *server) Invoke(ctx context.Context, req *wasmruntimev1.InvokeRequest) (*wasmruntimev1.InvokeResponse, error) {
	if req.GetModule() == "" {
		return nil, status.Error(codes.InvalidArgument, "module is required")
	}
	var (
		resp *wasmruntimev1.InvokeResponse
		err  error
	)
	if h := req.GetContentHandle(); h != "" {
		areq := req.GetRequest()
		if areq == nil {
			areq = &modulev1.AnalyzeRequest{}
		}
		resp, err = s.rt.InvokeKept(ctx, req.GetModule(), h, areq)
	} else {
		resp, err = s.rt.Invoke(ctx, req.GetModule(), req.GetRequest())
	}
	if err != nil {
		return nil, toStatus(err)
	}
	return resp, nil
}

func (s *server) KeepContent(_ context.Context, req *wasmruntimev1.KeepContentRequest) (*wasmruntimev1.KeepContentResponse, error) {
	h, err := s.rt.KeepContent(req.GetContent(), req.GetModules()...)
	if err != nil {
		return nil, toStatus(err)
	}
	return &wasmruntimev1.KeepContentResponse{Handle: h}, nil
}

func (s *server) ReleaseContent(_ context.Context, req *wasmruntimev1.ReleaseContentRequest) (*wasmruntimev1.ReleaseContentResponse, error) {
	s.rt.ReleaseContent(req.GetHandle())
	return &wasmruntimev1.ReleaseContentResponse{}, nil
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
	case errors.Is(err, ErrContentTwice):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, ErrNotKept):
		return status.Error(codes.FailedPrecondition, err.Error())
	case errors.Is(err, ErrKeptFull):
		return status.Error(codes.ResourceExhausted, err.Error())
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
