package network

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
)

// IP protocol numbers.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
)

// decoded is one packet's network and transport view.
type decoded struct {
	src, dst         netip.Addr
	proto            uint8
	srcPort, dstPort uint16
	tcpFlags         uint8
	tcpSeq           uint32
	payload          []byte
	icmpType         uint8
	icmpCode         uint8
}

// decodePacket peels link, network and transport headers. ok is false for anything that is not
// IPv4/IPv6 or is too short.
func decodePacket(p Packet) (d decoded, ok bool) {
	b := p.Data
	var ethType uint16
	switch p.LinkType {
	case linkEthernet:
		if len(b) < 14 {
			return d, false
		}
		ethType, b = binary.BigEndian.Uint16(b[12:]), b[14:]
		for i := 0; i < 2 && (ethType == 0x8100 || ethType == 0x88a8) && len(b) >= 4; i++ {
			ethType, b = binary.BigEndian.Uint16(b[2:]), b[4:]
		}
	case linkSLL:
		if len(b) < 16 {
			return d, false
		}
		ethType, b = binary.BigEndian.Uint16(b[14:]), b[16:]
	case linkSLL2:
		if len(b) < 20 {
			return d, false
		}
		ethType, b = binary.BigEndian.Uint16(b), b[20:]
	case linkNull, linkLoop:
		if len(b) < 4 {
			return d, false
		}
		b = b[4:]
		ethType = ipVersionType(b)
	case linkRaw, linkRawAlt, 14, linkIPv4, linkIPv6:
		ethType = ipVersionType(b)
	default:
		return d, false
	}
	switch ethType {
	case 0x0800:
		return decodeIPv4(b)
	case 0x86dd:
		return decodeIPv6(b)
	}
	return d, false
}

func ipVersionType(b []byte) uint16 {
	if len(b) == 0 {
		return 0
	}
	switch b[0] >> 4 {
	case 4:
		return 0x0800
	case 6:
		return 0x86dd
	}
	return 0
}

func decodeIPv4(b []byte) (d decoded, ok bool) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return d, false
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:]))
	if ihl < 20 || len(b) < ihl {
		return d, false
	}
	if total >= ihl && total < len(b) {
		b = b[:total] // drop Ethernet padding
	}
	d.src = netip.AddrFrom4([4]byte(b[12:16]))
	d.dst = netip.AddrFrom4([4]byte(b[16:20]))
	d.proto = b[9]
	if binary.BigEndian.Uint16(b[6:])&0x1fff != 0 {
		// A non-first fragment carries no transport header.
		return d, true
	}
	return decodeTransport(d, b[ihl:])
}

func decodeIPv6(b []byte) (d decoded, ok bool) {
	if len(b) < 40 || b[0]>>4 != 6 {
		return d, false
	}
	plen := int(binary.BigEndian.Uint16(b[4:]))
	d.src = netip.AddrFrom16([16]byte(b[8:24]))
	d.dst = netip.AddrFrom16([16]byte(b[24:40]))
	next := b[6]
	b = b[40:]
	if plen <= len(b) {
		b = b[:plen]
	}
	for i := 0; i < 8; i++ {
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(b) < 8 {
				return d, false
			}
			l := (int(b[1]) + 1) * 8
			if l > len(b) {
				return d, false
			}
			next, b = b[0], b[l:]
			continue
		case 44: // fragment
			if len(b) < 8 {
				return d, false
			}
			if binary.BigEndian.Uint16(b[2:])&0xfff8 != 0 {
				d.proto = b[0]
				return d, true
			}
			next, b = b[0], b[8:]
			continue
		}
		break
	}
	d.proto = next
	return decodeTransport(d, b)
}

func decodeTransport(d decoded, b []byte) (decoded, bool) {
	switch d.proto {
	case protoTCP:
		if len(b) < 20 {
			return d, true
		}
		d.srcPort, d.dstPort = binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
		off := int(b[12]>>4) * 4
		d.tcpFlags = b[13]
		d.tcpSeq = binary.BigEndian.Uint32(b[4:])
		if off >= 20 && off <= len(b) {
			d.payload = b[off:]
		}
	case protoUDP:
		if len(b) < 8 {
			return d, true
		}
		d.srcPort, d.dstPort = binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
		d.payload = b[8:]
	case protoICMP, protoICMPv6:
		if len(b) < 4 {
			return d, true
		}
		d.icmpType, d.icmpCode = b[0], b[1]
	}
	return d, true
}

// dnsQuestion is one parsed DNS message's interesting parts.
type dnsInfo struct {
	id       uint16
	response bool
	name     string
	qtype    string
	answers  []string
}

