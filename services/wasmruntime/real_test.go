package wasmruntime

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/testutil"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
)

// TestRealFileProcessor runs the real file-processor module from `make wasm` through the
// runtime: a shipped Go module must load, describe itself and identify an ELF header.
func TestRealFileProcessor(t *testing.T) {
	if testing.Short() {
		t.Skip("compiling a real module is slow")
	}
	wasm, err := os.ReadFile(filepath.Join(testutil.ModulesDir(t), "fileprocessor.wasm"))
	if err != nil {
		t.Skipf("file-processor not built: %v", err)
	}
	r := newRuntime(t, modulesDir(t, map[string][]byte{"fileprocessor.wasm": wasm}), func(c *Config) { c.Limits.Timeout = time.Minute })
	mods := r.Modules()
	if len(mods) != 1 || mods[0].GetName() != "file-processor" {
		t.Fatalf("modules = %v", mods)
	}
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 56)...)
	resp := invoke(t, r, "file-processor", &modulev1.AnalyzeRequest{Content: elf, Filename: "a.out"})
	wantStatus(t, resp, analysisv1.ModuleStatus_MODULE_STATUS_OK, "")
	if resp.GetResponse().GetIdentification().GetFileType() == "" {
		t.Errorf("no identification: %v", resp.GetResponse())
	}
}
