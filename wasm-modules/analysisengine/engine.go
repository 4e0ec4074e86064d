// Package analysisengine is the analysis-engine analyzer: it disassembles the entry point and
// exported functions of x86 / x86-64 PE and ELF files (package x86, falling back to
// golang.org/x/arch/x86/x86asm for rare encodings and for the listing's text), bounded by
// instruction count, flags suspicious instruction patterns and recovers stack strings, detects
// capabilities from imports, strings and code with a declarative rule table mapped to MITRE
// ATT&CK, and detects packers.
package analysisengine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/athena-mesh/athena/internal/textruns"
	"github.com/athena-mesh/athena/wasm-modules/analysisengine/x86"
	"github.com/athena-mesh/athena/wasm-modules/guest"
	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// Name is the module name.
const Name = "analysis-engine"

// Version is the module version; it changes whenever rules or findings change.
const Version = "1.1.0"

// Limits bound the work of one analysis.
type Limits struct {
	// MaxInstructions is the number of instructions decoded per sample.
	MaxInstructions int
	// MaxPerFunction is the number of instructions decoded per function.
	MaxPerFunction int
	// MaxFunctions is the number of functions walked (entry, exports, call targets).
	MaxFunctions int
	// ListingLines is how many instructions per function are kept as text in the details.
	ListingLines int
	// MaxStringBytes is how much of the file is scanned for strings.
	MaxStringBytes int
	// WalkGoLibrary walks a Go binary from its entry point through the Go runtime and standard
	// library, as any other binary, instead of from the program's own functions (gofunc.go).
	WalkGoLibrary bool
}

// DefaultLimits are the limits used by New.
func DefaultLimits() Limits {
	return Limits{MaxInstructions: 200_000, MaxPerFunction: 20_000, MaxFunctions: 2000, ListingLines: 24, MaxStringBytes: 32 << 20}
}

// Analyzer is the analysis-engine module; it keeps no per-sample state.
type Analyzer struct {
	limits Limits
	// decode is the instruction decoder; nil is x86.Decode (called directly, not through the
	// func value). The tests set x86.DecodeX86asm to hold the fast decoder to x86asm on whole
	// reports.
	decode func(*x86.Inst, []byte, int)
	// format writes the listing's text; nil is x86.AppendIntel, with x86asm for what it
	// leaves. The tests set x86asmOnly to hold the formatter to x86asm on whole reports.
	format formatFunc
}

// New returns the analyzer with the given limits, or the defaults when none are given.
func New(limits ...Limits) *Analyzer {
	a := &Analyzer{limits: DefaultLimits()}
	if len(limits) > 0 {
		a.limits = limits[0]
	}
	return a
}

// Info describes the module.
func (a *Analyzer) Info() *modulev1.ModuleInfo {
	return &modulev1.ModuleInfo{
		Name:          Name,
		Version:       Version,
		Description:   "x86 / x86-64 disassembly of entry points and exports, capability rules mapped to ATT&CK, packer detection",
		FileTypes:     []string{"pe", "elf"},
		MaxInputBytes: 64 << 20,
	}
}

