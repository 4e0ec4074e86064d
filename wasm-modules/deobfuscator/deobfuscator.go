// Package deobfuscator is the recursive speculative decoder, in the spirit of CyberChef's
// "Magic": each layer is scanned for encoded spans and script obfuscation, every candidate is
// decoded and scored, the plausible ones become layers and are searched again, within depth,
// size, candidate and work budgets. Final and interesting layers are returned as
// ARTIFACT_KIND_DECODED artifacts with their provenance, for the orchestrator to analyze.
package deobfuscator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// Name is the module name.
const Name = "deobfuscator"

// Version is the module version; bump it when results change.
const Version = "1.1.2"

// streamThreshold is the input size above which kept layers are streamed with the emitter as
// they are found, so a host deadline does not lose them.
const streamThreshold = 4 << 20

// deadlineMargin is how long before the host's deadline the search stops on its own.
const deadlineMargin = 250 * time.Millisecond

// Module is the deobfuscator.
type Module struct {
	lim  Limits
	emit func(*modulev1.AnalyzeResponse)
	re   *regexes
}

// Option configures a Module.
type Option func(*Module)

// WithEmit streams partial results through emit (guest.Emit in the wasip1 shim).
func WithEmit(emit func(*modulev1.AnalyzeResponse)) Option { return func(m *Module) { m.emit = emit } }

// WithLimits replaces the default limits.
func WithLimits(l Limits) Option { return func(m *Module) { m.lim = l } }

