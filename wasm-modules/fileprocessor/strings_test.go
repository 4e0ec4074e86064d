package fileprocessor

import (
	"bytes"
	"math/rand/v2"
	"os"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

func printable(c byte) bool { return c >= 0x20 && c < 0x7f || c == '\t' }

// extractStringsReference is the byte-at-a-time extractor extractStrings replaced, kept as
// its oracle: it returns ASCII and UTF-16LE runs of at least minLen printable characters with
// their offsets, in file order, at most limit of them; the bool reports that the cap was hit.
func extractStringsReference(b []byte, minLen, limit int) ([]*analysisv1.ExtractedString, bool) {
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

func sameStrings(a, b []*analysisv1.ExtractedString) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Offset != b[i].Offset || a[i].Value != b[i].Value || a[i].Encoding != b[i].Encoding {
			return false
		}
	}
	return true
}

// TestExtractStringsMatchesReference holds extractStrings to the byte-at-a-time original on
// text, binaries, runs longer than a value may be, caps and UTF-16LE runs at both alignments
// and at the end of the input.
func TestExtractStringsMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	random := make([]byte, 20000)
	for i := range random {
		random[i] = []byte{0, 0, 'a', 'B', '\t', 0x90, ' ', '7'}[rng.IntN(8)]
	}
	inputs := map[string][]byte{
		"empty":       nil,
		"random":      random,
		"long run":    append(bytes.Repeat([]byte("x"), 5000), append([]byte{1}, utf16le(string(bytes.Repeat([]byte("w"), 5000)))...)...),
		"wide at end": append([]byte("\x01\x02"), utf16le("ends here")...),
		"odd wide":    append([]byte("\x01"), utf16le("odd alignment\x01")...),
	}
	if b, err := os.ReadFile("/usr/bin/ls"); err == nil {
		inputs["ls"] = b
	}
	for name, data := range inputs {
		for _, lim := range [][2]int{{4, 2000}, {1, 50}, {0, 10}, {8, 100000}} {
			got, gotCut := extractStrings(data, lim[0], lim[1])
			want, wantCut := extractStringsReference(data, lim[0], lim[1])
			if gotCut != wantCut || !sameStrings(got, want) {
				t.Errorf("%s, min %d, limit %d: %d strings (cut %v), want %d (cut %v)", name, lim[0], lim[1], len(got), gotCut, len(want), wantCut)
			}
		}
	}
}

func FuzzExtractStrings(f *testing.F) {
	f.Add([]byte("hello\x00w\x00i\x00d\x00e\x00\x01 tab\there"), uint8(3), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, minLen, limit uint8) {
		got, gotCut := extractStrings(data, int(minLen%10), int(limit))
		want, wantCut := extractStringsReference(data, int(minLen%10), int(limit))
		if gotCut != wantCut || !sameStrings(got, want) {
			t.Fatalf("%d strings (cut %v), want %d (cut %v)", len(got), gotCut, len(want), wantCut)
		}
	})
}
