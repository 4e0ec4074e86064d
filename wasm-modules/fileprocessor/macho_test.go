package fileprocessor

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// buildDarwin cross-compiles a small Go program for macOS: a real thin Mach-O.
func buildDarwin(t *testing.T) []byte {
	t.Helper()
	b, err := testutil.GoBuild(t, map[string]string{
		"go.mod":  "module gomac\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() { println(\"hi\") }\n",
	}, "darwin", "arm64")
	if err != nil {
		t.Skipf("GOOS=darwin go build: %v", err)
	}
	return b
}

// fatOf wraps one thin arm64 slice in a universal header.
func fatOf(thin []byte) []byte {
	const off = 0x4000
	b := make([]byte, off)
	binary.BigEndian.PutUint32(b[0:], 0xcafebabe)
	binary.BigEndian.PutUint32(b[4:], 1)
	binary.BigEndian.PutUint32(b[8:], 0x0100000c) // CPU_TYPE_ARM64
	binary.BigEndian.PutUint32(b[12:], 0)
	binary.BigEndian.PutUint32(b[16:], off)
	binary.BigEndian.PutUint32(b[20:], uint32(len(thin)))
	binary.BigEndian.PutUint32(b[24:], 14)
	return append(b, thin...)
}

func TestMachO(t *testing.T) {
	// Slow (external tools, compilers, big inputs): overlap with the other slow tests.
	t.Parallel()
	thin := buildDarwin(t)
	tests := []struct {
		name  string
		data  []byte
		fat   bool
		hints []string
	}{
		{"thin", thin, false, []string{"macho:64", "macho:exec"}},
		{"fat", fatOf(thin), true, []string{"macho:fat"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: tc.data})
			if err != nil {
				t.Fatal(err)
			}
			if got := resp.Identification.FileType; got != "macho" {
				t.Fatalf("file type %q", got)
			}
			for _, h := range tc.hints {
				if !slices.Contains(resp.Identification.Flavors, h) {
					t.Errorf("flavors %v lack %s", resp.Identification.Flavors, h)
				}
			}
			info := resp.Details.File.Macho
			if info.IsFat != tc.fat || info.Cpu != "CpuArm64" || info.Type != "Exec" {
				t.Errorf("macho = fat %v cpu %q type %q", info.IsFat, info.Cpu, info.Type)
			}
			if tc.fat && !slices.Equal(info.Architectures, []string{"CpuArm64"}) {
				t.Errorf("architectures = %v", info.Architectures)
			}
			if !slices.ContainsFunc(info.Libraries, func(l string) bool { return strings.Contains(l, "libSystem") }) {
				t.Errorf("libraries = %v, want libSystem", info.Libraries)
			}
			names := map[string]bool{}
			for _, lc := range info.LoadCommands {
				names[lc.Name] = true
			}
			if !names["LC_SEGMENT_64"] || !names["LC_LOAD_DYLIB"] {
				t.Errorf("load commands = %v", info.LoadCommands)
			}
			if len(info.Sections) == 0 || info.Sections[0].Name != "__TEXT,__text" {
				t.Errorf("sections start %v", info.Sections[:min(1, len(info.Sections))])
			}
		})
	}
	if _, err := exec.LookPath("file"); err == nil {
		p := filepath.Join(t.TempDir(), "m")
		os.WriteFile(p, thin, 0o644)
		out, _ := exec.Command("file", "--mime-type", "-b", p).Output()
		if got := strings.TrimSpace(string(out)); got != Identify(thin).MIME {
			t.Errorf("file says %q, we say %q", got, Identify(thin).MIME)
		}
	}
}
