package gateway

import (
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/athena-mesh/athena/internal/grpcserver"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	orchestratorv1 "github.com/athena-mesh/athena/proto/gen/athena/orchestrator/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

// fakeOrch is a scripted orchestrator: it answers every RPC from fixed data and records what
// reached it, so the tests see exactly what the gateway forwards.
type fakeOrch struct {
	orchestratorv1.UnimplementedOrchestratorServiceServer

	mu      sync.Mutex
	tenants []string
	calls   int
	got     map[[32]byte]int // the SHA-256 of each analyzed sample's content, counted
}

const knownID = "0123456789abcdef0123456789abcdef"

func (f *fakeOrch) record(tenant string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.tenants = append(f.tenants, tenant)
}

func (f *fakeOrch) lastTenant() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.tenants) == 0 {
		return "<none>"
	}
	return f.tenants[len(f.tenants)-1]
}

func (f *fakeOrch) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func report(s *analysisv1.SampleInput) *analysisv1.Report {
	return &analysisv1.Report{
		Id: knownID, Verdict: analysisv1.Verdict_VERDICT_MALICIOUS, Score: 1000,
		Sample: &analysisv1.Sample{Filename: s.GetFilename(), Size: int64(len(s.GetContent())), FileType: "text"},
	}
}

func (f *fakeOrch) Analyze(_ context.Context, req *orchestratorv1.AnalyzeRequest) (*orchestratorv1.AnalyzeResponse, error) {
	f.record(req.Tenant)
	f.mu.Lock()
	if f.got == nil {
		f.got = map[[32]byte]int{}
	}
	f.got[sha256.Sum256(req.GetSample().GetContent())]++
	f.mu.Unlock()
	if req.GetSample().GetFilename() == "internal-error" {
		return nil, status.Error(codes.Internal, "scripted failure")
	}
	return &orchestratorv1.AnalyzeResponse{Report: report(req.Sample)}, nil
}

