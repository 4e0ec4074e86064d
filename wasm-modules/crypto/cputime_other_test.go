//go:build !linux

package cryptoscan

// processCPU is unavailable here; benchmarks then report no CPU throughput.
func processCPU() float64 { return 0 }
