//go:build !wasip1

package guest

import "github.com/athena-mesh/athena/internal/textruns"

func sum(alg Algorithm, data []byte) []byte { return NativeSum(alg, data) }

// hostCounts: there is no host outside wasip1.
func hostCounts(*[256]uint64, []byte) bool { return false }

// textRuns: there is no host outside wasip1.
func textRuns(kind textruns.Kind, minLen int, b []byte, emit func(start, end int) bool) {
	textruns.Scan(kind, minLen, b, emit)
}
