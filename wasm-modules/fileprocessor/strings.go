package fileprocessor

import (
	"github.com/athena-mesh/athena/internal/textruns"
	"github.com/athena-mesh/athena/wasm-modules/guest"
	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

// maxStringLen is the longest string value returned; longer runs are cut.
const maxStringLen = 4096

// extractStrings returns ASCII and UTF-16LE runs of at least minLen printable characters with
// their offsets: the ASCII ones in file order, then the UTF-16LE ones at even offsets, then at
// odd offsets, at most limit of them; the bool reports that the cap was hit. The runs are
// textruns' (the host finds them inside WASM, guest.TextRuns), each value cut at
// maxStringLen characters.
func extractStrings(b []byte, minLen, limit int) ([]*analysisv1.ExtractedString, bool) {
	var out []*analysisv1.ExtractedString
	truncated := false
	for _, kind := range []textruns.Kind{textruns.ASCII, textruns.UTF16LEEven, textruns.UTF16LEOdd} {
		guest.TextRuns(kind, minLen, b, func(start, end int) bool {
			if len(out) >= limit {
				truncated = true
				return false
			}
			s := &analysisv1.ExtractedString{Offset: int64(start), Encoding: "ascii"}
			if kind == textruns.ASCII {
				s.Value = string(b[start:min(end, start+maxStringLen)])
			} else {
				end = min(end, start+2*maxStringLen)
				v := make([]byte, 0, (end-start)/2)
				for i := start; i < end; i += 2 {
					v = append(v, b[i])
				}
				s.Value, s.Encoding = string(v), "utf16le"
			}
			out = append(out, s)
			return true
		})
		if truncated {
			return out, true
		}
	}
	return out, false
}
