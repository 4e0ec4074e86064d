package analysisengine

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// printableRunsReference is the byte-at-a-time printableRuns, kept as its oracle.
func printableRunsReference(b []byte) []string {
	var out []string
	// UTF-16LE first: every other byte zero.
	var wide []byte
	for i := 0; i+1 < len(b); i += 2 {
		if b[i+1] == 0 && isPrintable(b[i]) {
			wide = append(wide, b[i])
			continue
		}
		if len(wide) >= 4 {
			out = append(out, string(wide))
		}
		wide = wide[:0]
	}
	if len(wide) >= 4 {
		out = append(out, string(wide))
	}
	if len(out) > 0 {
		return out
	}
	start := -1
	for i := 0; i <= len(b); i++ {
		if i < len(b) && isPrintable(b[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= 4 {
			out = append(out, string(b[start:i]))
		}
		start = -1
	}
	return out
}

func TestPrintableRunsMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	inputs := [][]byte{nil, []byte("cmd.exe"), []byte("c\x00m\x00d\x00.\x00e\x00x\x00e\x00"), []byte("ab\x00cdef\x01ghij"), []byte("w\x00i\x00d\x00e\x00!")}
	for range 2000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = []byte{0, 0, 'a', 'Z', '\t', 0x80, '.'}[rng.IntN(7)]
		}
		inputs = append(inputs, b)
	}
	for _, b := range inputs {
		if got, want := printableRuns(b), printableRunsReference(b); !slices.Equal(got, want) {
			t.Fatalf("printableRuns(%q) = %q, want %q", b, got, want)
		}
	}
}
