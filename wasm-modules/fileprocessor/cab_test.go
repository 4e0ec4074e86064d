package fileprocessor

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// cabFiles is the content the CAB tests pack: an incompressible file spanning several 32 KiB
// blocks, text that compresses well and refers back across blocks, an empty file and a tiny one.
func cabFiles() [][2]string {
	text := strings.Repeat("Set sh = CreateObject(\"WScript.Shell\")\r\nsh.Run \"cmd /c whoami\"\r\n", 1500)
	return [][2]string{
		{"random.bin", string(randomBytes(100_000, 9))},
		{"install.vbs", text},
		{"empty.txt", ""},
		{"readme.txt", "read me\n"},
	}
}

// checkCABMembers analyzes a cabinet and checks every file came out whole.
func checkCABMembers(t *testing.T, cab []byte, files [][2]string) {
	t.Helper()
	resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: cab})
	if err != nil {
		t.Fatal(err)
	}
	if ft := resp.GetIdentification().GetFileType(); ft != "cab" {
		t.Fatalf("identified as %q", ft)
	}
	a := resp.GetDetails().GetFile().GetArchive()
	if len(a.GetMembers()) != len(files) {
		t.Fatalf("members = %v, want %d: notes %q", a.GetMembers(), len(files), resp.Notes)
	}
	got := map[string][]byte{}
	for _, art := range resp.Artifacts {
		got[art.Filename] = art.Content
	}
	for i, f := range files {
		m := a.Members[i]
		if m.Name != f[0] || m.Size != int64(len(f[1])) || !m.Extracted || m.Sha256 != sha256Hex([]byte(f[1])) {
			t.Errorf("member %d = %v, want %s (%d bytes) extracted", i, m, f[0], len(f[1]))
		}
		if !bytes.Equal(got[f[0]], []byte(f[1])) {
			t.Errorf("%s: extracted %d bytes differ from the %d packed", f[0], len(got[f[0]]), len(f[1]))
		}
	}
	if len(resp.Notes) > 0 {
		t.Errorf("notes on a sound cabinet: %q", resp.Notes)
	}
}

func TestCABExtract(t *testing.T) {
	files := cabFiles()
	t.Run("mszip", func(t *testing.T) { checkCABMembers(t, buildCAB(files, true), files) })
	t.Run("stored", func(t *testing.T) { checkCABMembers(t, buildCAB(files, false), files) })
}

// TestCABAgainstGcab extracts cabinets written by gcab (GNOME's libgcab, the Debian gcab package),
// stored and MSZIP-compressed, and compares with the packed files.
func TestCABAgainstGcab(t *testing.T) {
	if _, err := exec.LookPath("gcab"); err != nil {
		t.Skip("gcab not installed (apt-get install gcab)")
	}
	dir := t.TempDir()
	files := cabFiles()
	var names []string
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f[0]), []byte(f[1]), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, f[0])
	}
	for _, mode := range []string{"-c", "-cz"} {
		t.Run(mode, func(t *testing.T) {
			cab := filepath.Join(t.TempDir(), "out.cab")
			cmd := exec.Command("gcab", append([]string{mode, "-n", cab}, names...)...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("gcab %s: %v\n%s", mode, err, out)
			}
			b, err := os.ReadFile(cab)
			if err != nil {
				t.Fatal(err)
			}
			checkCABMembers(t, b, files)
		})
	}
}

// TestCABHostile: broken and hostile cabinets end with a note or a guard, never a crash, and
// never with a wrong child.
func TestCABHostile(t *testing.T) {
	files := cabFiles()
	good := buildCAB(files, true)
	le := binary.LittleEndian
	dataAt := int(le.Uint32(good[cabHeaderSize:]))
	mutate := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	zeros := strings.Repeat("\x00", 8<<20)
	for _, tc := range []struct {
		name      string
		data      []byte
		guard     string
		note      string
		extracted int // members extracted
	}{
		{"truncated in the data", good[:dataAt+40_000], "", "truncated", 0},
		{"no data at all", good[:dataAt], "", "outside the file", 0},
		{"bad MSZIP signature", mutate(func(b []byte) []byte { b[dataAt+8] = 'X'; return b }), "", "CK signature", 0},
		{"LZX folder", mutate(func(b []byte) []byte { le.PutUint16(b[cabHeaderSize+6:], 3); return b }), "", "LZX compression", 0},
		{"block larger than 32 KiB", mutate(func(b []byte) []byte { le.PutUint16(b[dataAt+6:], 0xffff); return b }), "", "more than 32768", 0},
		{"file beyond its folder", mutate(func(b []byte) []byte { le.PutUint32(b[cabHeaderSize+8+4:], 0xfffffff0); return b }), "", "", 3},
		{"file size of 4 GiB", mutate(func(b []byte) []byte { le.PutUint32(b[cabHeaderSize+8:], 0xffffffff); return b }), "", "", 3},
		{"folder out of range", mutate(func(b []byte) []byte { le.PutUint16(b[cabHeaderSize+8+8:], 7); return b }), "", "names folder 7", 3},
		{"continued across cabinets", mutate(func(b []byte) []byte { le.PutUint16(b[cabHeaderSize+8+8:], cabFolderSpan); return b }), "", "across cabinets", 3},
		{"65535 files declared", mutate(func(b []byte) []byte { le.PutUint16(b[28:], 0xffff); return b }), "member_count", "", 4},
		{"folder count beyond the file", mutate(func(b []byte) []byte { le.PutUint16(b[26:], 0xffff); return b }), "", "outside the file", 4},
		{"decompression bomb", buildCAB([][2]string{{"zeros.bin", zeros}}, true), "ratio", "", 0},
		{"header only", good[:cabHeaderSize], "", "folder 0 of 1", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: tc.data})
			if err != nil {
				t.Fatal(err)
			}
			a := resp.GetDetails().GetFile().GetArchive()
			if a.GetGuard() != tc.guard {
				t.Errorf("guard = %q, want %q", a.GetGuard(), tc.guard)
			}
			if tc.note != "" && !strings.Contains(strings.Join(resp.Notes, "\n"), tc.note) {
				t.Errorf("notes %q lack %q", resp.Notes, tc.note)
			}
			n := 0
			for _, m := range a.GetMembers() {
				if m.Extracted {
					n++
				}
			}
			if n != tc.extracted {
				t.Errorf("%d members extracted, want %d", n, tc.extracted)
			}
			// Whatever came out is what was packed.
			want := map[string]string{}
			for _, f := range files {
				want[f[0]] = f[1]
			}
			for _, art := range resp.Artifacts {
				if w, ok := want[art.Filename]; ok && string(art.Content) != w {
					t.Errorf("%s extracted wrong", art.Filename)
				}
			}
		})
	}
}

func FuzzCAB(f *testing.F) {
	f.Add(buildCAB(cabFiles()[1:], true))
	f.Add(buildCAB(cabFiles()[2:], false))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &result{id: &Identity{FileType: "cab"}, details: &analysisv1.FileDetails{}}
		r.parseCAB(data)
		for _, art := range r.artifacts {
			if len(art.Content) > maxArtifactBytes {
				t.Fatalf("child of %d bytes", len(art.Content))
			}
		}
	})
}
