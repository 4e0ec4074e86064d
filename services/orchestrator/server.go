package orchestrator

import (
	"context"
	"errors"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	orchestratorv1 "github.com/athena-mesh/athena/proto/gen/athena/orchestrator/v1"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Server exposes an Orchestrator as athena.orchestrator.v1.OrchestratorService.
type Server struct {
	orchestratorv1.UnimplementedOrchestratorServiceServer
	o *Orchestrator
}

// NewServer returns the gRPC service of o.
func NewServer(o *Orchestrator) *Server { return &Server{o: o} }

// toStatus turns a pipeline error into a gRPC status at the edge.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTooLarge) &&
		!errors.Is(err, ErrNotFound) && !errors.Is(err, ErrBusy) {
		return err
	}
	switch {
	case errors.Is(err, ErrInvalid), errors.Is(err, ErrTooLarge):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, ErrNotFound):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, ErrBusy):
		return status.Error(codes.ResourceExhausted, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	}
	return status.Error(codes.Internal, err.Error())
}

// Analyze implements OrchestratorService.
func (s *Server) Analyze(ctx context.Context, req *orchestratorv1.AnalyzeRequest) (*orchestratorv1.AnalyzeResponse, error) {
	r, err := s.o.Analyze(ctx, req.Sample, req.Options)
	if err != nil {
		return nil, toStatus(err)
	}
	return &orchestratorv1.AnalyzeResponse{Report: r}, nil
}

// AnalyzeStream implements OrchestratorService.
func (s *Server) AnalyzeStream(req *orchestratorv1.AnalyzeStreamRequest, stream orchestratorv1.OrchestratorService_AnalyzeStreamServer) error {
	var sendErr error
	_, err := s.o.AnalyzeStream(stream.Context(), req.Sample, req.Options, func(ev *analysisv1.AnalysisEvent) {
		if sendErr == nil {
			sendErr = stream.Send(&orchestratorv1.AnalyzeStreamResponse{Event: ev})
		}
	})
	if err != nil {
		return toStatus(err)
	}
	return sendErr
}

// GetAnalysis implements OrchestratorService.
func (s *Server) GetAnalysis(ctx context.Context, req *orchestratorv1.GetAnalysisRequest) (*orchestratorv1.GetAnalysisResponse, error) {
	r, err := s.o.GetAnalysis(ctx, req.Id)
	if err != nil {
		return nil, toStatus(err)
	}
	return &orchestratorv1.GetAnalysisResponse{Report: r}, nil
}

// ListModules implements OrchestratorService.
func (s *Server) ListModules(ctx context.Context, _ *orchestratorv1.ListModulesRequest) (*orchestratorv1.ListModulesResponse, error) {
	mods, version, err := s.o.ListModules(ctx)
	if err != nil {
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	return &orchestratorv1.ListModulesResponse{Modules: mods, PipelineVersion: version}, nil
}

// AnalyzeBatch implements OrchestratorService.
func (s *Server) AnalyzeBatch(ctx context.Context, req *orchestratorv1.AnalyzeBatchRequest) (*orchestratorv1.AnalyzeBatchResponse, error) {
	results, err := s.o.AnalyzeBatch(ctx, req.Requests)
	if err != nil {
		return nil, toStatus(err)
	}
	return &orchestratorv1.AnalyzeBatchResponse{Results: results}, nil
}

// AnalyzeBatch analyzes the items with bounded concurrency; each item gets its own result or
// error, in request order.
func (o *Orchestrator) AnalyzeBatch(ctx context.Context, reqs []*orchestratorv1.AnalyzeRequest) ([]*analysisv1.BatchResult, error) {
	if len(reqs) == 0 {
		return nil, errors.Join(ErrInvalid, errors.New("requests is empty"))
	}
	if len(reqs) > o.cfg.MaxBatch {
		return nil, errors.Join(ErrInvalid, errors.New("too many requests in one batch"))
	}
	results := make([]*analysisv1.BatchResult, len(reqs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.cfg.BatchConcurrency)
	for i, r := range reqs {
		g.Go(func() error {
			res := &analysisv1.BatchResult{Index: int32(i)}
			rep, err := o.Analyze(gctx, r.GetSample(), r.GetOptions())
			if err != nil {
				st := status.Convert(toStatus(err))
				res.Error = &analysisv1.BatchError{Code: int32(st.Code()), Message: st.Message()}
			} else {
				res.Report = rep
			}
			results[i] = res
			return nil
		})
	}
	_ = g.Wait()
	return results, nil
}

// ListProviders implements OrchestratorService.
func (s *Server) ListProviders(context.Context, *orchestratorv1.ListProvidersRequest) (*orchestratorv1.ListProvidersResponse, error) {
	if s.o.cfg.Assessor == nil {
		return &orchestratorv1.ListProvidersResponse{}, nil
	}
	return &orchestratorv1.ListProvidersResponse{Providers: s.o.cfg.Assessor.Providers()}, nil
}
