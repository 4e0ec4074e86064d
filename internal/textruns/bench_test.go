package textruns

import (
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
)

// BenchmarkIndexFile: the runtime's indexes of the file ATHENA_BENCH_FILE names
// (docs/benchmarks.md uses the mesh's sample PEs): ASCII, and both UTF-16LE alignments one
// scan each and from one scan.
func BenchmarkIndexFile(b *testing.B) {
	data := testutil.BenchFile(b)
	for _, bm := range []struct {
		name string
		fn   func()
	}{
		{"ascii", func() { NewIndex(ASCII, data, 1<<18, nil) }},
		{"utf16_two_scans", func() { NewIndex(UTF16LEEven, data, 1<<18, nil); NewIndex(UTF16LEOdd, data, 1<<18, nil) }},
		{"utf16_one_scan", func() { NewUTF16Indexes(data, 1<<18, nil) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				bm.fn()
			}
		})
	}
}
