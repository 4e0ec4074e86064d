package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	"go.uber.org/goleak"
	"google.golang.org/protobuf/encoding/protojson"
)

// --local loads the runtime in-process; its goroutines must be gone when a command returns.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestAnalyzeLocalJSON(t *testing.T) {
	modules := testutil.ModulesDir(t)
	code, out, errOut := runCLI(t, "analyze", "--local", "--json", "--modules-dir", modules, "testdata/eicar.com")
	if code != 0 {
		t.Fatalf("exit %d\nstderr: %s", code, errOut)
	}
	r := &analysisv1.Report{}
	if err := protojson.Unmarshal([]byte(out), r); err != nil {
		t.Fatalf("stdout is not a protojson report: %v\n%s", err, out)
	}
	if r.Verdict != analysisv1.Verdict_VERDICT_MALICIOUS || r.GetSample().GetFilename() != "eicar.com" || r.GetSample().GetSha256() == "" {
		t.Errorf("report verdict %s filename %q sha %q; want a malicious eicar.com", r.Verdict, r.GetSample().GetFilename(), r.GetSample().GetSha256())
	}
	// protojson varies its whitespace on purpose, so read the JSON names generically.
	var generic map[string]any
	if err := json.Unmarshal([]byte(out), &generic); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}
	if generic["verdict"] != "VERDICT_MALICIOUS" {
		t.Errorf("JSON output lacks the verdict field with its JSON name:\n%.400s", out)
	}
}

func TestAnalyzeLocalSummary(t *testing.T) {
	modules := testutil.ModulesDir(t)
	code, out, errOut := runCLI(t, "analyze", "--local", "--modules-dir", modules, "testdata/eicar.com", "testdata/missing-file")
	if code != 1 {
		t.Errorf("exit %d with one missing file; want 1", code)
	}
	if !strings.Contains(out, "verdict   MALICIOUS") {
		t.Errorf("summary lacks the verdict:\n%s", out)
	}
	if !strings.Contains(errOut, "missing-file") || !strings.Contains(errOut, "1 of 2 files failed") {
		t.Errorf("stderr does not name the missing file and the count:\n%s", errOut)
	}
}

func TestModulesLocal(t *testing.T) {
	modules := testutil.ModulesDir(t)
	code, out, errOut := runCLI(t, "modules", "--local", "--modules-dir", modules)
	if code != 0 {
		t.Fatalf("exit %d\nstderr: %s", code, errOut)
	}
	for _, name := range []string{"file-processor", "crypto", "pattern-matcher", "deobfuscator", "network", "analysis-engine", "sandbox"} {
		if !strings.Contains(out, "\n"+name+" ") {
			t.Errorf("modules output lacks %s:\n%s", name, out)
		}
	}
	if !strings.Contains(out, "pipeline version ") {
		t.Errorf("modules output lacks the pipeline version:\n%s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"no command", nil, 2, "usage: athena"},
		{"help", []string{"help"}, 0, "usage: athena"},
		{"analyze without files", []string{"analyze", "--local"}, 2, "no files given"},
		{"unknown flag", []string{"analyze", "--frob"}, 2, "frob"},
		{"unknown service", []string{"serve", "everything", "--http-addr", "127.0.0.1:0"}, 2, `unknown service "everything"`},
		{"bad log level", []string{"serve", "cache", "--log-level", "loud"}, 2, "--log-level"},
		{"bad api keys", []string{"serve", "gateway", "--api-keys", "nocolon"}, 2, "tenant:key"},
		{"serve extra args", []string{"serve", "cache", "extra"}, 2, "unexpected arguments"},
		{"zero compile cache bound", []string{"serve", "wasmruntime", "--compile-cache-max-mib", "0"}, 2, "--compile-cache-max-mib 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d\nstderr: %s", code, tt.want, errOut)
			}
			if !strings.Contains(errOut, tt.msg) {
				t.Errorf("stderr lacks %q:\n%s", tt.msg, errOut)
			}
		})
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	t.Setenv("ATHENA_LOG_LEVEL", "loud")
	code, _, errOut := runCLI(t, "serve", "cache")
	if code != 2 || !strings.Contains(errOut, "ATHENA_LOG_LEVEL") && !strings.Contains(errOut, "--log-level") {
		t.Errorf("ATHENA_LOG_LEVEL=loud: exit %d, stderr %s; want a usage error", code, errOut)
	}
}
