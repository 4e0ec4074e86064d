package pefile

import (
	"bytes"
	"debug/pe"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
)

// mingwPE builds a MinGW executable, which keeps a COFF symbol table and long section names
// (its debug sections'); stripDebug drops those sections and keeps the symbols, a third of
// the size for the fuzzer.
func mingwPE(t testing.TB, stripDebug bool) []byte {
	t.Helper()
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err != nil {
		t.Fatalf("x86_64-w64-mingw32-gcc not installed (make test-deps): %v", err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "p.c")
	exe := filepath.Join(dir, "p.exe")
	if err := os.WriteFile(src, []byte("int f(int x) { return x * 3; }\nint main(void) { return f(2); }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("x86_64-w64-mingw32-gcc", "-g", "-O1", "-o", exe, src).CombinedOutput(); err != nil {
		t.Fatalf("compile: %v: %s", err, out)
	}
	if stripDebug {
		if out, err := exec.Command("x86_64-w64-mingw32-strip", "--strip-debug", exe).CombinedOutput(); err != nil {
			t.Fatalf("strip: %v: %s", err, out)
		}
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpenMatchesNewFile: everything but the symbols is what debug/pe.NewFile reads.
func TestOpenMatchesNewFile(t *testing.T) {
	for name, b := range map[string][]byte{"mingw": mingwPE(t, false), "go": testutil.GoWindowsPE(t)} {
		want, err := pe.NewFile(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Open(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == "mingw" && (len(want.COFFSymbols) == 0 || !hasLongName(want)) {
			t.Fatalf("the MinGW build has no symbols or long section names: the test proves nothing")
		}
		if len(got.COFFSymbols) != 0 || len(got.Symbols) != 0 {
			t.Errorf("%s: %d symbols read", name, len(got.COFFSymbols))
		}
		want.COFFSymbols, want.Symbols = nil, nil
		if !reflect.DeepEqual(got.FileHeader, want.FileHeader) || !reflect.DeepEqual(got.OptionalHeader, want.OptionalHeader) ||
			!reflect.DeepEqual(got.StringTable, want.StringTable) {
			t.Errorf("%s: headers or string table differ", name)
		}
		if len(got.Sections) != len(want.Sections) {
			t.Fatalf("%s: %d sections, want %d", name, len(got.Sections), len(want.Sections))
		}
		for i, s := range want.Sections {
			if got.Sections[i].SectionHeader != s.SectionHeader {
				t.Errorf("%s: section %d is %+v, want %+v", name, i, got.Sections[i].SectionHeader, s.SectionHeader)
			}
		}
		gi, _ := got.ImportedSymbols()
		wi, _ := want.ImportedSymbols()
		if !reflect.DeepEqual(gi, wi) {
			t.Errorf("%s: imports differ", name)
		}
	}
}

func hasLongName(f *pe.File) bool {
	for _, s := range f.Sections {
		if len(s.Name) > 8 {
			return true
		}
	}
	return false
}

// FuzzOpen: whatever NewFile accepts, Open accepts with the same sections; nothing panics
// that NewFile does not.
func FuzzOpen(f *testing.F) {
	f.Add(mingwPE(f, true))
	f.Add([]byte("MZ"))
	f.Fuzz(func(t *testing.T, b []byte) {
		want, werr := func() (f *pe.File, err error) {
			defer func() {
				if recover() != nil {
					f, err = nil, os.ErrInvalid
				}
			}()
			return pe.NewFile(bytes.NewReader(b))
		}()
		if werr != nil {
			return // a header NewFile cannot read; Open may fail or panic the same way
		}
		got, err := Open(b)
		if err != nil {
			t.Fatalf("NewFile accepts, Open fails: %v", err)
		}
		if len(got.Sections) != len(want.Sections) || got.FileHeader != want.FileHeader {
			t.Fatalf("Open read %d sections / %+v, NewFile %d / %+v", len(got.Sections), got.FileHeader, len(want.Sections), want.FileHeader)
		}
	})
}
