package cryptoscan

import (
	"fmt"
	"strings"
	"time"

	"github.com/athena-mesh/athena/wasm-modules/guest"
	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

const (
	// Name is the module name the host and the reports use.
	Name = "crypto"
	// Version is bumped whenever output for the same input can change.
	Version = "1.3.1"

	// highEntropy is the whole-file entropy above which a sample looks packed or encrypted.
	highEntropy = 7.2
	// highEntropyMinSize keeps tiny samples, whose entropy estimate is noisy, out of that finding.
	highEntropyMinSize = 4096
	// maxEvidence caps the values quoted in one finding's evidence.
	maxEvidence = 3
)

// Module is the crypto analyzer.
type Module struct {
	constants *ConstantScanner
	filter    *sampleFilter
	emit      func(*modulev1.AnalyzeResponse)
	scan      scans
}

// scans are the scans Analyze runs over the whole sample. They are fields so that a test can
// run the plain reference versions through the same Analyze and compare whole reports. The
// constants, keys and miners scans get the shared filter's candidates (the references ignore them).
type scans struct {
	entropies func([]byte) (float64, []float64, int)
	constants func([]byte, *candidates) []ConstantMatch
	keys      func([]byte, *candidates) []Key
	miners    func([]byte, *candidates) []MinerIndicator
}

// Option configures a Module.
type Option func(*Module)

// WithEmit streams the hashes to the host as soon as they are computed, before the slower
// scans, so that a deadline hit later still leaves them in the report. The wasip1 shim passes
// guest.Emit.
func WithEmit(emit func(*modulev1.AnalyzeResponse)) Option {
	return func(m *Module) { m.emit = emit }
}

// New returns the crypto analyzer.
func New(opts ...Option) *Module {
	m := &Module{constants: NewConstantScanner()}
	m.filter = newSampleFilter(m.constants)
	m.scan = scans{
		entropies: entropies,
		constants: func(data []byte, c *candidates) []ConstantMatch { return m.constants.match(data, c.constants) },
		keys:      func(data []byte, c *candidates) []Key { return findKeys(data, &c.keys) },
		miners:    func(data []byte, c *candidates) []MinerIndicator { return findMinerIndicators(data, c.words) },
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Info describes the module: it accepts every file type.
func (*Module) Info() *modulev1.ModuleInfo {
	return &modulev1.ModuleInfo{
		Name:        Name,
		Version:     Version,
		Description: "hashes (md5, sha1, sha256, sha512, ssdeep, TLSH), entropy profile, crypto constants, embedded keys and certificates, cryptominer indicators",
		// The digests Analyze asks the host for over the whole sample, in the order it asks
		// (the SHA-256 comes with the orchestrator's options).
		SampleDigests: []uint32{uint32(guest.MD5), uint32(guest.SHA1), uint32(guest.SHA512), uint32(guest.SSDeep), uint32(guest.TLSH)},
	}
}

// Analyze fingerprints one sample.
func (m *Module) Analyze(req *modulev1.AnalyzeRequest) (*modulev1.AnalyzeResponse, error) {
	data := req.GetContent()
	d := HashWith(data, req.GetOptions())
	entropy, profile, window := m.scan.entropies(data)
	details := &analysisv1.CryptoDetails{
		Md5:     d.MD5,
		Sha1:    d.SHA1,
		Sha256:  d.SHA256,
		Sha512:  d.SHA512,
		Ssdeep:  d.SSDeep,
		Tlsh:    d.TLSH,
		Entropy: entropy,
	}
	if m.emit != nil {
		// Only scalar fields: the host merges fragments into the final response, and repeated
		// fields sent twice would be duplicated.
		m.emit(&modulev1.AnalyzeResponse{Details: &analysisv1.Details{Crypto: &analysisv1.CryptoDetails{
			Md5: d.MD5, Sha1: d.SHA1, Sha256: d.SHA256, Sha512: d.SHA512, Ssdeep: d.SSDeep, Tlsh: d.TLSH,
			Entropy: details.Entropy,
		}}})
	}
	details.EntropyProfile, details.EntropyWindow = profile, int64(window)

	resp := &modulev1.AnalyzeResponse{Details: &analysisv1.Details{Crypto: details}}
	if details.Entropy > highEntropy && len(data) >= highEntropyMinSize {
		resp.Findings = append(resp.Findings, &analysisv1.Finding{
			Module:           Name,
			Id:               "crypto.high_entropy",
			Title:            "Whole file has near-random entropy",
			Severity:         analysisv1.Severity_SEVERITY_LOW,
			Score:            100,
			AttackTechniques: []string{"T1027"},
			Evidence:         fmt.Sprintf("entropy %.3f bits/byte over %d bytes", details.Entropy, len(data)),
			Offset:           -1,
			Reason:           "compressed, packed or encrypted content hides code from static analysis; benign archives look the same, so it weighs little",
		})
	}
	// The scans run one after another between deadline checks: inside the guest nothing can
	// interrupt a running scan, so the check is the only way to stop early with what is done.
	deadline := req.GetDeadlineUnixMs()
	var found *candidates // the shared filter's one pass, made by the first scan that needs it
	probe := func() *candidates {
		if found == nil {
			found = m.filter.probe(data)
		}
		return found
	}
	for _, phase := range []struct {
		name string
		run  func()
	}{
		{"constants", func() { m.addConstants(resp, details, m.scan.constants(data, probe())) }},
		{"keys", func() { addKeys(resp, details, m.scan.keys(data, probe())) }},
		{"miners", func() { addMiners(resp, details, m.scan.miners(data, probe())) }},
	} {
		if deadline > 0 && time.Now().UnixMilli() >= deadline {
			resp.Notes = append(resp.Notes, fmt.Sprintf("crypto: deadline reached before the %s scan; later scans skipped", phase.name))
			break
		}
		phase.run()
	}
	return resp, nil
}

// constantRule says how a kind of constant is scored.
type constantRule struct {
	severity analysisv1.Severity
	score    int32
	attack   []string
	reason   string
}

func ruleFor(c ConstantMatch) constantRule {
	switch {
	case c.ID == "crypto.rc4_ksa":
		return constantRule{analysisv1.Severity_SEVERITY_LOW, 80, []string{"T1027"},
			"RC4 is the cipher malware most often uses to hide strings, configuration and payloads; rare in modern benign code"}
	case c.ID == "crypto.tea_delta":
		return constantRule{analysisv1.Severity_SEVERITY_INFO, 10, []string{"T1027"},
			"the TEA delta is also the golden-ratio constant of many hash functions, so it is weak evidence on its own"}
	case strings.HasPrefix(c.ID, "crypto.blowfish"):
		return constantRule{analysisv1.Severity_SEVERITY_LOW, 50, []string{"T1027"},
			"a bundled Blowfish implementation is used by malware to encrypt configuration and payloads; also found in old benign software"}
	case c.Cipher:
		return constantRule{analysisv1.Severity_SEVERITY_LOW, 40, []string{"T1573.001"},
			"a statically linked symmetric cipher lets a program encrypt its own traffic or payloads; common in legitimate software, so low weight"}
	}
	return constantRule{analysisv1.Severity_SEVERITY_INFO, 0, nil,
		"hash and checksum constants are context: nearly every program that verifies data carries them"}
}

func (m *Module) addConstants(resp *modulev1.AnalyzeResponse, details *analysisv1.CryptoDetails, matches []ConstantMatch) {
	type agg struct {
		first ConstantMatch
		count int
		descr []string
	}
	var order []string
	byID := map[string]*agg{}
	for _, c := range matches {
		for _, off := range c.Offsets {
			details.Constants = append(details.Constants, &analysisv1.CryptoConstant{
				Algorithm: c.Algorithm, Name: c.Name, Offset: off, Id: c.ID, ByteOrder: c.Order, Count: int32(c.Count),
			})
		}
		a, ok := byID[c.ID]
		if !ok {
			a = &agg{first: c}
			byID[c.ID] = a
			order = append(order, c.ID)
		}
		a.count += c.Count
		where := fmt.Sprintf("%s at 0x%x", c.Name, c.Offsets[0])
		if c.Order != "" {
			where += " (" + map[string]string{"le": "little-endian", "be": "big-endian"}[c.Order] + ")"
		}
		a.descr = append(a.descr, where)
	}
	for _, id := range order {
		a := byID[id]
		r := ruleFor(a.first)
		resp.Findings = append(resp.Findings, &analysisv1.Finding{
			Module:           Name,
			Id:               id,
			Title:            fmt.Sprintf("%s %s constant", a.first.Algorithm, a.first.Name),
			Severity:         r.severity,
			Score:            r.score,
			AttackTechniques: r.attack,
			Evidence:         fmt.Sprintf("%s; %d occurrence(s)", strings.Join(a.descr, ", "), a.count),
			Offset:           a.first.Offsets[0],
			Reason:           r.reason,
		})
	}
}

func addKeys(resp *modulev1.AnalyzeResponse, details *analysisv1.CryptoDetails, keys []Key) {
	var private, public, certs []Key
	for _, k := range keys {
		ek := &analysisv1.EmbeddedKey{
			Kind: k.Kind, Format: k.Format, Offset: k.Offset, Subject: k.Subject, Issuer: k.Issuer,
			Algorithm: k.Algorithm, Bits: int32(k.Bits), SelfSigned: k.SelfSigned, Error: k.Error,
		}
		if !k.NotBefore.IsZero() {
			ek.NotBefore = k.NotBefore.Format(time.RFC3339)
			ek.NotAfter = k.NotAfter.Format(time.RFC3339)
		}
		details.Keys = append(details.Keys, ek)
		switch {
		case k.Private():
			private = append(private, k)
		case k.Kind == "public_key":
			public = append(public, k)
		case k.Kind == "certificate":
			certs = append(certs, k)
		}
	}
	describe := func(ks []Key) string {
		var parts []string
		for _, k := range ks[:min(len(ks), maxEvidence)] {
			s := fmt.Sprintf("%s %s at 0x%x", k.Format, k.Kind, k.Offset)
			if k.Algorithm != "" {
				s += fmt.Sprintf(" (%s %d)", k.Algorithm, k.Bits)
			}
			if k.Subject != "" {
				s += " subject " + k.Subject
			}
			parts = append(parts, s)
		}
		if len(ks) > maxEvidence {
			parts = append(parts, fmt.Sprintf("and %d more", len(ks)-maxEvidence))
		}
		return strings.Join(parts, "; ")
	}
	if len(private) > 0 {
		resp.Findings = append(resp.Findings, &analysisv1.Finding{
			Module: Name, Id: "crypto.private_key", Title: "Embedded private key",
			Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 250, AttackTechniques: []string{"T1552.004", "T1573.002"},
			Evidence: describe(private), Offset: private[0].Offset,
			Reason: "private keys do not belong in distributed files: either leaked credentials or a key the sample uses for its own encrypted channel",
		})
	}
	if len(public) > 0 {
		resp.Findings = append(resp.Findings, &analysisv1.Finding{
			Module: Name, Id: "crypto.public_key", Title: "Embedded public key",
			Severity: analysisv1.Severity_SEVERITY_LOW, Score: 50, AttackTechniques: []string{"T1573.002"},
			Evidence: describe(public), Offset: public[0].Offset,
			Reason: "ransomware and loaders embed a public key to wrap file keys or verify payloads; updaters do too, so low weight",
		})
	}
	if len(certs) > 0 {
		resp.Findings = append(resp.Findings, &analysisv1.Finding{
			Module: Name, Id: "crypto.certificate", Title: "Embedded X.509 certificate",
			Severity: analysisv1.Severity_SEVERITY_INFO, Score: 0,
			Evidence: describe(certs), Offset: certs[0].Offset,
			Reason: "certificates are common in signed and TLS-using software; recorded for pivoting on subject and issuer",
		})
	}
}

func addMiners(resp *modulev1.AnalyzeResponse, details *analysisv1.CryptoDetails, found []MinerIndicator) {
	type rule struct {
		id, title string
		severity  analysisv1.Severity
		score     int32
		ioc       analysisv1.IOCType
		reason    string
	}
	rules := map[string]rule{
		"stratum_url": {"crypto.miner_stratum", "Stratum mining pool URL", analysisv1.Severity_SEVERITY_HIGH, 500, analysisv1.IOCType_IOC_TYPE_URL,
			"stratum is the mining-pool protocol; a program that speaks it mines, and unsolicited mining is resource hijacking"},
		"pool_domain": {"crypto.miner_pool", "Known mining pool domain", analysisv1.Severity_SEVERITY_MEDIUM, 300, analysisv1.IOCType_IOC_TYPE_DOMAIN,
			"the domain belongs to a public mining pool, which a non-mining program has no reason to contact"},
		"xmr_wallet": {"crypto.miner_wallet", "Monero wallet address", analysisv1.Severity_SEVERITY_MEDIUM, 300, analysisv1.IOCType_IOC_TYPE_XMR_ADDRESS,
			"a checksum-valid Monero address is where mined coins or ransoms are paid; Monero is the coin of choice for cryptojacking"},
		"miner_software": {"crypto.miner_software", "Mining software strings", analysisv1.Severity_SEVERITY_MEDIUM, 200, analysisv1.IOCType_IOC_TYPE_UNSPECIFIED,
			"strings of mining software (XMRig, CryptoNight/RandomX, donate level) show a bundled miner"},
	}
	byKind := map[string][]MinerIndicator{}
	var kinds []string
	for _, mi := range found {
		details.MinerIndicators = append(details.MinerIndicators, mi.Kind+":"+mi.Value)
		details.Miners = append(details.Miners, &analysisv1.MinerIndicator{Kind: mi.Kind, Value: mi.Value, Offset: mi.Offset})
		if _, ok := byKind[mi.Kind]; !ok {
			kinds = append(kinds, mi.Kind)
		}
		byKind[mi.Kind] = append(byKind[mi.Kind], mi)
		if r := rules[mi.Kind]; r.ioc != analysisv1.IOCType_IOC_TYPE_UNSPECIFIED {
			resp.Iocs = append(resp.Iocs, &analysisv1.IOC{Type: r.ioc, Value: mi.Value, Module: Name, Offset: mi.Offset, Source: "content"})
		}
	}
	for _, kind := range kinds {
		r, ok := rules[kind]
		if !ok {
			continue
		}
		list := byKind[kind]
		var values []string
		for _, mi := range list[:min(len(list), maxEvidence)] {
			values = append(values, mi.Value)
		}
		if len(list) > maxEvidence {
			values = append(values, fmt.Sprintf("and %d more", len(list)-maxEvidence))
		}
		resp.Findings = append(resp.Findings, &analysisv1.Finding{
			Module: Name, Id: r.id, Title: r.title, Severity: r.severity, Score: r.score,
			AttackTechniques: []string{"T1496"}, Evidence: strings.Join(values, ", "), Offset: list[0].Offset, Reason: r.reason,
		})
	}
}
