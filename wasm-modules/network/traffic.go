package network

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	"golang.org/x/net/publicsuffix"
)

// Limits bounds capture analysis.
type Limits struct {
	// MaxPackets stops reading after this many packets.
	MaxPackets int
	// MaxTrackedFlows is how many distinct flows are tracked; later new flows are ignored.
	MaxTrackedFlows int
	// MaxReportedFlows is how many flows (largest first) go into the report.
	MaxReportedFlows int
	// MaxRecords caps DNS, HTTP, TLS and ICMP records each.
	MaxRecords int
}

// DefaultLimits returns the limits the module uses.
func DefaultLimits() Limits {
	return Limits{MaxPackets: 2_000_000, MaxTrackedFlows: 100_000, MaxReportedFlows: 2000, MaxRecords: 5000}
}

type flowKey struct {
	proto            uint8
	src, dst         netip.Addr
	srcPort, dstPort uint16
}

func (k flowKey) reverse() flowKey {
	return flowKey{k.proto, k.dst, k.src, k.dstPort, k.srcPort}
}

type flowState struct {
	key            flowKey
	packets, bytes int64
	first, last    int64
	payloadPackets int64
	order          int
}

type icmpKey struct {
	src, dst  netip.Addr
	typ, code uint8
}

// Traffic accumulates a capture's flows, DNS, HTTP, TLS and ICMP.
type Traffic struct {
	lim       Limits
	Packets   int64
	Truncated bool
	flows     map[flowKey]*flowState
	dns       []*analysisv1.DNSRecord
	dnsIndex  map[string]int
	http      []*analysisv1.HTTPRequest
	httpTimes []int64
	tls       []*analysisv1.TLSHello
	icmp      map[icmpKey]int64
	icmpCount int64
	icmpOrder []icmpKey
	txtByBase map[string]int
	tcp       *reassembly
}

// AnalyzeCapture reads a pcap or pcapng capture within lim.
func AnalyzeCapture(b []byte, lim Limits) (*Traffic, error) {
	t := &Traffic{lim: lim, flows: map[flowKey]*flowState{}, dnsIndex: map[string]int{},
		icmp: map[icmpKey]int64{}, txtByBase: map[string]int{}, tcp: newReassembly()}
	err := ReadCapture(b, func(p Packet) bool {
		if t.Packets >= int64(lim.MaxPackets) {
			t.Truncated = true
			return false
		}
		t.Packets++
		t.packet(p)
		return true
	})
	t.addHTTP(t.tcp.flush())
	if err != nil {
		return t, fmt.Errorf("read capture: %w", err)
	}
	return t, nil
}

// addHTTP records completed request heads.
func (t *Traffic) addHTTP(heads []*httpStream) {
	for _, s := range heads {
		if r, ok := httpRecord(s); ok && len(t.http) < t.lim.MaxRecords {
			t.http = append(t.http, r)
			t.httpTimes = append(t.httpTimes, s.time)
		}
	}
}

func (t *Traffic) packet(p Packet) {
	d, ok := decodePacket(p)
	if !ok {
		return
	}
	size := int64(p.OrigLen)
	if size == 0 {
		size = int64(len(p.Data))
	}
	k := flowKey{d.proto, d.src, d.dst, d.srcPort, d.dstPort}
	f := t.flows[k]
	if f == nil {
		f = t.flows[k.reverse()]
	}
	if f == nil {
		if len(t.flows) >= t.lim.MaxTrackedFlows {
			t.Truncated = true
		} else {
			f = &flowState{key: k, first: p.TimeUS, order: len(t.flows)}
			t.flows[k] = f
		}
	}
	if f != nil {
		f.packets++
		f.bytes += size
		f.last = max(f.last, p.TimeUS)
		if len(d.payload) > 0 {
			f.payloadPackets++
		}
	}
	switch d.proto {
	case protoUDP:
		if d.srcPort == 53 || d.dstPort == 53 || d.srcPort == 5353 || d.dstPort == 5353 {
			t.dnsPacket(d)
		}
	case protoTCP:
		if len(d.payload) == 0 {
			return
		}
		if heads, ok := t.tcp.tcpPayload(k, d, p.TimeUS); ok {
			t.addHTTP(heads)
		} else if h, ok := parseClientHello(d.payload); ok && len(t.tls) < t.lim.MaxRecords {
			t.tls = append(t.tls, &analysisv1.TLSHello{Sni: h.sni, Ja3: h.ja3, Ja3String: h.ja3String,
				DstIp: d.dst.String(), DstPort: uint32(d.dstPort)})
		} else if d.dstPort == 53 && len(d.payload) > 2 {
			t.dnsPacket(decoded{src: d.src, dst: d.dst, dstPort: 53, payload: d.payload[2:]})
		} else {
			t.tcp.keep(k, d)
		}
	case protoICMP, protoICMPv6:
		t.icmpCount++
		ik := icmpKey{d.src, d.dst, d.icmpType, d.icmpCode}
		if _, seen := t.icmp[ik]; !seen && len(t.icmp) >= t.lim.MaxRecords {
			return
		} else if !seen {
			t.icmpOrder = append(t.icmpOrder, ik)
		}
		t.icmp[ik]++
	}
}

