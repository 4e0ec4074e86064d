package network

import (
	"strings"
	"testing"
)

// BenchmarkExtract measures IOC extraction on text dense with indicators.
func BenchmarkExtract(b *testing.B) {
	para := "Connect to hxxp://evil[.]example.com/gate.php from 10.0.0.5, drop C:\\Users\\Public\\x.exe, " +
		"mail ops@example.org, hash d41d8cd98f00b204e9800998ecf8427e. The quick brown fox jumps over the lazy dog.\n"
	in := []byte(strings.Repeat(para, (4<<20)/len(para)))
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		Extract(in, ExtractLimits{MaxIOCs: 1 << 30, MaxTokenLen: 4096})
	}
}

// BenchmarkCapture measures packets per second on the test capture replicated.
func BenchmarkCapture(b *testing.B) {
	t := &testing.T{}
	c := testCapture(t)
	body := c[24:]
	capBytes := append([]byte{}, c...)
	for i := 0; i < 200; i++ {
		capBytes = append(capBytes, body...)
	}
	b.ResetTimer()
	var pkts int64
	for b.Loop() {
		tr, _ := AnalyzeCapture(capBytes, DefaultLimits())
		tr.Details("pcap")
		tr.Findings()
		pkts += tr.Packets
	}
	b.ReportMetric(float64(pkts)/b.Elapsed().Seconds(), "packets/s")
}
