package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	cachev1 "github.com/athena-mesh/athena/proto/gen/athena/cache/v1"
)

// Limits the server enforces before a request reaches the backend.
const (
	// DefaultMaxValueBytes caps one value (a full report with artifacts stays well under it).
	DefaultMaxValueBytes = 16 << 20
	// MaxKeyBytes caps one key.
	MaxKeyBytes = 1024
	// MaxBatch caps the keys or entries of one batch call.
	MaxBatch = 1000
	// DefaultHealthInterval is how often WatchHealth pings the backend.
	DefaultHealthInterval = time.Second
)

// Server implements cachev1.CacheServiceServer over a Backend.
type Server struct {
	cachev1.UnimplementedCacheServiceServer
	b              Backend
	maxValue       int
	healthInterval time.Duration
	log            *slog.Logger
	m              metrics
}

// Option configures a Server.
type Option func(*Server)

// WithRegisterer registers the athena_cache_* metrics on reg.
func WithRegisterer(reg prometheus.Registerer) Option {
	return func(s *Server) { s.m.register(reg) }
}

// WithMaxValueBytes caps the size of one value (default DefaultMaxValueBytes).
func WithMaxValueBytes(n int) Option { return func(s *Server) { s.maxValue = n } }

// WithHealthInterval sets how often WatchHealth pings (default DefaultHealthInterval).
func WithHealthInterval(d time.Duration) Option { return func(s *Server) { s.healthInterval = d } }

// WithLogger sets the logger for backend errors (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

type metrics struct {
	hits, misses *prometheus.CounterVec
	errors       *prometheus.CounterVec
	latency      *prometheus.HistogramVec
}

func newMetrics() metrics {
	return metrics{
		hits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_cache_hits_total", Help: "Cache lookups that found the key.",
		}, []string{"backend"}),
		misses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_cache_misses_total", Help: "Cache lookups that did not find the key.",
		}, []string{"backend"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_cache_errors_total", Help: "Cache calls that failed, by method and gRPC code.",
		}, []string{"method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "athena_cache_request_duration_seconds",
			Help:    "Cache call latency by method.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"method"}),
	}
}

// register registers the collectors; when a second server registers on the same registry it
// shares the first one's collectors instead of failing.
func (m *metrics) register(reg prometheus.Registerer) {
	if reg == nil {
		return
	}
	m.hits = registerOrExisting(reg, m.hits)
	m.misses = registerOrExisting(reg, m.misses)
	m.errors = registerOrExisting(reg, m.errors)
	m.latency = registerOrExisting(reg, m.latency)
}

