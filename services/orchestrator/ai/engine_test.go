package ai

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// memStore is an in-memory Store.
type memStore struct {
	mu   sync.Mutex
	data map[string][]byte
	sets int
}

func (s *memStore) Get(_ context.Context, key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data[key]
	return v, ok, nil
}

func (s *memStore) Set(_ context.Context, key string, value []byte, _ time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.data == nil {
		s.data = map[string][]byte{}
	}
	s.data[key] = value
	s.sets++
	return nil
}

// sleeps records the backoff waits an engine asked for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

type harness struct {
	e      *Engine
	reg    *prometheus.Registry
	sleeps *sleeps
}

func newHarness(t *testing.T, cfg Config, store Store) harness {
	t.Helper()
	reg := prometheus.NewRegistry()
	if cfg.RetryBase == 0 {
		cfg.RetryBase = time.Millisecond
	}
	e, err := New(cfg, store, reg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(e.Close)
	s := &sleeps{}
	e.sleep = s.sleep
	return harness{e: e, reg: reg, sleeps: s}
}

func anthropicCfg(f *fakeServer) ProviderConfig {
	return ProviderConfig{Name: "anthropic", Kind: KindAnthropic, APIKey: "sk-ant-test", BaseURL: f.URL, Model: "claude-test-1"}
}

func openAICfg(f *fakeServer) ProviderConfig {
	return ProviderConfig{Name: "openai", Kind: KindOpenAI, APIKey: "sk-test", BaseURL: f.base(), Model: "gpt-test-1"}
}

func deepSeekCfg(f *fakeServer) ProviderConfig {
	return ProviderConfig{Name: "deepseek", Kind: KindDeepSeek, APIKey: "ds-test", BaseURL: f.base(), Model: "deepseek-test"}
}

// sampleReport is a suspicious JavaScript downloader.
func sampleReport() *analysisv1.Report {
	return &analysisv1.Report{
		Score:   450,
		Verdict: analysisv1.Verdict_VERDICT_SUSPICIOUS,
		Sample: &analysisv1.Sample{
			Sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Size: 812,
			FileType: "javascript", MimeType: "text/javascript",
		},
		Findings: []*analysisv1.Finding{{
			Module: "sandbox", Id: "sandbox.download_execute", Title: "Downloads and runs a file", Severity: analysisv1.Severity_SEVERITY_HIGH,
			Score: 450, AttackTechniques: []string{"T1105"}, Evidence: "GET http://evil.example.com/payload.exe", Offset: -1,
		}},
		Iocs: []*analysisv1.IOC{
			{Type: analysisv1.IOCType_IOC_TYPE_URL, Value: "http://evil.example.com/payload.exe", Module: "network"},
			{Type: analysisv1.IOCType_IOC_TYPE_DOMAIN, Value: "evil.example.com", Module: "network"},
		},
	}
}

func external() *analysisv1.AIOptions {
	return &analysisv1.AIOptions{Enabled: true, AllowExternal: true}
}

func TestProviderWireFormats(t *testing.T) {
	tests := []struct {
		name   string
		reply  reply
		cfg    func(*fakeServer) ProviderConfig
		check  func(t *testing.T, body map[string]any)
		tokens [2]int64
	}{
		{
			name: "anthropic tool_use", reply: anthropicToolUse(answerJSON("malicious", 0.9)), cfg: anthropicCfg, tokens: [2]int64{1200, 300},
			check: func(t *testing.T, body map[string]any) {
				choice, _ := body["tool_choice"].(map[string]any)
				if choice["type"] != "tool" || choice["name"] != toolName {
					t.Errorf("tool_choice = %v, want forced %s", choice, toolName)
				}
				tools, _ := body["tools"].([]any)
				if len(tools) != 1 || tools[0].(map[string]any)["input_schema"] == nil {
					t.Errorf("tools = %v, want one with input_schema", tools)
				}
				if body["system"] == nil {
					t.Error("no system prompt")
				}
			},
		},
		{
			name: "openai json_schema", reply: openAIContent(answerJSON("malicious", 0.9)), cfg: openAICfg, tokens: [2]int64{1000, 200},
			check: func(t *testing.T, body map[string]any) {
				rf, _ := body["response_format"].(map[string]any)
				js, _ := rf["json_schema"].(map[string]any)
				if rf["type"] != "json_schema" || js["strict"] != true || js["schema"] == nil {
					t.Errorf("response_format = %v, want strict json_schema", rf)
				}
			},
		},
		{
			name: "deepseek tool call", reply: openAIToolCall(answerJSON("malicious", 0.9)), cfg: deepSeekCfg, tokens: [2]int64{800, 100},
			check: func(t *testing.T, body map[string]any) {
				choice, _ := body["tool_choice"].(map[string]any)
				fn, _ := choice["function"].(map[string]any)
				if choice["type"] != "function" || fn["name"] != toolName {
					t.Errorf("tool_choice = %v, want function %s", choice, toolName)
				}
				if body["response_format"] != nil {
					t.Errorf("response_format sent to deepseek: %v", body["response_format"])
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.reply)
			pc := tc.cfg(f)
			h := newHarness(t, Config{Providers: []ProviderConfig{pc}, DefaultProviders: []string{pc.Name}, AllowExternal: true,
				Prices: map[string]Price{pc.Model: {InputPerMTok: 3, OutputPerMTok: 15}}}, nil)
			res, err := h.e.Assess(context.Background(), Input{Report: sampleReport(), Excerpts: []string{"var u='http://evil.example.com/payload.exe'"}, Options: external()})
			if err != nil {
				t.Fatalf("Assess: %v", err)
			}
			if f.hits() != 1 {
				t.Fatalf("server hits = %d, want 1", f.hits())
			}
			tc.check(t, f.body(0))
			a := res.AI.GetAssessments()[0]
			if a.GetError() != "" || a.GetProvider() != pc.Name || a.GetVerdict() != analysisv1.Verdict_VERDICT_MALICIOUS {
				t.Fatalf("assessment = %v", a)
			}
			if a.GetInputTokens() != tc.tokens[0] || a.GetOutputTokens() != tc.tokens[1] {
				t.Errorf("tokens = %d/%d, want %v", a.GetInputTokens(), a.GetOutputTokens(), tc.tokens)
			}
			wantCost := (float64(tc.tokens[0])*3 + float64(tc.tokens[1])*15) / 1e6
			if diff := a.GetCostUsd() - wantCost; diff > 1e-12 || diff < -1e-12 {
				t.Errorf("cost = %v, want %v", a.GetCostUsd(), wantCost)
			}
			if got := testutil.ToFloat64(h.e.metrics.tokens.WithLabelValues(pc.Name, a.GetModel(), "input")); got != float64(tc.tokens[0]) {
				t.Errorf("athena_ai_tokens_total input = %v", got)
			}
			// Raised one level: suspicious → malicious, confidence 0.9 ≥ 0.7.
			if res.Verdict != analysisv1.Verdict_VERDICT_MALICIOUS || res.Score != 700 || !res.AI.GetVerdictChanged() {
				t.Errorf("merged verdict = %v score %d changed %v", res.Verdict, res.Score, res.AI.GetVerdictChanged())
			}
		})
	}
}

func TestErrorsRetriesAndValidation(t *testing.T) {
	valid := answerJSON("malicious", 0.8)
	tests := []struct {
		name      string
		replies   []reply
		anthropic bool
		retries   int
		timeout   time.Duration
		wantHits  int
		wantErr   string // substring of the provider's assessment error; "" means it succeeded
		wantSleep time.Duration
	}{
		{name: "anthropic 429 honours retry-after", anthropic: true, retries: 2,
			replies:  []reply{anthropicError(429, "rate_limit_error", "retry-after", "3"), anthropicToolUse(valid)},
			wantHits: 2, wantSleep: 3 * time.Second},
		{name: "openai 429 honours retry-after-ms", retries: 2,
			replies:  []reply{openAIError(429, "rate_limit_exceeded", "retry-after-ms", "1500"), openAIContent(valid)},
			wantHits: 2, wantSleep: 1500 * time.Millisecond},
		{name: "anthropic 529 overloaded then ok", anthropic: true, retries: 2,
			replies: []reply{anthropicError(529, "overloaded_error"), anthropicToolUse(valid)}, wantHits: 2},
		{name: "openai 500 then ok", retries: 2,
			replies: []reply{openAIError(500, "server_error"), openAIContent(valid)}, wantHits: 2},
		{name: "500 until retries run out", retries: 2,
			replies: []reply{openAIError(500, "server_error")}, wantHits: 3, wantErr: "500"},
		{name: "400 is not retried", retries: 2,
			replies: []reply{openAIError(400, "invalid_request_error")}, wantHits: 1, wantErr: "400"},
		{name: "401 is not retried", anthropic: true, retries: 2,
			replies: []reply{anthropicError(401, "authentication_error")}, wantHits: 1, wantErr: "401"},
		{name: "anthropic refusal", anthropic: true, retries: 2,
			replies: []reply{anthropicRefusal()}, wantHits: 1, wantErr: "refused"},
		{name: "openai refusal", retries: 2,
			replies: []reply{openAIRefusal()}, wantHits: 1, wantErr: "refused"},
		{name: "malformed body is retried as transport error", retries: 1,
			replies: []reply{malformedBody(), openAIContent(valid)}, wantHits: 2},
		{name: "non-JSON content retried once with the error", retries: 0,
			replies: []reply{openAIContent("Sure! The verdict is malicious."), openAIContent(valid)}, wantHits: 2},
		{name: "schema-invalid twice is a provider error", retries: 0,
			replies: []reply{openAIContent(`{"verdict":"evil","confidence":2}`)}, wantHits: 2, wantErr: "invalid answer after one retry"},
		{name: "anthropic text instead of tool_use retried once", anthropic: true, retries: 0,
			replies: []reply{anthropicRefusalText(), anthropicToolUse(valid)}, wantHits: 2},
		{name: "slow response times out", retries: 0, timeout: 50 * time.Millisecond,
			replies: []reply{slow(10*time.Second, openAIContent(valid))}, wantHits: 1, wantErr: "deadline"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.replies...)
			pc := openAICfg(f)
			if tc.anthropic {
				pc = anthropicCfg(f)
			}
			pc.MaxRetries = tc.retries
			pc.Timeout = tc.timeout
			h := newHarness(t, Config{Providers: []ProviderConfig{pc}, DefaultProviders: []string{pc.Name}, AllowExternal: true}, nil)
			res, err := h.e.Assess(context.Background(), Input{Report: sampleReport(), Options: external()})
			if err != nil {
				t.Fatalf("Assess: %v", err)
			}
			if f.hits() != tc.wantHits {
				t.Errorf("server hits = %d, want %d", f.hits(), tc.wantHits)
			}
			first := res.AI.GetAssessments()[0]
			if tc.wantErr == "" {
				if first.GetError() != "" || first.GetVerdict() != analysisv1.Verdict_VERDICT_MALICIOUS {
					t.Fatalf("assessment = %v, want a valid malicious answer", first)
				}
			} else {
				if !strings.Contains(first.GetError(), tc.wantErr) {
					t.Fatalf("error = %q, want it to contain %q", first.GetError(), tc.wantErr)
				}
				if res.AI.GetMerged().GetProvider() != "heuristic" {
					t.Errorf("merged provider = %q, want the heuristic fallback", res.AI.GetMerged().GetProvider())
				}
				if res.Verdict != analysisv1.Verdict_VERDICT_SUSPICIOUS {
					t.Errorf("verdict = %v, want the static one", res.Verdict)
				}
			}
			if tc.wantSleep > 0 {
				got := h.sleeps.all()
				if len(got) != 1 || got[0] < tc.wantSleep {
					t.Errorf("backoff waits = %v, want one of at least %v", got, tc.wantSleep)
				}
			}
		})
	}
}

// anthropicRefusalText answers in prose with no tool_use block.
func anthropicRefusalText() reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{
			"id": "msg_text", "type": "message", "role": "assistant", "model": "claude-test-1",
			"content":     []any{map[string]any{"type": "text", "text": "It looks malicious to me."}},
			"stop_reason": "end_turn", "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": 10, "output_tokens": 5},
		})
	}
}

func TestValidationRetryQuotesTheError(t *testing.T) {
	f := newFake(t, openAIContent(`{"verdict":"malicious"}`), openAIContent(answerJSON("malicious", 0.8)))
	h := newHarness(t, Config{Providers: []ProviderConfig{openAICfg(f)}, DefaultProviders: []string{"openai"}, AllowExternal: true}, nil)
	if _, err := h.e.Assess(context.Background(), Input{Report: sampleReport(), Options: external()}); err != nil {
		t.Fatal(err)
	}
	msgs, _ := f.body(1)["messages"].([]any)
	last, _ := msgs[len(msgs)-1].(map[string]any)
	if content, _ := last["content"].(string); !strings.Contains(content, "confidence is required") {
		t.Errorf("retry message = %q, want the validation error quoted", content)
	}
}
