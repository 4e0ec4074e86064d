package network

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

// Heuristic thresholds, documented in docs/benchmarks.md and the finding reasons.
const (
	dgaThreshold          = 0.6
	beaconMinConnections  = 5
	beaconMaxJitter       = 0.15 // coefficient of variation of the intervals
	scanMinPorts          = 20
	scanMinHosts          = 20
	tunnelLabelLen        = 40
	tunnelMinSubdomains   = 30
	tunnelMinTXT          = 20
	maxFindingsPerFamily  = 20
	maxEvidenceItemsShown = 5
)

var httpPorts = map[uint32]bool{80: true, 8080: true, 8000: true, 8008: true, 3128: true, 8888: true, 81: true}
var tlsPorts = map[uint32]bool{443: true, 8443: true, 993: true, 995: true, 465: true, 636: true, 853: true,
	5061: true, 990: true, 989: true, 563: true, 5223: true}

func finding(id, title string, sev analysisv1.Severity, score int32, attack []string, evidence, reason string) *analysisv1.Finding {
	return &analysisv1.Finding{Module: Name, Id: id, Title: title, Severity: sev, Score: score,
		AttackTechniques: attack, Evidence: evidence, Offset: -1, Reason: reason}
}

// Findings runs the traffic heuristics.
func (t *Traffic) Findings() []*analysisv1.Finding {
	var out []*analysisv1.Finding
	out = append(out, t.dgaFindings()...)
	out = append(out, t.tunnelFindings()...)
	out = append(out, t.beaconFindings()...)
	out = append(out, t.scanFindings()...)
	out = append(out, t.portFindings()...)
	return out
}

func (t *Traffic) dgaFindings() []*analysisv1.Finding {
	var names []string
	for _, r := range t.dns {
		if r.DgaScore >= dgaThreshold {
			names = append(names, fmt.Sprintf("%s (%.2f)", r.Name, r.DgaScore))
		}
	}
	if len(names) == 0 {
		return nil
	}
	sev, score := analysisv1.Severity_SEVERITY_MEDIUM, int32(250)
	if len(names) >= 5 {
		sev, score = analysisv1.Severity_SEVERITY_HIGH, 450
	}
	return []*analysisv1.Finding{finding("network.dga_domain", "DNS queries for algorithmically generated-looking names",
		sev, score, []string{"T1568.002"}, summarize(names),
		fmt.Sprintf("%d queried names score >= %.2f on the DGA score (entropy, rare bigrams, digits, consonant runs); five or more raise the severity", len(names), dgaThreshold))}
}

func (t *Traffic) tunnelFindings() []*analysisv1.Finding {
	var long []string
	subs := map[string]map[string]bool{}
	for _, r := range t.dns {
		for _, l := range strings.Split(r.Name, ".") {
			if len(l) >= tunnelLabelLen && entropy(l) > 3.5 {
				long = append(long, r.Name)
				break
			}
		}
		base := registrable(r.Name)
		if subs[base] == nil {
			subs[base] = map[string]bool{}
		}
		if len(subs[base]) < 10_000 {
			subs[base][r.Name] = true
		}
	}
	var many []string
	for base, s := range subs {
		if len(s) >= tunnelMinSubdomains {
			many = append(many, fmt.Sprintf("%s: %d names", base, len(s)))
		}
	}
	for base, n := range t.txtByBase {
		if n >= tunnelMinTXT {
			many = append(many, fmt.Sprintf("%s: %d TXT queries", base, n))
		}
	}
	slices.Sort(many)
	if len(long) == 0 && len(many) == 0 {
		return nil
	}
	ev := append(long, many...)
	return []*analysisv1.Finding{finding("network.dns_tunnel", "DNS traffic shaped like a tunnel",
		analysisv1.Severity_SEVERITY_HIGH, 500, []string{"T1071.004", "T1048"}, summarize(ev),
		fmt.Sprintf("%d names carry a label of >= %d high-entropy characters; %d domains have >= %d distinct names or >= %d TXT queries",
			len(long), tunnelLabelLen, len(many), tunnelMinSubdomains, tunnelMinTXT))}
}

func (t *Traffic) beaconFindings() []*analysisv1.Finding {
	type dest struct {
		proto uint8
		src   netip.Addr
		dst   netip.Addr
		port  uint16
	}
	starts := map[dest][]int64{}
	for _, f := range t.flows {
		if f.key.proto != protoTCP && f.key.proto != protoUDP {
			continue
		}
		d := dest{f.key.proto, f.key.src, f.key.dst, f.key.dstPort}
		starts[d] = append(starts[d], f.first)
	}
	var out []*analysisv1.Finding
	keys := make([]dest, 0, len(starts))
	for d := range starts {
		keys = append(keys, d)
	}
	slices.SortFunc(keys, func(a, b dest) int {
		return cmp.Or(a.dst.Compare(b.dst), cmp.Compare(a.port, b.port), a.src.Compare(b.src))
	})
	for _, d := range keys {
		ts := starts[d]
		if len(ts) < beaconMinConnections || len(out) >= maxFindingsPerFamily {
			continue
		}
		slices.Sort(ts)
		mean, cv := intervalStats(ts)
		if mean < 1_000_000 || cv > beaconMaxJitter {
			continue
		}
		out = append(out, finding("network.beaconing", "Regular connections to one destination (beaconing)",
			analysisv1.Severity_SEVERITY_MEDIUM, 300, []string{"T1071", "T1029"},
			fmt.Sprintf("%s -> %s:%d/%s: %d connections every %.1fs (jitter %.0f%%)", d.src, d.dst, d.port, protoName(d.proto),
				len(ts), mean/1e6, cv*100),
			fmt.Sprintf(">= %d connections whose start intervals (>= 1 s apart) vary by <= %.0f%% (coefficient of variation)",
				beaconMinConnections, beaconMaxJitter*100)))
	}
	return out
}

