package ai

import (
	"context"
	"strings"
	"testing"
)

// BenchmarkParseAnswer measures decoding and validating one answer.
func BenchmarkParseAnswer(b *testing.B) {
	raw := []byte(answerJSON("malicious", 0.9, [2]string{"url", "http://evil.example.com/payload.exe"}, [2]string{"ipv4", "203.0.113.7"}))
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := parseAnswer(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildPrompt measures assembling a prompt with 16 KiB of excerpts.
func BenchmarkBuildPrompt(b *testing.B) {
	cfg := Config{}.withDefaults()
	in := Input{Report: sampleReport(), Excerpts: []string{strings.Repeat("var a = 'x';\n", 400), strings.Repeat("eval(b);\n", 800)}}
	for b.Loop() {
		_ = buildPrompt(cfg, in, nil)
	}
}

// BenchmarkAssessHeuristic measures a whole Assess with the default (heuristic) provider.
func BenchmarkAssessHeuristic(b *testing.B) {
	e, err := New(Config{}, nil, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	in := Input{Report: sampleReport(), Excerpts: []string{strings.Repeat("var a = 'x';\n", 400)}}
	for b.Loop() {
		if _, err := e.Assess(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
