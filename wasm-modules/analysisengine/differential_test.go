package analysisengine

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestPEExportsMatchNM compiles a DLL and checks that the exports the engine walks are the ones
// x86_64-w64-mingw32-nm lists, at the same addresses.
func TestPEExportsMatchNM(t *testing.T) {
	for _, tool := range []string{"x86_64-w64-mingw32-gcc", "x86_64-w64-mingw32-nm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed (make test-deps): %v", tool, err)
		}
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "d.c")
	dll := filepath.Join(dir, "d.dll")
	code := "__declspec(dllexport) int alpha(int x) { return x * 3; }\n" +
		"__declspec(dllexport) int beta(int x) { while (x > 1) x /= 2; return x; }\n"
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("x86_64-w64-mingw32-gcc", "-shared", "-O1", "-o", dll, src).CombinedOutput(); err != nil {
		t.Fatalf("compile: %v: %s", err, out)
	}
	out, err := exec.Command("x86_64-w64-mingw32-nm", dll).Output()
	if err != nil {
		t.Fatalf("nm: %v", err)
	}
	want := map[string]uint64{}
	for _, m := range regexp.MustCompile(`(?m)^([0-9a-f]+) T (alpha|beta)$`).FindAllStringSubmatch(string(out), -1) {
		v, _ := strconv.ParseUint(m[1], 16, 64)
		want[m[2]] = v
	}
	if len(want) != 2 {
		t.Fatalf("nm output lacks the exports:\n%s", out)
	}
	b, _ := os.ReadFile(dll)
	r := analyze(t, b)
	got := map[string]uint64{}
	for _, f := range r.GetDetails().GetCode().GetFunctions() {
		if f.GetName() == "alpha" || f.GetName() == "beta" {
			got[f.GetName()] = f.GetAddress()
			if f.GetInstructions() == 0 {
				t.Errorf("export %s was not disassembled", f.GetName())
			}
		}
	}
	for name, addr := range want {
		if got[name] != addr {
			t.Errorf("export %s at %#x, nm says %#x", name, got[name], addr)
		}
	}
}

// TestELFMatchesReadelf checks the ELF entry point and exported functions against readelf.
func TestELFMatchesReadelf(t *testing.T) {
	if _, err := exec.LookPath("readelf"); err != nil {
		t.Fatalf("readelf not installed (make test-deps): %v", err)
	}
	bin, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true binary")
	}
	hdr, err := exec.Command("readelf", "-hW", bin).Output()
	if err != nil {
		t.Fatalf("readelf -h: %v", err)
	}
	m := regexp.MustCompile(`Entry point address:\s+0x([0-9a-f]+)`).FindSubmatch(hdr)
	if m == nil {
		t.Fatalf("no entry in readelf output")
	}
	entry, _ := strconv.ParseUint(string(m[1]), 16, 64)
	content, _ := os.ReadFile(bin)
	im, err := load(content)
	if err != nil {
		t.Fatalf("load %s: %v", bin, err)
	}
	if im.entry != entry {
		t.Errorf("entry %#x, readelf says %#x", im.entry, entry)
	}
	// Exports: readelf's defined global/weak FUNC dynamic symbols.
	syms, err := exec.Command("readelf", "--dyn-syms", "-W", bin).Output()
	if err != nil {
		t.Fatalf("readelf --dyn-syms: %v", err)
	}
	want := map[uint64]bool{}
	for _, line := range strings.Split(string(syms), "\n") {
		f := strings.Fields(line)
		if len(f) >= 8 && f[3] == "FUNC" && f[6] != "UND" {
			v, _ := strconv.ParseUint(f[1], 16, 64)
			want[v] = true
		}
	}
	got := map[uint64]bool{}
	for _, e := range im.exports {
		got[e.addr] = true
	}
	for a := range want {
		if !got[a] {
			t.Errorf("readelf export at %#x missing", a)
		}
	}
	for a := range got {
		if !want[a] {
			t.Errorf("export at %#x not in readelf", a)
		}
	}
	r := analyze(t, content)
	if d := r.GetDetails().GetCode(); d.GetArchitecture() != "x86-64" || d.GetInstructionsDecoded() == 0 {
		t.Errorf("ELF details: %v", d)
	}
}