// Analyze disassembles one sample and evaluates the capability table.
func (a *Analyzer) Analyze(req *modulev1.AnalyzeRequest) (*modulev1.AnalyzeResponse, error) {
	im, err := load(req.GetContent())
	if errors.Is(err, errNotCode) {
		return &modulev1.AnalyzeResponse{Notes: []string{err.Error()}}, nil
	}
	if err != nil {
		return nil, err
	}
	res := walkWith(im, walkLimits{
		maxInstructions: a.limits.MaxInstructions, maxPerFunction: a.limits.MaxPerFunction,
		maxFunctions: a.limits.MaxFunctions, listing: a.limits.ListingLines, goLibrary: a.limits.WalkGoLibrary,
	}, a.decode, a.format)
	det := &analysisv1.CodeDetails{
		Architecture:        map[int]string{32: "x86", 64: "x86-64"}[im.bits],
		StackStrings:        res.stackStrings,
		InstructionsDecoded: res.decoded,
		Markers:             res.markers,
		Truncated:           res.truncated,
		Functions:           res.kept,
	}
	resp := &modulev1.AnalyzeResponse{Details: &analysisv1.Details{Code: det}}
	if t := im.gotab; t != nil {
		det.GoFunctions, det.GoTableFormat = int32(len(t.funcs)), t.format
		for _, f := range t.funcs {
			if f.library {
				det.GoLibraryFunctions++
			}
		}
		if !a.limits.WalkGoLibrary {
			resp.Notes = append(resp.Notes, fmt.Sprintf("Go binary (%s function table): walked from the program's own functions (%d of %d); the Go runtime and standard library were not disassembled",
				t.format, len(t.funcs)-int(det.GoLibraryFunctions), len(t.funcs)))
		}
	}
	if res.truncated {
		resp.Notes = append(resp.Notes, fmt.Sprintf("disassembly stopped at its budget (%d instructions, %d functions)", a.limits.MaxInstructions, a.limits.MaxFunctions))
	}

	content := req.GetContent()
	if len(content) > a.limits.MaxStringBytes {
		content = content[:a.limits.MaxStringBytes]
	}
	strs := append(extractStrings(content, 5, 20000), res.stackStrings...)
	for _, m := range detect(newEvidence(im.imports, strs, res.features)) {
		det.Capabilities = append(det.Capabilities, &analysisv1.Capability{
			Name: m.rule.name, AttackTechniques: m.attack, Evidence: m.evidence,
		})
		resp.Findings = append(resp.Findings, &analysisv1.Finding{
			Module: Name, Id: "capability." + m.rule.name, Title: m.rule.title,
			Severity: m.rule.severity, Score: m.rule.score, AttackTechniques: m.attack,
			Evidence: strings.Join(m.evidence, "; "), Offset: -1, Reason: m.rule.reason,
		})
	}
	if len(res.stackStrings) > 0 {
		resp.Findings = append(resp.Findings, &analysisv1.Finding{
			Module: Name, Id: "code.stack_strings", Title: "Builds strings on the stack",
			Severity: analysisv1.Severity_SEVERITY_LOW, Score: 100, AttackTechniques: []string{"T1027"},
			Evidence: strings.Join(firstN(res.stackStrings, 8), ", "), Offset: -1,
			Reason: "strings assembled by immediate stores never appear in the file's data, which hides them from string scans",
		})
	}

	packer, evidence := detectPacker(im)
	det.Packer, det.PackerEvidence = packer, evidence
	if packer != "" {
		id := "packer." + strings.ToLower(strings.NewReplacer(" ", "_", "-", "_").Replace(packer))
		resp.Findings = append(resp.Findings, &analysisv1.Finding{
			Module: Name, Id: id, Title: "Packed with " + packer, Severity: analysisv1.Severity_SEVERITY_MEDIUM,
			Score: 300, AttackTechniques: []string{"T1027.002"}, Evidence: strings.Join(evidence, "; "), Offset: -1,
			Reason: "packing hides the real code from static analysis",
		})
	}
	return resp, nil
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// extractStrings returns ASCII and UTF-16LE strings of at least minLen printable characters:
// the ASCII strings first, then the UTF-16LE ones at even offsets, then at odd offsets, at most
// max in all. A UTF-16LE string the end of b cuts off is not kept. Inside a wasip1 guest the
// host finds the runs (guest.TextRuns): scanning a large file inside WASM cost tens of
// milliseconds. The strings share one allocation, made once the runs are known and not
// zeroed: inside WASM, growing it run by run and copying it into a string cost more, in copies
// and in collections, than finding the runs.
func extractStrings(b []byte, minLen, max int) []string {
	if max <= 0 {
		return nil
	}
	type span struct{ start, end int }
	var narrow, wide []span // wide: UTF-16LE, even offsets first
	n := 0                  // characters in all
	guest.TextRuns(textruns.ASCII, minLen, b, func(start, end int) bool {
		narrow = append(narrow, span{start, end})
		n += end - start
		return len(narrow) < max
	})
	for _, kind := range []textruns.Kind{textruns.UTF16LEEven, textruns.UTF16LEOdd} {
		if len(narrow)+len(wide) >= max {
			break
		}
		guest.TextRuns(kind, minLen, b, func(start, end int) bool {
			if end+2 > len(b) {
				return false // no character after it: it may go on past the end of b
			}
			wide = append(wide, span{start, end})
			n += (end - start) / 2
			return len(narrow)+len(wide) < max
		})
	}
	var text strings.Builder // every string's characters, one after the other
	text.Grow(n)
	for _, r := range narrow {
		text.Write(b[r.start:r.end])
	}
	for _, r := range wide {
		for i := r.start; i < r.end; i += 2 {
			text.WriteByte(b[i])
		}
	}
	all := text.String()
	out := make([]string, 0, len(narrow)+len(wide))
	prev := 0
	for _, r := range narrow {
		out = append(out, all[prev:prev+r.end-r.start])
		prev += r.end - r.start
	}
	for _, r := range wide {
		out = append(out, all[prev:prev+(r.end-r.start)/2])
		prev += (r.end - r.start) / 2
	}
	return out
}

// knownPackers maps section names to the packer that writes them.
var knownPackers = map[string]string{
	"upx0": "UPX", "upx1": "UPX", "upx2": "UPX", ".upx0": "UPX", ".upx1": "UPX",
	".aspack": "ASPack", ".adata": "ASPack", ".mpress1": "MPRESS", ".mpress2": "MPRESS",
	".petite": "Petite", ".nsp0": "NsPack", ".nsp1": "NsPack", "pec1": "PECompact", "pec2": "PECompact",
	".themida": "Themida", ".winlice": "WinLicense", ".vmp0": "VMProtect", ".vmp1": "VMProtect",
	".enigma1": "Enigma", ".enigma2": "Enigma", ".packed": "generic", ".rlpack": "RLPack", "fsg!": "FSG",
	"mew": "MEW", ".perplex": "Perplex", ".yp": "Y0da", ".spack": "Simple Pack",
}

// detectPacker combines section names, section entropy, entry-point placement and import
// sparsity. A named packer section is decisive; otherwise two independent signs are required.
func detectPacker(im *image) (string, []string) {
	var evidence []string
	name := ""
	for _, s := range im.sections {
		if p, ok := knownPackers[strings.ToLower(s.name)]; ok {
			name = p
			evidence = append(evidence, fmt.Sprintf("section %q is written by %s", s.name, p))
		}
	}
	signs := 0
	for i := range im.sections {
		s := &im.sections[i]
		s.entropyVal = entropy(s.data)
		if len(s.data) >= 1024 && s.entropyVal > 7.2 && (s.exec || im.sectionAt(im.entry) == s) {
			signs++
			evidence = append(evidence, fmt.Sprintf("section %q has entropy %.2f", s.name, s.entropyVal))
		}
		if s.exec && s.rawSize == 0 && s.virtSize > 0 {
			signs++
			evidence = append(evidence, fmt.Sprintf("executable section %q has no file data (unpacked at run time)", s.name))
		}
	}
	if im.format == "pe" && len(im.sections) > 0 {
		ep := im.sectionAt(im.entry)
		switch {
		case ep == nil:
			signs++
			evidence = append(evidence, "entry point outside every section")
		case ep.write && ep.exec:
			signs++
			evidence = append(evidence, fmt.Sprintf("entry point in writable and executable section %q", ep.name))
		case ep == &im.sections[len(im.sections)-1] && len(im.sections) > 1 && !ep.exec:
			signs++
			evidence = append(evidence, fmt.Sprintf("entry point in last, non-code section %q", ep.name))
		}
		if len(im.imports) > 0 && len(im.imports) < 8 && hasLoader(im.imports) {
			signs++
			evidence = append(evidence, fmt.Sprintf("only %d imports, with LoadLibrary/GetProcAddress", len(im.imports)))
		}
	}
	if name == "" && signs >= 2 {
		name = "generic"
	}
	if name == "" {
		return "", nil
	}
	return name, evidence
}

func hasLoader(imports []string) bool {
	var load, proc bool
	for _, i := range imports {
		n := normalizeImport(i)
		load = load || strings.HasPrefix(n, "loadlibrary")
		proc = proc || n == "getprocaddress"
	}
	return load && proc
}

func entropy(b []byte) float64 { return guest.Entropy(b) }
