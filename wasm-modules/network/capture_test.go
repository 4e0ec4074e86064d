package network

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	"golang.org/x/net/dns/dnsmessage"
)

// capture writes a little-endian microsecond pcap with Ethernet frames.
type capture struct {
	buf bytes.Buffer
	now int64
}

func newCapture() *capture {
	c := &capture{now: 1_700_000_000_000_000}
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr, 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], linkEthernet)
	c.buf.Write(hdr)
	return c
}

func (c *capture) frame(ts int64, frame []byte) {
	rec := make([]byte, 16)
	binary.LittleEndian.PutUint32(rec, uint32(ts/1_000_000))
	binary.LittleEndian.PutUint32(rec[4:], uint32(ts%1_000_000))
	binary.LittleEndian.PutUint32(rec[8:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(rec[12:], uint32(len(frame)))
	c.buf.Write(rec)
	c.buf.Write(frame)
}

func csum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// ip4 builds an Ethernet + IPv4 frame around a transport segment.
func ip4(src, dst string, proto uint8, seg []byte) []byte {
	f := make([]byte, 14+20)
	copy(f, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	binary.BigEndian.PutUint16(f[12:], 0x0800)
	ip := f[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(seg)))
	ip[8] = 64
	ip[9] = proto
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	copy(ip[12:], s[:])
	copy(ip[16:], d[:])
	binary.BigEndian.PutUint16(ip[10:], csum(ip[:20]))
	return append(f, seg...)
}

func udp(sport, dport uint16, payload []byte) []byte {
	h := make([]byte, 8)
	binary.BigEndian.PutUint16(h, sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint16(h[4:], uint16(8+len(payload)))
	return append(h, payload...)
}

func tcp(sport, dport uint16, flags uint8, payload []byte) []byte {
	h := make([]byte, 20)
	binary.BigEndian.PutUint16(h, sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint32(h[4:], 1000)
	h[12] = 5 << 4
	h[13] = flags
	binary.BigEndian.PutUint16(h[14:], 65535)
	return append(h, payload...)
}

func dnsMsg(t *testing.T, id uint16, name string, response bool, answer string) []byte {
	t.Helper()
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: id, Response: response, RecursionDesired: true})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		t.Fatal(err)
	}
	n := dnsmessage.MustNewName(name + ".")
	if err := b.Question(dnsmessage.Question{Name: n, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}); err != nil {
		t.Fatal(err)
	}
	if response && answer != "" {
		if err := b.StartAnswers(); err != nil {
			t.Fatal(err)
		}
		if err := b.AResource(dnsmessage.ResourceHeader{Name: n, Class: dnsmessage.ClassINET, TTL: 60},
			dnsmessage.AResource{A: netip.MustParseAddr(answer).As4()}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func clientHello(sni string) []byte {
	var ext bytes.Buffer
	w16 := func(b *bytes.Buffer, v int) { b.WriteByte(byte(v >> 8)); b.WriteByte(byte(v)) }
	// GREASE extension first, ignored by JA3.
	w16(&ext, 0x0a0a)
	w16(&ext, 0)
	w16(&ext, 0)
	w16(&ext, len(sni)+5)
	w16(&ext, len(sni)+3)
	ext.WriteByte(0)
	w16(&ext, len(sni))
	ext.WriteString(sni)
	w16(&ext, 10)
	w16(&ext, 6)
	w16(&ext, 4)
	w16(&ext, 29)
	w16(&ext, 23)
	w16(&ext, 11)
	w16(&ext, 2)
	ext.WriteByte(1)
	ext.WriteByte(0)
	var body bytes.Buffer
	w16(&body, 0x0303)
	body.Write(make([]byte, 32))
	body.WriteByte(0)
	w16(&body, 6)
	w16(&body, 0x1a1a)
	w16(&body, 0x1301)
	w16(&body, 0xc02f)
	body.WriteByte(1)
	body.WriteByte(0)
	w16(&body, ext.Len())
	body.Write(ext.Bytes())
	hs := append([]byte{1, 0, byte(body.Len() >> 8), byte(body.Len())}, body.Bytes()...)
	return append([]byte{0x16, 3, 1, byte(len(hs) >> 8), byte(len(hs))}, hs...)
}

// testCapture builds a capture with DNS, HTTP, TLS, ICMP, a beacon and a port scan.
func testCapture(t *testing.T) []byte {
	c := newCapture()
	ts := c.now
	step := func(d int64) int64 { ts += d; return ts }
	client, resolver := "10.0.0.5", "10.0.0.1"
	names := []struct{ name, addr string }{
		{"www.example.com", "93.184.216.34"}, {"update.evil-cdn.net", "198.51.100.7"},
		{"xkqjzvbtrwplmfdh.com", "45.9.148.3"}, {"qzxvkwjprtbnmhgd.net", "45.9.148.4"}, {"mail.google.com", "142.250.1.1"},
	}
	for i, n := range names {
		id := uint16(100 + i)
		c.frame(step(1000), ip4(client, resolver, protoUDP, udp(50000+uint16(i), 53, dnsMsg(t, id, n.name, false, ""))))
		c.frame(step(20000), ip4(resolver, client, protoUDP, udp(53, 50000+uint16(i), dnsMsg(t, id, n.name, true, n.addr))))
	}
	httpReq := func(dst string, port uint16, sport uint16, host, uri string) {
		c.frame(step(1000), ip4(client, dst, protoTCP, tcp(sport, port, 0x02, nil)))
		c.frame(step(1000), ip4(dst, client, protoTCP, tcp(port, sport, 0x12, nil)))
		c.frame(step(1000), ip4(client, dst, protoTCP, tcp(sport, port, 0x10, nil)))
		req := "GET " + uri + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: Mozilla/5.0 (AthenaTest)\r\nAccept: */*\r\n\r\n"
		c.frame(step(1000), ip4(client, dst, protoTCP, tcp(sport, port, 0x18, []byte(req))))
	}
	httpReq("93.184.216.34", 80, 40000, "www.example.com", "/index.html")
	httpReq("198.51.100.7", 8080, 40001, "update.evil-cdn.net:8080", "/gate.php?id=7")
	httpReq("45.9.148.3", 80, 40002, "45.9.148.3", "/payload.bin")
	c.frame(step(1000), ip4(client, "142.250.1.1", protoTCP, tcp(40003, 443, 0x02, nil)))
	c.frame(step(1000), ip4(client, "142.250.1.1", protoTCP, tcp(40003, 443, 0x18, clientHello("mail.google.com"))))
	c.frame(step(1000), ip4(client, "45.9.148.4", protoTCP, tcp(40004, 8444, 0x18, clientHello("qzxvkwjprtbnmhgd.net"))))
	// ICMP echo request/reply.
	c.frame(step(1000), ip4(client, "8.8.8.8", protoICMP, []byte{8, 0, 0, 0, 0, 1, 0, 1}))
	c.frame(step(1000), ip4("8.8.8.8", client, protoICMP, []byte{0, 0, 0, 0, 0, 1, 0, 1}))
	// Beacon: six connections to 45.9.148.3:4444 every 60 s.
	for i := 0; i < 6; i++ {
		sport := uint16(41000 + i)
		c.frame(step(60_000_000), ip4(client, "45.9.148.3", protoTCP, tcp(sport, 4444, 0x18, []byte("ping"))))
	}
	// Vertical scan: 25 SYNs to 10.0.0.9.
	for p := 1; p <= 25; p++ {
		c.frame(step(100), ip4(client, "10.0.0.9", protoTCP, tcp(45000, uint16(p), 0x02, nil)))
	}
	return c.buf.Bytes()
}

func TestCaptureDetails(t *testing.T) {
	b := testCapture(t)
	tr, err := AnalyzeCapture(b, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	nd := tr.Details("pcap")
	if nd.PacketCount != 58 {
		t.Errorf("packets = %d, want 58", nd.PacketCount)
	}
	var dnsNames []string
	for _, r := range nd.Dns {
		dnsNames = append(dnsNames, r.Name)
		if r.Name == "www.example.com" && !slices.Contains(r.Answers, "93.184.216.34") {
			t.Errorf("www.example.com answers = %v", r.Answers)
		}
	}
	if len(dnsNames) != 5 {
		t.Errorf("dns names = %v", dnsNames)
	}
	if len(nd.Http) != 3 || nd.Http[1].Host != "update.evil-cdn.net:8080" || nd.Http[1].Uri != "/gate.php?id=7" || nd.Http[0].UserAgent != "Mozilla/5.0 (AthenaTest)" {
		t.Errorf("http = %v", nd.Http)
	}
	if len(nd.Tls) != 2 || nd.Tls[0].Sni != "mail.google.com" {
		t.Fatalf("tls = %v", nd.Tls)
	}
	if want := "771,4865-49199,0-10-11,29-23,0"; nd.Tls[0].Ja3String != want {
		t.Errorf("ja3 string = %q, want %q", nd.Tls[0].Ja3String, want)
	}
	if nd.IcmpCount != 2 || len(nd.Icmp) != 2 {
		t.Errorf("icmp = %d %v", nd.IcmpCount, nd.Icmp)
	}
	ids := map[string]bool{}
	for _, f := range tr.Findings() {
		ids[f.Id] = true
	}
	for _, id := range []string{"network.dga_domain", "network.beaconing", "network.port_scan", "network.nonstandard_port", "network.raw_ip"} {
		if !ids[id] {
			t.Errorf("missing finding %s; got %v", id, ids)
		}
	}
	iocs := tr.IOCs()
	for _, w := range []struct {
		typ analysisv1.IOCType
		v   string
	}{{analysisv1.IOCType_IOC_TYPE_URL, "http://update.evil-cdn.net:8080/gate.php?id=7"}, {analysisv1.IOCType_IOC_TYPE_DOMAIN, "xkqjzvbtrwplmfdh.com"},
		{analysisv1.IOCType_IOC_TYPE_IPV4, "45.9.148.3"}, {analysisv1.IOCType_IOC_TYPE_USER_AGENT, "Mozilla/5.0 (AthenaTest)"}} {
		if _, ok := findIOC(iocs, w.typ, w.v); !ok {
			t.Errorf("missing traffic ioc %v %s", w.typ, w.v)
		}
	}
}

// tsharkFields runs tshark on a capture file and returns the distinct non-empty values.
func tsharkFields(t *testing.T, file string, args ...string) []string {
	t.Helper()
	out, err := exec.Command("tshark", append([]string{"-r", file, "-T", "fields"}, args...)...).Output()
	if err != nil {
		t.Fatalf("tshark %v: %v", args, err)
	}
	set := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		for _, v := range strings.Split(strings.TrimSpace(l), ",") {
			if v != "" {
				set[v] = true
			}
		}
	}
	var vals []string
	for v := range set {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	return vals
}

// TestCaptureAgainstTshark cross-checks DNS names, HTTP hosts, TLS SNI and TCP/UDP flow counts
// against tshark on the same capture, as pcap and converted by editcap to pcapng.
func TestCaptureAgainstTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed (make test-deps)")
	}
	dir := t.TempDir()
	pcap := filepath.Join(dir, "test.pcap")
	if err := os.WriteFile(pcap, testCapture(t), 0o600); err != nil {
		t.Fatal(err)
	}
	pcapng := filepath.Join(dir, "test.pcapng")
	if out, err := exec.Command("editcap", "-F", "pcapng", pcap, pcapng).CombinedOutput(); err != nil {
		t.Fatalf("editcap: %v %s", err, out)
	}
	for _, file := range []string{pcap, pcapng} {
		t.Run(filepath.Ext(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := AnalyzeCapture(b, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			nd := tr.Details(CaptureFormat(b))
			var dns, hosts, snis []string
			for _, r := range nd.Dns {
				dns = append(dns, r.Name)
			}
			for _, h := range nd.Http {
				hosts = append(hosts, h.Host)
			}
			for _, h := range nd.Tls {
				snis = append(snis, h.Sni)
			}
			uniqSort := func(s []string) []string { slices.Sort(s); return slices.Compact(s) }
			if want, got := tsharkFields(t, file, "-e", "dns.qry.name"), uniqSort(dns); !slices.Equal(want, got) {
				t.Errorf("dns names: tshark %v, ours %v", want, got)
			}
			// tshark dissects HTTP only on its registered ports; compare on those.
			if want, got := tsharkFields(t, file, "-e", "http.host"), uniqSort(hosts); !slices.Equal(want, got) {
				t.Errorf("http hosts: tshark %v, ours %v", want, got)
			}
			if want, got := tsharkFields(t, file, "-d", "tcp.port==8444,tls", "-e", "tls.handshake.extensions_server_name"), uniqSort(snis); !slices.Equal(want, got) {
				t.Errorf("sni: tshark %v, ours %v", want, got)
			}
			tcpFlows, udpFlows := 0, 0
			for _, f := range nd.Flows {
				switch f.Protocol {
				case "tcp":
					tcpFlows++
				case "udp":
					udpFlows++
				}
			}
			if want := len(tsharkFields(t, file, "-e", "tcp.stream")); want != tcpFlows {
				t.Errorf("tcp flows: tshark %d, ours %d", want, tcpFlows)
			}
			if want := len(tsharkFields(t, file, "-e", "udp.stream")); want != udpFlows {
				t.Errorf("udp flows: tshark %d, ours %d", want, udpFlows)
			}
			if want := len(tsharkFields(t, file, "-e", "frame.number")); int64(want) != nd.PacketCount {
				t.Errorf("packets: tshark %d, ours %d", want, nd.PacketCount)
			}
			if want := tsharkLines(t, file, "-e", "tls.handshake.ja3_full"); len(nd.Tls) > 0 && !slices.Contains(want, nd.Tls[0].Ja3String) {
				t.Errorf("ja3: tshark %v, ours %q", want, nd.Tls[0].Ja3String)
			}
		})
	}
}

// tsharkLines runs tshark and returns its non-empty output lines.
func tsharkLines(t *testing.T, file string, args ...string) []string {
	t.Helper()
	out, err := exec.Command("tshark", append([]string{"-r", file, "-T", "fields"}, args...)...).Output()
	if err != nil {
		t.Fatalf("tshark %v: %v", args, err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

func TestCapturePathological(t *testing.T) {
	// A pcap header followed by a record claiming a billion-byte packet, and a huge file of
	// empty records: neither may allocate by the claim nor run past the packet cap.
	c := newCapture()
	hdr := c.buf.Bytes()
	claim := append([]byte{}, hdr...)
	rec := make([]byte, 16)
	binary.LittleEndian.PutUint32(rec[8:], 1<<30)
	claim = append(claim, rec...)
	if _, err := AnalyzeCapture(claim, DefaultLimits()); err == nil {
		t.Error("billion-byte record claim: no error")
	}
	empties := append([]byte{}, hdr...)
	empties = append(empties, bytes.Repeat(make([]byte, 16), 10000)...)
	tr, err := AnalyzeCapture(empties, Limits{MaxPackets: 500, MaxTrackedFlows: 10, MaxReportedFlows: 10, MaxRecords: 10})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Packets != 500 || !tr.Truncated {
		t.Errorf("packets = %d truncated = %v, want 500 true", tr.Packets, tr.Truncated)
	}
	// Many flows beyond the tracking cap.
	c = newCapture()
	for i := 0; i < 300; i++ {
		c.frame(int64(i), ip4("10.0.0.1", "10.0.1."+strconv.Itoa(i%250), protoUDP, udp(uint16(i), 9, nil)))
	}
	tr, err = AnalyzeCapture(c.buf.Bytes(), Limits{MaxPackets: 1000, MaxTrackedFlows: 100, MaxReportedFlows: 50, MaxRecords: 10})
	if err != nil {
		t.Fatal(err)
	}
	if nd := tr.Details("pcap"); len(nd.Flows) != 50 || nd.FlowCount != 100 || !nd.Truncated {
		t.Errorf("flows = %d count = %d truncated = %v", len(nd.Flows), nd.FlowCount, nd.Truncated)
	}
}

func TestDGAScore(t *testing.T) {
	tests := []struct {
		name string
		dga  bool
	}{
		{"www.google.com", false}, {"mail.microsoft.com", false}, {"en.wikipedia.org", false},
		{"update.evil-cdn.net", false}, {"stackoverflow.com", false}, {"athena-mesh.example.org", false},
		{"xkqjzvbtrwplmfdh.com", true}, {"qzxvkwjprtbnmhgd.net", true}, {"a7f3kq9zx2bvw8.info", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := DGAScore(tc.name)
			if (s >= dgaThreshold) != tc.dga {
				t.Errorf("DGAScore(%q) = %.3f, dga want %v", tc.name, s, tc.dga)
			}
		})
	}
}

func FuzzReadCapture(f *testing.F) {
	f.Add([]byte{})
	c := newCapture()
	c.frame(1, ip4("10.0.0.1", "10.0.0.2", protoUDP, udp(1, 53, []byte{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1})))
	c.frame(2, ip4("10.0.0.1", "10.0.0.2", protoTCP, tcp(1, 443, 0x18, clientHello("a.example"))))
	c.frame(3, ip4("10.0.0.1", "10.0.0.2", protoTCP, tcp(1, 80, 0x18, []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))))
	f.Add(c.buf.Bytes())
	ng := []byte{0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,
		1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0}
	f.Add(ng)
	split, _ := reassemblyCapture()
	f.Add(split)
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, _ := AnalyzeCapture(b, Limits{MaxPackets: 1000, MaxTrackedFlows: 100, MaxReportedFlows: 100, MaxRecords: 100})
		if tr != nil {
			tr.Details("pcap")
			tr.Findings()
			tr.IOCs()
		}
	})
}

func FuzzParsers(f *testing.F) {
	f.Add(clientHello("x.example"))
	f.Add([]byte("POST /a HTTP/1.0\r\nHost: h\r\nUser-Agent: u\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseClientHello(b)
		parseHTTPRequest(b)
		parseDNS(b)
		decodePacket(Packet{LinkType: linkEthernet, Data: b})
		decodePacket(Packet{LinkType: linkRaw, Data: b})
		decodePacket(Packet{LinkType: linkSLL2, Data: b})
	})
}
