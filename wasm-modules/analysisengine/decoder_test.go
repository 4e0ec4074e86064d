package analysisengine

import (
	"maps"
	"os"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	"github.com/athena-mesh/athena/wasm-modules/analysisengine/x86"
	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// TestReportMatchesX86asm analyzes real binaries twice, with the fast decoder and with x86asm
// alone (what the engine used before package x86), and requires identical reports.
func TestReportMatchesX86asm(t *testing.T) {
	samples := map[string][]byte{"go hello-world PE": testutil.GoWindowsPE(t)}
	for _, path := range []string{"/usr/local/go/bin/go", "/bin/ls", "/usr/bin/redis-server"} {
		if b, err := os.ReadFile(path); err == nil {
			samples[path] = b
		}
	}
	for _, name := range []string{"injector", "keylogger", "antidebug", "stackstr"} {
		samples[name] = program(t, name)
	}
	// The Go binaries' runtime and standard library are walked too: they are most of the code.
	lim := DefaultLimits()
	lim.WalkGoLibrary = true
	fast := New(lim)
	reference := &Analyzer{limits: lim, decode: x86.DecodeX86asm, format: x86asmOnly}
	for name, content := range samples {
		t.Run(name, func(t *testing.T) {
			req := &modulev1.AnalyzeRequest{Content: content}
			got, err := fast.Analyze(req)
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			want, err := reference.Analyze(req)
			if err != nil {
				t.Fatalf("Analyze with x86asm: %v", err)
			}
			if !got.EqualVT(want) {
				t.Errorf("report differs from the one decoded with x86asm alone\ngot:  %v\nwant: %v", got.GetDetails().GetCode(), want.GetDetails().GetCode())
			}
		})
	}
}

// FuzzWalkMatchesX86asm walks random code with both decoders in both modes.
func FuzzWalkMatchesX86asm(f *testing.F) {
	f.Add([]byte{0x65, 0x48, 0x8b, 0x04, 0x25, 0x60, 0, 0, 0, 0xc3}, true)
	f.Add([]byte{0xac, 0xc1, 0xca, 0x0d, 0x01, 0xc2, 0x84, 0xc0, 0x75, 0xf6, 0xc3}, false)
	f.Add([]byte{0xe8, 0xfb, 0xff, 0xff, 0xff, 0xeb, 0xfe}, true)
	f.Add([]byte{0xc6, 0x45, 0xf0, 'a', 0xc6, 0x45, 0xf1, 'b', 0xc6, 0x45, 0xf2, 'c', 0xc6, 0x45, 0xf3, 'd', 0xc3}, true)
	f.Add([]byte{0xb9, 0x0d, 0, 0, 0, 0x48, 0xc7, 0x44, 0x24, 0x20, 'a', 'b', 'c', 'd', 0x89, 0x4c, 0x24, 0x24, 0xf0, 0x0f, 0xb1, 0x0a, 0xcd, 0x2d}, true)
	f.Add([]byte{0x64, 0xa1, 0x30, 0, 0, 0, 0x66, 0x90, 0x0f, 0x31, 0x0f, 0xa2, 0xc2, 0x08, 0x00}, false)
	lim := walkLimits{maxInstructions: 5000, maxPerFunction: 1000, maxFunctions: 64, listing: 4}
	f.Fuzz(func(t *testing.T, code []byte, x64 bool) {
		im := codeImage(code)
		if !x64 {
			im.bits = 32
		}
		got, want := walkWith(im, lim, x86.Decode, x86.AppendIntel), walkWith(im, lim, x86.DecodeX86asm, x86asmOnly)
		if !details(got).EqualVT(details(want)) || !maps.Equal(got.features, want.features) {
			t.Fatalf("walk of % x (mode %d) differs from x86asm's:\ngot:  %v %v\nwant: %v %v", code, im.bits, details(got), got.features, details(want), want.features)
		}
	})
}

func details(r *walkResult) *analysisv1.CodeDetails {
	return &analysisv1.CodeDetails{
		Functions: r.kept, Markers: r.markers, StackStrings: r.stackStrings,
		InstructionsDecoded: r.decoded, Truncated: r.truncated,
	}
}
