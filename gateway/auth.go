package gateway

import (
	"context"
	"crypto/subtle"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/athena-mesh/athena/internal/grpcserver"
	"github.com/athena-mesh/athena/internal/telemetry"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

type tenantKey struct{}

// tenant returns the authenticated tenant of the call, or "" in laptop mode.
func tenant(ctx context.Context) string {
	t, _ := ctx.Value(tenantKey{}).(string)
	return t
}

// guard authenticates calls, applies per-tenant rate limits and the default deadline.
type guard struct {
	keys     map[string]string
	rps      float64
	burst    int
	timeout  time.Duration
	blocked  *prometheus.CounterVec
	mu       sync.Mutex
	limiters map[string]*limiterEntry
}

type limiterEntry struct {
	l    *rate.Limiter
	seen time.Time
}

// maxLimiters bounds the per-caller limiter table; the oldest entries are dropped beyond it.
const maxLimiters = 10000

func newGuard(cfg Config, reg prometheus.Registerer) *guard {
	g := &guard{
		keys: cfg.APIKeys, rps: cfg.RatePerSecond, burst: cfg.Burst, timeout: cfg.DefaultTimeout,
		limiters: map[string]*limiterEntry{},
		blocked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_security_blocked_requests_total",
			Help: "Requests refused at the gateway, by reason (unauthenticated, rate_limited, too_large, invalid).",
		}, []string{"reason"}),
	}
	if g.burst <= 0 {
		g.burst = max(1, int(g.rps))
	}
	telemetry.Register(reg, g.blocked)
	return g
}

// check authenticates the call and applies the rate limit; it returns the context carrying
// the tenant.
func (g *guard) check(ctx context.Context) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	who := ""
	if len(g.keys) > 0 {
		key := apiKey(md)
		if key == "" {
			g.blocked.WithLabelValues("unauthenticated").Inc()
			return ctx, status.Error(codes.Unauthenticated, "missing API key: send `Authorization: Bearer <key>` or `x-api-key: <key>`")
		}
		for k, t := range g.keys {
			if subtle.ConstantTimeCompare([]byte(k), []byte(key)) == 1 {
				who = t
			}
		}
		if who == "" {
			g.blocked.WithLabelValues("unauthenticated").Inc()
			return ctx, status.Error(codes.Unauthenticated, "unknown API key")
		}
		ctx = context.WithValue(ctx, tenantKey{}, who)
	} else {
		who = clientAddr(ctx, md)
	}
	if g.rps > 0 && !g.limiter(who).Allow() {
		g.blocked.WithLabelValues("rate_limited").Inc()
		return ctx, status.Errorf(codes.ResourceExhausted, "rate limit of %g requests/s exceeded; retry later", g.rps)
	}
	return ctx, nil
}

// clientAddr identifies an unauthenticated caller for rate limiting. REST calls reach the gRPC
// API in process (grpcserver.Server.Local) or, for streams, over the gateway's own connection
// (loopback, or a Unix socket in `serve all`), so for them the peer is the gateway itself;
// grpc-gateway appends the HTTP client's address to x-forwarded-for, and only that last entry
// is trusted (earlier ones are whatever the client sent).
func clientAddr(ctx context.Context, md metadata.MD) string {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return "unknown"
	}
	host := p.Addr.String()
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() || p.Addr.Network() == "unix" || p.Addr == grpcserver.InProcess {
		if xff := md.Get("x-forwarded-for"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if last := strings.TrimSpace(parts[len(parts)-1]); last != "" {
				return last
			}
		}
	}
	return host
}

func apiKey(md metadata.MD) string {
	if v := md.Get("x-api-key"); len(v) > 0 {
		return v[0]
	}
	for _, v := range md.Get("authorization") {
		if k, ok := strings.CutPrefix(v, "Bearer "); ok {
			return strings.TrimSpace(k)
		}
	}
	return ""
}

func (g *guard) limiter(who string) *rate.Limiter {
	g.mu.Lock()
	defer g.mu.Unlock()
	e, ok := g.limiters[who]
	if !ok {
		if len(g.limiters) >= maxLimiters {
			var oldest string
			var t time.Time
			for k, v := range g.limiters {
				if oldest == "" || v.seen.Before(t) {
					oldest, t = k, v.seen
				}
			}
			delete(g.limiters, oldest)
		}
		e = &limiterEntry{l: rate.NewLimiter(rate.Limit(g.rps), g.burst)}
		g.limiters[who] = e
	}
	e.seen = time.Now()
	return e.l
}

func (g *guard) unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if !strings.HasPrefix(info.FullMethod, "/athena.") {
			return handler(ctx, req) // health and reflection stay open
		}
		ctx, err := g.check(ctx)
		if err != nil {
			return nil, err
		}
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, g.timeout)
			defer cancel()
		}
		return handler(ctx, req)
	}
}

func (g *guard) stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if !strings.HasPrefix(info.FullMethod, "/athena.") {
			return handler(srv, ss)
		}
		ctx, err := g.check(ss.Context())
		if err != nil {
			return err
		}
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, g.timeout)
			defer cancel()
		}
		return handler(srv, &ctxStream{ServerStream: ss, ctx: ctx})
	}
}

type ctxStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *ctxStream) Context() context.Context { return s.ctx }
