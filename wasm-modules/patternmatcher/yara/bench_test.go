package yara

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// benchData is ~8 MiB of mixed content: random bytes, text and real executables.
func benchData(b *testing.B) []byte {
	b.Helper()
	var out []byte
	rnd := rand.New(rand.NewSource(1))
	r := make([]byte, 2<<20)
	rnd.Read(r)
	out = append(out, r...)
	lic, _ := os.ReadFile(filepath.Join(runtime.GOROOT(), "LICENSE"))
	for len(out) < 5<<20 {
		out = append(out, lic...)
	}
	for _, p := range []string{"src/debug/elf/testdata/gcc-amd64-linux-exec", "src/debug/pe/testdata/gcc-amd64-mingw-exec"} {
		e, _ := os.ReadFile(filepath.Join(runtime.GOROOT(), p))
		for i := 0; i < 64 && len(e) > 0; i++ {
			out = append(out, e...)
		}
	}
	return out
}

// LiteralRules returns n rules with literal-heavy strings (used by benchmarks and docs).
func literalRules(n int) string {
	rnd := rand.New(rand.NewSource(7))
	var b strings.Builder
	word := func() string {
		const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_."
		l := 6 + rnd.Intn(10)
		w := make([]byte, l)
		for i := range w {
			w[i] = letters[rnd.Intn(len(letters))]
		}
		return string(w)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "rule lit_%d { strings: $a = %q $b = %q nocase $c = %q wide $d = { %02X %02X %02X %02X ?? %02X } condition: any of them }\n",
			i, word(), word(), word(), rnd.Intn(256), rnd.Intn(256), rnd.Intn(256), rnd.Intn(256), rnd.Intn(256))
	}
	return b.String()
}

func regexRules() string {
	res := []string{`/https?:\/\/[a-z0-9.\-]{4,40}\/[a-z0-9_\/]{0,40}/`, `/[a-z0-9._%+\-]+@[a-z0-9.\-]+\.(com|net|org)/`,
		`/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/`, `/(cmd|powershell)(\.exe)?\s+\/c/ nocase`, `/eval\s*\(/`,
		`/Copyright \(c\) [0-9]{4}/`, `/[A-Za-z0-9+\/]{40,}={0,2}/`, `/\x4d\x5a.{60}PE/s`, `/GetProc[A-Za-z]+/`, `/(Virtual|Heap)(Alloc|Free)(Ex)?/`}
	var b strings.Builder
	for i := 0; i < 5; i++ {
		for j, r := range res {
			fmt.Fprintf(&b, "rule re_%d_%d { strings: $a = %s condition: $a }\n", i, j, r)
		}
	}
	return b.String()
}

func benchRules(b *testing.B, src []Source) {
	rs, err := Compile(src)
	if err != nil {
		b.Fatal(err)
	}
	data := benchData(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rs.Scan(data, ScanOptions{})
	}
}

func BenchmarkDefaultRuleset(b *testing.B) {
	files, _ := filepath.Glob("../rules/*.yar")
	var srcs []Source
	for _, f := range files {
		t, _ := os.ReadFile(f)
		srcs = append(srcs, Source{Name: f, Text: string(t)})
	}
	benchRules(b, srcs)
}

func BenchmarkLiteralRules1000(b *testing.B) {
	benchRules(b, []Source{{Name: "lit.yar", Text: literalRules(1000)}})
}

func BenchmarkRegexRules(b *testing.B) {
	benchRules(b, []Source{{Name: "re.yar", Text: regexRules()}})
}

// BenchmarkSearch times the atom search and verification alone, per ruleset and kind of data,
// 4 MiB each. Run it in the guest too (see docs/benchmarks.md): there every loop iteration
// costs a call into the runtime, so the kinds differ more than natively.
func BenchmarkSearch(b *testing.B) {
	files, _ := filepath.Glob("../rules/*.yar")
	var def []Source
	for _, f := range files {
		t, _ := os.ReadFile(f)
		def = append(def, Source{Name: f, Text: string(t)})
	}
	sets := []struct {
		name string
		src  []Source
	}{{"literal1000", []Source{{Name: "lit.yar", Text: literalRules(1000)}}}, {"default", def}}
	const size = 4 << 20
	kinds := []struct {
		name string
		data func() []byte
	}{
		{"zeros", func() []byte { return make([]byte, size) }},
		{"random", func() []byte {
			out := make([]byte, size)
			rand.New(rand.NewSource(1)).Read(out)
			return out
		}},
		{"text", func() []byte { return repeatFile(b, "LICENSE", size) }},
		{"elf", func() []byte { return repeatFile(b, "src/debug/elf/testdata/gcc-amd64-linux-exec", size) }},
	}
	for _, set := range sets {
		rs, err := Compile(set.src)
		if err != nil {
			b.Fatal(err)
		}
		for _, kind := range kinds {
			data := kind.data()
			b.Run(set.name+"/"+kind.name, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				for i := 0; i < b.N; i++ {
					s := rs.states.Get().(*scanState)
					s.data = data
					s.search()
					s.release()
				}
			})
		}
	}
}

// repeatFile returns size bytes of a GOROOT file repeated.
func repeatFile(b *testing.B, name string, size int) []byte {
	f, err := os.ReadFile(filepath.Join(runtime.GOROOT(), name))
	if err != nil || len(f) == 0 {
		b.Skipf("%s: %v", name, err)
	}
	out := make([]byte, 0, size+len(f))
	for len(out) < size {
		out = append(out, f...)
	}
	return out[:size]
}

func BenchmarkCompileDefault(b *testing.B) {
	files, _ := filepath.Glob("../rules/*.yar")
	var srcs []Source
	for _, f := range files {
		t, _ := os.ReadFile(f)
		srcs = append(srcs, Source{Name: f, Text: string(t)})
	}
	for i := 0; i < b.N; i++ {
		if _, err := Compile(srcs); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDumpBenchInputs writes the benchmark rule sets and data to $BENCH_DUMP so yara and
// `athena scan` can be timed on exactly the same inputs (docs/benchmarks.md).
func TestDumpBenchInputs(t *testing.T) {
	dir := os.Getenv("BENCH_DUMP")
	if dir == "" {
		t.Skip("BENCH_DUMP not set")
	}
	b := &testing.B{}
	files := map[string][]byte{
		"literal1000.yar": []byte(literalRules(1000)),
		"regex.yar":       []byte(regexRules()),
		"mixed.bin":       benchData(b),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
