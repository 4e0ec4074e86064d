package grpcserver

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// InProcess is the peer address of the calls a Local connection makes: the server's own
// process, as a loopback or Unix-socket peer is for calls over a socket.
var InProcess net.Addr = inProcessAddr{}

// inProcessPeer is the peer of those calls, as the handler and the grpc.Peer option see it.
var inProcessPeer = peer.Peer{Addr: InProcess, LocalAddr: InProcess}

type inProcessAddr struct{}

func (inProcessAddr) Network() string { return "inprocess" }
func (inProcessAddr) String() string  { return "in-process" }

// localMethod is a unary method of a service registered on the server.
type localMethod struct {
	impl    any
	handler grpc.MethodHandler
}

// RegisterService registers a service on the gRPC server and keeps its unary methods for
// Local connections.
func (s *Server) RegisterService(sd *grpc.ServiceDesc, impl any) {
	s.Server.RegisterService(sd, impl)
	s.localMu.Lock()
	defer s.localMu.Unlock()
	for _, m := range sd.Methods {
		s.local["/"+sd.ServiceName+"/"+m.MethodName] = localMethod{impl: impl, handler: m.Handler}
	}
}

// Local returns a connection to the server's own services that runs unary calls in this
// process: through the server's interceptors, with the caller's metadata as incoming
// metadata, InProcess as the peer, headers and trailers set by the handler delivered to the
// grpc.Header and grpc.Trailer options, and a server span as the otelgrpc handler would start
// one. The messages are handed over rather than encoded, sent and decoded: the handler's
// request shares its fields with the caller's, and the caller's reply with the handler's, so
// neither side may change a message after the call. A REST request passed through the
// gateway's gRPC API this way saves two encodings and a socket round trip of the sample
// (docs/benchmarks.md). Streaming calls go over streams, a connection to one of the server's
// listeners; without one they fail with Unimplemented.
func (s *Server) Local(streams grpc.ClientConnInterface) grpc.ClientConnInterface {
	return &localConn{s: s, streams: streams}
}

type localConn struct {
	s       *Server
	streams grpc.ClientConnInterface
}

func (c *localConn) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	c.s.localMu.RLock()
	m, ok := c.s.local[method]
	c.s.localMu.RUnlock()
	if !ok {
		return status.Errorf(codes.Unimplemented, "unknown method %s", method)
	}
	md, _ := metadata.FromOutgoingContext(ctx)
	// The handler sees what a server would: the caller's outgoing metadata as incoming, and
	// none of it as its own outgoing metadata.
	ctx = metadata.NewIncomingContext(metadata.NewOutgoingContext(ctx, metadata.MD{}), md)
	p := inProcessPeer
	ctx = peer.NewContext(ctx, &p)
	ts := &localTransportStream{method: method}
	ctx = grpc.NewContextWithServerTransportStream(ctx, ts)
	service, name, _ := strings.Cut(strings.TrimPrefix(method, "/"), "/")
	ctx, span := otel.Tracer(tracerName).Start(ctx, strings.TrimPrefix(method, "/"), trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("rpc.system", "grpc"), attribute.String("rpc.service", service), attribute.String("rpc.method", name)))
	defer span.End()

	res, err := m.handler(m.impl, ctx, func(in any) error { return handOver(in, args) }, c.s.unary)
	if err == nil {
		err = handOver(reply, res)
	}
	if _, ok := status.FromError(err); !ok {
		err = status.FromContextError(err).Err() // as the gRPC server does with a plain error
	}
	code := status.Code(err)
	span.SetAttributes(attribute.Int64("rpc.grpc.status_code", int64(code)))
	if serverFault(code) {
		span.SetStatus(otelcodes.Error, status.Convert(err).Message())
	}
	for _, o := range opts {
		switch o := o.(type) {
		case grpc.HeaderCallOption:
			*o.HeaderAddr = ts.header
		case grpc.TrailerCallOption:
			*o.TrailerAddr = ts.trailer
		case grpc.PeerCallOption:
			*o.PeerAddr = inProcessPeer
		}
	}
	return err
}

func (c *localConn) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	if c.streams == nil {
		return nil, status.Errorf(codes.Unimplemented, "stream %s: no connection for streams", method)
	}
	return c.streams.NewStream(ctx, desc, method, opts...)
}

const tracerName = "github.com/athena-mesh/athena/internal/grpcserver"

// serverFault reports whether a status code is the server's failure, the codes otelgrpc marks
// as errors on server spans.
func serverFault(c codes.Code) bool {
	switch c {
	case codes.Unknown, codes.DeadlineExceeded, codes.Unimplemented, codes.Internal, codes.Unavailable, codes.DataLoss:
		return true
	}
	return false
}

// handOver sets dst's fields to src's, sharing their values: a message of the same type handed
// over without a copy.
func handOver(dst, src any) error {
	d, ok := dst.(proto.Message)
	sm, ok2 := src.(proto.Message)
	if !ok || !ok2 {
		return status.Errorf(codes.Internal, "in-process call: %T or %T is not a message", dst, src)
	}
	dm, from := d.ProtoReflect(), sm.ProtoReflect()
	if dm.Descriptor().FullName() != from.Descriptor().FullName() {
		return status.Errorf(codes.Internal, "in-process call: a %s for a %s", from.Descriptor().FullName(), dm.Descriptor().FullName())
	}
	if !from.IsValid() {
		return nil // a nil message: the empty one, as on the wire
	}
	from.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		dm.Set(fd, v)
		return true
	})
	if u := from.GetUnknown(); len(u) > 0 {
		dm.SetUnknown(u)
	}
	return nil
}

// localTransportStream collects what the handler sets with grpc.SetHeader, grpc.SendHeader and
// grpc.SetTrailer. The handler runs on the caller's goroutine, but a handler may hand its
// context to others, so it is locked.
type localTransportStream struct {
	method          string
	mu              sync.Mutex
	sent            bool
	header, trailer metadata.MD
}

func (t *localTransportStream) Method() string { return t.method }

func (t *localTransportStream) SetHeader(md metadata.MD) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sent {
		return errors.New("grpc: SetHeader after the header was sent")
	}
	t.header = metadata.Join(t.header, md)
	return nil
}

func (t *localTransportStream) SendHeader(md metadata.MD) error {
	if err := t.SetHeader(md); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sent = true
	return nil
}

func (t *localTransportStream) SetTrailer(md metadata.MD) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.trailer = metadata.Join(t.trailer, md)
	return nil
}