// intervalStats returns the mean interval in microseconds and its coefficient of variation.
func intervalStats(ts []int64) (mean, cv float64) {
	n := float64(len(ts) - 1)
	for i := 1; i < len(ts); i++ {
		mean += float64(ts[i] - ts[i-1])
	}
	mean /= n
	if mean == 0 {
		return 0, math.Inf(1)
	}
	var v float64
	for i := 1; i < len(ts); i++ {
		d := float64(ts[i]-ts[i-1]) - mean
		v += d * d
	}
	return mean, math.Sqrt(v/n) / mean
}

func (t *Traffic) scanFindings() []*analysisv1.Finding {
	type pair struct{ src, dst netip.Addr }
	type srcPort struct {
		src  netip.Addr
		port uint16
	}
	ports := map[pair]map[uint16]bool{}
	hosts := map[srcPort]map[netip.Addr]bool{}
	for _, f := range t.flows {
		// A probe is a flow that never carried payload.
		if f.key.proto != protoTCP || f.payloadPackets > 0 {
			continue
		}
		p := pair{f.key.src, f.key.dst}
		if ports[p] == nil {
			ports[p] = map[uint16]bool{}
		}
		ports[p][f.key.dstPort] = true
		sp := srcPort{f.key.src, f.key.dstPort}
		if hosts[sp] == nil {
			hosts[sp] = map[netip.Addr]bool{}
		}
		hosts[sp][f.key.dst] = true
	}
	var ev []string
	for p, s := range ports {
		if len(s) >= scanMinPorts {
			ev = append(ev, fmt.Sprintf("vertical: %s probed %d ports on %s", p.src, len(s), p.dst))
		}
	}
	for sp, s := range hosts {
		if len(s) >= scanMinHosts {
			ev = append(ev, fmt.Sprintf("horizontal: %s probed port %d on %d hosts", sp.src, sp.port, len(s)))
		}
	}
	if len(ev) == 0 {
		return nil
	}
	slices.Sort(ev)
	return []*analysisv1.Finding{finding("network.port_scan", "Port scan", analysisv1.Severity_SEVERITY_MEDIUM, 350,
		[]string{"T1046"}, summarize(ev),
		fmt.Sprintf("TCP flows without payload from one source to >= %d ports of a host or one port on >= %d hosts", scanMinPorts, scanMinHosts))}
}

func (t *Traffic) portFindings() []*analysisv1.Finding {
	var out []*analysisv1.Finding
	var odd, raw []string
	for _, h := range t.http {
		if !httpPorts[h.DstPort] {
			odd = append(odd, fmt.Sprintf("HTTP %s %s on %s:%d", h.Method, h.Host, h.DstIp, h.DstPort))
		}
		host := h.Host
		if k := strings.LastIndexByte(host, ':'); k > 0 && !strings.Contains(host[:k], ":") {
			host = host[:k]
		}
		if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil && !reservedAddr(a) || host == "" {
			raw = append(raw, fmt.Sprintf("HTTP %s %s to %s", h.Method, h.Uri, h.DstIp))
		}
	}
	for _, h := range t.tls {
		if !tlsPorts[h.DstPort] {
			odd = append(odd, fmt.Sprintf("TLS to %s:%d (sni %q)", h.DstIp, h.DstPort, h.Sni))
		}
		if a, err := netip.ParseAddr(h.DstIp); h.Sni == "" && err == nil && !reservedAddr(a) {
			raw = append(raw, fmt.Sprintf("TLS without SNI to %s:%d", h.DstIp, h.DstPort))
		}
	}
	if len(odd) > 0 {
		out = append(out, finding("network.nonstandard_port", "HTTP or TLS on a non-standard port",
			analysisv1.Severity_SEVERITY_LOW, 150, []string{"T1571"}, summarize(odd),
			"HTTP requests or TLS ClientHellos to ports outside the usual ones for the protocol"))
	}
	if len(raw) > 0 {
		out = append(out, finding("network.raw_ip", "Traffic to a raw IP address without a host name",
			analysisv1.Severity_SEVERITY_LOW, 150, []string{"T1071.001"}, summarize(raw),
			"HTTP whose Host is a public IP literal (or missing), or TLS without SNI to a public address: no DNS name was used"))
	}
	return out
}

func summarize(items []string) string {
	if len(items) <= maxEvidenceItemsShown {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:maxEvidenceItemsShown], "; ") + fmt.Sprintf("; and %d more", len(items)-maxEvidenceItemsShown)
}
