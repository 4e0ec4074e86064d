package analysisengine

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// compiled holds the test programs, built once per test binary with x86_64-w64-mingw32-gcc.
var compiled struct {
	once sync.Once
	dir  string
	err  error
}

// program compiles testdata/src/<name>.c to a Windows PE and returns its bytes.
func program(t testing.TB, name string) []byte {
	t.Helper()
	compiled.once.Do(func() {
		if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err != nil {
			compiled.err = fmt.Errorf("x86_64-w64-mingw32-gcc not found (make test-deps installs gcc-mingw-w64-x86-64): %w", err)
			return
		}
		compiled.dir, compiled.err = os.MkdirTemp("", "analysisengine")
		if compiled.err != nil {
			return
		}
		srcs, _ := filepath.Glob("testdata/src/*.c")
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, src := range srcs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				base := filepath.Base(src[:len(src)-2])
				// -O1 for the anti-debug check so the PEB read is a direct gs:[0x60] load, as
				// in real samples; the others at -O0 as a quick build would leave them.
				opt := "-O0"
				if base == "antidebug" {
					opt = "-O1"
				}
				out, err := exec.Command("x86_64-w64-mingw32-gcc", opt, "-o", filepath.Join(compiled.dir, base+".exe"), src, "-luser32").CombinedOutput()
				if err != nil {
					mu.Lock()
					compiled.err = fmt.Errorf("compile %s: %v: %s", src, err, out)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	})
	if compiled.err != nil {
		t.Fatal(compiled.err)
	}
	b, err := os.ReadFile(filepath.Join(compiled.dir, name+".exe"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMain(m *testing.M) {
	code := m.Run()
	if compiled.dir != "" {
		os.RemoveAll(compiled.dir)
	}
	os.Exit(code)
}

func analyze(t testing.TB, content []byte) *modulev1.AnalyzeResponse {
	t.Helper()
	r, err := New().Analyze(&modulev1.AnalyzeRequest{Content: content, FileType: "pe"})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return r
}

func TestCapabilities(t *testing.T) {
	tests := []struct {
		program     string
		want        map[string][]string // finding id -> ATT&CK ids it must carry
		wantMarkers []string
	}{
		{"injector", map[string][]string{"capability.process_injection": {"T1055", "T1055.002"}}, nil},
		{"keylogger", map[string][]string{"capability.keylogging": {"T1056.001"}}, []string{"keyboard_hook"}},
		{"antidebug", map[string][]string{"capability.anti_debugging": {"T1622"}}, []string{"peb_access", "int_2d", "rdtsc"}},
		{"persist", map[string][]string{"capability.persistence": {"T1547.001"}}, nil},
		{"stackstr", map[string][]string{"code.stack_strings": {"T1027"}}, nil},
		{"hello", map[string][]string{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.program, func(t *testing.T) {
			r := analyze(t, program(t, tc.program))
			got := map[string][]string{}
			for _, f := range r.GetFindings() {
				got[f.GetId()] = f.GetAttackTechniques()
			}
			for id, attack := range tc.want {
				have, ok := got[id]
				if !ok {
					t.Errorf("finding %s missing; have %v", id, got)
					continue
				}
				for _, a := range attack {
					if !slices.Contains(have, a) {
						t.Errorf("%s: ATT&CK %s missing; have %q", id, a, have)
					}
				}
			}
			// Nothing beyond what the program does: the benign program has no finding at all.
			for id := range got {
				if _, ok := tc.want[id]; !ok {
					t.Errorf("unexpected finding %s (%q)", id, got[id])
				}
			}
			var kinds []string
			for _, m := range r.GetDetails().GetCode().GetMarkers() {
				kinds = append(kinds, m.GetKind())
			}
			for _, k := range tc.wantMarkers {
				if !slices.Contains(kinds, k) {
					t.Errorf("marker %s missing; have %q", k, kinds)
				}
			}
			d := r.GetDetails().GetCode()
			if d.GetArchitecture() != "x86-64" || d.GetInstructionsDecoded() < 100 || len(d.GetFunctions()) == 0 || d.GetFunctions()[0].GetName() != "entry" {
				t.Errorf("details: arch %q, %d instructions, %d functions", d.GetArchitecture(), d.GetInstructionsDecoded(), len(d.GetFunctions()))
			}
			if d.GetPacker() != "" {
				t.Errorf("packer = %q on an unpacked program", d.GetPacker())
			}
		})
	}
}

func TestStackStrings(t *testing.T) {
	r := analyze(t, program(t, "stackstr"))
	got := r.GetDetails().GetCode().GetStackStrings()
	for _, want := range []string{"kernel32.dll", "WinExec"} {
		if !slices.Contains(got, want) {
			t.Errorf("stack strings = %q, want %q", got, want)
		}
	}
	// The strings exist only as immediates: a plain string scan of the file must not see them.
	if slices.Contains(extractStrings(program(t, "stackstr"), 5, 1<<20), "kernel32.dll") {
		t.Errorf("kernel32.dll is in the file's data; the sample does not test stack strings")
	}
}

// TestRuleTable checks each capability row against synthetic evidence, including the ones no
// compiled program covers.
func TestRuleTable(t *testing.T) {
	tests := []struct {
		name    string
		imports []string
		strs    []string
		code    map[string]int
		want    string
		attack  string
	}{
		{"hollowing", []string{"CreateProcessA", "NtUnmapViewOfSection", "WriteProcessMemory", "SetThreadContext", "ResumeThread"}, nil, nil, "process_injection", "T1055.012"},
		{"apc", []string{"QueueUserAPC", "WriteProcessMemory"}, nil, nil, "process_injection", "T1055.004"},
		{"lsass dump", []string{"OpenProcess", "MiniDumpWriteDump"}, []string{"lsass.exe"}, nil, "credential_access", "T1003.001"},
		{"service", []string{"OpenSCManagerW", "CreateServiceW"}, nil, nil, "persistence", "T1543.003"},
		{"wininet", []string{"InternetOpenA", "InternetOpenUrlA"}, nil, nil, "network", "T1071.001"},
		{"ransomware", []string{"CryptEncrypt", "FindFirstFileW", "FindNextFileW"}, []string{"vssadmin delete shadows /all /quiet"}, nil, "ransomware", "T1490"},
		{"sedebug", []string{"AdjustTokenPrivileges", "LookupPrivilegeValueW"}, nil, nil, "privilege_escalation", "T1134"},
		{"self delete", []string{"GetModuleFileNameW", "CreateProcessW"}, []string{"cmd.exe /c ping 127.0.0.1 -n 3 > nul & del "}, nil, "self_deletion", "T1070.004"},
		{"api hashing", nil, nil, map[string]int{"api_hash_loop": 1}, "api_hashing", "T1027.007"},
		{"hypervisor", nil, nil, map[string]int{"cpuid_hypervisor": 1}, "anti_vm", "T1497.001"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var found bool
			for _, m := range detect(newEvidence(tc.imports, tc.strs, tc.code)) {
				if m.rule.name == tc.want && slices.Contains(m.attack, tc.attack) {
					found = true
				}
			}
			if !found {
				t.Errorf("capability %s with %s not detected", tc.want, tc.attack)
			}
		})
	}
	if got := detect(newEvidence([]string{"GetLastError", "puts"}, []string{"hello"}, nil)); len(got) != 0 {
		t.Errorf("benign evidence matched %v", got)
	}
}

// codeImage wraps raw x86-64 code as an image whose entry is its first byte.
func codeImage(code []byte) *image {
	return &image{format: "pe", bits: 64, base: 0, entry: 0x1000,
		sections: []section{{name: ".text", addr: 0x1000, virtSize: uint64(len(code)), data: code, exec: true}}}
}

func TestWalkerPatterns(t *testing.T) {
	tests := []struct {
		name string
		code []byte
		want string
	}{
		// mov rax, gs:[0x60]; ret
		{"peb x64", []byte{0x65, 0x48, 0x8b, 0x04, 0x25, 0x60, 0, 0, 0, 0xc3}, "peb_access"},
		// loop: lodsb; ror edx, 13; add edx, eax; test al, al; jnz loop; ret
		{"ror13 hash loop", []byte{0xac, 0xc1, 0xca, 0x0d, 0x01, 0xc2, 0x84, 0xc0, 0x75, 0xf6, 0xc3}, "api_hash_loop"},
		// mov eax, 0x40000000; cpuid; ret
		{"hypervisor cpuid", []byte{0xb8, 0, 0, 0, 0x40, 0x0f, 0xa2, 0xc3}, "cpuid_hypervisor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := walk(codeImage(tc.code), walkLimits{maxInstructions: 100, maxPerFunction: 100, maxFunctions: 4, listing: 8})
			if res.features[tc.want] == 0 {
				t.Errorf("feature %s not found; have %v", tc.want, res.features)
			}
		})
	}
	// Budget: an endless chain of calls to the next instruction stops at the limit.
	code := make([]byte, 0, 5*1000)
	for i := 0; i < 1000; i++ {
		code = append(code, 0xe8, 0, 0, 0, 0)
	}
	res := walk(codeImage(code), walkLimits{maxInstructions: 50, maxPerFunction: 10, maxFunctions: 1000, listing: 1})
	if res.decoded > 50 || !res.truncated {
		t.Errorf("decoded %d (truncated %v), want <= 50 and truncated", res.decoded, res.truncated)
	}
}

func TestNotCode(t *testing.T) {
	r, err := New().Analyze(&modulev1.AnalyzeRequest{Content: []byte("just text")})
	if err != nil || len(r.GetFindings()) != 0 || len(r.GetNotes()) == 0 {
		t.Errorf("text: %v, %v; want a note and no finding", r, err)
	}
	if _, err := New().Analyze(&modulev1.AnalyzeRequest{Content: []byte("MZ\x00\x00garbage")}); err == nil {
		t.Errorf("a broken PE must be an error")
	}
}

// FuzzWalk fuzzes the disassembly walker on raw code in both modes.
func FuzzWalk(f *testing.F) {
	f.Add([]byte{0x65, 0x48, 0x8b, 0x04, 0x25, 0x60, 0, 0, 0, 0xc3}, true)
	f.Add([]byte{0xac, 0xc1, 0xca, 0x0d, 0x01, 0xc2, 0x84, 0xc0, 0x75, 0xf6, 0xc3}, false)
	f.Add([]byte{0xe8, 0xfb, 0xff, 0xff, 0xff, 0xeb, 0xfe}, true)
	f.Add([]byte{0xc6, 0x45, 0xf0, 'a', 0xc6, 0x45, 0xf1, 'b', 0xc6, 0x45, 0xf2, 'c', 0xc6, 0x45, 0xf3, 'd', 0xc3}, true)
	f.Fuzz(func(t *testing.T, code []byte, x64 bool) {
		im := codeImage(code)
		if !x64 {
			im.bits = 32
		}
		res := walk(im, walkLimits{maxInstructions: 5000, maxPerFunction: 1000, maxFunctions: 64, listing: 4})
		if res.decoded > 5000 {
			t.Fatalf("decoded %d past the budget", res.decoded)
		}
	})
}

// FuzzAnalyze fuzzes the whole module on PE / ELF-shaped input.
func FuzzAnalyze(f *testing.F) {
	hdr := make([]byte, 0x200)
	copy(hdr, "MZ")
	binary.LittleEndian.PutUint32(hdr[0x3c:], 0x40)
	copy(hdr[0x40:], "PE\x00\x00")
	f.Add(hdr)
	f.Add([]byte("\x7fELF\x02\x01\x01"))
	if b, err := os.ReadFile("/bin/true"); err == nil && len(b) < 1<<20 {
		f.Add(b)
	}
	// Real PEs make the mutator reach the import, export and code paths.
	f.Add(program(f, "keylogger"))
	f.Add(program(f, "stackstr"))
	a := New(Limits{MaxInstructions: 5000, MaxPerFunction: 1000, MaxFunctions: 64, ListingLines: 4, MaxStringBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, content []byte) {
		_, _ = a.Analyze(&modulev1.AnalyzeRequest{Content: content})
	})
}
