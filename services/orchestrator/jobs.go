package orchestrator

import (
	"context"
	"errors"
	"fmt"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	orchestratorv1 "github.com/athena-mesh/athena/proto/gen/athena/orchestrator/v1"
	"github.com/athena-mesh/athena/services/orchestrator/jobs"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Submit queues an asynchronous analysis. A submission of the same sample and options while
// one is queued or running attaches to it.
func (o *Orchestrator) Submit(ctx context.Context, req *orchestratorv1.SubmitAnalysisRequest) (*analysisv1.Job, error) {
	if o.cfg.Jobs == nil {
		return nil, fmt.Errorf("%w: no job queue configured", ErrBusy)
	}
	opts := req.Options
	if opts == nil {
		opts = &analysisv1.AnalysisOptions{}
	}
	if err := o.validate(req.Sample, opts); err != nil {
		return nil, err
	}
	payload, err := proto.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode job: %w", err)
	}
	sha := sha256Hex(req.Sample.Content)
	job, err := o.cfg.Jobs.Submit(ctx, sha+":"+optionsHash(opts), payload)
	if err != nil {
		return nil, jobError(err)
	}
	job.Sha256 = sha
	return job, nil
}

// GetJob returns an asynchronous analysis.
func (o *Orchestrator) GetJob(ctx context.Context, id string) (*analysisv1.Job, error) {
	if o.cfg.Jobs == nil {
		return nil, fmt.Errorf("%w: job %q (no job queue configured)", ErrNotFound, id)
	}
	job, err := o.cfg.Jobs.Get(ctx, id)
	if err != nil {
		return nil, jobError(err)
	}
	fillSha(job)
	return job, nil
}

// WatchJob calls send with each state change of a job until it ends.
func (o *Orchestrator) WatchJob(ctx context.Context, id string, send func(*analysisv1.Job) error) error {
	if o.cfg.Jobs == nil {
		return fmt.Errorf("%w: job %q (no job queue configured)", ErrNotFound, id)
	}
	ch, err := o.cfg.Jobs.Watch(ctx, id)
	if err != nil {
		return jobError(err)
	}
	for job := range ch {
		fillSha(job)
		if err := send(job); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func fillSha(job *analysisv1.Job) {
	if job.Sha256 == "" && job.Report != nil {
		job.Sha256 = job.Report.GetSample().GetSha256()
	}
}

// Work runs queued jobs with at most concurrency at a time until ctx is done.
func (o *Orchestrator) Work(ctx context.Context, concurrency int) error {
	if o.cfg.Jobs == nil {
		<-ctx.Done()
		return nil
	}
	return o.cfg.Jobs.Work(ctx, concurrency, func(ctx context.Context, payload []byte) (*analysisv1.Report, error) {
		req := &orchestratorv1.SubmitAnalysisRequest{}
		if err := proto.Unmarshal(payload, req); err != nil {
			return nil, fmt.Errorf("decode job: %w", err)
		}
		return o.Analyze(ctx, req.Sample, req.Options)
	})
}

func jobError(err error) error {
	switch {
	case errors.Is(err, jobs.ErrNotFound):
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	case errors.Is(err, jobs.ErrQueueFull):
		return fmt.Errorf("%w: the job queue is full; retry in a few seconds", ErrBusy)
	}
	return status.Error(codes.Unavailable, "job queue: "+err.Error())
}

// SubmitAnalysis implements OrchestratorService.
func (s *Server) SubmitAnalysis(ctx context.Context, req *orchestratorv1.SubmitAnalysisRequest) (*orchestratorv1.SubmitAnalysisResponse, error) {
	job, err := s.o.Submit(ctx, req)
	if err != nil {
		return nil, toStatus(err)
	}
	return &orchestratorv1.SubmitAnalysisResponse{Job: job}, nil
}

// GetJob implements OrchestratorService.
func (s *Server) GetJob(ctx context.Context, req *orchestratorv1.GetJobRequest) (*orchestratorv1.GetJobResponse, error) {
	job, err := s.o.GetJob(ctx, req.Id)
	if err != nil {
		return nil, toStatus(err)
	}
	return &orchestratorv1.GetJobResponse{Job: job}, nil
}

// WatchJob implements OrchestratorService.
func (s *Server) WatchJob(req *orchestratorv1.WatchJobRequest, stream orchestratorv1.OrchestratorService_WatchJobServer) error {
	err := s.o.WatchJob(stream.Context(), req.Id, func(j *analysisv1.Job) error {
		return stream.Send(&orchestratorv1.WatchJobResponse{Job: j})
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return toStatus(err)
	}
	return nil
}