func (t *Traffic) dnsPacket(d decoded) {
	info, ok := parseDNS(d.payload)
	if !ok || info.name == "" {
		return
	}
	server := d.dst
	if info.response {
		server = d.src
	}
	key := info.name + "|" + info.qtype
	i, seen := t.dnsIndex[key]
	if !seen {
		if len(t.dns) >= t.lim.MaxRecords {
			t.Truncated = true
			return
		}
		i = len(t.dns)
		t.dnsIndex[key] = i
		t.dns = append(t.dns, &analysisv1.DNSRecord{Name: info.name, Type: info.qtype,
			DgaScore: DGAScore(info.name), ServerIp: server.String()})
		if info.qtype == "TXT" {
			t.txtByBase[registrable(info.name)]++
		}
	}
	r := t.dns[i]
	for _, a := range info.answers {
		if len(r.Answers) < 64 && !slices.Contains(r.Answers, a) {
			r.Answers = append(r.Answers, a)
		}
	}
}

// Details returns the typed section of the report.
func (t *Traffic) Details(format string) *analysisv1.NetworkDetails {
	flows := make([]*flowState, 0, len(t.flows))
	for _, f := range t.flows {
		flows = append(flows, f)
	}
	slices.SortFunc(flows, func(a, b *flowState) int { return cmp.Compare(a.order, b.order) })
	nd := &analysisv1.NetworkDetails{PacketCount: t.Packets, Truncated: t.Truncated, IcmpCount: t.icmpCount,
		CaptureFormat: format, FlowCount: int64(len(t.flows)), Dns: t.dns, Http: t.http, Tls: t.tls}
	if len(flows) > t.lim.MaxReportedFlows {
		nd.Truncated = true
		flows = flows[:t.lim.MaxReportedFlows]
	}
	for _, f := range flows {
		nd.Flows = append(nd.Flows, &analysisv1.Flow{Protocol: protoName(f.key.proto), SrcIp: f.key.src.String(),
			SrcPort: uint32(f.key.srcPort), DstIp: f.key.dst.String(), DstPort: uint32(f.key.dstPort),
			Packets: f.packets, Bytes: f.bytes, StartUs: f.first, DurationUs: f.last - f.first})
	}
	for _, k := range t.icmpOrder {
		nd.Icmp = append(nd.Icmp, &analysisv1.ICMPMessage{SrcIp: k.src.String(), DstIp: k.dst.String(),
			Type: uint32(k.typ), Code: uint32(k.code), Count: t.icmp[k]})
	}
	return nd
}

func protoName(p uint8) string {
	switch p {
	case protoTCP:
		return "tcp"
	case protoUDP:
		return "udp"
	case protoICMP:
		return "icmp"
	case protoICMPv6:
		return "icmpv6"
	}
	return strconv.Itoa(int(p))
}

// registrable returns the eTLD+1 of name, or name itself.
func registrable(name string) string {
	if r, err := publicsuffix.EffectiveTLDPlusOne(name); err == nil {
		return r
	}
	return name
}

