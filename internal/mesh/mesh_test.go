package mesh

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/athena-mesh/athena/internal/fuzzyhash"
	"github.com/athena-mesh/athena/internal/hostabi"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// eicar is the EICAR anti-virus test file: harmless, and every scanner must call it malicious.
const eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

type restReport struct {
	ID      string `json:"id"`
	Verdict string `json:"verdict"`
	Cached  bool   `json:"cached"`
	Sample  struct {
		Sha256   string `json:"sha256"`
		Sha1     string `json:"sha1"`
		Md5      string `json:"md5"`
		Sha512   string `json:"sha512"`
		Ssdeep   string `json:"ssdeep"`
		Tlsh     string `json:"tlsh"`
		Filename string `json:"filename"`
	} `json:"sample"`
	Modules []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"modules"`
}

func body(content, filename string, bypass bool) string {
	return fmt.Sprintf(`{"sample":{"content":%q,"filename":%q},"options":{"bypassCache":%t}}`,
		base64.StdEncoding.EncodeToString([]byte(content)), filename, bypass)
}

// rest sends one request and decodes a 200 answer into out; it returns the status and body.
func rest(t *testing.T, method, url, reqBody string, out any) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var r io.Reader
	if reqBody != "" {
		r = strings.NewReader(reqBody)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", method, url, err)
	}
	if resp.StatusCode == http.StatusOK && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("decode %s %s: %v\n%s", method, url, err, b)
		}
	}
	return resp.StatusCode, b
}

func TestAllEndToEnd(t *testing.T) {
	addrs, _ := sharedMesh(t)
	base := "http://" + addrs.HTTP

	var first restReport
	if code, b := rest(t, "POST", base+"/v1/analyses", body(eicar, "eicar.com", true), &first); code != 200 {
		t.Fatalf("POST /v1/analyses = %d %s", code, b)
	}
	if first.Verdict != "VERDICT_MALICIOUS" || first.Cached || first.ID == "" {
		t.Fatalf("EICAR: verdict %s cached %v id %q; want a fresh malicious report", first.Verdict, first.Cached, first.ID)
	}
	if len(first.Modules) < 3 {
		t.Errorf("only %d modules ran: %+v", len(first.Modules), first.Modules)
	}

	var second restReport
	if code, b := rest(t, "POST", base+"/v1/analyses", body(eicar, "eicar.com", false), &second); code != 200 {
		t.Fatalf("second POST = %d %s", code, b)
	}
	if !second.Cached || second.ID != first.ID || second.Verdict != first.Verdict {
		t.Errorf("second: cached %v id %s verdict %s; want cached %s %s", second.Cached, second.ID, second.Verdict, first.ID, first.Verdict)
	}

	var got restReport
	if code, b := rest(t, "GET", base+"/v1/analyses/"+first.ID, "", &got); code != 200 || got.ID != first.ID || got.Sample.Sha256 != first.Sample.Sha256 {
		t.Errorf("GET /v1/analyses/%s = %d, id %q: %s", first.ID, code, got.ID, b)
	}
	if code, _ := rest(t, "GET", base+"/v1/analyses/00000000000000000000000000000000", "", nil); code != 404 {
		t.Errorf("GET unknown analysis = %d, want 404", code)
	}

	var mods struct {
		Modules []struct {
			Name string `json:"name"`
		} `json:"modules"`
	}
	if code, b := rest(t, "GET", base+"/v1/modules", "", &mods); code != 200 || len(mods.Modules) != 7 {
		t.Errorf("GET /v1/modules = %d, %d modules: %s", code, len(mods.Modules), b)
	}
}

func TestAllStream(t *testing.T) {
	addrs, _ := sharedMesh(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addrs.HTTP+"/v1/analyses:stream", strings.NewReader(body(eicar, "eicar.com", true)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d %s", resp.StatusCode, b)
	}
	var kinds []string
	var last map[string]json.RawMessage
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var line struct {
			Result map[string]json.RawMessage `json:"result"`
			Error  json.RawMessage            `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("NDJSON line: %v: %s", err, sc.Bytes())
		}
		if line.Error != nil {
			t.Fatalf("error event %s", line.Error)
		}
		for _, k := range []string{"accepted", "identified", "moduleStarted", "moduleFinished", "artifactDiscovered", "report"} {
			if _, ok := line.Result[k]; ok {
				kinds = append(kinds, k)
			}
		}
		last = line.Result
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(kinds) < 4 || kinds[0] != "accepted" || kinds[len(kinds)-1] != "report" {
		t.Fatalf("events %v; want accepted first and report last", kinds)
	}
	if strings.Count(strings.Join(kinds, " "), "report") != 1 {
		t.Errorf("events %v; want exactly one report", kinds)
	}
	identified, finished := -1, 0
	for i, k := range kinds {
		switch k {
		case "identified":
			if identified < 0 {
				identified = i
			}
		case "moduleFinished":
			finished++
		}
	}
	if identified < 1 || finished < 3 {
		t.Errorf("events %v; want identified after accepted and several moduleFinished", kinds)
	}
	var rep restReport
	if err := json.Unmarshal(last["report"], &rep); err != nil || rep.Verdict != "VERDICT_MALICIOUS" {
		t.Errorf("last event report verdict %q (%v)", rep.Verdict, err)
	}
}