func parseDNS(b []byte) (dnsInfo, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(b)
	if err != nil {
		return dnsInfo{}, false
	}
	q, err := p.Question()
	if err != nil {
		return dnsInfo{}, false
	}
	info := dnsInfo{id: h.ID, response: h.Response, name: strings.TrimSuffix(strings.ToLower(q.Name.String()), "."),
		qtype: strings.TrimPrefix(q.Type.String(), "Type")}
	if !h.Response {
		return info, true
	}
	if err := p.SkipAllQuestions(); err != nil {
		return info, true
	}
	for i := 0; i < 64; i++ {
		rh, err := p.AnswerHeader()
		if err != nil {
			break
		}
		switch rh.Type {
		case dnsmessage.TypeA:
			r, err := p.AResource()
			if err != nil {
				return info, true
			}
			info.answers = append(info.answers, netip.AddrFrom4(r.A).String())
		case dnsmessage.TypeAAAA:
			r, err := p.AAAAResource()
			if err != nil {
				return info, true
			}
			info.answers = append(info.answers, netip.AddrFrom16(r.AAAA).String())
		case dnsmessage.TypeCNAME:
			r, err := p.CNAMEResource()
			if err != nil {
				return info, true
			}
			info.answers = append(info.answers, strings.TrimSuffix(r.CNAME.String(), "."))
		case dnsmessage.TypeTXT:
			r, err := p.TXTResource()
			if err != nil {
				return info, true
			}
			info.answers = append(info.answers, strings.Join(r.TXT, ""))
		default:
			if err := p.SkipAnswer(); err != nil {
				return info, true
			}
		}
	}
	return info, true
}

// httpInfo is a parsed HTTP request head.
type httpInfo struct {
	method, uri, host, userAgent string
}

var httpMethods = []string{"GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT "}

// parseHTTPRequest reads a request line and headers from a request head; heads split over TCP
// segments are put together first (stream.go).
func parseHTTPRequest(b []byte) (httpInfo, bool) {
	if len(b) < 14 {
		return httpInfo{}, false
	}
	var method string
	for _, m := range httpMethods {
		if bytes.HasPrefix(b, []byte(m)) {
			method = m[:len(m)-1]
			break
		}
	}
	if method == "" {
		return httpInfo{}, false
	}
	head := b
	if k := bytes.Index(b, []byte("\r\n\r\n")); k >= 0 {
		head = b[:k]
	}
	lines := strings.Split(string(head), "\r\n")
	parts := strings.Fields(lines[0])
	if len(parts) != 3 || !strings.HasPrefix(parts[2], "HTTP/") {
		return httpInfo{}, false
	}
	h := httpInfo{method: method, uri: parts[1]}
	for _, l := range lines[1:] {
		k := strings.IndexByte(l, ':')
		if k <= 0 {
			continue
		}
		v := strings.TrimSpace(l[k+1:])
		switch strings.ToLower(l[:k]) {
		case "host":
			h.host = v
		case "user-agent":
			h.userAgent = v
		}
	}
	return h, true
}

// helloInfo is a parsed TLS ClientHello.
type helloInfo struct {
	sni       string
	ja3String string
	ja3       string
}

// isGREASE reports the RFC 8701 reserved values that JA3 ignores.
func isGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

// parseClientHello parses a TLS record holding a ClientHello, computing SNI and JA3
// (version,ciphers,extensions,groups,point formats; GREASE removed; MD5 of the string).
func parseClientHello(b []byte) (helloInfo, bool) {
	if len(b) < 9 || b[0] != 0x16 || b[1] != 3 || b[5] != 1 {
		return helloInfo{}, false
	}
	b = b[5:]
	hl := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	b = b[4:]
	if hl < len(b) {
		b = b[:hl]
	}
	r := reader{b: b}
	version := r.u16()
	r.skip(32)
	r.skip(int(r.u8()))
	var ciphers, exts, groups, formats []string
	cl := int(r.u16())
	cs := reader{b: r.bytes(cl)}
	for len(cs.b) >= 2 {
		if v := cs.u16(); !isGREASE(v) {
			ciphers = append(ciphers, strconv.Itoa(int(v)))
		}
	}
	r.skip(int(r.u8()))
	if r.bad {
		return helloInfo{}, false
	}
	var h helloInfo
	el := int(r.u16())
	er := reader{b: r.bytes(el)}
	for len(er.b) >= 4 && !er.bad {
		typ, l := er.u16(), int(er.u16())
		data := reader{b: er.bytes(l)}
		if !isGREASE(typ) {
			exts = append(exts, strconv.Itoa(int(typ)))
		}
		switch typ {
		case 0:
			data.skip(2)
			for len(data.b) >= 3 && !data.bad {
				nt, nl := data.u8(), int(data.u16())
				name := data.bytes(nl)
				if nt == 0 && h.sni == "" && !data.bad {
					h.sni = strings.ToLower(string(name))
				}
			}
		case 10:
			gl := int(data.u16())
			gr := reader{b: data.bytes(gl)}
			for len(gr.b) >= 2 {
				if v := gr.u16(); !isGREASE(v) {
					groups = append(groups, strconv.Itoa(int(v)))
				}
			}
		case 11:
			fl := int(data.u8())
			for _, f := range data.bytes(fl) {
				formats = append(formats, strconv.Itoa(int(f)))
			}
		}
	}
	h.ja3String = strconv.Itoa(int(version)) + "," + strings.Join(ciphers, "-") + "," + strings.Join(exts, "-") +
		"," + strings.Join(groups, "-") + "," + strings.Join(formats, "-")
	sum := md5.Sum([]byte(h.ja3String))
	h.ja3 = hex.EncodeToString(sum[:])
	return h, true
}

// reader is a bounds-checked big-endian cursor; reads past the end set bad and return zeros.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) u8() uint8 {
	if len(r.b) < 1 {
		r.bad = true
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) u16() uint16 {
	if len(r.b) < 2 {
		r.bad = true
		r.b = nil
		return 0
	}
	v := binary.BigEndian.Uint16(r.b)
	r.b = r.b[2:]
	return v
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.bad = true
		v := r.b
		r.b = nil
		return v
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) skip(n int) { r.bytes(n) }
