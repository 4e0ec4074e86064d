//go:build linux

package network

import "syscall"

// processCPU returns the process's user+system CPU seconds. Benchmarks report throughput per
// CPU second next to wall-clock throughput because the benchmark machine is shared.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
