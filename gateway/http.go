package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/athena-mesh/athena/internal/telemetry"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// HTTPConfig configures the REST side of the gateway.
type HTTPConfig struct {
	// Self is a connection to the gateway's own gRPC API, so REST calls pass the same
	// interceptors (keys, rate limits, deadlines, metrics) and appear in the same trace: the
	// gRPC server's Local connection, which runs unary calls in process and streams over a
	// connection to its listener.
	Self grpc.ClientConnInterface
	// Ready reports whether every service the gateway depends on is SERVING.
	Ready func(context.Context) error
	// Gatherer serves /metrics.
	Gatherer prometheus.Gatherer
	// Registerer receives the HTTP metrics.
	Registerer prometheus.Registerer
	// MaxBodyBytes bounds request bodies; 0 means 64 MiB.
	MaxBodyBytes int64
}

// bodyState is one request's body as the handlers see it: whether it went past the limit,
// and the buffers of content decoded from it.
type bodyState struct {
	exceeded atomic.Bool
	decoded  [][]byte // buffers of content decoded from the body (buffer), for release
}

// buffer returns n bytes for content decoded from the body, given back for reuse by release
// once the request has been answered (nothing keeps a request's sample past its answer: the
// handlers pass it on in gRPC messages, which copy it). A nil state allocates.
func (st *bodyState) buffer(n int) []byte {
	if st == nil {
		return make([]byte, n)
	}
	b := contentBufs.get(n)[:n]
	st.decoded = append(st.decoded, b)
	return b
}

// release gives back the buffers of content decoded from the body.
func (st *bodyState) release() {
	for _, b := range st.decoded {
		contentBufs.put(b)
	}
	st.decoded = nil
}

type bodyStateKey struct{}

// limitedBody fails reads past the limit and remembers it, so the error handler can answer
// 413 instead of the 400 grpc-gateway gives to any body decoding error.
type limitedBody struct {
	r     io.ReadCloser
	left  int64
	state *bodyState
	size  int64 // the declared Content-Length, -1 if unknown
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Probe for one more byte: a body of exactly the limit is fine.
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n > 0 {
			b.state.exceeded.Store(true)
			return 0, errBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.r.Close() }

var errBodyTooLarge = errors.New("request body too large")

// onePassJSON is grpc-gateway's JSONPb with a request decoder that parses the body once.
// JSONPb's own decoder first reads the value with encoding/json and then hands it to protojson,
// scanning a base64 sample twice: ~20 ms of CPU for a 2 MB analysis request.
type onePassJSON struct{ *runtime.JSONPb }

func (m onePassJSON) NewDecoder(r io.Reader) runtime.Decoder {
	return runtime.DecoderFunc(func(v any) error {
		b, err := readBody(r)
		defer bodyBufs.put(b) // every decoder below copies what it keeps
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			return io.EOF // as JSONPb's decoder: the generated handlers accept an empty body
		}
		if req, ok := v.(sampleRequest); ok {
			var st *bodyState
			if lb, ok := r.(*limitedBody); ok {
				st = lb.state
			}
			return unmarshalSampleRequest(m.UnmarshalOptions, b, req, st)
		}
		if msg, ok := v.(proto.Message); ok {
			return m.UnmarshalOptions.Unmarshal(b, msg)
		}
		return m.JSONPb.Unmarshal(b, v)
	})
}

// Marshal writes a message with marshalJSON (jsonenc.go), or with protojson when marshalJSON
// leaves it to protojson or the options are not the ones it writes; anything else as JSONPb
// does.
func (m onePassJSON) Marshal(v any) ([]byte, error) {
	if msg, ok := v.(proto.Message); ok && m.MarshalOptions == protojsonDefaults {
		// JSON is mostly longer than the wire form: room for that much and a quarter more
		// spares the growing buffer its copies.
		if b, err := marshalJSON(make([]byte, 0, proto.Size(msg)*5/4+64), msg); err == nil {
			return b, nil
		}
	}
	return m.JSONPb.Marshal(v)
}

// protojsonDefaults are the REST API's JSON options, which marshalJSON implements.
var protojsonDefaults = protojson.MarshalOptions{EmitDefaultValues: true}

// preallocMax bounds the buffer allocated up front for a body from its declared length: a
// client cannot make the gateway reserve more than this before sending it.
const preallocMax = 8 << 20

// A request body is dead once decoded, and a sample decoded from one once the request has
// been answered; for a 1.2 MB sample they are the gateway's largest allocations (1.6 and
// 1.2 MB). Reusing them makes the process collect garbage less often.
var (
	bodyBufs    = bufPool{max: preallocMax + 1}
	contentBufs = bufPool{max: preallocMax}
)

// bufPool holds byte buffers (*[]byte) of up to max bytes for reuse.
type bufPool struct {
	p   sync.Pool
	max int
}

// get returns an empty buffer with room for n bytes, reused when the pool has one.
func (bp *bufPool) get(n int) []byte {
	if p, _ := bp.p.Get().(*[]byte); p != nil && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]byte, 0, n)
}

// put gives b back for reuse once nothing refers to it; buffers larger than max (a body that
// grew past preallocMax, a sample decoded from one) are left to the collector.
func (bp *bufPool) put(b []byte) {
	if cap(b) == 0 || cap(b) > bp.max {
		return
	}
	b = b[:0]
	bp.p.Put(&b)
}

