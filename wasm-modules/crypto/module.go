package cryptoscan

import (
	"fmt"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

const (
	// Name is the module name the host and the reports use.
	Name = "crypto"
	// Version is bumped whenever output for the same input can change.
	Version = "1.0.0"

	// highEntropy is the whole-file entropy above which a sample looks packed or encrypted.
	highEntropy = 7.2
	// highEntropyMinSize keeps tiny samples, whose entropy estimate is noisy, out of that finding.
	highEntropyMinSize = 4096
)

// Module is the crypto analyzer.
type Module struct{}

// New returns the crypto analyzer.
func New() *Module { return &Module{} }

// Info describes the module: it accepts every file type.
func (*Module) Info() *modulev1.ModuleInfo {
	return &modulev1.ModuleInfo{
		Name:        Name,
		Version:     Version,
		Description: "hashes (md5, sha1, sha256, sha512, ssdeep, TLSH), entropy profile, crypto constants, embedded keys and certificates, cryptominer indicators",
	}
}

// Analyze fingerprints one sample.
func (m *Module) Analyze(req *modulev1.AnalyzeRequest) (*modulev1.AnalyzeResponse, error) {
	data := req.GetContent()
	d := Hash(data)
	profile, window := EntropyProfile(data)
	details := &analysisv1.CryptoDetails{
		Md5:            d.MD5,
		Sha1:           d.SHA1,
		Sha256:         d.SHA256,
		Sha512:         d.SHA512,
		Ssdeep:         d.SSDeep,
		Tlsh:           d.TLSH,
		Entropy:        Entropy(data),
		EntropyProfile: profile,
		EntropyWindow:  int64(window),
	}
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
			Reason:           "compressed, packed or encrypted content hides code from static analysis; common in benign archives too, so weighted low",
		})
	}
	return resp, nil
}
