//go:build !linux

package network

// processCPU is unavailable here; benchmarks then report no CPU throughput.
func processCPU() float64 { return 0 }
