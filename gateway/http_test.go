package gateway

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
)

// do sends a request and returns the status and body.
func do(t *testing.T, method, url, body string, header ...string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", method, url, err)
	}
	return resp.StatusCode, b
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func analyzeBody(content string) string {
	return fmt.Sprintf(`{"sample":{"content":%q,"filename":"eicar.com"}}`, b64(content))
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, b)
	}
	return m
}

func TestRESTRoutes(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.ready.Store(true)
	base := e.http.URL
	tests := []struct {
		name, method, path, body string
		want                     int
		check                    func(t *testing.T, body []byte)
	}{
		{"analyze", "POST", "/v1/analyses", analyzeBody("hello"), 200, func(t *testing.T, b []byte) {
			m := decode(t, b)
			if m["id"] != knownID || m["verdict"] != "VERDICT_MALICIOUS" {
				t.Errorf("report %v", m)
			}
			if s, _ := m["sample"].(map[string]any); s["filename"] != "eicar.com" || s["size"] != "5" {
				t.Errorf("sample %v; want filename eicar.com, size 5 (int64 as a JSON string)", s)
			}
		}},
		{"get analysis", "GET", "/v1/analyses/" + knownID, "", 200, func(t *testing.T, b []byte) {
			if decode(t, b)["id"] != knownID {
				t.Errorf("body %s", b)
			}
		}},
		{"modules", "GET", "/v1/modules", "", 200, func(t *testing.T, b []byte) {
			m := decode(t, b)
			if mods, _ := m["modules"].([]any); len(mods) != 2 || m["pipelineVersion"] != "pv1" {
				t.Errorf("body %s", b)
			}
		}},
		{"batch", "POST", "/v1/analyses:batch", fmt.Sprintf(`{"requests":[{"sample":{"content":%q}},{"sample":{"content":%q}}]}`, b64("a"), b64("b")), 200, func(t *testing.T, b []byte) {
			if res, _ := decode(t, b)["results"].([]any); len(res) != 2 {
				t.Errorf("body %s", b)
			}
		}},
		{"submit job", "POST", "/v1/jobs", analyzeBody("x"), 200, func(t *testing.T, b []byte) {
			if m := decode(t, b); m["id"] != "job-1" || m["state"] != "JOB_STATE_QUEUED" {
				t.Errorf("body %s", b)
			}
		}},
		{"get job", "GET", "/v1/jobs/job-1", "", 200, func(t *testing.T, b []byte) {
			if m := decode(t, b); m["state"] != "JOB_STATE_DONE" {
				t.Errorf("body %s", b)
			}
		}},
		{"providers", "GET", "/v1/providers", "", 200, func(t *testing.T, b []byte) {
			if p, _ := decode(t, b)["providers"].([]any); len(p) != 1 {
				t.Errorf("body %s", b)
			}
		}},
		{"validate rules", "POST", "/v1/rules:validate", `{"source":"rule a { condition: true }"}`, 200, func(t *testing.T, b []byte) {
			if m := decode(t, b); m["valid"] != true {
				t.Errorf("body %s", b)
			}
		}},
		{"healthz", "GET", "/healthz", "", 200, func(t *testing.T, b []byte) {
			if decode(t, b)["status"] != "ok" {
				t.Errorf("body %s", b)
			}
		}},
		{"readyz", "GET", "/readyz", "", 200, nil},
		{"openapi", "GET", "/openapi.json", "", 200, func(t *testing.T, b []byte) {
			var doc struct {
				Paths map[string]any `json:"paths"`
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatalf("openapi.json is not JSON: %v", err)
			}
			for _, p := range []string{"/v1/analyses", "/v1/analyses/{id}", "/v1/modules"} {
				if _, ok := doc.Paths[p]; !ok {
					t.Errorf("openapi.json lacks path %s", p)
				}
			}
		}},
		{"index page", "GET", "/", "", 200, func(t *testing.T, b []byte) {
			if !bytes.Contains(b, []byte("/v1/analyses")) {
				t.Error("index page does not post to /v1/analyses")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := do(t, tt.method, base+tt.path, tt.body)
			if code != tt.want {
				t.Fatalf("%s %s = %d %s; want %d", tt.method, tt.path, code, body, tt.want)
			}
			if tt.check != nil {
				tt.check(t, body)
			}
		})
	}
	// /metrics last: every route above has been counted by then.
	code, body := do(t, "GET", base+"/metrics", "")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{
		"athena_http_requests_total", `route="/v1/analyses/{id}"`,
		"athena_grpc_server_requests_total", "athena.analysis.v1.AnalysisService",
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestRESTStream(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	resp, err := http.Post(e.http.URL+"/v1/analyses:stream", "application/json", strings.NewReader(analyzeBody("hello")))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var kinds []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Result map[string]json.RawMessage `json:"result"`
			Error  any                        `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line is not JSON: %v: %s", err, sc.Bytes())
		}
		if line.Error != nil {
			t.Fatalf("error line %s", sc.Bytes())
		}
		for _, k := range []string{"accepted", "moduleFinished", "report"} {
			if _, ok := line.Result[k]; ok {
				kinds = append(kinds, k)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(kinds, ","); got != "accepted,moduleFinished,moduleFinished,report" {
		t.Errorf("NDJSON events %s; want accepted, two moduleFinished, report last", got)
	}
}

func TestRESTBadInput(t *testing.T) {
	e := newEnv(t, Config{}, 512)
	base := e.http.URL
	big := fmt.Sprintf(`{"sample":{"content":%q}}`, b64(strings.Repeat("A", 1024)))
	tests := []struct {
		name, method, path, body string
		want                     int
		message                  string
	}{
		{"analyze empty content", "POST", "/v1/analyses", `{"sample":{"content":""}}`, 400, "sample.content"},
		{"analyze no sample", "POST", "/v1/analyses", `{}`, 400, "sample is required"},
		{"analyze bad base64", "POST", "/v1/analyses", `{"sample":{"content":"!!!not base64!!!"}}`, 400, ""},
		{"analyze unknown option", "POST", "/v1/analyses", fmt.Sprintf(`{"sample":{"content":%q},"options":{"turbo":true}}`, b64("x")), 400, "turbo"},
		{"analyze not JSON", "POST", "/v1/analyses", `{"sample":`, 400, ""},
		{"analyze empty body", "POST", "/v1/analyses", "", 400, "sample is required"},
		{"analyze trailing data", "POST", "/v1/analyses", fmt.Sprintf(`{"sample":{"content":%q}} {}`, b64("x")), 400, ""},
		{"analyze unknown field", "POST", "/v1/analyses", fmt.Sprintf(`{"sample":{"content":%q},"x":1}`, b64("x")), 400, ""},
		{"analyze over the limit", "POST", "/v1/analyses", big, 413, "limit"},
		{"stream empty content", "POST", "/v1/analyses:stream", `{"sample":{}}`, 400, "sample.content"},
		{"stream bad base64", "POST", "/v1/analyses:stream", `{"sample":{"content":"%%%"}}`, 400, ""},
		{"stream over the limit", "POST", "/v1/analyses:stream", big, 413, "limit"},
		{"get unknown analysis", "GET", "/v1/analyses/ffff", "", 404, "not found"},
		{"batch empty", "POST", "/v1/analyses:batch", `{"requests":[]}`, 400, "requests is empty"},
		{"batch unknown field", "POST", "/v1/analyses:batch", `{"requests":[],"x":1}`, 400, ""},
		{"batch item empty", "POST", "/v1/analyses:batch", fmt.Sprintf(`{"requests":[{"sample":{"content":%q}},{"sample":{}}]}`, b64("a")), 400, "requests[1]"},
		{"batch over the limit", "POST", "/v1/analyses:batch", `{"requests":[` + big + `]}`, 413, "limit"},
		{"submit empty content", "POST", "/v1/jobs", `{"sample":{}}`, 400, "sample.content"},
		{"submit bad base64", "POST", "/v1/jobs", `{"sample":{"content":"@@"}}`, 400, ""},
		{"submit over the limit", "POST", "/v1/jobs", big, 413, "limit"},
		{"get unknown job", "GET", "/v1/jobs/nope", "", 404, "not found"},
		{"validate empty", "POST", "/v1/rules:validate", `{"source":""}`, 400, "source is empty"},
		{"validate wrong type", "POST", "/v1/rules:validate", `{"source":5}`, 400, ""},
		{"validate over the limit", "POST", "/v1/rules:validate", `{"source":"` + strings.Repeat("a", 1024) + `"}`, 413, "limit"},
		{"upload empty", "POST", "/v1/analyses:upload", "", 400, "sample.content"},
		{"upload over the limit", "POST", "/v1/analyses:upload", strings.Repeat("A", 1024), 413, "limit"},
		{"unknown route", "GET", "/v1/nothing", "", 404, ""},
		{"wrong method", "DELETE", "/v1/modules", "", 501, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := do(t, tt.method, base+tt.path, tt.body)
			if code != tt.want {
				t.Fatalf("%s %s = %d %s; want %d", tt.method, tt.path, code, body, tt.want)
			}
			if tt.message != "" {
				m := decode(t, body)
				if inner, ok := m["error"].(map[string]any); ok {
					m = inner // a streaming route answers with one NDJSON error line
				}
				if msg, _ := m["message"].(string); !strings.Contains(msg, tt.message) {
					t.Errorf("message %q does not mention %q", msg, tt.message)
				}
				if _, ok := m["code"]; !ok {
					t.Errorf("error body %s has no code", body)
				}
			}
			// The server keeps serving after every bad request.
			if code, body := do(t, "POST", base+"/v1/analyses", analyzeBody("ok")); code != 200 {
				t.Fatalf("after %s the gateway answered %d %s", tt.name, code, body)
			}
		})
	}
}

// chunked hides the body's length, so only the reading limit can catch it.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

func TestRESTBodyLimitChunked(t *testing.T) {
	const limit = 512
	e := newEnv(t, Config{}, limit)
	for _, tc := range []struct {
		name, path string
		body       string
		want       int
	}{
		{"json over", "/v1/analyses", fmt.Sprintf(`{"sample":{"content":%q}}`, b64(strings.Repeat("A", 1024))), 413},
		{"json under", "/v1/analyses", analyzeBody("small"), 200},
		{"upload over", "/v1/analyses:upload", strings.Repeat("A", limit+1), 413},
		{"upload at the limit", "/v1/analyses:upload", strings.Repeat("A", limit), 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", e.http.URL+tc.path, chunked{strings.NewReader(tc.body)})
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if req.ContentLength != -1 && req.ContentLength != 0 {
				t.Fatalf("request was not chunked (content length %d)", req.ContentLength)
			}
			if resp.StatusCode != tc.want {
				t.Errorf("status %d %s; want %d", resp.StatusCode, b, tc.want)
			}
		})
	}
}

func TestRESTReadiness(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	code, body := do(t, "GET", e.http.URL+"/readyz", "")
	if code != 503 || !strings.Contains(string(body), "NOT_SERVING") {
		t.Errorf("/readyz while the orchestrator is down = %d %s; want 503 with the reason", code, body)
	}
	e.ready.Store(true)
	if code, body := do(t, "GET", e.http.URL+"/readyz", ""); code != 200 {
		t.Errorf("/readyz when ready = %d %s", code, body)
	}
	if code, _ := do(t, "GET", e.http.URL+"/healthz", ""); code != 200 {
		t.Errorf("/healthz = %d; liveness must not depend on readiness", code)
	}
}

func TestRESTUploadAndAuth(t *testing.T) {
	e := newEnv(t, Config{APIKeys: map[string]string{"k1": "acme"}}, 0)
	base := e.http.URL
	tests := []struct {
		name, path, body string
		header           []string
		want             int
	}{
		{"json without key", "/v1/analyses", analyzeBody("x"), nil, 401},
		{"json wrong key", "/v1/analyses", analyzeBody("x"), []string{"X-Api-Key", "nope"}, 401},
		{"json x-api-key", "/v1/analyses", analyzeBody("x"), []string{"X-Api-Key", "k1"}, 200},
		{"json bearer", "/v1/analyses", analyzeBody("x"), []string{"Authorization", "Bearer k1"}, 200},
		{"upload without key", "/v1/analyses:upload?filename=a.bin", "raw bytes", nil, 401},
		{"upload bearer", "/v1/analyses:upload?filename=a.bin", "raw bytes", []string{"Authorization", "Bearer k1"}, 200},
		{"upload x-api-key", "/v1/analyses:upload?filename=a.bin&bypassCache=true", "raw bytes", []string{"X-Api-Key", "k1"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := do(t, "POST", base+tt.path, tt.body, tt.header...)
			if code != tt.want {
				t.Fatalf("status %d %s; want %d", code, body, tt.want)
			}
			if code == 200 {
				m := decode(t, body)
				if m["id"] != knownID {
					t.Errorf("report %s", body)
				}
				if strings.Contains(tt.path, "upload") {
					if s, _ := m["sample"].(map[string]any); s["filename"] != "a.bin" || s["size"] != "9" {
						t.Errorf("upload sample %v; want filename a.bin size 9", s)
					}
				}
				if e.orch.lastTenant() != "acme" {
					t.Errorf("tenant %q reached the orchestrator, want acme", e.orch.lastTenant())
				}
			}
		})
	}
	if code, _ := do(t, "GET", base+"/healthz", ""); code != 200 {
		t.Errorf("/healthz needs no key, got %d", code)
	}
}

// TestRESTRateLimit: REST calls, which reach the gRPC API in process, pass its rate limit: the
// third is refused with 429, while a gRPC client, another caller, still has its burst
// (TestClientAddr: REST callers are told apart by their HTTP address).
func TestRESTRateLimit(t *testing.T) {
	e := newEnv(t, Config{RatePerSecond: 0.001, Burst: 2}, 0)
	for i := range 2 {
		if code, body := do(t, "POST", e.http.URL+"/v1/analyses", analyzeBody("x")); code != 200 {
			t.Fatalf("REST call %d within the burst: %d %s", i, code, body)
		}
	}
	code, body := do(t, "POST", e.http.URL+"/v1/analyses", analyzeBody("x"))
	if code != 429 || !strings.Contains(string(body), "rate limit") {
		t.Errorf("third REST call: %d %s; want 429 about the rate limit", code, body)
	}
	if _, err := e.client.Analyze(context.Background(), &analysisv1.AnalyzeRequest{Sample: sampleIn("x")}); err != nil {
		t.Errorf("a gRPC client after the REST client's burst: %v; want its own burst", err)
	}
}

func TestRESTWatchJob(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	resp, err := http.Get(e.http.URL + "/v1/jobs/job-1:watch")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var states []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var line struct {
			Result struct {
				State string `json:"state"`
			} `json:"result"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line is not JSON: %v: %s", err, sc.Bytes())
		}
		states = append(states, line.Result.State)
	}
	if got := strings.Join(states, ","); got != "JOB_STATE_RUNNING,JOB_STATE_DONE" {
		t.Errorf("watch lines %s; want running then done", got)
	}
	code, body := do(t, "GET", e.http.URL+"/v1/jobs/nope:watch", "")
	if code != 404 || !strings.Contains(string(body), "not found") {
		t.Errorf("watch unknown job = %d %s; want 404", code, body)
	}
}

// TestReadBody: reading into a buffer sized from the declared length gives the bytes
// io.ReadAll gives, whatever the declaration says, and still stops at the reading limit.
func TestReadBody(t *testing.T) {
	bodyBufs = bufPool{max: preallocMax + 1}               // no buffer of an earlier test: the sizes below are fresh allocations
	body := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	for _, tc := range []struct {
		name     string
		declared int64
		limit    int64
		wantErr  bool
	}{
		{"exact", int64(len(body)), 1 << 20, false},
		{"unknown", -1, 1 << 20, false},
		{"declared short", 100, 1 << 20, false},
		{"declared long", 10 << 20, 1 << 20, false},
		{"over the limit", int64(len(body)), 1000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &bodyState{}
			lb := &limitedBody{r: io.NopCloser(chunked{bytes.NewReader(body)}), left: tc.limit, state: st, size: tc.declared}
			got, err := readBody(lb)
			if tc.wantErr {
				if !errors.Is(err, errBodyTooLarge) || !st.exceeded.Load() {
					t.Fatalf("err %v (exceeded %v), want errBodyTooLarge", err, st.exceeded.Load())
				}
				return
			}
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("read %d bytes, %v; want the %d of the body", len(got), err, len(body))
			}
			// The up-front buffer is the declared length, bounded by preallocMax.
			if want := int(min(tc.declared, preallocMax)) + 1; tc.declared >= int64(len(body)) && cap(got) != want {
				t.Errorf("buffer of %d bytes for a body of %d declared as %d; want %d", cap(got), len(body), tc.declared, want)
			}
		})
	}
}

