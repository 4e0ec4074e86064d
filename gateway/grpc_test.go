package gateway

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/internal/grpcserver"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

func sampleIn(s string) *analysisv1.SampleInput {
	return &analysisv1.SampleInput{Content: []byte(s), Filename: "s.txt"}
}

func TestValidation(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	ctx := context.Background()
	tests := []struct {
		name    string
		call    func() error
		message string
	}{
		{"analyze without sample", func() error {
			_, err := e.client.Analyze(ctx, &analysisv1.AnalyzeRequest{})
			return err
		}, "sample is required"},
		{"analyze empty content", func() error {
			_, err := e.client.Analyze(ctx, &analysisv1.AnalyzeRequest{Sample: &analysisv1.SampleInput{Filename: "x"}})
			return err
		}, "sample.content"},
		{"analyze long filename", func() error {
			_, err := e.client.Analyze(ctx, &analysisv1.AnalyzeRequest{Sample: &analysisv1.SampleInput{Content: []byte("x"), Filename: strings.Repeat("n", 1025)}})
			return err
		}, "sample.filename"},
		{"stream empty content", func() error {
			s, err := e.client.AnalyzeStream(ctx, &analysisv1.AnalyzeStreamRequest{Sample: &analysisv1.SampleInput{}})
			if err != nil {
				return err
			}
			_, err = s.Recv()
			return err
		}, "sample.content"},
		{"get analysis without id", func() error {
			_, err := e.client.GetAnalysis(ctx, &analysisv1.GetAnalysisRequest{})
			return err
		}, "id is required"},
		{"empty batch", func() error {
			_, err := e.client.AnalyzeBatch(ctx, &analysisv1.AnalyzeBatchRequest{})
			return err
		}, "requests is empty"},
		{"batch item without content", func() error {
			_, err := e.client.AnalyzeBatch(ctx, &analysisv1.AnalyzeBatchRequest{Requests: []*analysisv1.AnalyzeRequest{{Sample: sampleIn("ok")}, {Sample: &analysisv1.SampleInput{}}}})
			return err
		}, "requests[1]"},
		{"submit empty content", func() error {
			_, err := e.client.SubmitAnalysis(ctx, &analysisv1.SubmitAnalysisRequest{Sample: &analysisv1.SampleInput{}})
			return err
		}, "sample.content"},
		{"get job without id", func() error {
			_, err := e.client.GetJob(ctx, &analysisv1.GetJobRequest{})
			return err
		}, "id is required"},
		{"watch job without id", func() error {
			s, err := e.client.WatchJob(ctx, &analysisv1.WatchJobRequest{})
			if err != nil {
				return err
			}
			_, err = s.Recv()
			return err
		}, "id is required"},
		{"validate empty rules", func() error {
			_, err := e.client.ValidateRules(ctx, &analysisv1.ValidateRulesRequest{})
			return err
		}, "source is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			st := status.Convert(err)
			if st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), tt.message) {
				t.Errorf("got %s %q; want InvalidArgument mentioning %q", st.Code(), st.Message(), tt.message)
			}
		})
	}
	if n := e.orch.count(); n != 0 {
		t.Errorf("invalid requests reached the orchestrator %d times", n)
	}
}

func TestForwarding(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	ctx := context.Background()
	a, err := e.client.Analyze(ctx, &analysisv1.AnalyzeRequest{Sample: sampleIn("hello")})
	if err != nil || a.Report.Id != knownID || a.Report.Sample.Filename != "s.txt" {
		t.Fatalf("Analyze = %v, %v", a, err)
	}
	g, err := e.client.GetAnalysis(ctx, &analysisv1.GetAnalysisRequest{Id: "nope"})
	if status.Code(err) != codes.NotFound {
		t.Errorf("GetAnalysis(unknown) = %v, %v; want NotFound passed through", g, err)
	}
	m, err := e.client.ListModules(ctx, &analysisv1.ListModulesRequest{})
	if err != nil || len(m.Modules) != 2 || m.PipelineVersion != "pv1" {
		t.Errorf("ListModules = %v, %v", m, err)
	}
	s, err := e.client.AnalyzeStream(ctx, &analysisv1.AnalyzeStreamRequest{Sample: sampleIn("hello")})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for {
		ev, err := s.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		switch {
		case ev.Event.GetAccepted() != nil:
			kinds = append(kinds, "accepted")
		case ev.Event.GetModuleFinished() != nil:
			kinds = append(kinds, "finished")
		case ev.Event.GetReport() != nil:
			kinds = append(kinds, "report")
		}
	}
	if got := strings.Join(kinds, ","); got != "accepted,finished,finished,report" {
		t.Errorf("stream events %s", got)
	}
	w, err := e.client.WatchJob(ctx, &analysisv1.WatchJobRequest{Id: "job-1"})
	if err != nil {
		t.Fatal(err)
	}
	var states []analysisv1.JobState
	for {
		msg, err := w.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("watch: %v", err)
		}
		states = append(states, msg.Job.State)
	}
	if len(states) != 2 || states[1] != analysisv1.JobState_JOB_STATE_DONE {
		t.Errorf("watch states %v; want running then done", states)
	}
	if _, err := e.client.Analyze(ctx, &analysisv1.AnalyzeRequest{Sample: &analysisv1.SampleInput{Content: []byte("x"), Filename: "internal-error"}}); status.Code(err) != codes.Internal {
		t.Errorf("orchestrator Internal came back as %v", err)
	}
}

