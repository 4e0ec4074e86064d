package guest

import "github.com/athena-mesh/athena/internal/textruns"

// TextRuns calls emit with the byte range [start, end) of every run of printable text of kind
// in b that has at least minLen characters, in order, until emit returns false: the runs of
// textruns.Scan. Inside a wasip1 guest the host finds them (athena.text_runs) at a fraction of
// the cost of scanning inside WASM; elsewhere, and if the host refuses, it is textruns.Scan.
func TextRuns(kind textruns.Kind, minLen int, b []byte, emit func(start, end int) bool) {
	textRuns(kind, max(minLen, 0), b, emit)
}