// TestRESTBodyReuse: request bodies are read into reused buffers; samples of mixed sizes
// posted at once, large ones (decoded apart from the body) and small ones (decoded by
// protojson), each reach the orchestrator byte for byte.
func TestRESTBodyReuse(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	sizes := []int{300 << 10, 100, 1 << 20, 70 << 10, 5, 600 << 10, 2000, 64<<10 + 3}
	want := map[[32]byte]int{}
	var samples [][]byte
	for round := range 8 {
		for i, n := range sizes {
			b := make([]byte, n)
			for k := range b {
				b[k] = byte(k*7 + i*31 + round*101 + k>>9)
			}
			samples = append(samples, b)
			want[sha256.Sum256(b)]++
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(samples))
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(samples); i += 4 {
				body := fmt.Sprintf(`{"sample":{"content":%q,"filename":"s%d"}}`, base64.StdEncoding.EncodeToString(samples[i]), i)
				resp, err := http.Post(e.http.URL+"/v1/analyses", "application/json", strings.NewReader(body))
				if err != nil {
					errs <- err
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("sample %d: HTTP %d", i, resp.StatusCode)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	e.orch.mu.Lock()
	defer e.orch.mu.Unlock()
	if !maps.Equal(e.orch.got, want) {
		t.Errorf("the orchestrator got %d distinct contents, %d of them sent; want the %d sent, each as often", len(e.orch.got), countIn(e.orch.got, want), len(want))
	}
}

// countIn counts the keys of got that are in want.
func countIn(got, want map[[32]byte]int) int {
	n := 0
	for k := range got {
		if _, ok := want[k]; ok {
			n++
		}
	}
	return n
}

// TestRESTContentLifetime: a sample decoded into a reused buffer stays its request's until the
// request has been answered. While one request waits on its way to the gateway's API, another
// of the same size runs to its end; the first still reaches the orchestrator intact.
func TestRESTContentLifetime(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one P: the pool hands back what was put last
	e := newEnv(t, Config{}, 0)
	held, gate := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	self := gatedConn{ClientConnInterface: e.srv.Local(e.conn), hold: func() {
		if calls.Add(1) == 1 {
			close(held)
			<-gate
		}
	}}
	h, err := NewHTTPHandler(context.Background(), HTTPConfig{Self: self, Ready: func(context.Context) error { return nil }, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	sample := func(seed byte) []byte {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = byte(i>>3) ^ seed
		}
		return b
	}
	post := func(content []byte) error {
		body := fmt.Sprintf(`{"sample":{"content":%q}}`, base64.StdEncoding.EncodeToString(content))
		resp, err := http.Post(srv.URL+"/v1/analyses", "application/json", strings.NewReader(body))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		return nil
	}
	first, second := sample(1), sample(2)
	done := make(chan error, 1)
	go func() { done <- post(first) }()
	<-held
	if err := post(second); err != nil {
		t.Fatal(err)
	}
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := map[[32]byte]int{sha256.Sum256(first): 1, sha256.Sum256(second): 1}
	e.orch.mu.Lock()
	defer e.orch.mu.Unlock()
	if !maps.Equal(e.orch.got, want) {
		t.Errorf("the orchestrator got %d distinct contents, %d of them sent; want both samples once", len(e.orch.got), countIn(e.orch.got, want))
	}
}

// gatedConn calls hold before each Analyze call it passes on.
type gatedConn struct {
	grpc.ClientConnInterface
	hold func()
}

func (g gatedConn) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	if method == analysisv1.AnalysisService_Analyze_FullMethodName {
		g.hold()
	}
	return g.ClientConnInterface.Invoke(ctx, method, args, reply, opts...)
}
