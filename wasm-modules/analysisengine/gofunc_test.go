package analysisengine

import (
	"debug/gosym"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// synthFunc is a function of a synthesized table: its offset in the text and its name.
type synthFunc struct {
	off  uint64
	name string
}

// encodeGoTable writes a function table in format with ptr-byte pointers, laid out as the Go
// linker of that release does (gofunc.go): the header, the names, the function table (with
// go1.2's file table offset after it), one zeroed _func record per function and an empty file
// table. go1.2 and go1.16 entries are absolute (text+off); go1.18+ store text in the header.
func encodeGoTable(format string, ptr int, text uint64, funcs []synthFunc, end uint64) []byte {
	le := binary.LittleEndian
	word := func(b []byte, v uint64) {
		if ptr == 4 {
			le.PutUint32(b, uint32(v))
		} else {
			le.PutUint64(b, v)
		}
	}
	magic := map[string]uint32{"go1.2": 0xfffffffb, "go1.16": 0xfffffffa, "go1.18": 0xfffffff0, "go1.20": 0xfffffff1}[format]
	rel := format == "go1.18" || format == "go1.20"
	words := map[string]int{"go1.2": 1, "go1.16": 7}[format]
	if rel {
		words = 8
	}
	hdr := 8 + words*ptr
	var names []byte
	nameOff := make([]int, len(funcs))
	for i, f := range funcs {
		nameOff[i] = len(names)
		names = append(append(names, f.name...), 0)
	}
	entrySize := 2 * ptr
	if rel {
		entrySize = 8
	}
	const recordSize = 64
	// go1.2's function table follows the header; later ones follow the names.
	namesAt, functab := hdr, (hdr+len(names)+7)&^7
	if format == "go1.2" {
		functab = hdr
		namesAt = functab + (len(funcs)+1)*entrySize + 8
	}
	funcData := (max(namesAt+len(names), functab+(len(funcs)+1)*entrySize+8) + 7) &^ 7
	filetab := funcData + len(funcs)*recordSize
	b := make([]byte, filetab+16)
	le.PutUint32(b, magic)
	b[6], b[7] = 1, byte(ptr)
	field := func(i int, v uint64) { word(b[8+i*ptr:], v) }
	field(0, uint64(len(funcs)))
	switch format {
	case "go1.16":
		for i, v := range []int{namesAt, filetab, filetab, filetab, functab} {
			field(2+i, uint64(v))
		}
	case "go1.18", "go1.20":
		field(2, text)
		for i, v := range []int{namesAt, filetab, filetab, filetab, functab} {
			field(3+i, uint64(v))
		}
	}
	copy(b[namesAt:], names)
	for i := 0; i <= len(funcs); i++ {
		pc := end
		if i < len(funcs) {
			pc = funcs[i].off
		}
		at := functab + i*entrySize
		rec := funcData + i*recordSize
		// funcoff is from the table's start in go1.2, from the function table's since go1.16.
		funcoff := uint64(rec)
		if format != "go1.2" {
			funcoff -= uint64(functab)
		}
		if rel {
			le.PutUint32(b[at:], uint32(pc))
			le.PutUint32(b[at+4:], uint32(funcoff))
		} else {
			word(b[at:], text+pc)
			word(b[at+ptr:], funcoff)
		}
		if i == len(funcs) {
			break
		}
		name := uint64(nameOff[i])
		if format == "go1.2" {
			name += uint64(namesAt) // from the table's start
		}
		if rel {
			le.PutUint32(b[rec:], uint32(pc))
			le.PutUint32(b[rec+4:], uint32(name))
		} else {
			word(b[rec:], text+pc)
			le.PutUint32(b[rec+ptr:], uint32(name))
		}
	}
	if format == "go1.2" {
		le.PutUint32(b[functab+len(funcs)*entrySize+ptr:], uint32(filetab))
	}
	return b
}

// goImage is an image with a text section at 0x401000 holding end bytes of code, entered at
// entry, and the table 16 bytes into a data section after it.
func goImage(bits int, table []byte, end, entry uint64) *image {
	const text = 0x401000
	data := append(make([]byte, 16), table...)
	im := &image{format: "pe", bits: bits, base: 0x400000, entry: text + entry, sections: []section{
		{name: ".text", addr: text, virtSize: end, data: make([]byte, end), exec: true},
		{name: ".rdata", addr: text + (end+0xfff)&^0xfff, virtSize: uint64(len(data)), data: data},
	}}
	im.disjoint = dataDisjoint(im.sections)
	return im
}

var synthFuncs = []synthFunc{
	{0, "_rt0_amd64_windows"}, {0x20, "runtime.main"}, {0x80, "main.main"},
	{0xc0, "implant/core.(*Beacon).Run"}, {0x100, "github.com/x/y.F[go.shape.int]"}, {0x140, "type:.eq.main.T"},
}

// TestGoTableFormats parses a synthesized table of each format, both pointer sizes, and holds
// the functions to what debug/gosym reads from the same bytes.
func TestGoTableFormats(t *testing.T) {
	const text, end = 0x401000, 0x180
	for _, format := range []string{"go1.2", "go1.16", "go1.18", "go1.20"} {
		for _, ptr := range []int{4, 8} {
			table := encodeGoTable(format, ptr, text, synthFuncs, end)
			got := findGoTable(goImage(ptr*8, table, end, 0))
			if got == nil {
				t.Fatalf("%s/%d: no table found", format, ptr)
			}
			if got.format != format || got.end != text+end {
				t.Errorf("%s/%d: format %s, end %#x", format, ptr, got.format, got.end)
			}
			ref, err := gosym.NewTable(nil, gosym.NewLineTable(table, text))
			if err != nil {
				t.Fatalf("%s/%d: gosym: %v", format, ptr, err)
			}
			compareWithGosym(t, format, got, ref)
		}
	}
}

func compareWithGosym(t *testing.T, what string, got *goTable, ref *gosym.Table) {
	t.Helper()
	if len(got.funcs) != len(ref.Funcs) {
		t.Fatalf("%s: %d functions, debug/gosym reads %d", what, len(got.funcs), len(ref.Funcs))
	}
	for i, f := range ref.Funcs {
		if got.funcs[i].addr != f.Entry || got.name(i) != f.Name {
			t.Fatalf("%s: function %d is %s at %#x, debug/gosym says %s at %#x", what, i, got.name(i), got.funcs[i].addr, f.Name, f.Entry)
		}
	}
}

// TestGoTableRejects: a table is believed only when it is whole and places a function at the
// entry point, inside the text.
func TestGoTableRejects(t *testing.T) {
	const end = 0x180
	good := encodeGoTable("go1.20", 8, 0x401000, synthFuncs, end)
	cases := map[string]func() *image{
		"entry between functions":        func() *image { return goImage(64, good, end, 0x10) },
		"pointer size of the other mode": func() *image { return goImage(32, good, end, 0) },
		"cut short":                      func() *image { return goImage(64, good[:len(good)/2], end, 0) },
		"entries descend": func() *image {
			b := slices.Clone(good)
			functab := int(binary.LittleEndian.Uint64(b[8+7*8:]))
			binary.LittleEndian.PutUint32(b[functab+8:], 0x400) // second entry after the third
			return goImage(64, b, end, 0)
		},
		"text outside the executable section": func() *image { return goImage(64, good, 0x100, 0) },
		"name past the table": func() *image {
			b := slices.Clone(good)
			functab := int(binary.LittleEndian.Uint64(b[8+7*8:]))
			rec := functab + int(binary.LittleEndian.Uint32(b[functab+4:]))
			binary.LittleEndian.PutUint32(b[rec+4:], 1<<30)
			return goImage(64, b, end, 0)
		},
		"too many functions": func() *image {
			b := slices.Clone(good)
			binary.LittleEndian.PutUint64(b[8:], maxGoFuncs+1)
			return goImage(64, b, end, 0)
		},
	}
	for name, im := range cases {
		if got := findGoTable(im()); got != nil {
			t.Errorf("%s: table accepted (%d functions)", name, len(got.funcs))
		}
	}
}

func TestGoLibrary(t *testing.T) {
	for name, want := range map[string]bool{
		"runtime.main": true, "fmt.Println": true, "internal/abi.(*Type).Kind": true,
		"sync/atomic.(*Pointer[go.shape.struct { main.x int }]).Load": true,
		"type:.eq.main.T": true, "go:buildid": true, "_rt0_amd64_windows": true,
		"vendor/golang.org/x/net/dns/dnsmessage.(*Parser).Start": true, "cmd/go/internal/work.Build": true,
		"main.main": false, "main.main.func1": false, "main.(*T[...]).M": false,
		"github.com/evil/implant/c2.Dial": false, "golang.org/x/sys/windows.VirtualAlloc": false,
		"implant/core.(*Beacon).Run": false, "gopkg.in/yaml%2ev3.Unmarshal": false,
		"runtimex.F": false, "main.F[fmt.Stringer]": false,
	} {
		if got := goLibrary([]byte(name)); got != want {
			t.Errorf("goLibrary(%q) = %v, want %v", name, got, want)
		}
	}
}

// goProgram builds, for windows/amd64, a program whose module path has no dot (go mod init
// implant) and whose package main calls into a package of its own.
func goProgram(t *testing.T) []byte {
	t.Helper()
	b, err := testutil.GoBuild(t, map[string]string{
		"go.mod":       "module implant\n\ngo 1.22\n",
		"main.go":      "package main\n\nimport \"implant/core\"\n\nfunc main() { core.Run(\"x\") }\n",
		"core/core.go": "package core\n\nimport \"os\"\n\n//go:noinline\nfunc Run(s string) { os.Stdout.WriteString(s) }\n",
	}, "windows", "amd64", "-trimpath", "-ldflags=-s")
	if err != nil {
		t.Fatalf("go build: %v", err)
	}
	return b
}

// TestGoTableRealBinaries reads the tables of real Go binaries and holds them to debug/gosym
// and to what the binaries are: entered at the runtime's _rt0 stub, main.main their own.
func TestGoTableRealBinaries(t *testing.T) {
	bins := map[string][]byte{"go hello-world PE": testutil.GoWindowsPE(t), "implant PE": goProgram(t)}
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		if b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "bin", "go")); err == nil {
			bins["go command (ELF)"] = b
		}
	}
	for name, content := range bins {
		t.Run(name, func(t *testing.T) {
			im, err := load(content)
			if err != nil {
				t.Fatal(err)
			}
			tab := im.gotab
			if tab == nil {
				t.Fatal("no Go function table found")
			}
			ref, err := gosym.NewTable(nil, gosym.NewLineTable(tab.table, tab.text))
			if err != nil {
				t.Fatal(err)
			}
			compareWithGosym(t, name, tab, ref)
			if i := tab.at(im.entry); i < 0 || !strings.HasPrefix(tab.name(i), "_rt0_amd64_") {
				t.Errorf("entry point %#x is not the runtime's _rt0 stub", im.entry)
			}
			if i := slices.IndexFunc(ref.Funcs, func(f gosym.Func) bool { return f.Name == "main.main" }); i < 0 || tab.funcs[i].library {
				t.Errorf("main.main missing or taken for the library")
			}
		})
	}
}

