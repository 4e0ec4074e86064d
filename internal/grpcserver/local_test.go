package grpcserver

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"testing"

	"go.opentelemetry.io/otel"
	otelcodes "go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// seen is what the test interceptor saw of a call.
type seen struct {
	method   string
	incoming metadata.MD
	outgoing metadata.MD
	peer     net.Addr
}

// newLocalServer is a Server whose extra interceptor records each call and, as the incoming
// metadata's "do" asks, sets a header and a trailer, fails with a plain or a context error, or
// panics.
func newLocalServer(t *testing.T, calls *[]seen) *Server {
	t.Helper()
	record := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		in, _ := metadata.FromIncomingContext(ctx)
		out, _ := metadata.FromOutgoingContext(ctx)
		p, _ := peer.FromContext(ctx)
		var addr net.Addr
		if p != nil {
			addr = p.Addr
		}
		*calls = append(*calls, seen{method: info.FullMethod, incoming: in, outgoing: out, peer: addr})
		switch do := in.Get("do"); {
		case len(do) == 0:
		case do[0] == "metadata":
			if err := grpc.SetHeader(ctx, metadata.Pairs("h", "1")); err != nil {
				return nil, err
			}
			if err := grpc.SetTrailer(ctx, metadata.Pairs("t", "2")); err != nil {
				return nil, err
			}
		case do[0] == "plain error":
			return nil, errors.New("plain")
		case do[0] == "deadline":
			return nil, context.DeadlineExceeded
		case do[0] == "panic":
			panic("scripted")
		}
		return handler(ctx, req)
	}
	s := New(Options{Name: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Unary: []grpc.UnaryServerInterceptor{record}})
	t.Cleanup(s.Stop)
	return s
}

// TestLocalUnary: a unary call through Local passes the server's interceptors with the
// caller's metadata as incoming metadata, the in-process peer and no outgoing metadata, and
// returns the handler's reply, headers and trailers.
func TestLocalUnary(t *testing.T) {
	var calls []seen
	s := newLocalServer(t, &calls)
	health := healthpb.NewHealthClient(s.Local(nil))
	ctx := metadata.AppendToOutgoingContext(context.Background(), "x-forwarded-for", "203.0.113.7", "do", "metadata")

	var header, trailer metadata.MD
	var p peer.Peer
	resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: "test"}, grpc.Header(&header), grpc.Trailer(&trailer), grpc.Peer(&p))
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if resp.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("status %v, want NOT_SERVING (a new server's)", resp.GetStatus())
	}
	if len(calls) != 1 {
		t.Fatalf("interceptor saw %d calls, want 1", len(calls))
	}
	c := calls[0]
	if c.method != "/grpc.health.v1.Health/Check" {
		t.Errorf("method %q", c.method)
	}
	if got := c.incoming.Get("x-forwarded-for"); len(got) != 1 || got[0] != "203.0.113.7" {
		t.Errorf("incoming x-forwarded-for %v, want the caller's", got)
	}
	if len(c.outgoing) != 0 {
		t.Errorf("the handler's outgoing metadata is %v, want none of the caller's", c.outgoing)
	}
	if c.peer != InProcess || p.Addr != InProcess {
		t.Errorf("peer %v (handler) and %v (caller), want %v", c.peer, p.Addr, InProcess)
	}
	if h, tr := header.Get("h"), trailer.Get("t"); len(h) != 1 || h[0] != "1" || len(tr) != 1 || tr[0] != "2" {
		t.Errorf("header %v trailer %v, want h=1 and t=2", header, trailer)
	}

	s.SetServing(true)
	resp, err = health.Check(context.Background(), &healthpb.HealthCheckRequest{Service: "test"})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("after SetServing(true): %v, %v; want SERVING", resp.GetStatus(), err)
	}
}

