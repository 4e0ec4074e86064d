package deobfuscator

import (
	"strings"
	"testing"
	"time"
)

// BenchmarkPlainText measures the fast rejection on prose with nothing to decode.
func BenchmarkPlainText(b *testing.B) {
	para := "The quick brown fox jumps over the lazy dog while the analyst reads the report, twice. "
	in := []byte(strings.Repeat(para, (8<<20)/len(para)))
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		Search(in, DefaultLimits(), time.Time{}, nil)
	}
}

// BenchmarkEncodedPowerShell measures a four-layer PowerShell dropper.
func BenchmarkEncodedPowerShell(b *testing.B) {
	sample, _ := powershellSample(b)
	in := []byte(sample)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		Search(in, DefaultLimits(), time.Time{}, nil)
	}
}