func TestAllJobs(t *testing.T) {
	addrs, _ := sharedMesh(t)
	base := "http://" + addrs.HTTP
	var job struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	// Distinct bytes, so the job really runs the pipeline.
	content := eicar + "\n" + t.Name()
	if code, b := rest(t, "POST", base+"/v1/jobs", body(content, "job.txt", false), &job); code != 200 || job.ID == "" {
		t.Fatalf("POST /v1/jobs = %d %s", code, b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for {
		var got struct {
			ID     string     `json:"id"`
			State  string     `json:"state"`
			Error  string     `json:"error"`
			Report restReport `json:"report"`
		}
		code, b := rest(t, "GET", base+"/v1/jobs/"+job.ID, "", &got)
		if code != 200 {
			t.Fatalf("GET /v1/jobs/%s = %d %s", job.ID, code, b)
		}
		if got.State == "JOB_STATE_DONE" {
			if got.Report.ID == "" || got.Report.Sample.Filename != "job.txt" {
				t.Errorf("done job without its report: %s", b)
			}
			break
		}
		if got.State == "JOB_STATE_FAILED" {
			t.Fatalf("job failed: %s", got.Error)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("job %s still %s", job.ID, got.State)
		case <-time.After(100 * time.Millisecond):
		}
	}
	if code, _ := rest(t, "GET", base+"/v1/jobs/unknown-job", "", nil); code != 404 {
		t.Errorf("GET unknown job = %d, want 404", code)
	}
}

// TestOneTrace checks that one REST analysis yields one trace holding the HTTP server span and
// server spans of all four gRPC services.
func TestOneTrace(t *testing.T) {
	addrs, rec := sharedMesh(t)
	// Distinct bytes and bypassCache, so the request reaches the wasm runtime and writes the cache.
	content := "trace me " + time.Now().Format(time.RFC3339Nano)
	var r restReport
	if code, b := rest(t, "POST", "http://"+addrs.HTTP+"/v1/analyses", body(content, "trace.txt", true), &r); code != 200 {
		t.Fatalf("POST = %d %s", code, b)
	}
	wantServices := []string{
		"athena.analysis.v1.AnalysisService",
		"athena.orchestrator.v1.OrchestratorService",
		"athena.wasmruntime.v1.WasmRuntimeService",
		"athena.cache.v1.CacheService",
	}
	// Server spans end just after their responses are written, so poll the recorder briefly.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var httpSpan sdktrace.ReadOnlySpan
	var services map[string]bool
	for {
		httpSpan = nil
		for _, s := range rec.Ended() {
			if s.SpanKind() == trace.SpanKindServer && s.Name() == "POST /v1/analyses" && hasAttr(s.Attributes(), "http.response.status_code", "200", "http.status_code") {
				httpSpan = s // the last one is ours: TestOneTrace's request is the latest POST
			}
		}
		if httpSpan != nil {
			services = servicesInTrace(rec.Ended(), httpSpan.SpanContext().TraceID())
			if hasAll(services, wantServices) {
				break
			}
		}
		select {
		case <-ctx.Done():
			if httpSpan == nil {
				t.Fatalf("no otelhttp server span named \"POST /v1/analyses\" among %d spans", len(rec.Ended()))
			}
			t.Fatalf("trace %s has server spans of %v; want all of %v", httpSpan.SpanContext().TraceID(), keys(services), wantServices)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Logf("trace %s: server spans of %v", httpSpan.SpanContext().TraceID(), keys(services))
	// Every server span of the trace hangs below the HTTP span.
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		if s.SpanContext().TraceID() == httpSpan.SpanContext().TraceID() {
			byID[s.SpanContext().SpanID()] = s
		}
	}
	for _, s := range byID {
		if s == httpSpan {
			continue
		}
		p := s
		for i := 0; i < 64 && p != nil && p != httpSpan; i++ {
			p = byID[p.Parent().SpanID()]
		}
		if p != httpSpan {
			t.Errorf("span %q does not descend from the HTTP span", s.Name())
		}
	}
}

func hasAttr(attrs []attribute.KeyValue, key, value string, alt ...string) bool {
	for _, a := range attrs {
		k := string(a.Key)
		if (k == key || (len(alt) > 0 && k == alt[0])) && a.Value.Emit() == value {
			return true
		}
	}
	return false
}

// servicesInTrace returns the gRPC services with a server span in the trace, from the
// rpc.service attribute or, failing that, the otelgrpc span name "pkg.Service/Method".
func servicesInTrace(spans []sdktrace.ReadOnlySpan, id trace.TraceID) map[string]bool {
	out := map[string]bool{}
	for _, s := range spans {
		if s.SpanContext().TraceID() != id || s.SpanKind() != trace.SpanKindServer {
			continue
		}
		svc := ""
		for _, a := range s.Attributes() {
			if a.Key == "rpc.service" {
				svc = a.Value.AsString()
			}
		}
		if svc == "" {
			svc, _, _ = strings.Cut(s.Name(), "/")
		}
		if strings.HasPrefix(svc, "athena.") {
			out[svc] = true
		}
	}
	return out
}

func hasAll(have map[string]bool, want []string) bool {
	for _, w := range want {
		if !have[w] {
			return false
		}
	}
	return true
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestAllSendsLargeSampleOnce: over the real gRPC mesh, a sample of more than 64 KiB crosses to
// the wasm runtime once (KeepContent), every module still receives all of it, and the runtime
// is told to drop it afterwards.
func TestAllSendsLargeSampleOnce(t *testing.T) {
	addrs, rec := sharedMesh(t)
	content := strings.Repeat("GET http://example.test/ "+time.Now().Format(time.RFC3339Nano)+"\n", 4000)
	var r restReport
	if code, b := rest(t, "POST", "http://"+addrs.HTTP+"/v1/analyses", body(content, "large.txt", true), &r); code != 200 {
		t.Fatalf("POST = %d %s", code, b)
	}
	if len(r.Modules) < 3 {
		t.Fatalf("modules: %+v", r.Modules)
	}
	for _, m := range r.Modules {
		if m.Status != "MODULE_STATUS_OK" {
			t.Errorf("%s: %s", m.Name, m.Status)
		}
	}
	var traceID trace.TraceID
	for _, s := range rec.Ended() {
		if s.Name() == "analyze sample" && hasAttr(s.Attributes(), "athena.sha256", r.Sample.Sha256) {
			traceID = s.SpanContext().TraceID()
		}
	}
	if !traceID.IsValid() {
		t.Fatal("no span of the analysis")
	}
	// ReleaseContent is sent after the report, so poll briefly for its span.
	count := map[string]int{}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		clear(count)
		for _, s := range rec.Ended() {
			if s.SpanContext().TraceID() != traceID {
				continue
			}
			switch {
			case s.SpanKind() == trace.SpanKindServer:
				count[s.Name()]++
			case s.Name() == "wasmruntime.invoke":
				count["invoked"]++
				if inputBytes(s) < len(content) {
					t.Errorf("a module received %d bytes, want at least %d", inputBytes(s), len(content))
				}
			}
		}
		if count["athena.wasmruntime.v1.WasmRuntimeService/ReleaseContent"] > 0 {
			break
		}
	}
	if got := count["athena.wasmruntime.v1.WasmRuntimeService/KeepContent"]; got != 1 {
		t.Errorf("KeepContent server spans = %d, want 1 (%v)", got, count)
	}
	if got := count["athena.wasmruntime.v1.WasmRuntimeService/ReleaseContent"]; got != 1 {
		t.Errorf("ReleaseContent server spans = %d, want 1 (%v)", got, count)
	}
	// Every module of the report, and the identification before them: a sample this large is
	// identified on its own, then parsed by the file-processor beside the other modules.
	if count["invoked"] != len(r.Modules)+1 {
		t.Errorf("%d module invocations in the trace, want the %d modules of the report and the identification", count["invoked"], len(r.Modules))
	}
	// The sample's digests, computed by the runtime ahead of the crypto module's call (it
	// declares them), are those of the content.
	for _, d := range []struct {
		name, got string
		alg       uint32
	}{
		{"md5", r.Sample.Md5, hostabi.DigestMD5}, {"sha1", r.Sample.Sha1, hostabi.DigestSHA1},
		{"sha512", r.Sample.Sha512, hostabi.DigestSHA512},
	} {
		if want := hex.EncodeToString(hostabi.Sum(d.alg, []byte(content))); d.got != want {
			t.Errorf("%s = %q, want %q", d.name, d.got, want)
		}
	}
	if want := fuzzyhash.SSDeep([]byte(content)); r.Sample.Ssdeep != want {
		t.Errorf("ssdeep = %q, want %q", r.Sample.Ssdeep, want)
	}
	if want := fuzzyhash.TLSH([]byte(content)); r.Sample.Tlsh != want {
		t.Errorf("tlsh = %q, want %q", r.Sample.Tlsh, want)
	}
}

func inputBytes(s sdktrace.ReadOnlySpan) int {
	for _, a := range s.Attributes() {
		if a.Key == "athena.input_bytes" {
			return int(a.Value.AsInt64())
		}
	}
	return 0
}
