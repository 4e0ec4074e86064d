package fuzzyhash

import (
	"math/rand/v2"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
)

func BenchmarkFuzzyHashes(b *testing.B) {
	data := make([]byte, 4<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32() % 64) // some repetition, as in real files
	}
	for _, bm := range []struct {
		name string
		fn   func([]byte)
	}{
		{"ssdeep", func(d []byte) { SSDeep(d) }},
		{"tlsh", func(d []byte) { TLSH(d) }},
		{"tlsh_count_direct", func(d []byte) { tlshCount(d, new([256]uint32), nil) }},
		{"tlsh_count_paired", func(d []byte) { tlshCountPaired(d, new([256]uint32)) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				bm.fn(data)
			}
		})
	}
}

// BenchmarkFuzzyHashesFile: the digests of the file ATHENA_BENCH_FILE names (docs/benchmarks.md
// uses the mesh's sample PEs and archive), ssdeep both ways: SSDeep (ssdeepNear, or ssdeepAll
// when it declines) and ssdeepAll alone.
func BenchmarkFuzzyHashesFile(b *testing.B) {
	data := testutil.BenchFile(b)
	_, near := ssdeepNear(data, nil)
	b.Logf("%d bytes, ssdeepNear answers: %v", len(data), near)
	for _, bm := range []struct {
		name string
		fn   func([]byte)
	}{
		{"ssdeep", func(d []byte) { SSDeep(d) }},
		{"ssdeep_all", func(d []byte) { ssdeepAll(d, nil) }},
		{"tlsh", func(d []byte) { TLSH(d) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				bm.fn(data)
			}
		})
	}
}