// New returns the module.
func New(opts ...Option) *Module {
	m := &Module{lim: DefaultLimits(), re: compileRegexes()}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Info describes the module; it accepts every file type and rejects fast when there is
// nothing to decode.
func (m *Module) Info() *modulev1.ModuleInfo {
	return &modulev1.ModuleInfo{Name: Name, Version: Version,
		Description: "recursive speculative decoding (base64/32, hex, escapes, charcodes, string folding, PowerShell cradles, gzip/zlib/deflate, XOR, ROT13, reversal) with provenance"}
}

// Analyze decodes the sample's layers.
func (m *Module) Analyze(req *modulev1.AnalyzeRequest) (*modulev1.AnalyzeResponse, error) {
	var deadline time.Time
	if ms := req.GetDeadlineUnixMs(); ms > 0 {
		deadline = time.UnixMilli(ms).Add(-deadlineMargin)
	}
	streaming := m.emit != nil && len(req.GetContent()) > streamThreshold
	var onLayer func(*Layer)
	if streaming {
		onLayer = func(l *Layer) {
			m.emit(&modulev1.AnalyzeResponse{Details: &analysisv1.Details{Deobfuscation: &analysisv1.DeobfuscationDetails{
				Layers: []*analysisv1.DecodedLayer{layerProto(l)}}}})
		}
	}
	res := search(req.GetContent(), m.lim, deadline, onLayer, m.re)
	resp := &modulev1.AnalyzeResponse{Notes: res.Notes}
	if len(res.Layers) == 0 {
		return resp, nil
	}
	d := &analysisv1.DeobfuscationDetails{MaxDepth: int32(res.MaxDepth), BudgetExhausted: res.BudgetExhausted,
		CandidatesTried: res.Candidates, WorkBytes: res.WorkBytes}
	for _, l := range res.Layers {
		if !streaming {
			d.Layers = append(d.Layers, layerProto(l))
		}
		if l.Artifact {
			resp.Artifacts = append(resp.Artifacts, &modulev1.Artifact{Kind: analysisv1.ArtifactKind_ARTIFACT_KIND_DECODED,
				Content: l.Data, Provenance: l.Provenance, Description: describe(l)})
		}
	}
	if streaming {
		// Layers already went out as fragments and the host merges them into this response.
		resp.Notes = append(resp.Notes, fmt.Sprintf("%d layers streamed as fragments", len(res.Layers)))
	}
	resp.Details = &analysisv1.Details{Deobfuscation: d}
	resp.Findings = findings(res)
	return resp, nil
}

func layerProto(l *Layer) *analysisv1.DecodedLayer {
	sum := sha256.Sum256(l.Data)
	return &analysisv1.DecodedLayer{Depth: int32(l.Depth), Provenance: l.Provenance, Offset: l.Offset,
		Size: int64(len(l.Data)), Score: l.Score, Sha256: hex.EncodeToString(sum[:]), Preview: preview(l.Data),
		Parent: int32(l.Parent), Artifact: l.Artifact, Kind: l.Kind}
}

func describe(l *Layer) string {
	s := fmt.Sprintf("%s decoded at depth %d by %s", l.Kind, l.Depth, strings.Join(l.Provenance, " → "))
	if l.Via != "" {
		s += " (" + l.Via + ")"
	}
	return s
}

// preview is the first 160 characters, with control characters escaped.
func preview(b []byte) string {
	b = b[:min(len(b), 160)]
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		switch {
		case r == utf8.RuneError && n == 1:
			sb.WriteString("·")
		case r < 0x20 && r != '\n' && r != '\t':
			sb.WriteString("·")
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

func finding(id, title string, sev analysisv1.Severity, score int32, attack []string, evidence, reason string) *analysisv1.Finding {
	return &analysisv1.Finding{Module: Name, Id: id, Title: title, Severity: sev, Score: score,
		AttackTechniques: attack, Evidence: evidence, Offset: -1, Reason: reason}
}

// findings turns the layer tree into scored findings.
func findings(res *Result) []*analysisv1.Finding {
	var out []*analysisv1.Finding
	var psEnc, exe, xor, jsobf, cradle []*Layer
	compressedInScript := false
	for _, l := range res.Layers {
		if l.Via == "powershell -EncodedCommand" {
			psEnc = append(psEnc, l)
		}
		switch l.Kind {
		case "pe", "elf", "macho":
			exe = append(exe, l)
		case "powershell", "batch", "javascript", "vbscript":
			if hasCradle(l.Data) {
				cradle = append(cradle, l)
			}
		}
		for _, p := range l.Provenance {
			if strings.HasPrefix(p, "xor(") {
				xor = append(xor, l)
				break
			}
			if p == "gzip" || p == "deflate" || p == "zlib" {
				compressedInScript = true
			}
		}
		if strings.HasPrefix(l.Provenance[len(l.Provenance)-1], "jsobf_") {
			jsobf = append(jsobf, l)
		}
	}
	if len(psEnc) > 0 {
		out = append(out, finding("deobf.powershell_encoded", "PowerShell -EncodedCommand payload",
			analysisv1.Severity_SEVERITY_HIGH, 400, []string{"T1059.001", "T1027", "T1140"}, preview(psEnc[0].Data),
			"a base64 UTF-16LE command passed with -EncodedCommand hides the script from command-line logging"))
	}
	if res.MaxDepth >= 3 {
		sev, sc := analysisv1.Severity_SEVERITY_MEDIUM, int32(250)
		if res.MaxDepth >= 5 {
			sev, sc = analysisv1.Severity_SEVERITY_HIGH, 400
		}
		deepest := res.Layers[0]
		for _, l := range res.Layers {
			if l.Depth > deepest.Depth {
				deepest = l
			}
		}
		out = append(out, finding("deobf.multi_layer", fmt.Sprintf("%d nested encoding layers", res.MaxDepth), sev, sc,
			[]string{"T1027", "T1140"}, strings.Join(deepest.Provenance, " → "),
			"three or more nested encodings serve no purpose but hiding content; five or more score high"))
	}
	if compressedInScript && len(res.Layers) > 1 {
		out = append(out, finding("deobf.compressed_payload", "Compressed payload embedded in an encoded layer",
			analysisv1.Severity_SEVERITY_MEDIUM, 150, []string{"T1027.015", "T1140"}, "", "gzip, zlib or deflate streams inside encoded text are unpacked at run time"))
	}
	if len(exe) > 0 {
		out = append(out, finding("deobf.embedded_executable", "Executable hidden under encoding layers",
			analysisv1.Severity_SEVERITY_HIGH, 500, []string{"T1027.009", "T1140"}, describe(exe[0]),
			"an executable that only appears after decoding is a staged payload"))
	}
	if len(xor) > 0 {
		out = append(out, finding("deobf.xor_encoded", "XOR-encoded content", analysisv1.Severity_SEVERITY_MEDIUM, 250,
			[]string{"T1027", "T1140"}, strings.Join(xor[0].Provenance, " → "), "content recovered by brute-forcing an XOR key is deliberately hidden"))
	}
	if len(jsobf) > 0 {
		out = append(out, finding("deobf.js_string_array", "javascript-obfuscator string array", analysisv1.Severity_SEVERITY_MEDIUM, 200,
			[]string{"T1027"}, preview(jsobf[0].Data), "the strings of the script are stored encoded in a rotated array and decoded at run time"))
	}
	if len(cradle) > 0 {
		out = append(out, finding("deobf.download_cradle", "Decoded script downloads or executes code", analysisv1.Severity_SEVERITY_HIGH, 450,
			[]string{"T1059", "T1105"}, preview(cradle[0].Data), "a download-and-execute construct appeared only after decoding"))
	}
	slices.SortStableFunc(out, func(a, b *analysisv1.Finding) int { return int(b.Score - a.Score) })
	return out
}

// cradleMarkers are download-and-execute constructs.
var cradleMarkers = []string{"downloadstring", "downloadfile", "invoke-webrequest", "iwr ", "invoke-expression", "iex",
	"start-bitstransfer", "xmlhttp", "winhttprequest", "urldownloadtofile", "certutil", "bitsadmin", "shell.run", ".run("}

func hasCradle(b []byte) bool {
	lower := strings.ToLower(string(b[:min(len(b), 64<<10)]))
	hits := 0
	for _, m := range cradleMarkers {
		if strings.Contains(lower, m) {
			hits++
		}
	}
	return hits >= 1 && strings.Contains(lower, "http")
}
