package mesh

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/athena-mesh/athena/internal/testutil"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	"github.com/athena-mesh/athena/services/orchestrator"
)

// localPipeline is the real pipeline in-process with the built modules.
func localPipeline(t *testing.T) *orchestrator.Orchestrator {
	t.Helper()
	orch, _, stop, err := Local(context.Background(), Options{
		ModulesDir: testutil.ModulesDir(t),
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return orch
}

// mingwPE compiles a small Windows program; the packed variant carries UPX's section names.
func mingwPE(t *testing.T, packed bool) []byte {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.c")
	if err := os.WriteFile(src, []byte("#include <stdio.h>\nint main(void){puts(\"hello\");return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "hello.exe")
	if out, err := exec.Command("x86_64-w64-mingw32-gcc", "-O2", "-o", exe, src).CombinedOutput(); err != nil {
		t.Fatalf("mingw gcc (make test-deps installs gcc-mingw-w64-x86-64): %v\n%s", err, out)
	}
	if packed {
		out, err := exec.Command("x86_64-w64-mingw32-objcopy", "--rename-section", ".text=UPX0", "--rename-section", ".data=UPX1", exe, exe).CombinedOutput()
		if err != nil {
			t.Fatalf("objcopy: %v\n%s", err, out)
		}
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hasFinding(r *analysisv1.Report, id string) *analysisv1.Finding {
	for _, f := range r.Findings {
		if f.Id == id {
			return f
		}
	}
	return nil
}

// TestScoringFixtures pins the verdicts of the reference samples, each with the finding that
// explains it.
func TestScoringFixtures(t *testing.T) {
	orch := localPipeline(t)
	elf, err := os.ReadFile("/usr/bin/true")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		content []byte
		min     analysisv1.Verdict
		max     analysisv1.Verdict
		reason  string // a finding that must be present, with a reason
	}{
		{"eicar", []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`), analysisv1.Verdict_VERDICT_MALICIOUS, analysisv1.Verdict_VERDICT_MALICIOUS, "yara.eicar_test_file"},
		{"plain text", []byte("The quick brown fox jumps over the lazy dog.\nMeeting notes for Tuesday.\n"), analysisv1.Verdict_VERDICT_CLEAN, analysisv1.Verdict_VERDICT_CLEAN, ""},
		{"benign elf", elf, analysisv1.Verdict_VERDICT_CLEAN, analysisv1.Verdict_VERDICT_CLEAN, ""},
		{"packed pe", mingwPE(t, true), analysisv1.Verdict_VERDICT_SUSPICIOUS, analysisv1.Verdict_VERDICT_MALICIOUS, "pe.packer_section"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			r, err := orch.Analyze(ctx, &analysisv1.SampleInput{Content: c.content, Filename: c.name}, &analysisv1.AnalysisOptions{BypassCache: true})
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict < c.min || r.Verdict > c.max {
				t.Fatalf("verdict %s (score %d), want %s..%s; findings %v", r.Verdict, r.Score, c.min, c.max, ids(r))
			}
			for _, m := range r.Modules {
				if m.Status != analysisv1.ModuleStatus_MODULE_STATUS_OK {
					t.Errorf("module %s: %s %s", m.Name, m.Status, m.Error)
				}
			}
			if c.reason != "" {
				f := hasFinding(r, c.reason)
				if f == nil || f.Reason == "" || f.Score == 0 {
					t.Fatalf("finding %s with a reason and a score missing: %v", c.reason, f)
				}
			}
		})
	}
}

func ids(r *analysisv1.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Id)
	}
	return out
}

// TestRecursionDropperChain: a ZIP holding a batch file that runs PowerShell with an encoded
// command, whose script carries a base64 PE, is analyzed layer by layer down to the PE.
func TestRecursionDropperChain(t *testing.T) {
	orch := localPipeline(t)
	pe := mingwPE(t, false)
	script := "$b = \"" + base64.StdEncoding.EncodeToString(pe) + "\"\n" +
		"[IO.File]::WriteAllBytes(\"$env:TEMP\\h.exe\", [Convert]::FromBase64String($b))\nStart-Process \"$env:TEMP\\h.exe\"\n"
	units := utf16.Encode([]rune(script))
	le := make([]byte, 2*len(units))
	for i, u := range units {
		le[2*i], le[2*i+1] = byte(u), byte(u>>8)
	}
	bat := "powershell.exe -NoProfile -WindowStyle Hidden -EncodedCommand " + base64.StdEncoding.EncodeToString(le) + "\n"
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	// Stored, not deflated: the artifact byte budget is 4× the sample, and the base64 layers
	// would compress far better than that.
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "invoice.bat", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, bat); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r, err := orch.Analyze(ctx, &analysisv1.SampleInput{Content: buf.Bytes(), Filename: "dropper.zip"}, &analysisv1.AnalysisOptions{BypassCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Sample.FileType != "zip" || r.Verdict != analysisv1.Verdict_VERDICT_MALICIOUS {
		t.Fatalf("root: %s %s (score %d), want zip MALICIOUS", r.Sample.FileType, r.Verdict, r.Score)
	}
	// Find the PE and the path that led to it.
	var path []string
	var found *analysisv1.Report
	var walk func(r *analysisv1.Report, trail []string)
	walk = func(r *analysisv1.Report, trail []string) {
		for _, a := range r.Artifacts {
			if a.Report == nil {
				continue
			}
			next := append(slices.Clone(trail), a.Kind.String()+"["+strings.Join(a.Provenance, ",")+"]")
			if a.Report.Sample.FileType == "pe" && a.Report.Sample.Sha256 != "" && found == nil {
				found, path = a.Report, next
			}
			walk(a.Report, next)
		}
	}
	walk(r, nil)
	if found == nil {
		t.Fatalf("no PE in the artifact tree")
	}
	if found.Depth < 3 {
		t.Fatalf("PE found at depth %d via %v, want >= 3", found.Depth, path)
	}
	if !strings.Contains(strings.Join(path, " "), "utf16le") {
		t.Errorf("path %v does not go through the UTF-16LE encoded command", path)
	}
	if hasFinding(r, "artifact.malicious") == nil {
		t.Errorf("root has no rolled-up artifact finding: %v", ids(r))
	}
	if found.Sample.Size != int64(len(pe)) {
		t.Errorf("decoded PE is %d bytes, want %d", found.Sample.Size, len(pe))
	}
}