func registerOrExisting[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

// NewServer returns a CacheService over b.
func NewServer(b Backend, opts ...Option) *Server {
	s := &Server{b: b, maxValue: DefaultMaxValueBytes, healthInterval: DefaultHealthInterval, log: slog.Default(), m: newMetrics()}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Server) backendName() string {
	if _, ok := s.b.(*Redis); ok {
		return "redis"
	}
	return "memory"
}

// observe records latency and, on error, converts it to a status at the handler edge and logs it
// once.
func (s *Server) observe(ctx context.Context, method string, start time.Time, err error) error {
	s.m.latency.WithLabelValues(method).Observe(time.Since(start).Seconds())
	if err == nil {
		return nil
	}
	st := toStatus(err)
	s.m.errors.WithLabelValues(method, st.Code().String()).Inc()
	if st.Code() != codes.InvalidArgument {
		s.log.WarnContext(ctx, "cache call failed", "method", method, "code", st.Code().String(), "err", err)
	}
	return st.Err()
}

func toStatus(err error) *status.Status {
	switch {
	case errors.Is(err, ErrInvalid):
		return status.New(codes.InvalidArgument, err.Error())
	case errors.Is(err, ErrUnavailable):
		return status.New(codes.Unavailable, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.New(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.New(codes.Canceled, err.Error())
	}
	if st, ok := status.FromError(err); ok {
		return st
	}
	return status.New(codes.Internal, err.Error())
}

func (s *Server) checkKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: key is empty", ErrInvalid)
	}
	if len(key) > MaxKeyBytes {
		return fmt.Errorf("%w: key is %d bytes, limit %d", ErrInvalid, len(key), MaxKeyBytes)
	}
	return nil
}

func (s *Server) toEntry(pe *cachev1.Entry) (Entry, error) {
	if pe == nil {
		return Entry{}, fmt.Errorf("%w: entry is missing", ErrInvalid)
	}
	if err := s.checkKey(pe.GetKey()); err != nil {
		return Entry{}, err
	}
	if len(pe.GetValue()) > s.maxValue {
		return Entry{}, fmt.Errorf("%w: value of %q is %d bytes, limit %d", ErrInvalid, pe.GetKey(), len(pe.GetValue()), s.maxValue)
	}
	if pe.GetTtlMs() < 0 {
		return Entry{}, fmt.Errorf("%w: ttl_ms of %q is negative", ErrInvalid, pe.GetKey())
	}
	e := Entry{Key: pe.GetKey(), Value: pe.GetValue(), TTL: time.Duration(pe.GetTtlMs()) * time.Millisecond, Tags: pe.GetTags()}
	return e, validEntry(e)
}

func fromEntry(e Entry) *cachev1.Entry {
	return &cachev1.Entry{Key: e.Key, Value: e.Value, TtlMs: e.TTL.Milliseconds(), Tags: e.Tags}
}

func (s *Server) countLookups(found, total int) {
	name := s.backendName()
	s.m.hits.WithLabelValues(name).Add(float64(found))
	s.m.misses.WithLabelValues(name).Add(float64(total - found))
}

// Get implements cachev1.CacheServiceServer.
func (s *Server) Get(ctx context.Context, req *cachev1.GetRequest) (_ *cachev1.GetResponse, err error) {
	defer func(start time.Time) { err = s.observe(ctx, "Get", start, err) }(time.Now())
	if err := s.checkKey(req.GetKey()); err != nil {
		return nil, err
	}
	e, ok, err := s.b.Get(ctx, req.GetKey())
	if err != nil {
		return nil, err
	}
	if !ok {
		s.countLookups(0, 1)
		return &cachev1.GetResponse{}, nil
	}
	s.countLookups(1, 1)
	return &cachev1.GetResponse{Found: true, Value: e.Value, TtlMs: e.TTL.Milliseconds()}, nil
}

// Set implements cachev1.CacheServiceServer.
func (s *Server) Set(ctx context.Context, req *cachev1.SetRequest) (_ *cachev1.SetResponse, err error) {
	defer func(start time.Time) { err = s.observe(ctx, "Set", start, err) }(time.Now())
	e, err := s.toEntry(req.GetEntry())
	if err != nil {
		return nil, err
	}
	if err := s.b.Set(ctx, e); err != nil {
		return nil, err
	}
	return &cachev1.SetResponse{}, nil
}

// Delete implements cachev1.CacheServiceServer.
func (s *Server) Delete(ctx context.Context, req *cachev1.DeleteRequest) (_ *cachev1.DeleteResponse, err error) {
	defer func(start time.Time) { err = s.observe(ctx, "Delete", start, err) }(time.Now())
	if err := s.checkKeys(req.GetKeys()); err != nil {
		return nil, err
	}
	n, err := s.b.Delete(ctx, req.GetKeys()...)
	if err != nil {
		return nil, err
	}
	return &cachev1.DeleteResponse{Deleted: n}, nil
}

func (s *Server) checkKeys(keys []string) error {
	if len(keys) > MaxBatch {
		return fmt.Errorf("%w: %d keys, limit %d", ErrInvalid, len(keys), MaxBatch)
	}
	for _, k := range keys {
		if err := s.checkKey(k); err != nil {
			return err
		}
	}
	return nil
}

// BatchGet implements cachev1.CacheServiceServer.
func (s *Server) BatchGet(ctx context.Context, req *cachev1.BatchGetRequest) (_ *cachev1.BatchGetResponse, err error) {
	defer func(start time.Time) { err = s.observe(ctx, "BatchGet", start, err) }(time.Now())
	if err := s.checkKeys(req.GetKeys()); err != nil {
		return nil, err
	}
	es, err := s.b.BatchGet(ctx, req.GetKeys())
	if err != nil {
		return nil, err
	}
	s.countLookups(len(es), len(req.GetKeys()))
	out := &cachev1.BatchGetResponse{Entries: make([]*cachev1.Entry, len(es))}
	for i, e := range es {
		out.Entries[i] = fromEntry(e)
	}
	return out, nil
}

// BatchSet implements cachev1.CacheServiceServer.
func (s *Server) BatchSet(ctx context.Context, req *cachev1.BatchSetRequest) (_ *cachev1.BatchSetResponse, err error) {
	defer func(start time.Time) { err = s.observe(ctx, "BatchSet", start, err) }(time.Now())
	if len(req.GetEntries()) > MaxBatch {
		return nil, fmt.Errorf("%w: %d entries, limit %d", ErrInvalid, len(req.GetEntries()), MaxBatch)
	}
	es := make([]Entry, len(req.GetEntries()))
	for i, pe := range req.GetEntries() {
		if es[i], err = s.toEntry(pe); err != nil {
			return nil, err
		}
	}
	if err := s.b.BatchSet(ctx, es); err != nil {
		return nil, err
	}
	return &cachev1.BatchSetResponse{}, nil
}

// InvalidateTag implements cachev1.CacheServiceServer.
func (s *Server) InvalidateTag(ctx context.Context, req *cachev1.InvalidateTagRequest) (_ *cachev1.InvalidateTagResponse, err error) {
	defer func(start time.Time) { err = s.observe(ctx, "InvalidateTag", start, err) }(time.Now())
	n, err := s.b.InvalidateTag(ctx, req.GetTag())
	if err != nil {
		return nil, err
	}
	return &cachev1.InvalidateTagResponse{Deleted: n}, nil
}

// Stats implements cachev1.CacheServiceServer. An unreachable backend is reported as
// healthy=false rather than as an error, so operators can still read the counters.
func (s *Server) Stats(ctx context.Context, _ *cachev1.StatsRequest) (_ *cachev1.StatsResponse, err error) {
	defer func(start time.Time) { err = s.observe(ctx, "Stats", start, err) }(time.Now())
	st, err := s.b.Stats(ctx)
	if err != nil {
		if !errors.Is(err, ErrUnavailable) {
			return nil, err
		}
		return &cachev1.StatsResponse{Backend: s.backendName(), Healthy: false}, nil
	}
	return &cachev1.StatsResponse{
		Backend: st.Backend, Hits: st.Hits, Misses: st.Misses, Keys: st.Keys,
		MemoryBytes: st.MemoryBytes, Healthy: true,
	}, nil
}

// WatchHealth sets service on hs to SERVING while the backend answers Ping and NOT_SERVING
// while it does not, checking every health interval until ctx is done. It starts NOT_SERVING
// and recovers by itself when the backend returns. It blocks; run it in a goroutine the caller
// waits for.
func (s *Server) WatchHealth(ctx context.Context, hs *health.Server, service string) {
	hs.SetServingStatus(service, healthpb.HealthCheckResponse_NOT_SERVING)
	last := healthpb.HealthCheckResponse_NOT_SERVING
	t := time.NewTicker(s.healthInterval)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, max(s.healthInterval, 500*time.Millisecond))
		err := s.b.Ping(pctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		st := healthpb.HealthCheckResponse_SERVING
		if err != nil {
			st = healthpb.HealthCheckResponse_NOT_SERVING
		}
		if st != last {
			s.log.InfoContext(ctx, "cache backend health changed", "service", service, "status", st.String(), "err", err)
			hs.SetServingStatus(service, st)
			last = st
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
