package ai

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// reply writes one HTTP answer of a fake provider.
type reply func(w http.ResponseWriter, r *http.Request)

// fakeServer is an httptest server speaking the Anthropic Messages API (/v1/messages) and the
// OpenAI chat completions API (/v1/chat/completions). It plays its replies in order and repeats
// the last one.
type fakeServer struct {
	*httptest.Server
	mu      sync.Mutex
	replies []reply
	bodies  []map[string]any
	headers []http.Header
}

func newFake(t *testing.T, replies ...reply) *fakeServer {
	t.Helper()
	f := &fakeServer{replies: replies}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || (r.URL.Path != "/v1/messages" && r.URL.Path != "/v1/chat/completions") {
			http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
			return
		}
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		f.mu.Lock()
		f.bodies = append(f.bodies, body)
		f.headers = append(f.headers, r.Header.Clone())
		n := len(f.bodies) - 1
		if n >= len(f.replies) {
			n = len(f.replies) - 1
		}
		rep := f.replies[n]
		f.mu.Unlock()
		rep(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) hits() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bodies)
}

func (f *fakeServer) body(i int) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies[i]
}

func (f *fakeServer) base() string { return f.URL + "/v1/" }

// answerJSON is a valid assessment answer.
func answerJSON(verdict string, confidence float64, iocs ...[2]string) string {
	type ioc struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	}
	a := map[string]any{
		"verdict": verdict, "confidence": confidence, "malware_family": "",
		"summary":           "The script downloads and runs a second stage.",
		"attack_techniques": []string{"T1059.007", "T1105"},
		"iocs":              []ioc{},
		"recommendations":   []string{"Block the URL."},
	}
	var list []ioc
	for _, i := range iocs {
		list = append(list, ioc{Type: i[0], Value: i[1]})
	}
	if list != nil {
		a["iocs"] = list
	}
	b, _ := json.Marshal(a)
	return string(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// anthropicToolUse answers with a tool_use block carrying input, as the Messages API does.
func anthropicToolUse(input string) reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{
			"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "model": "claude-test-1",
			"content": []any{
				map[string]any{"type": "text", "text": "Submitting the assessment."},
				map[string]any{"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": toolName, "input": json.RawMessage(input)},
			},
			"stop_reason": "tool_use", "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": 1200, "output_tokens": 300, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
		})
	}
}

// anthropicRefusal is a Messages API answer that stops with stop_reason refusal.
func anthropicRefusal() reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{
			"id": "msg_refuse", "type": "message", "role": "assistant", "model": "claude-test-1",
			"content":     []any{map[string]any{"type": "text", "text": "I can't help with that."}},
			"stop_reason": "refusal", "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": 10, "output_tokens": 5},
		})
	}
}

// anthropicError is the Messages API error body.
func anthropicError(status int, typ string, header ...string) reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		writeJSON(w, status, map[string]any{
			"type": "error", "error": map[string]any{"type": typ, "message": "test " + typ}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy",
		})
	}
}

// openAIContent answers with a chat completion whose message content is content.
func openAIContent(content string) reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{
			"id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "object": "chat.completion", "created": 1741569952, "model": "gpt-test-1",
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": content, "refusal": nil, "annotations": []any{}},
				"logprobs": nil, "finish_reason": "stop"}},
			"usage":              map[string]any{"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200},
			"service_tier":       "default",
			"system_fingerprint": "fp_test",
		})
	}
}

// openAIToolCall answers with a tool call, as OpenAI and DeepSeek do for function calling.
func openAIToolCall(args string) reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{
			"id": "chatcmpl-tool", "object": "chat.completion", "created": 1741569952, "model": "deepseek-test",
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": nil,
				"tool_calls": []any{map[string]any{"id": "call_0_abc", "type": "function", "function": map[string]any{"name": toolName, "arguments": args}}}},
				"logprobs": nil, "finish_reason": "tool_calls"}},
			"usage": map[string]any{"prompt_tokens": 800, "completion_tokens": 100, "total_tokens": 900},
		})
	}
}

// openAIRefusal answers with the refusal field set, as structured outputs do.
func openAIRefusal() reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{
			"id": "chatcmpl-refusal", "object": "chat.completion", "created": 1741569952, "model": "gpt-test-1",
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": nil,
				"refusal": "I'm sorry, I cannot assist with that request."}, "logprobs": nil, "finish_reason": "stop"}},
			"usage": map[string]any{"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60},
		})
	}
}

// openAIError is the OpenAI error body.
func openAIError(status int, code string, header ...string) reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		writeJSON(w, status, map[string]any{"error": map[string]any{
			"message": fmt.Sprintf("test %s", code), "type": "requests", "param": nil, "code": code,
		}})
	}
}

// slow waits until the client gives up (or a long time) before answering with next.
func slow(d time.Duration, next reply) reply {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(d):
		}
		next(w, r)
	}
}

// malformed answers with a body that is not JSON at all.
func malformedBody() reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"id": "chatcmpl-broken", "choices": [`)
	}
}