// TestLocalErrors: the handler's status errors reach the caller as they are, a plain error as
// Unknown and a context error as its code, a panic as Internal (the server's recovery), and an
// unregistered method or a stream without a connection for streams as Unimplemented.
func TestLocalErrors(t *testing.T) {
	var calls []seen
	s := newLocalServer(t, &calls)
	health := healthpb.NewHealthClient(s.Local(nil))
	for _, tc := range []struct {
		do   string
		req  string
		want codes.Code
	}{
		{"", "no such service", codes.NotFound},
		{"plain error", "test", codes.Unknown},
		{"deadline", "test", codes.DeadlineExceeded},
		{"panic", "test", codes.Internal},
	} {
		ctx := metadata.AppendToOutgoingContext(context.Background(), "do", tc.do)
		_, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: tc.req})
		if got := status.Code(err); got != tc.want {
			t.Errorf("do=%q service=%q: code %v (%v), want %v", tc.do, tc.req, got, err, tc.want)
		}
	}

	err := s.Local(nil).Invoke(context.Background(), "/grpc.health.v1.Health/Nope", &healthpb.HealthCheckRequest{}, &healthpb.HealthCheckResponse{})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("unknown method: %v, want Unimplemented", err)
	}
	w, err := health.Watch(context.Background(), &healthpb.HealthCheckRequest{Service: "test"})
	if err == nil {
		_, err = w.Recv()
	}
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("stream without a connection for streams: %v, want Unimplemented", err)
	}
	if len(calls) != 4 {
		t.Errorf("the interceptor saw %d calls, want 4 (the unknown method and the stream never reach it)", len(calls))
	}
}

// TestLocalStream: streams go over the connection Local was given, to the same server.
func TestLocalStream(t *testing.T) {
	var calls []seen
	s := newLocalServer(t, &calls)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(lis) }()
	conn, err := Dial(lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := healthpb.NewHealthClient(s.Local(conn)).Watch(ctx, &healthpb.HealthCheckRequest{Service: "test"})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	first, err := w.Recv()
	if err != nil || first.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("first update %v, %v; want NOT_SERVING", first.GetStatus(), err)
	}
	s.SetServing(true)
	next, err := w.Recv()
	if err != nil || next.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("second update %v, %v; want SERVING", next.GetStatus(), err)
	}
}

// TestHandOver: the reply shares the handler's values (a sample's bytes are not copied), a
// nil message hands over as the empty one, and messages of different types are refused.
func TestHandOver(t *testing.T) {
	src := wrapperspb.Bytes([]byte("a sample's bytes"))
	dst := &wrapperspb.BytesValue{}
	if err := handOver(dst, src); err != nil {
		t.Fatal(err)
	}
	if string(dst.Value) != "a sample's bytes" || &dst.Value[0] != &src.Value[0] {
		t.Errorf("handed over %q, sharing=%v; want the same bytes, shared", dst.Value, &dst.Value[0] == &src.Value[0])
	}
	empty := wrapperspb.Bytes([]byte("stale"))
	if err := handOver(&wrapperspb.BytesValue{}, (*wrapperspb.BytesValue)(nil)); err != nil {
		t.Errorf("nil message: %v", err)
	}
	if err := handOver(empty, wrapperspb.String("x")); status.Code(err) != codes.Internal {
		t.Errorf("a StringValue for a BytesValue: %v, want Internal", err)
	}
	if err := handOver(empty, "not a message"); status.Code(err) != codes.Internal {
		t.Errorf("a string for a message: %v, want Internal", err)
	}
}

// TestLocalSpan: each in-process call is a server span named as otelgrpc names one, inside the
// caller's trace, marked as an error when the server failed and not when the caller asked for
// something that is not there.
func TestLocalSpan(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	var calls []seen
	s := newLocalServer(t, &calls)
	health := healthpb.NewHealthClient(s.Local(nil))
	ctx, parent := otel.Tracer("test").Start(context.Background(), "caller")
	_, _ = health.Check(ctx, &healthpb.HealthCheckRequest{Service: "no such service"})
	_, _ = health.Check(metadata.AppendToOutgoingContext(ctx, "do", "panic"), &healthpb.HealthCheckRequest{Service: "test"})
	parent.End()

	ended := spans.Ended()
	if len(ended) != 3 {
		t.Fatalf("%d spans ended, want the two calls' and the caller's", len(ended))
	}
	for i, want := range []otelcodes.Code{otelcodes.Unset, otelcodes.Error} {
		sp := ended[i]
		if sp.Name() != "grpc.health.v1.Health/Check" || sp.SpanKind() != trace.SpanKindServer {
			t.Errorf("span %d: %q of kind %v, want a server span grpc.health.v1.Health/Check", i, sp.Name(), sp.SpanKind())
		}
		if sp.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("span %d is not the caller's child", i)
		}
		if sp.Status().Code != want {
			t.Errorf("span %d: status %v, want %v (NotFound is the caller's fault, Internal the server's)", i, sp.Status().Code, want)
		}
	}
}
