//go:build !linux

package cputime

// Process is unavailable here; benchmarks then report no CPU throughput.
func Process() float64 { return 0 }
