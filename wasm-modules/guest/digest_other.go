//go:build !wasip1

package guest

import (
	"github.com/athena-mesh/athena/internal/textruns"
	"github.com/athena-mesh/athena/internal/windowfilter"
)

func sum(alg Algorithm, data []byte) []byte { return NativeSum(alg, data) }

// hostCounts: there is no host outside wasip1.
func hostCounts(*[256]uint64, []byte) bool { return false }

// textRuns: there is no host outside wasip1.
func textRuns(kind textruns.Kind, minLen int, b []byte, emit func(start, end int) bool) {
	textruns.Scan(kind, minLen, b, emit)
}

// windowFilter: there is no host outside wasip1.
func windowFilter(f *windowfilter.Filter, data []byte, from, to int, emit func(base int, mask uint32)) {
	probeHere(f, data, from, to, emit)
}