// IOCs returns the indicators seen in traffic: queried domains and their answers, HTTP URLs,
// hosts and user agents, TLS server names, and public destination addresses.
func (t *Traffic) IOCs() []IOC {
	var out []IOC
	seen := map[string]bool{}
	add := func(typ analysisv1.IOCType, v string) {
		if v == "" || seen[typ.String()+v] {
			return
		}
		seen[typ.String()+v] = true
		ioc := IOC{Type: typ, Value: v, Offset: -1}
		if a, err := netip.ParseAddr(v); err == nil {
			ioc.Reserved = reservedAddr(a)
		}
		out = append(out, ioc)
	}
	host := func(h string) {
		if a, err := netip.ParseAddr(h); err == nil {
			add(ipType(a), a.String())
		} else if validDomain(strings.ToLower(h), true) {
			add(analysisv1.IOCType_IOC_TYPE_DOMAIN, strings.ToLower(h))
		}
	}
	for _, r := range t.dns {
		if !strings.HasSuffix(r.Name, ".local") && !strings.HasSuffix(r.Name, ".arpa") {
			host(r.Name)
		}
		for _, a := range r.Answers {
			if ip, err := netip.ParseAddr(a); err == nil {
				add(ipType(ip), ip.String())
			}
		}
	}
	for _, h := range t.http {
		hn := h.Host
		if hn == "" {
			hn = h.DstIp
		}
		hostOnly := hn
		if k := strings.LastIndexByte(hostOnly, ':'); k > 0 && !strings.Contains(hostOnly[:k], ":") {
			hostOnly = hostOnly[:k]
		}
		host(hostOnly)
		if strings.HasPrefix(h.Uri, "/") {
			add(analysisv1.IOCType_IOC_TYPE_URL, "http://"+hn+h.Uri)
		} else if strings.Contains(h.Uri, "://") {
			add(analysisv1.IOCType_IOC_TYPE_URL, h.Uri)
		}
		add(analysisv1.IOCType_IOC_TYPE_USER_AGENT, h.UserAgent)
	}
	for _, h := range t.tls {
		host(h.Sni)
	}
	dsts := map[netip.Addr]bool{}
	for _, f := range t.flows {
		if f.key.proto == protoTCP || f.key.proto == protoUDP {
			dsts[f.key.dst] = true
		}
	}
	for a := range dsts {
		if !reservedAddr(a) {
			add(ipType(a), a.String())
		}
	}
	slices.SortStableFunc(out, func(a, b IOC) int { return cmp.Compare(a.Type, b.Type) })
	return out
}

func ipType(a netip.Addr) analysisv1.IOCType {
	if a.Is4() || a.Is4In6() {
		return analysisv1.IOCType_IOC_TYPE_IPV4
	}
	return analysisv1.IOCType_IOC_TYPE_IPV6
}

// DGAScore rates how machine-generated a domain name looks, 0 to 1. It scores the label left
// of the public suffix (the part an algorithm generates) on four features, each mapped to 0..1:
// Shannon entropy per character (3.0 bits → 0, 4.0 → 1), the share of character bigrams that
// are rare in English host names, digit ratio mixed with letters, and the longest consonant run
// (3 → 0, 6 → 1). The score is their weighted mean (0.35, 0.35, 0.1, 0.2); labels under 8
// characters score at most 0.3 because short names are too few characters to judge.
func DGAScore(name string) float64 {
	reg := registrable(name)
	label := reg
	if k := strings.IndexByte(reg, '.'); k > 0 {
		label = reg[:k]
	}
	if len(label) < 4 {
		return 0
	}
	ent := entropy(label)
	entF := clamp01((ent - 3.0) / 1.0)
	rare, pairs := 0, 0
	digits, letters, run, longest := 0, 0, 0, 0
	for i := 0; i < len(label); i++ {
		c := label[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			run = 0
		case c >= 'a' && c <= 'z':
			letters++
			if strings.IndexByte("aeiouy", c) < 0 {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		default:
			run = 0
		}
		if i > 0 && isAlpha(label[i-1]) && isAlpha(c) {
			pairs++
			if !commonBigram(label[i-1], c) {
				rare++
			}
		}
	}
	rareF := 0.0
	if pairs > 0 {
		rareF = clamp01((float64(rare)/float64(pairs) - 0.2) / 0.5)
	}
	digitF := 0.0
	if digits > 0 && letters > 0 {
		digitF = clamp01(float64(digits) / float64(len(label)) * 3)
	}
	runF := clamp01(float64(longest-3) / 3)
	score := 0.35*entF + 0.35*rareF + 0.1*digitF + 0.2*runF
	if len(label) < 8 {
		score = math.Min(score, 0.3)
	}
	return math.Round(score*1000) / 1000
}

// commonBigrams are the letter pairs frequent in English words and brand names. The table is
// built from the most frequent English bigrams; anything else counts as rare.
const commonBigrams = "th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di fo ho pe ec pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa ge ie wh ee wi em ad ol rt po we na ul ni ts mo ow pa im mi ai sh ir su id os iv ia am fi ci vi pl ig tu ev ld ry mp fe bl ab gh ty op wo sa ay ex ke fr oo av ag if ap gr od bo sp rd do uc bu ei ov by rm ep tt oc fa ef cu rn sc gi da yo cr cl du ga qu ue ff ba ey ls va um pp ua up lu go ht ru ug ds lt pi rc rr eg au ck ew mu br bi pt ak pu ui rg ib tl ny ki rk ys ob mm fu ph og ms ye ud mb ip ub oi rl gu dr hr cc tw ft wn nu af hu nn eo vo rv nf xp gn sm fl iz ok nl my gl aw ju oa eq sy sl ps jo lf nv je nk kn gs dy hy ze ks xt bs ik dd cy rp sk xi"

func commonBigram(a, b byte) bool {
	pair := string([]byte{a | 0x20, b | 0x20})
	return strings.Contains(commonBigrams, pair)
}

func entropy(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	h := 0.0
	n := float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }
