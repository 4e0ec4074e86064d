// Package network is the network analyzer: it extracts indicators of compromise (URLs,
// domains, addresses, hashes, wallets, paths, registry keys, user agents) from any content,
// refanging defanged forms, and parses pcap and pcapng captures into flows, DNS, HTTP, TLS and
// ICMP records with heuristic findings (DGA names, tunnelling, beaconing, scans, odd ports).
package network

import (
	"fmt"
	"net/netip"
	"strings"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// Name is the module name.
const Name = "network"

// Version is the module version; bump it when results change.
const Version = "1.1.0"

// Module is the network analyzer.
type Module struct {
	extract ExtractLimits
	capture Limits
	// extractIOCs is Extract; a test runs the plain reference extraction through Analyze
	// instead and compares whole reports.
	extractIOCs func([]byte, ExtractLimits) []IOC
}

// New returns the module with its default limits.
func New() *Module {
	return &Module{extract: DefaultExtractLimits(), capture: DefaultLimits(), extractIOCs: Extract}
}

// Info describes the module. It accepts every file type: indicators hide anywhere.
func (m *Module) Info() *modulev1.ModuleInfo {
	return &modulev1.ModuleInfo{Name: Name, Version: Version,
		Description: "IOC extraction with defang handling; pcap/pcapng flows, DNS, HTTP, TLS SNI/JA3, ICMP and traffic heuristics"}
}

// Analyze extracts indicators and, for captures, traffic details and findings.
func (m *Module) Analyze(req *modulev1.AnalyzeRequest) (*modulev1.AnalyzeResponse, error) {
	resp := &modulev1.AnalyzeResponse{}
	content := req.GetContent()
	if format := CaptureFormat(content); format != "" {
		t, err := AnalyzeCapture(content, m.capture)
		if err != nil {
			resp.Notes = append(resp.Notes, err.Error())
		}
		if t.Truncated {
			resp.Notes = append(resp.Notes, fmt.Sprintf("capture caps reached: %d packets read, %d flows tracked", t.Packets, len(t.flows)))
		}
		resp.Details = &analysisv1.Details{Network: t.Details(format)}
		resp.Findings = t.Findings()
		resp.Iocs = toProto(t.IOCs(), "pcap")
		return resp, nil
	}
	iocs := m.extractIOCs(content, m.extract)
	if len(iocs) >= m.extract.MaxIOCs {
		resp.Notes = append(resp.Notes, fmt.Sprintf("IOC cap of %d reached", m.extract.MaxIOCs))
	}
	resp.Iocs = toProto(iocs, "content")
	resp.Findings = contentFindings(iocs)
	return resp, nil
}

func toProto(iocs []IOC, source string) []*analysisv1.IOC {
	out := make([]*analysisv1.IOC, 0, len(iocs))
	for _, i := range iocs {
		out = append(out, &analysisv1.IOC{Type: i.Type, Value: i.Value, Module: Name, Offset: i.Offset,
			Defanged: i.Defanged, ReservedRange: i.Reserved, Source: source})
	}
	return out
}

// contentFindings reports indicator kinds that matter on their own.
func contentFindings(iocs []IOC) []*analysisv1.Finding {
	var wallets, defanged, rawURLs []string
	for _, i := range iocs {
		switch i.Type {
		case analysisv1.IOCType_IOC_TYPE_BTC_ADDRESS, analysisv1.IOCType_IOC_TYPE_ETH_ADDRESS, analysisv1.IOCType_IOC_TYPE_XMR_ADDRESS:
			wallets = append(wallets, i.Value)
		case analysisv1.IOCType_IOC_TYPE_URL:
			if i.Defanged {
				defanged = append(defanged, i.Value)
			}
		case analysisv1.IOCType_IOC_TYPE_IPV4, analysisv1.IOCType_IOC_TYPE_IPV6:
		}
	}
	for _, i := range iocs {
		if i.Type == analysisv1.IOCType_IOC_TYPE_URL && !i.Reserved && urlHostIsIP(i.Value) {
			rawURLs = append(rawURLs, i.Value)
		}
	}
	var out []*analysisv1.Finding
	if len(wallets) > 0 {
		out = append(out, finding("network.crypto_wallet", "Cryptocurrency wallet address", analysisv1.Severity_SEVERITY_MEDIUM, 200,
			[]string{"T1496"}, summarize(wallets), "checksum-valid BTC, ETH or XMR addresses appear in ransom notes and miners"))
	}
	if len(rawURLs) > 0 {
		out = append(out, finding("network.url_raw_ip", "URL with a public IP address as host", analysisv1.Severity_SEVERITY_LOW, 120,
			[]string{"T1105"}, summarize(rawURLs), "payload URLs that skip DNS are common in droppers"))
	}
	if len(defanged) > 0 {
		out = append(out, finding("network.defanged_url", "Defanged URL", analysisv1.Severity_SEVERITY_INFO, 0,
			nil, summarize(defanged), "defanged URLs are written by analysts, so they indicate a report or a sample shared about one, not behaviour"))
	}
	return out
}

func urlHostIsIP(u string) bool {
	rest := u[strings.Index(u, "://")+3:]
	if k := strings.IndexAny(rest, "/?#"); k >= 0 {
		rest = rest[:k]
	}
	if k := strings.LastIndexByte(rest, ':'); k > 0 && !strings.HasSuffix(rest, "]") {
		rest = rest[:k]
	}
	_, err := netip.ParseAddr(strings.Trim(rest, "[]"))
	return err == nil
}
