package analysisengine

import (
	"os"
	"slices"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
)

// isPrintable is the oracles' text byte: 0x20–0x7e or a tab.
func isPrintable(c byte) bool { return c >= 0x20 && c < 0x7f || c == '\t' }

// extractStringsThreePass is the original three-pass extractor, kept as the oracle for the
// one-pass version.
func extractStringsThreePass(b []byte, minLen, max int) []string {
	var out []string
	start := -1
	for i := 0; i <= len(b) && len(out) < max; i++ {
		if i < len(b) && isPrintable(b[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= minLen {
			out = append(out, string(b[start:i]))
		}
		start = -1
	}
	for align := 0; align < 2; align++ {
		var run []byte
		for i := align; i+1 < len(b) && len(out) < max; i += 2 {
			if b[i+1] == 0 && isPrintable(b[i]) {
				run = append(run, b[i])
				continue
			}
			if len(run) >= minLen {
				out = append(out, string(run))
			}
			run = run[:0]
		}
	}
	return out
}

func TestExtractStringsMatchesThreePass(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		max  int
	}{
		{"empty", "", 10},
		{"ascii", "\x00hello world\x01ab\x02another one", 10},
		{"ascii at end", "xx\x00tail string", 10},
		{"wide even", "h\x00e\x00l\x00l\x00o\x00!\x00\x01\x02", 10},
		{"wide odd", "\x01h\x00e\x00l\x00l\x00o\x00!\x00\x01\x02", 10},
		{"wide at end is dropped", "h\x00e\x00l\x00l\x00o\x00", 10},
		{"both alignments", "\x01a\x00b\x00c\x00d\x00e\x00\x03\x00\x00x\x00y\x00z\x00w\x00v\x00\x05\x05", 10},
		{"max cuts ascii", "aaaaa\x00bbbbb\x00ccccc\x00", 2},
		{"max cuts wide", "aaaaa\x00a\x00b\x00c\x00d\x00e\x00\x01\x01", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, want := extractStrings([]byte(tc.in), 5, tc.max), extractStringsThreePass([]byte(tc.in), 5, tc.max)
			if !slices.Equal(got, want) {
				t.Errorf("extractStrings(%q) = %q, want %q", tc.in, got, want)
			}
		})
	}
}

// TestExtractStringsRealFiles holds extractStrings to the three-pass original on whole
// binaries, whose code and data mix short and long runs of both kinds across the eight-byte
// words the extractor steps over.
func TestExtractStringsRealFiles(t *testing.T) {
	files := map[string][]byte{"go hello-world PE": testutil.GoWindowsPE(t)}
	for _, path := range []string{"/usr/local/go/bin/go", "/bin/ls", "/usr/bin/redis-server"} {
		if b, err := os.ReadFile(path); err == nil {
			files[path] = b[:min(len(b), 4<<20)]
		}
	}
	for name, b := range files {
		t.Run(name, func(t *testing.T) {
			for _, minLen := range []int{1, 2, 3, 4, 5, 6, 8, 9} {
				got, want := extractStrings(b, minLen, 1<<30), extractStringsThreePass(b, minLen, 1<<30)
				if !slices.Equal(got, want) {
					t.Errorf("minLen %d: %d strings, want %d", minLen, len(got), len(want))
				}
			}
		})
	}
}

func FuzzExtractStrings(f *testing.F) {
	f.Add([]byte("h\x00e\x00l\x00l\x00o\x00\x01 plain text \x00"), uint8(5), uint8(10))
	f.Add([]byte("\x90\x90H\x8bD$\x08ab\x00c\x00d\x00e\x00f\x00\xffxyzzy\x90\x90\x90\x90\x90\x90\x90\x90A\x00B\x00\x01"), uint8(4), uint8(15))
	f.Add([]byte("\x01a\x00b\x00c\x00d\x00e\x00\x03"), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, minLen, max uint8) {
		m, n := int(minLen%8)+1, int(max%16)
		got, want := extractStrings(b, m, n), extractStringsThreePass(b, m, n)
		if !slices.Equal(got, want) {
			t.Fatalf("extractStrings(%q, %d, %d) = %q, want %q", b, m, n, got, want)
		}
	})
}
