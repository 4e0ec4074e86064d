package network

import (
	"crypto/md5"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/athena-mesh/athena/wasm-modules/guest/hosttest"
	"github.com/athena-mesh/athena/wasm-modules/internal/cputime"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// denseIOCText is n bytes of text with about 20 indicators per 200 bytes; with distinct set,
// every line's indicators differ (a host, an address, a path, a mailbox and a digest numbered
// by line), otherwise every line repeats the same ones.
func denseIOCText(n int, distinct bool) []byte {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		k := i
		if !distinct {
			k = 0
		}
		sum := md5.Sum([]byte(strconv.Itoa(k)))
		fmt.Fprintf(&b, "Connect to hxxp://evil%d[.]example.com/gate.php from 10.%d.%d.5, drop C:\\Users\\Public\\x%d.exe, "+
			"mail ops%d@example.org, hash %x. The quick brown fox jumps over the lazy dog.\n", k, k>>8&255, k&255, k, k, sum)
	}
	return []byte(b.String()[:n])
}

// BenchmarkExtract measures IOC extraction on 4 MiB of text dense with indicators that repeat
// (logs, reports): six distinct ones, each seen about 20,000 times.
func BenchmarkExtract(b *testing.B) {
	hosttest.BenchNativeAndWASM(b, Name, New(), denseIOCText(4<<20, false))
}

// BenchmarkExtractDistinct measures 100 KiB with about 2,500 distinct indicators, under the
// module's cap of 5,000.
func BenchmarkExtractDistinct(b *testing.B) {
	data := denseIOCText(100<<10, true)
	if n := len(Extract(data, DefaultExtractLimits())); n >= DefaultExtractLimits().MaxIOCs {
		b.Fatalf("%d indicators: the cap would cut the benchmark short", n)
	}
	hosttest.BenchNativeAndWASM(b, Name, New(), data)
}

// BenchmarkExtractProse measures 8 MiB of prose without indicators.
func BenchmarkExtractProse(b *testing.B) {
	para := "The quick brown fox jumps over the lazy dog while the analyst reads the report, twice. "
	hosttest.BenchNativeAndWASM(b, Name, New(), []byte(strings.Repeat(para, (8<<20)/len(para))))
}

// BenchmarkExtractGoBinary measures a real executable: the Go toolchain's go command, full of
// dotted symbol names.
func BenchmarkExtractGoBinary(b *testing.B) {
	p, err := exec.LookPath("go")
	if err != nil {
		b.Skip("go toolchain not found")
	}
	p, _ = filepath.EvalSymlinks(p)
	data, err := os.ReadFile(p)
	if err != nil {
		b.Skip(err)
	}
	hosttest.BenchNativeAndWASM(b, Name, New(), data)
}

// benchCapture is the test capture with its packets repeated 200 times (12k packets).
func benchCapture(tb testing.TB) []byte {
	c := testCapture(&testing.T{})
	body := c[24:]
	out := append([]byte{}, c...)
	for range 200 {
		out = append(out, body...)
	}
	return out
}

// BenchmarkCapture measures packets per second on a 12k-packet capture (DNS, HTTP, TLS, ICMP;
// full details and heuristics), natively, inside WASM, and for tshark extracting the DNS names
// and HTTP hosts of the same file.
func BenchmarkCapture(b *testing.B) {
	data := benchCapture(b)
	tr, err := AnalyzeCapture(data, DefaultLimits())
	if err != nil {
		b.Fatal(err)
	}
	packets := float64(tr.Packets)
	report := func(b *testing.B, cpu float64) {
		b.ReportMetric(packets*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
		if used := cputime.Process() - cpu; used > 0 && cpu > 0 {
			b.ReportMetric(packets*float64(b.N)/used, "cpu-packets/s")
		}
	}
	b.Run("native", func(b *testing.B) {
		cpu := cputime.Process()
		for b.Loop() {
			tr, _ := AnalyzeCapture(data, DefaultLimits())
			tr.Details("pcap")
			tr.Findings()
		}
		report(b, cpu)
	})
	b.Run("wasm", func(b *testing.B) {
		w := hosttest.Load(b, Name)
		req := &modulev1.AnalyzeRequest{Content: data}
		cpu := cputime.Process()
		for b.Loop() {
			w.Analyze(b, req)
		}
		report(b, cpu)
	})
	b.Run("tshark", func(b *testing.B) {
		if _, err := exec.LookPath("tshark"); err != nil {
			b.Skip("tshark not installed")
		}
		file := filepath.Join(b.TempDir(), "bench.pcap")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			b.Fatal(err)
		}
		var cpu float64
		for b.Loop() {
			cmd := exec.Command("tshark", "-n", "-r", file, "-T", "fields", "-e", "dns.qry.name", "-e", "http.host")
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
			cpu += cmd.ProcessState.UserTime().Seconds() + cmd.ProcessState.SystemTime().Seconds()
		}
		b.ReportMetric(packets*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
		b.ReportMetric(packets*float64(b.N)/cpu, "cpu-packets/s")
	})
}
