// Package gateway is Athena's edge: the public gRPC API (athena.analysis.v1.AnalysisService)
// and its REST mapping through grpc-gateway, with API keys, per-key rate limits, validation,
// size limits, default deadlines, health and metrics endpoints, the OpenAPI document and a
// small web page.
package gateway

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	orchestratorv1 "github.com/athena-mesh/athena/proto/gen/athena/orchestrator/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

//go:embed openapi/athena.swagger.json
var openAPI []byte

// Config configures the gateway.
type Config struct {
	// Orchestrator is the connection to the orchestrator service.
	Orchestrator *grpc.ClientConn
	// APIKeys maps API keys to tenant ids; empty disables authentication (laptop mode).
	APIKeys map[string]string
	// RatePerSecond and Burst bound requests per API key (or per peer without keys); 0 disables.
	RatePerSecond float64
	Burst         int
	// MaxBodyBytes bounds REST request bodies; 0 means 64 MiB.
	MaxBodyBytes int64
	// DefaultTimeout is the deadline given to requests that carry none; 0 means 120s.
	DefaultTimeout time.Duration
	// Logger receives request errors.
	Logger *slog.Logger
}

func (c *Config) defaults() {
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 64 << 20
	}
	if c.DefaultTimeout == 0 {
		c.DefaultTimeout = 120 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Service implements athena.analysis.v1.AnalysisService by validating requests and
// forwarding them to the orchestrator.
type Service struct {
	analysisv1.UnimplementedAnalysisServiceServer
	orch orchestratorv1.OrchestratorServiceClient
}

// NewService returns the public API service.
func NewService(cfg Config) *Service {
	return &Service{orch: orchestratorv1.NewOrchestratorServiceClient(cfg.Orchestrator)}
}

func validateSample(s *analysisv1.SampleInput) error {
	if s == nil {
		return status.Error(codes.InvalidArgument, "sample is required")
	}
	if len(s.Content) == 0 {
		return status.Error(codes.InvalidArgument, "sample.content is empty: send the file's bytes, base64-encoded in JSON")
	}
	if len(s.Filename) > 1024 {
		return status.Error(codes.InvalidArgument, "sample.filename is longer than 1024 bytes")
	}
	return nil
}

// Analyze implements AnalysisService.
func (s *Service) Analyze(ctx context.Context, req *analysisv1.AnalyzeRequest) (*analysisv1.AnalyzeResponse, error) {
	if err := validateSample(req.Sample); err != nil {
		return nil, err
	}
	resp, err := s.orch.Analyze(ctx, &orchestratorv1.AnalyzeRequest{Sample: req.Sample, Options: req.Options, Tenant: tenant(ctx)})
	if err != nil {
		return nil, err
	}
	return &analysisv1.AnalyzeResponse{Report: resp.Report}, nil
}

// AnalyzeStream implements AnalysisService.
func (s *Service) AnalyzeStream(req *analysisv1.AnalyzeStreamRequest, stream analysisv1.AnalysisService_AnalyzeStreamServer) error {
	if err := validateSample(req.Sample); err != nil {
		return err
	}
	up, err := s.orch.AnalyzeStream(stream.Context(), &orchestratorv1.AnalyzeStreamRequest{Sample: req.Sample, Options: req.Options, Tenant: tenant(stream.Context())})
	if err != nil {
		return err
	}
	return relay(up.Recv, func(m *orchestratorv1.AnalyzeStreamResponse) error {
		return stream.Send(&analysisv1.AnalyzeStreamResponse{Event: m.Event})
	})
}

// relay forwards a server stream from the orchestrator to the client until it ends.
func relay[M any](recv func() (M, error), send func(M) error) error {
	for {
		msg, err := recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := send(msg); err != nil {
			return err
		}
	}
}

// GetAnalysis implements AnalysisService.
func (s *Service) GetAnalysis(ctx context.Context, req *analysisv1.GetAnalysisRequest) (*analysisv1.GetAnalysisResponse, error) {
	if req.Id == "" {
		return nil, status.Error(codes.InvalidArgument, "id is required")
	}
	resp, err := s.orch.GetAnalysis(ctx, &orchestratorv1.GetAnalysisRequest{Id: req.Id})
	if err != nil {
		return nil, err
	}
	return &analysisv1.GetAnalysisResponse{Report: resp.Report}, nil
}

// ListModules implements AnalysisService.
func (s *Service) ListModules(ctx context.Context, _ *analysisv1.ListModulesRequest) (*analysisv1.ListModulesResponse, error) {
	resp, err := s.orch.ListModules(ctx, &orchestratorv1.ListModulesRequest{})
	if err != nil {
		return nil, err
	}
	return &analysisv1.ListModulesResponse{Modules: resp.Modules, PipelineVersion: resp.PipelineVersion}, nil
}

// AnalyzeBatch implements AnalysisService.
func (s *Service) AnalyzeBatch(ctx context.Context, req *analysisv1.AnalyzeBatchRequest) (*analysisv1.AnalyzeBatchResponse, error) {
	if len(req.Requests) == 0 {
		return nil, status.Error(codes.InvalidArgument, "requests is empty")
	}
	out := &orchestratorv1.AnalyzeBatchRequest{}
	for i, r := range req.Requests {
		if err := validateSample(r.Sample); err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "requests[%d]: %s", i, status.Convert(err).Message())
		}
		out.Requests = append(out.Requests, &orchestratorv1.AnalyzeRequest{Sample: r.Sample, Options: r.Options, Tenant: tenant(ctx)})
	}
	resp, err := s.orch.AnalyzeBatch(ctx, out)
	if err != nil {
		return nil, err
	}
	return &analysisv1.AnalyzeBatchResponse{Results: resp.Results}, nil
}