func TestAPIKeys(t *testing.T) {
	e := newEnv(t, Config{APIKeys: map[string]string{"s3cret": "acme", "other": "globex"}}, 0)
	tests := []struct {
		name       string
		md         metadata.MD
		wantCode   codes.Code
		wantTenant string
	}{
		{"no key", nil, codes.Unauthenticated, ""},
		{"wrong x-api-key", metadata.Pairs("x-api-key", "guess"), codes.Unauthenticated, ""},
		{"wrong bearer", metadata.Pairs("authorization", "Bearer guess"), codes.Unauthenticated, ""},
		{"basic auth is not a key", metadata.Pairs("authorization", "Basic czNjcmV0"), codes.Unauthenticated, ""},
		{"x-api-key", metadata.Pairs("x-api-key", "s3cret"), codes.OK, "acme"},
		{"bearer", metadata.Pairs("authorization", "Bearer other"), codes.OK, "globex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := metadata.NewOutgoingContext(context.Background(), tt.md)
			_, err := e.client.Analyze(ctx, &analysisv1.AnalyzeRequest{Sample: sampleIn("x")})
			if status.Code(err) != tt.wantCode {
				t.Fatalf("Analyze = %v; want %s", err, tt.wantCode)
			}
			if tt.wantCode == codes.OK && e.orch.lastTenant() != tt.wantTenant {
				t.Errorf("orchestrator saw tenant %q, want %q", e.orch.lastTenant(), tt.wantTenant)
			}
			// Streams pass the same guard.
			s, err := e.client.AnalyzeStream(ctx, &analysisv1.AnalyzeStreamRequest{Sample: sampleIn("x")})
			if err == nil {
				for err == nil {
					_, err = s.Recv()
				}
				if err == io.EOF {
					err = nil
				}
			}
			if status.Code(err) != tt.wantCode {
				t.Errorf("AnalyzeStream = %v; want %s", err, tt.wantCode)
			}
		})
	}
	// Health stays open without a key.
	if _, err := healthpb.NewHealthClient(e.conn).Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("health check needs no key, got %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	// A rate this low never refills within the test, so the third call is refused.
	e := newEnv(t, Config{RatePerSecond: 0.001, Burst: 2}, 0)
	ctx := context.Background()
	for i := range 2 {
		if _, err := e.client.Analyze(ctx, &analysisv1.AnalyzeRequest{Sample: sampleIn("x")}); err != nil {
			t.Fatalf("call %d within the burst: %v", i, err)
		}
	}
	_, err := e.client.Analyze(ctx, &analysisv1.AnalyzeRequest{Sample: sampleIn("x")})
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted || !strings.Contains(st.Message(), "rate limit") {
		t.Errorf("third call = %v; want ResourceExhausted about the rate limit", err)
	}
	if _, err := healthpb.NewHealthClient(e.conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("health is rate limited: %v", err)
	}
}

func TestHealth(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	hc := healthpb.NewHealthClient(e.conn)
	ctx := context.Background()
	svc := analysisv1.AnalysisService_ServiceDesc.ServiceName
	for _, tc := range []struct {
		serving bool
		want    healthpb.HealthCheckResponse_ServingStatus
	}{
		{false, healthpb.HealthCheckResponse_NOT_SERVING},
		{true, healthpb.HealthCheckResponse_SERVING},
		{false, healthpb.HealthCheckResponse_NOT_SERVING},
	} {
		e.srv.SetServing(tc.serving)
		for _, name := range []string{"", svc} {
			resp, err := hc.Check(ctx, &healthpb.HealthCheckRequest{Service: name})
			if err != nil || resp.Status != tc.want {
				t.Errorf("Check(%q) after SetServing(%v) = %v, %v; want %s", name, tc.serving, resp.GetStatus(), err, tc.want)
			}
		}
	}
}

// TestClientAddr: the rate limit's key is the peer's address, or, for REST calls (which reach
// the gRPC API from the gateway itself: in process, or over loopback or the Unix socket of
// `serve all`), the last x-forwarded-for entry grpc-gateway appended.
func TestClientAddr(t *testing.T) {
	xff := metadata.Pairs("x-forwarded-for", "6.6.6.6, 203.0.113.7")
	for _, tc := range []struct {
		name string
		addr net.Addr
		md   metadata.MD
		want string
	}{
		{"remote peer", &net.TCPAddr{IP: net.ParseIP("198.51.100.2"), Port: 4000}, xff, "198.51.100.2"},
		{"loopback peer", &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 4000}, xff, "203.0.113.7"},
		{"unix socket peer", &net.UnixAddr{Name: "@", Net: "unix"}, xff, "203.0.113.7"},
		{"in-process peer", grpcserver.InProcess, xff, "203.0.113.7"},
		{"loopback without header", &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 4000}, metadata.MD{}, "127.0.0.1"},
	} {
		ctx := peer.NewContext(context.Background(), &peer.Peer{Addr: tc.addr})
		if got := clientAddr(ctx, tc.md); got != tc.want {
			t.Errorf("%s: clientAddr = %q, want %q", tc.name, got, tc.want)
		}
	}
}
