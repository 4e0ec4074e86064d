package guest

import (
	"bytes"
	"slices"
	"testing"

	"github.com/athena-mesh/athena/internal/textruns"
)

// TestTextRuns: TextRuns finds what textruns.Scan finds, over more runs than one call to the
// host returns and across the alignment flips of a resumed UTF-16LE search, and stops when
// emit says so. Natively it is Scan itself; under a wasip1 runner with the athena imports
// (internal/wasirun) it is the host.
func TestTextRuns(t *testing.T) {
	var b bytes.Buffer
	for i := range 2500 {
		b.WriteString("text\x01w\x00i\x00d\x00e\x00\x01\x01")
		if i%3 == 0 {
			b.WriteByte(0x02)
		}
	}
	data := b.Bytes()
	for _, kind := range []textruns.Kind{textruns.ASCII, textruns.UTF16LEEven, textruns.UTF16LEOdd} {
		var want, got [][2]int
		textruns.Scan(kind, 4, data, func(s, e int) bool { want = append(want, [2]int{s, e}); return true })
		TextRuns(kind, 4, data, func(s, e int) bool { got = append(got, [2]int{s, e}); return true })
		if len(want) < 1000 && kind == textruns.ASCII || !slices.Equal(got, want) {
			t.Fatalf("kind %d: %d runs, want the %d of textruns.Scan", kind, len(got), len(want))
		}
		n := 0
		TextRuns(kind, 4, data, func(int, int) bool { n++; return n < 1500 })
		if want := min(1500, len(want)); n != want {
			t.Errorf("kind %d: emit called %d times, want %d", kind, n, want)
		}
	}
}
