package analysisengine

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestDetectPacker(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	plain := make([]byte, 64<<10)
	for i := range plain {
		plain[i] = byte(i % 7)
	}
	tests := []struct {
		name string
		im   *image
		want string
	}{
		{"upx section names", &image{format: "pe", entry: 0x3000, sections: []section{
			{name: "UPX0", addr: 0x1000, virtSize: 0x1000, exec: true, write: true},
			{name: "UPX1", addr: 0x2000, virtSize: 0x2000, data: random, exec: true, write: true, rawSize: uint64(len(random))},
		}}, "UPX"},
		{"generic: entropy, W+X entry, loader-only imports", &image{format: "pe", entry: 0x1010,
			imports:  []string{"LoadLibraryA", "GetProcAddress", "VirtualAlloc"},
			sections: []section{{name: ".text", addr: 0x1000, virtSize: uint64(len(random)), data: random, exec: true, write: true, rawSize: uint64(len(random))}},
		}, "generic"},
		{"one sign is not enough", &image{format: "pe", entry: 0x1010,
			imports:  []string{"LoadLibraryA", "GetProcAddress", "VirtualAlloc"},
			sections: []section{{name: ".text", addr: 0x1000, virtSize: uint64(len(plain)), data: plain, exec: true, rawSize: uint64(len(plain))}},
		}, ""},
		{"plain program", &image{format: "pe", entry: 0x1010,
			imports:  []string{"GetLastError", "puts"},
			sections: []section{{name: ".text", addr: 0x1000, virtSize: uint64(len(plain)), data: plain, exec: true, rawSize: uint64(len(plain))}},
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, evidence := detectPacker(tc.im)
			if got != tc.want {
				t.Errorf("packer = %q (%q), want %q", got, evidence, tc.want)
			}
			if got != "" && len(evidence) == 0 {
				t.Errorf("a packer verdict without evidence")
			}
		})
	}
}

// TestPackerSectionsInARealPE renames a compiled program's sections the way UPX names them.
func TestPackerSectionsInARealPE(t *testing.T) {
	src := program(t, "hello")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.exe"), filepath.Join(dir, "out.exe")
	if err := os.WriteFile(in, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("x86_64-w64-mingw32-objcopy", "--rename-section", ".text=UPX1", in, out).CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v: %s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	r := analyze(t, b)
	if got := r.GetDetails().GetCode().GetPacker(); got != "UPX" {
		t.Errorf("packer = %q, want UPX", got)
	}
	var found bool
	for _, f := range r.GetFindings() {
		found = found || f.GetId() == "packer.upx"
	}
	if !found {
		t.Errorf("no packer.upx finding: %v", r.GetFindings())
	}
}
