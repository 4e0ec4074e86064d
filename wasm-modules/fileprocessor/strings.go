package fileprocessor

import (
	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

func printable(c byte) bool { return c >= 0x20 && c < 0x7f || c == '\t' }

// extractStrings returns ASCII and UTF-16LE runs of at least minLen printable characters with
// their offsets, in file order, at most limit of them; the bool reports that the cap was hit.
func extractStrings(b []byte, minLen, limit int) ([]*analysisv1.ExtractedString, bool) {
	var out []*analysisv1.ExtractedString
	emit := func(off int, s []byte, enc string) bool {
		if len(out) >= limit {
			return false
		}
		if len(s) > 4096 {
			s = s[:4096]
		}
		out = append(out, &analysisv1.ExtractedString{Offset: int64(off), Value: string(s), Encoding: enc})
		return true
	}
	// ASCII pass.
	start := -1
	for i := 0; i <= len(b); i++ {
		if i < len(b) && printable(b[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= minLen && !emit(start, b[start:i], "ascii") {
			return out, true
		}
		start = -1
	}
	// UTF-16LE pass: printable ASCII code units (low byte printable, high byte zero), at either
	// alignment.
	for align := 0; align < 2; align++ {
		start = -1
		var run []byte
		for i := align; i+1 <= len(b); i += 2 {
			ok := i+1 < len(b) && printable(b[i]) && b[i+1] == 0
			if ok {
				if start < 0 {
					start = i
					run = run[:0]
				}
				run = append(run, b[i])
				continue
			}
			if start >= 0 && len(run) >= minLen && !emit(start, run, "utf16le") {
				return out, true
			}
			start = -1
		}
		if start >= 0 && len(run) >= minLen && !emit(start, run, "utf16le") {
			return out, true
		}
	}
	return out, false
}
