// Package cputime measures the process's CPU time for benchmarks: the benchmark machines are
// shared, so throughput per CPU second is reported next to wall-clock throughput.
package cputime

import "testing"

// Report adds "cpu-MB/s" to b: size bytes per iteration over the CPU seconds used since start
// (a Process reading). Nothing is reported where CPU time cannot be read.
func Report(b *testing.B, start float64, size int) {
	b.Helper()
	if used := Process() - start; used > 0 && start > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/used/1e6, "cpu-MB/s")
	}
}
