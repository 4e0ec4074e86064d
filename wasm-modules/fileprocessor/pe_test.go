package fileprocessor

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

func TestPEFindings(t *testing.T) {
	tests := []struct {
		name    string
		spec    peSpec
		want    []string
		flavors []string
	}{
		{"entry in data section", peSpec{entry: 0x2000, sections: []peSec{
			{name: ".text", chars: 0x60000020, data: make([]byte, 0x200)},
			{name: ".data", chars: 0xc0000040, data: make([]byte, 0x200)},
		}, imports: []peDLL{{"KERNEL32.dll", []string{"ExitProcess"}}}}, []string{"pe.entry_outside_code"}, nil},
		{"entry outside every section", peSpec{entry: 0x90000, sections: []peSec{{name: ".text", chars: 0x60000020, data: make([]byte, 0x200)}}},
			[]string{"pe.entry_outside_code", "pe.no_imports"}, nil},
		{"dll", peSpec{dll: true, entry: 0x1000, sections: []peSec{{name: ".text", chars: 0x60000020, data: make([]byte, 0x200)}},
			imports: []peDLL{{"KERNEL32.dll", []string{"ExitProcess"}}}}, nil, []string{"pe:dll", "pe:32"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: buildPE(t, tc.spec)})
			if err != nil {
				t.Fatal(err)
			}
			got := findingIDs(resp)
			for _, id := range tc.want {
				if !got[id] {
					t.Errorf("missing %s; got %v", id, keys(got))
				}
			}
			for _, f := range tc.flavors {
				if !slices.Contains(resp.Identification.Flavors, f) {
					t.Errorf("flavors %v lack %s", resp.Identification.Flavors, f)
				}
			}
		})
	}
}

// TestDifferentialPefile compares imphash, import and export names and section names with
// pefile (Debian python3-pefile) over PEs built at test time, the fixture and PEs on the machine.
func TestDifferentialPefile(t *testing.T) {
	// Slow (external tools, compilers, big inputs): overlap with the other slow tests.
	t.Parallel()
	if exec.Command("/usr/bin/python3", "-c", "import pefile").Run() != nil {
		t.Skip("python3-pefile not installed (apt-get install python3-pefile)")
	}
	dir := t.TempDir()
	var paths []string
	for _, c := range buildWindowsPEs(t, dir) {
		paths = append(paths, c.path)
	}
	packed := filepath.Join(dir, "packed.exe")
	os.WriteFile(packed, fixtures(t)["packed.exe"], 0o644)
	paths = append(paths, packed)
	for _, pat := range []string{"/usr/lib/gcc/x86_64-w64-mingw32/*/*.dll", "/usr/lib/gcc/x86_64-w64-mingw32/*/adalib/*.dll",
		"/usr/lib/python3/dist-packages/*/*.exe", "/usr/lib/*/platform/*/lib/*/site-packages/*/*.exe",
		"/usr/lib/*/platform/*/lib/*/site-packages/*/*/*/*.exe"} {
		m, _ := filepath.Glob(pat)
		n := 0
		for _, p := range m {
			// pefile needs seconds for a 20 MB DLL; the small ones exercise the same code.
			if info, err := os.Stat(p); err == nil && info.Size() < 3<<20 && n < 8 {
				paths = append(paths, p)
				n++
			}
		}
	}
	script := `
import json, sys, pefile
out = {}
for p in sys.argv[1:]:
    try:
        pe = pefile.PE(p)
    except Exception as e:
        continue
    exp = []
    if hasattr(pe, "DIRECTORY_ENTRY_EXPORT"):
        exp = [s.name.decode("latin-1") for s in pe.DIRECTORY_ENTRY_EXPORT.symbols if s.name]
    out[p] = {"imphash": pe.get_imphash(), "exports": exp,
              "sections": [s.Name.rstrip(b"\0").decode("latin-1") for s in pe.sections]}
print(json.dumps(out))
`
	b, err := exec.Command("/usr/bin/python3", append([]string{"-c", script}, paths...)...).Output()
	if err != nil {
		t.Fatalf("pefile: %v", err)
	}
	var ref map[string]struct {
		Imphash  string   `json:"imphash"`
		Exports  []string `json:"exports"`
		Sections []string `json:"sections"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref) < 10 {
		t.Fatalf("pefile parsed only %d files", len(ref))
	}
	for p, want := range ref {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, _ := os.ReadFile(p)
			resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: data})
			if err != nil {
				t.Fatal(err)
			}
			pe := resp.Details.File.Pe
			if pe == nil {
				t.Fatalf("no PE details; identified %s", resp.Identification.FileType)
			}
			if pe.Imphash != want.Imphash {
				t.Errorf("imphash %q, pefile %q", pe.Imphash, want.Imphash)
			}
			var secs []string
			for _, s := range pe.Sections {
				secs = append(secs, s.Name)
			}
			// pefile keeps COFF long-name references ("/4"); debug/pe resolves them through the
			// string table (".debug_info"), which is what analysts read. Compare the rest.
			if !slices.EqualFunc(secs, want.Sections, func(ours, theirs string) bool {
				return ours == theirs || len(theirs) > 1 && theirs[0] == '/'
			}) {
				t.Errorf("sections %q, pefile %q", secs, want.Sections)
			}
			// Exports are capped at maxExports; pefile lists them all.
			wantExp := want.Exports[:min(len(want.Exports), maxExports)]
			if !slices.Equal(pe.Exports, wantExp) && !(len(pe.Exports) == 0 && len(wantExp) == 0) {
				t.Errorf("exports differ: %d ours, %d pefile; first ours %q", len(pe.Exports), len(wantExp), pe.Exports[:min(3, len(pe.Exports))])
			}
		})
	}
	t.Logf("%d PEs compared with pefile", len(ref))
}

// TestPEResourcePayload links a ZIP into an RCDATA resource with MinGW's windres: the module
// must extract it and report pe.embedded_payload.
func TestPEResourcePayload(t *testing.T) {
	requireTool(t, "x86_64-w64-mingw32-windres")
	requireTool(t, "x86_64-w64-mingw32-gcc")
	dir := t.TempDir()
	payload := zipFiles(t, [][2]string{{"stage2.js", "WScript.Echo(1);"}})
	os.WriteFile(filepath.Join(dir, "payload.zip"), payload, 0o644)
	os.WriteFile(filepath.Join(dir, "r.rc"), []byte("101 RCDATA \"payload.zip\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "m.c"), []byte("int main(void){return 0;}\n"), 0o644)
	for _, c := range [][]string{
		{"x86_64-w64-mingw32-windres", "r.rc", "-O", "coff", "-o", "r.o"},
		{"x86_64-w64-mingw32-gcc", "-o", "m.exe", "m.c", "r.o"},
	} {
		cmd := exec.Command(c[0], c[1:]...)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", c, err, b)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "m.exe"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: data})
	if err != nil {
		t.Fatal(err)
	}
	if !findingIDs(resp)["pe.embedded_payload"] {
		t.Fatalf("no pe.embedded_payload; findings %v", keys(findingIDs(resp)))
	}
	found := false
	for _, a := range resp.Artifacts {
		found = found || string(a.Content) == string(payload)
	}
	if !found {
		t.Errorf("the ZIP was not extracted from the resource")
	}
	if res := resp.Details.File.Pe.Resources; len(res) == 0 || res[0].Type != "RT_RCDATA" || res[0].Count != 1 {
		t.Errorf("resources = %v", res)
	}
}