// TestGoBinaryWalk: the walk of a Go program covers its own functions and leaves the runtime,
// whose cpuid and rdtsc made every Go binary look anti-VM; WalkGoLibrary walks it all.
func TestGoBinaryWalk(t *testing.T) {
	content := goProgram(t)
	req := &modulev1.AnalyzeRequest{Content: content, FileType: "pe"}
	r, err := New().Analyze(req)
	if err != nil {
		t.Fatal(err)
	}
	code := r.GetDetails().GetCode()
	var names []string
	for _, f := range code.GetFunctions() {
		names = append(names, f.GetName())
	}
	for _, want := range []string{"entry", "main.main", "implant/core.Run"} {
		if !slices.Contains(names, want) {
			t.Errorf("functions %q lack %s", names, want)
		}
	}
	if code.GetGoFunctions() < 1000 || code.GetGoLibraryFunctions() >= code.GetGoFunctions() || code.GetGoTableFormat() != "go1.20" {
		t.Errorf("Go table counts: %d functions, %d library, format %q", code.GetGoFunctions(), code.GetGoLibraryFunctions(), code.GetGoTableFormat())
	}
	if code.GetInstructionsDecoded() > 1000 || len(code.GetMarkers()) > 0 || len(r.GetFindings()) > 0 {
		t.Errorf("walked %d instructions with markers %v and findings %v: the runtime was entered", code.GetInstructionsDecoded(), code.GetMarkers(), r.GetFindings())
	}
	lim := DefaultLimits()
	lim.WalkGoLibrary = true
	all, err := New(lim).Analyze(req)
	if err != nil {
		t.Fatal(err)
	}
	if n := all.GetDetails().GetCode().GetInstructionsDecoded(); n < 20*code.GetInstructionsDecoded() {
		t.Errorf("WalkGoLibrary decoded %d instructions, the program's own %d", n, code.GetInstructionsDecoded())
	}
	if !slices.ContainsFunc(all.GetFindings(), func(f *analysisv1.Finding) bool { return f.GetId() == "capability.anti_vm" }) {
		t.Errorf("the runtime's cpuid no longer found with WalkGoLibrary: %v", all.GetFindings())
	}
}

// FuzzGoTable reads hostile tables: nothing may panic, and what is believed must be whole.
func FuzzGoTable(f *testing.F) {
	for _, format := range []string{"go1.2", "go1.16", "go1.18", "go1.20"} {
		f.Add(encodeGoTable(format, 8, 0x401000, synthFuncs, 0x180), true)
		f.Add(encodeGoTable(format, 4, 0x401000, synthFuncs, 0x180), false)
	}
	f.Fuzz(func(t *testing.T, table []byte, x64 bool) {
		bits := 32
		if x64 {
			bits = 64
		}
		im := goImage(bits, table, 0x180, 0)
		tab := findGoTable(im)
		if tab == nil {
			return
		}
		text := &im.sections[0]
		for i, fn := range tab.funcs {
			if fn.addr < text.addr || fn.addr > tab.end || tab.end > text.addr+text.virtSize || (i > 0 && fn.addr < tab.funcs[i-1].addr) {
				t.Fatalf("function %d at %#x outside the text or out of order (end %#x)", i, fn.addr, tab.end)
			}
			tab.name(i)
		}
		walk(im, walkLimits{maxInstructions: 1000, maxPerFunction: 100, maxFunctions: 16, listing: 2})
	})
}
