//go:build !wasip1

package fileprocessor

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	hostmodulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"github.com/athena-mesh/athena/wasm-modules/internal/hostmsg"
	"github.com/tetratelabs/wazero"
	"google.golang.org/protobuf/proto"
)

// machineBytes concatenates the largest binaries in /usr/bin up to n bytes: real code with a
// realistic byte distribution, for section contents and throughput runs.
func machineBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	entries, _ := os.ReadDir("/usr/bin")
	type f struct {
		p    string
		size int64
	}
	var files []f
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			files = append(files, f{filepath.Join("/usr/bin", e.Name()), info.Size()})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].size > files[j].size })
	var out []byte
	for _, x := range files {
		if len(out) >= n {
			break
		}
		if b, err := os.ReadFile(x.p); err == nil {
			out = append(out, b...)
		}
	}
	if len(out) < n {
		tb.Skipf("only %d bytes of binaries on this machine", len(out))
	}
	return out[:n]
}

// bigPE builds a 10 MB PE32 whose sections hold real machine code and data.
func bigPE(tb testing.TB) []byte {
	body := machineBytes(tb, 10<<20)
	return buildPE(tb, peSpec{
		entry: 0x1000,
		sections: []peSec{
			{name: ".text", chars: 0x60000020, data: body[:7<<20]},
			{name: ".rdata", chars: 0x40000040, data: body[7<<20 : 9<<20]},
			{name: ".data", chars: 0xc0000040, data: body[9<<20:]},
		},
		imports: []peDLL{{"KERNEL32.dll", []string{"CreateFileW", "ReadFile", "WriteFile", "CloseHandle", "VirtualAlloc"}}, {"USER32.dll", []string{"MessageBoxW"}}},
	})
}

func BenchmarkIdentify(b *testing.B) {
	data := bigPE(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Identify(data)
	}
}

func BenchmarkAnalyzePE10MB(b *testing.B) {
	data := bigPE(b)
	b.SetBytes(int64(len(data)))
	m := New()
	for b.Loop() {
		if _, err := m.Analyze(&modulev1.AnalyzeRequest{Content: data}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnalyzeELF(b *testing.B) {
	data := machineBytes(b, 1)
	entries, _ := os.ReadDir("/usr/bin")
	for _, e := range entries {
		if bb, err := os.ReadFile(filepath.Join("/usr/bin", e.Name())); err == nil && len(bb) > len(data) && string(head(bb, 4)) == "\x7fELF" && len(bb) < 64<<20 {
			data = bb
		}
	}
	b.SetBytes(int64(len(data)))
	m := New()
	for b.Loop() {
		m.Analyze(&modulev1.AnalyzeRequest{Content: data})
	}
}

// newGuest loads the built module. Tests pass wazero's interpreter: compiling the 8 MB module
// with the optimizing compiler under -race takes minutes, and a correctness check does not need
// speed. Benchmarks pass the compiler, which the wasm runtime uses in production.
func newGuest(tb testing.TB, cfg wazero.RuntimeConfig) *hosttest.Module {
	tb.Helper()
	return hosttest.LoadEmitting(tb, "fileprocessor", cfg)
}

// TestWASMGuest runs the built module through the ABI and checks it answers exactly as the
// native package does.
func TestWASMGuest(t *testing.T) {
	// Slow (external tools, compilers, big inputs): overlap with the other slow tests.
	t.Parallel()
	g := newGuest(t, wazero.NewRuntimeConfigInterpreter())
	info := g.Describe(t)
	if info.Name != Name || info.AbiVersion != 1 || len(info.FileTypes) != 0 {
		t.Fatalf("describe = %v", info)
	}
	fx := fixtures(t)
	if raceEnabled {
		// Under -race the interpreter needs seconds per call; one fixture per parser family keeps
		// the parity check in `make test` without minutes of wall clock. Without -race all run.
		fx = map[string][]byte{"packed.exe": fx["packed.exe"], "dropper.pdf": fx["dropper.pdf"], "macro.docm": fx["macro.docm"], "loader.js": fx["loader.js"]}
	}
	for name, data := range fx {
		t.Run(name, func(t *testing.T) {
			req := &modulev1.AnalyzeRequest{Content: data, Options: map[string]string{"strings": "true"}}
			got := g.AnalyzeMerged(t, req)
			native, err := New().Analyze(req)
			if err != nil {
				t.Fatal(err)
			}
			if got.Error != "" {
				t.Fatalf("guest error: %s", got.Error)
			}
			if want := hostmsg.ToHost[hostmodulev1.AnalyzeResponse](t, native); !proto.Equal(got, want) {
				t.Errorf("guest and native reports differ:\n%s", lineDiff(want.String(), got.String()))
			}
		})
	}
}

func BenchmarkWASMAnalyzePE10MB(b *testing.B) {
	g := newGuest(b, wazero.NewRuntimeConfigCompiler())
	data := bigPE(b)
	req := &modulev1.AnalyzeRequest{Content: data}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		g.AnalyzeMerged(b, req)
	}
}

// BenchmarkWASMIdentifyData10MB isolates the cost of moving 10 MB through the ABI: random
// bytes identify as data and are not parsed.
func BenchmarkWASMIdentifyData10MB(b *testing.B) {
	g := newGuest(b, wazero.NewRuntimeConfigCompiler())
	data := randomBytes(10<<20, 3)
	req := &modulev1.AnalyzeRequest{Content: data}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		g.AnalyzeMerged(b, req)
	}
}

// generatedScript is n bytes of JavaScript with an indicator (fromCharCode) on every other line,
// the shape of script that once took seconds inside WASM.
func generatedScript(n int) []byte {
	var b []byte
	for i := 0; len(b) < n; i++ {
		b = fmt.Appendf(b, "var v%d = \"item\" + %d + \"_\" + String.fromCharCode(104,116,116,112);\n", i, i)
		b = fmt.Appendf(b, "if (v%d.length > 3) { WScript.Echo(v%d); }\n", i, i)
	}
	return b[:n]
}

func BenchmarkAnalyzeScript(b *testing.B) {
	for _, size := range []int{1 << 10, 25 << 10, 100 << 10} {
		data := generatedScript(size)
		b.Run(fmt.Sprintf("native/%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			m := New()
			for b.Loop() {
				m.Analyze(&modulev1.AnalyzeRequest{Content: data})
			}
		})
		b.Run(fmt.Sprintf("wasm/%dKB", size>>10), func(b *testing.B) {
			g := newGuest(b, wazero.NewRuntimeConfigCompiler())
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				g.AnalyzeMerged(b, &modulev1.AnalyzeRequest{Content: data})
			}
		})
	}
}

// BenchmarkAnalyzeMinGWDLL parses a real 23 MB PE (MinGW's libstdc++ DLL) when it is installed.
func BenchmarkAnalyzeMinGWDLL(b *testing.B) {
	data, err := os.ReadFile("/usr/lib/gcc/x86_64-w64-mingw32/12-win32/libstdc++-6.dll")
	if err != nil {
		b.Skip("MinGW libstdc++ DLL not installed")
	}
	b.SetBytes(int64(len(data)))
	m := New()
	for b.Loop() {
		m.Analyze(&modulev1.AnalyzeRequest{Content: data})
	}
}
