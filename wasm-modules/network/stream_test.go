package network

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tcpSeg is a TCP segment with a sequence number.
func tcpSeg(sport, dport uint16, flags uint8, seq uint32, payload []byte) []byte {
	h := tcp(sport, dport, flags, payload)
	binary.BigEndian.PutUint32(h[4:], seq)
	return h
}

// splitRequest is an HTTP request head cut into three segments.
func splitRequest(host, uri string) [3][]byte {
	req := "GET " + uri + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: Mozilla/5.0 (Reassembly)\r\nAccept: */*\r\n\r\n"
	a, b := 9, 9+len(uri)+12
	return [3][]byte{[]byte(req[:a]), []byte(req[a:b]), []byte(req[b:])}
}

// reassemblyCapture holds one request per way of splitting it: whole, in order, out of order,
// the first segment last, with a duplicate and an overlapping retransmission, and with sequence
// numbers wrapping around.
func reassemblyCapture() (capture []byte, want []string) {
	c := newCapture()
	ts := c.now
	step := func() int64 { ts += 1000; return ts }
	const client, server = "10.0.0.5", "93.184.216.34"
	conn := func(sport uint16, isn uint32, host, uri string, order []int, extra func(isn uint32, seg [3][]byte)) {
		c.frame(step(), ip4(client, server, protoTCP, tcpSeg(sport, 80, 0x02, isn, nil)))
		c.frame(step(), ip4(server, client, protoTCP, tcpSeg(80, sport, 0x12, 5000, nil)))
		c.frame(step(), ip4(client, server, protoTCP, tcpSeg(sport, 80, 0x10, isn+1, nil)))
		seg := splitRequest(host, uri)
		seqs := [3]uint32{isn + 1, isn + 1 + uint32(len(seg[0])), isn + 1 + uint32(len(seg[0])+len(seg[1]))}
		for _, i := range order {
			c.frame(step(), ip4(client, server, protoTCP, tcpSeg(sport, 80, 0x18, seqs[i], seg[i])))
		}
		if extra != nil {
			extra(isn, seg)
		}
		want = append(want, host+" "+uri)
	}
	whole := "GET /whole HTTP/1.1\r\nHost: whole.example.com\r\n\r\n"
	c.frame(step(), ip4(client, server, protoTCP, tcpSeg(40099, 80, 0x18, 1, []byte(whole))))
	want = append(want, "whole.example.com /whole")
	conn(40100, 40100000, "in-order.example.com", "/a/in-order.php", []int{0, 1, 2}, nil)
	conn(40101, 40101000, "out-of-order.example.com", "/b/out-of-order.php", []int{0, 2, 1}, nil)
	conn(40102, 40102000, "first-last.example.net", "/c/first-last.php", []int{1, 2, 0}, nil)
	conn(40103, 40103000, "retransmit.example.org", "/d/retransmit.php", []int{0}, func(isn uint32, seg [3][]byte) {
		c.frame(step(), ip4(client, server, protoTCP, tcpSeg(40103, 80, 0x18, isn+1, seg[0])))
		// Overlapping: the last four bytes of the first segment and all of the second.
		over := append(append([]byte{}, seg[0][len(seg[0])-4:]...), seg[1]...)
		c.frame(step(), ip4(client, server, protoTCP, tcpSeg(40103, 80, 0x18, isn+1+uint32(len(seg[0])-4), over)))
		c.frame(step(), ip4(client, server, protoTCP, tcpSeg(40103, 80, 0x18, isn+1+uint32(len(seg[0])+len(seg[1])), seg[2])))
	})
	// Sequence numbers wrap around 2^32 inside the head.
	conn(40104, 0xffffffff-12, "wrap.example.com", "/e/wrap.php", []int{0, 2, 1}, nil)
	slices.Sort(want)
	return c.buf.Bytes(), want
}

func httpPairs(tr *Traffic) []string {
	var got []string
	for _, h := range tr.Details("pcap").Http {
		got = append(got, h.Host+" "+h.Uri)
	}
	slices.Sort(got)
	return got
}

// TestHTTPReassembly checks request heads split over segments against the requests written and
// against tshark's reassembly of the same capture.
func TestHTTPReassembly(t *testing.T) {
	capture, want := reassemblyCapture()
	tr, err := AnalyzeCapture(capture, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	got := httpPairs(tr)
	if !slices.Equal(got, want) {
		t.Errorf("requests:\n got %q\nwant %q", got, want)
	}
	for _, h := range tr.Details("pcap").Http {
		if h.UserAgent != "" && h.UserAgent != "Mozilla/5.0 (Reassembly)" || h.DstPort != 80 || h.DstIp != "93.184.216.34" {
			t.Errorf("record %v", h)
		}
	}
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed (make test-deps)")
	}
	file := filepath.Join(t.TempDir(), "reassembly.pcap")
	if err := os.WriteFile(file, capture, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("tshark", "-n", "-r", file, "-o", "tcp.reassemble_out_of_order:TRUE",
		"-T", "fields", "-E", "separator=/s", "-e", "http.host", "-e", "http.request.uri").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	var ref []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			ref = append(ref, l)
		}
	}
	slices.Sort(ref)
	if !slices.Equal(got, ref) {
		t.Errorf("requests differ from tshark:\n ours   %q\n tshark %q", got, ref)
	}
}

// TestHTTPReassemblyLimits feeds streams that never complete and floods of out-of-order
// segments: state stays within the caps and every started head is still reported.
func TestHTTPReassemblyLimits(t *testing.T) {
	c := newCapture()
	ts := c.now
	const n = maxStreams + 200
	for i := range n {
		sport := uint16(10000 + i)
		c.frame(ts+int64(i), ip4("10.0.0.5", "198.51.100.9", protoTCP, tcpSeg(sport, 80, 0x18, 1, []byte("GET /x HTTP/1.1\r\nHo"))))
		for j := range 40 {
			c.frame(ts+int64(i), ip4("10.0.0.5", "198.51.100.9", protoTCP, tcpSeg(sport, 80, 0x18, uint32(1000+j*10), []byte("junk"))))
		}
	}
	tr, err := AnalyzeCapture(c.buf.Bytes(), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.tcp.streams) != 0 {
		t.Errorf("streams left after the capture: %d", len(tr.tcp.streams))
	}
	if got := len(tr.Details("pcap").Http); got != n {
		t.Errorf("%d requests, want %d", got, n)
	}
}