// SubmitAnalysis implements AnalysisService.
func (s *Service) SubmitAnalysis(ctx context.Context, req *analysisv1.SubmitAnalysisRequest) (*analysisv1.SubmitAnalysisResponse, error) {
	if err := validateSample(req.Sample); err != nil {
		return nil, err
	}
	resp, err := s.orch.SubmitAnalysis(ctx, &orchestratorv1.SubmitAnalysisRequest{Sample: req.Sample, Options: req.Options, Tenant: tenant(ctx)})
	if err != nil {
		return nil, err
	}
	return &analysisv1.SubmitAnalysisResponse{Job: resp.Job}, nil
}

// GetJob implements AnalysisService.
func (s *Service) GetJob(ctx context.Context, req *analysisv1.GetJobRequest) (*analysisv1.GetJobResponse, error) {
	if req.Id == "" {
		return nil, status.Error(codes.InvalidArgument, "id is required")
	}
	resp, err := s.orch.GetJob(ctx, &orchestratorv1.GetJobRequest{Id: req.Id})
	if err != nil {
		return nil, err
	}
	return &analysisv1.GetJobResponse{Job: resp.Job}, nil
}

// WatchJob implements AnalysisService.
func (s *Service) WatchJob(req *analysisv1.WatchJobRequest, stream analysisv1.AnalysisService_WatchJobServer) error {
	if req.Id == "" {
		return status.Error(codes.InvalidArgument, "id is required")
	}
	up, err := s.orch.WatchJob(stream.Context(), &orchestratorv1.WatchJobRequest{Id: req.Id})
	if err != nil {
		return err
	}
	return relay(up.Recv, func(m *orchestratorv1.WatchJobResponse) error {
		return stream.Send(&analysisv1.WatchJobResponse{Job: m.Job})
	})
}

// ListProviders implements AnalysisService.
func (s *Service) ListProviders(ctx context.Context, _ *analysisv1.ListProvidersRequest) (*analysisv1.ListProvidersResponse, error) {
	resp, err := s.orch.ListProviders(ctx, &orchestratorv1.ListProvidersRequest{})
	if err != nil {
		return nil, err
	}
	return &analysisv1.ListProvidersResponse{Providers: resp.Providers}, nil
}

// ValidateRules implements AnalysisService.
func (s *Service) ValidateRules(ctx context.Context, req *analysisv1.ValidateRulesRequest) (*analysisv1.ValidateRulesResponse, error) {
	if req.Source == "" {
		return nil, status.Error(codes.InvalidArgument, "source is empty")
	}
	if len(req.Source) > 16<<20 {
		return nil, status.Error(codes.InvalidArgument, fmt.Sprintf("source is %d bytes, the limit is 16 MiB", len(req.Source)))
	}
	resp, err := s.orch.ValidateRules(ctx, &orchestratorv1.ValidateRulesRequest{Source: req.Source, Name: req.Name})
	if err != nil {
		return nil, err
	}
	return &analysisv1.ValidateRulesResponse{Valid: resp.Valid, Diagnostics: resp.Diagnostics, RuleCount: resp.RuleCount}, nil
}