// readBody is io.ReadAll, reading a body of declared length into one buffer of that size
// instead of growing one through a dozen copies (a 2 MB analysis request).
func readBody(r io.Reader) ([]byte, error) {
	lb, ok := r.(*limitedBody)
	if !ok || lb.size <= 0 {
		return io.ReadAll(r)
	}
	b := bodyBufs.get(int(min(lb.size, preallocMax)) + 1) // +1: EOF is seen without growing
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// NewHTTPHandler returns the REST handler: grpc-gateway routes plus the operational endpoints.
func NewHTTPHandler(ctx context.Context, cfg HTTPConfig) (http.Handler, error) {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 64 << 20
	}
	marshaler := onePassJSON{&runtime.JSONPb{
		MarshalOptions:   protojsonDefaults,
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
	}}
	limit := cfg.MaxBodyBytes
	gw := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, marshaler),
		runtime.WithIncomingHeaderMatcher(func(key string) (string, bool) {
			switch textproto.CanonicalMIMEHeaderKey(key) {
			case "X-Api-Key":
				return "x-api-key", true
			case "Authorization":
				return "authorization", true
			}
			return runtime.DefaultHeaderMatcher(key)
		}),
		runtime.WithErrorHandler(func(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
			if st, ok := r.Context().Value(bodyStateKey{}).(*bodyState); ok && st.exceeded.Load() {
				writeError(w, http.StatusRequestEntityTooLarge, codes.InvalidArgument, fmt.Sprintf("request body exceeds the limit of %d bytes", limit))
				return
			}
			runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
		}),
	)
	client := analysisv1.NewAnalysisServiceClient(cfg.Self)
	if err := analysisv1.RegisterAnalysisServiceHandlerClient(ctx, gw, client); err != nil {
		return nil, fmt.Errorf("register REST handlers: %w", err)
	}

	mux := http.NewServeMux()
	mux.Handle("/v1/", gw)
	mux.HandleFunc("POST /v1/analyses:upload", func(w http.ResponseWriter, r *http.Request) { upload(w, r, client, marshaler, limit) })
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if err := cfg.Ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]string{"status": "not ready", "reason": err.Error()})
			return
		}
		_, _ = io.WriteString(w, `{"status":"ready"}`+"\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, indexHTML)
	})

	metrics := newHTTPMetrics(cfg.Registerer)
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			writeError(w, http.StatusRequestEntityTooLarge, codes.InvalidArgument, fmt.Sprintf("request body of %d bytes exceeds the limit of %d bytes", r.ContentLength, limit))
			return
		}
		st := &bodyState{}
		r.Body = &limitedBody{r: r.Body, left: limit, state: st, size: r.ContentLength}
		mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), bodyStateKey{}, st)))
		st.release() // not deferred: after a panic, the collector takes the buffers
	})
	h = metrics.wrap(mux, h)
	return otelhttp.NewHandler(h, "gateway.http", otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
		return r.Method + " " + routeOf(mux, r)
	})), nil
}

// routeOf returns the registered pattern for r, so span names and metric labels do not
// explode with ids.
func routeOf(mux *http.ServeMux, r *http.Request) string {
	_, pattern := mux.Handler(r)
	if pattern == "/v1/" {
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/v1/analyses/"):
			return "/v1/analyses/{id}"
		case strings.HasPrefix(p, "/v1/jobs/") && strings.HasSuffix(p, ":watch"):
			return "/v1/jobs/{id}:watch"
		case strings.HasPrefix(p, "/v1/jobs/"):
			return "/v1/jobs/{id}"
		case len(p) < 64:
			return p
		}
		return "/v1/other"
	}
	if pattern == "" {
		return "unmatched"
	}
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		pattern = pattern[i+1:]
	}
	return pattern
}

// upload analyzes a raw request body: `curl --data-binary @file /v1/analyses:upload?filename=x`.
func upload(w http.ResponseWriter, r *http.Request, client analysisv1.AnalysisServiceClient, m runtime.Marshaler, limit int64) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, codes.InvalidArgument, fmt.Sprintf("request body exceeds the limit of %d bytes", limit))
			return
		}
		writeError(w, http.StatusBadRequest, codes.InvalidArgument, "read body: "+err.Error())
		return
	}
	q := r.URL.Query()
	opts := &analysisv1.AnalysisOptions{BypassCache: q.Get("bypassCache") == "true"}
	md := metadata.MD{}
	for _, h := range []string{"Authorization", "X-Api-Key"} {
		if v := r.Header.Get(h); v != "" {
			md.Set(strings.ToLower(h), v)
		}
	}
	// As grpc-gateway does for the mapped routes: the rate limiter keys unauthenticated REST
	// callers on the last x-forwarded-for entry.
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		md.Append("x-forwarded-for", host)
	}
	ctx := metadata.NewOutgoingContext(r.Context(), md)
	resp, err := client.Analyze(ctx, &analysisv1.AnalyzeRequest{Sample: &analysisv1.SampleInput{Content: body, Filename: q.Get("filename")}, Options: opts})
	if err != nil {
		st := status.Convert(err)
		writeError(w, runtime.HTTPStatusFromCode(st.Code()), st.Code(), st.Message())
		return
	}
	b, err := m.Marshal(resp.Report)
	if err != nil {
		writeError(w, http.StatusInternalServerError, codes.Internal, "encode report")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, httpStatus int, code codes.Code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(httpStatus)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": int(code), "message": msg, "details": []any{}})
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "athena_http_requests_total",
			Help: "REST requests, by method, route and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "athena_http_request_duration_seconds",
			Help:    "REST request latency, by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route"}),
	}
	telemetry.Register(reg, m.requests, m.duration)
	return m
}

func (m *httpMetrics) wrap(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		route := routeOf(mux, r)
		next.ServeHTTP(rec, r)
		m.requests.WithLabelValues(r.Method, route, fmt.Sprint(rec.code)).Inc()
		m.duration.WithLabelValues(r.Method, route).Observe(time.Since(start).Seconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

// Flush keeps streaming responses (NDJSON events) flowing through the recorder.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
