package deobfuscator

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkPlainText measures the fast rejection on 8 MiB of prose with nothing to decode,
// natively and inside WASM (the latter includes copying the sample into guest memory).
func BenchmarkPlainText(b *testing.B) {
	benchBoth(b, plainText(8<<20))
}

// BenchmarkPrefilter measures the single pass alone, natively.
func BenchmarkPrefilter(b *testing.B) {
	in := plainText(8 << 20)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if worthLooking(in, 16) {
			b.Fatal("prose sent to the full search")
		}
	}
}

// BenchmarkEncodedPowerShell measures a four-layer PowerShell dropper (1.3 kB).
func BenchmarkEncodedPowerShell(b *testing.B) {
	sample, _ := powershellSample(b)
	benchBoth(b, []byte(sample))
}

// BenchmarkObfuscatedJS measures the javascript-obfuscator fixtures, one call per file.
func BenchmarkObfuscatedJS(b *testing.B) {
	for _, name := range jsFixtures {
		data, err := os.ReadFile(filepath.Join("testdata", "js", name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) { benchBoth(b, data) })
	}
}