func (f *fakeOrch) AnalyzeStream(req *orchestratorv1.AnalyzeStreamRequest, stream grpc.ServerStreamingServer[orchestratorv1.AnalyzeStreamResponse]) error {
	f.record(req.Tenant)
	events := []*analysisv1.AnalysisEvent{
		{AnalysisId: knownID, Kind: &analysisv1.AnalysisEvent_Accepted{Accepted: &analysisv1.AcceptedEvent{Size: int64(len(req.Sample.Content))}}},
		{AnalysisId: knownID, Kind: &analysisv1.AnalysisEvent_ModuleFinished{ModuleFinished: &analysisv1.ModuleFinishedEvent{Run: &analysisv1.ModuleRun{Name: "file-processor"}}}},
		{AnalysisId: knownID, Kind: &analysisv1.AnalysisEvent_ModuleFinished{ModuleFinished: &analysisv1.ModuleFinishedEvent{Run: &analysisv1.ModuleRun{Name: "crypto"}}}},
		{AnalysisId: knownID, Kind: &analysisv1.AnalysisEvent_Report{Report: report(req.Sample)}},
	}
	for _, ev := range events {
		if err := stream.Send(&orchestratorv1.AnalyzeStreamResponse{Event: ev}); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeOrch) GetAnalysis(_ context.Context, req *orchestratorv1.GetAnalysisRequest) (*orchestratorv1.GetAnalysisResponse, error) {
	if req.Id != knownID {
		return nil, status.Errorf(codes.NotFound, "analysis %q not found", req.Id)
	}
	return &orchestratorv1.GetAnalysisResponse{Report: report(&analysisv1.SampleInput{Content: []byte("x")})}, nil
}

func (f *fakeOrch) ListModules(context.Context, *orchestratorv1.ListModulesRequest) (*orchestratorv1.ListModulesResponse, error) {
	return &orchestratorv1.ListModulesResponse{PipelineVersion: "pv1", Modules: []*analysisv1.ModuleDescriptor{
		{Name: "file-processor", Version: "1.0.0", Engine: "wazero"}, {Name: "crypto", Version: "1.0.0", Engine: "wazero"},
	}}, nil
}

func (f *fakeOrch) AnalyzeBatch(_ context.Context, req *orchestratorv1.AnalyzeBatchRequest) (*orchestratorv1.AnalyzeBatchResponse, error) {
	out := &orchestratorv1.AnalyzeBatchResponse{}
	for i, r := range req.Requests {
		out.Results = append(out.Results, &analysisv1.BatchResult{Index: int32(i), Report: report(r.Sample)})
	}
	return out, nil
}

func (f *fakeOrch) SubmitAnalysis(_ context.Context, req *orchestratorv1.SubmitAnalysisRequest) (*orchestratorv1.SubmitAnalysisResponse, error) {
	f.record(req.Tenant)
	return &orchestratorv1.SubmitAnalysisResponse{Job: &analysisv1.Job{Id: "job-1", State: analysisv1.JobState_JOB_STATE_QUEUED}}, nil
}

func (f *fakeOrch) GetJob(_ context.Context, req *orchestratorv1.GetJobRequest) (*orchestratorv1.GetJobResponse, error) {
	if req.Id != "job-1" {
		return nil, status.Errorf(codes.NotFound, "job %q not found", req.Id)
	}
	return &orchestratorv1.GetJobResponse{Job: &analysisv1.Job{Id: "job-1", State: analysisv1.JobState_JOB_STATE_DONE}}, nil
}

func (f *fakeOrch) WatchJob(req *orchestratorv1.WatchJobRequest, stream grpc.ServerStreamingServer[orchestratorv1.WatchJobResponse]) error {
	if req.Id != "job-1" {
		return status.Errorf(codes.NotFound, "job %q not found", req.Id)
	}
	for _, st := range []analysisv1.JobState{analysisv1.JobState_JOB_STATE_RUNNING, analysisv1.JobState_JOB_STATE_DONE} {
		if err := stream.Send(&orchestratorv1.WatchJobResponse{Job: &analysisv1.Job{Id: req.Id, State: st}}); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeOrch) ListProviders(context.Context, *orchestratorv1.ListProvidersRequest) (*orchestratorv1.ListProvidersResponse, error) {
	return &orchestratorv1.ListProvidersResponse{Providers: []*analysisv1.ProviderStatus{{Name: "ollama", Configured: true}}}, nil
}

func (f *fakeOrch) ValidateRules(_ context.Context, req *orchestratorv1.ValidateRulesRequest) (*orchestratorv1.ValidateRulesResponse, error) {
	return &orchestratorv1.ValidateRulesResponse{Valid: true, RuleCount: 1}, nil
}

// env is a gateway wired as in production, but over bufconn: fake orchestrator ← gateway
// gRPC server ← generated client, and the REST handler calling the gateway's gRPC API in
// process, its streams over a connection to the gateway's own listener.
type env struct {
	orch   *fakeOrch
	srv    *grpcserver.Server
	conn   *grpc.ClientConn
	client analysisv1.AnalysisServiceClient
	http   *httptest.Server
	ready  *atomic.Bool
	reg    *prometheus.Registry
}

func bufDial(t testing.TB, lis *bufconn.Listener) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dial bufnet: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func newEnv(t testing.TB, cfg Config, maxBody int64) *env {
	t.Helper()
	e := &env{orch: &fakeOrch{}, ready: &atomic.Bool{}, reg: prometheus.NewRegistry()}

	orchLis := bufconn.Listen(1 << 20)
	orchSrv := grpc.NewServer()
	orchestratorv1.RegisterOrchestratorServiceServer(orchSrv, e.orch)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = orchSrv.Serve(orchLis) }()

	cfg.Orchestrator = bufDial(t, orchLis)
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	gwLis := bufconn.Listen(1 << 20)
	gw := NewGRPCServer(cfg, e.reg)
	e.srv = gw
	go func() { defer wg.Done(); _ = gw.Serve(gwLis) }()
	t.Cleanup(func() {
		gw.Stop()
		orchSrv.Stop()
		wg.Wait()
	})

	e.conn = bufDial(t, gwLis)
	e.client = analysisv1.NewAnalysisServiceClient(e.conn)
	h, err := NewHTTPHandler(context.Background(), HTTPConfig{
		Self: gw.Local(bufDial(t, gwLis)),
		Ready: func(context.Context) error {
			if !e.ready.Load() {
				return status.Error(codes.Unavailable, "orchestrator NOT_SERVING")
			}
			return nil
		},
		Gatherer: e.reg, Registerer: e.reg, MaxBodyBytes: maxBody,
	})
	if err != nil {
		t.Fatalf("NewHTTPHandler: %v", err)
	}
	e.http = httptest.NewServer(h)
	t.Cleanup(e.http.Close)
	return e
}
