// Package analysisengine is the analysis-engine analyzer: it disassembles the entry point and
// exported functions of x86 / x86-64 PE and ELF files (package x86, falling back to
// golang.org/x/arch/x86/x86asm for rare encodings and for the listing's text), bounded by
// instruction count, flags suspicious instruction patterns and recovers stack strings, detects
// capabilities from imports, strings and code with a declarative rule table mapped to MITRE
// ATT&CK, and detects packers.
package analysisengine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"strings"

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
// max in all. One pass finds all three kinds; inside WASM each pass over a large file costs
// tens of milliseconds.
func extractStrings(b []byte, minLen, max int) []string {
	var wide [2][]string
	var asciiOut []string
	start := -1
	var wideStart [2]int // start of the current UTF-16LE run per alignment, -1 when none
	wideStart[0], wideStart[1] = -1, -1
	for i := 0; i <= len(b); i++ {
		// While no run is open, look at eight bytes at once and step over the iterations that
		// would open only runs too short to keep and close them again. Inside WASM a loop
		// iteration costs more than the word arithmetic.
		if start < 0 && wideStart[0] < 0 && wideStart[1] < 0 && i > 0 && i+8 <= len(b) {
			if n := quietBytes(b, i, minLen); n > 0 {
				i += n - 1
				continue
			}
		}
		if i < len(b) && printable[b[i]] {
			if start < 0 {
				start = i
			}
		} else {
			if start >= 0 && i-start >= minLen && len(asciiOut) < max {
				asciiOut = append(asciiOut, string(b[start:i]))
			}
			start = -1
		}
		// The pair (b[i-1], b[i]) is one UTF-16LE character at alignment (i-1)&1. A run that
		// reaches the end of the buffer is not kept (as before: it may be cut off).
		if i == 0 || i == len(b) {
			continue
		}
		a := (i - 1) & 1
		if b[i] == 0 && printable[b[i-1]] {
			if wideStart[a] < 0 {
				wideStart[a] = i - 1
			}
			continue
		}
		if ws := wideStart[a]; ws >= 0 && (i-1-ws)/2 >= minLen && len(wide[a]) < max {
			wide[a] = append(wide[a], narrow(b[ws:i-1]))
		}
		wideStart[a] = -1
		// b[i] ends every run when it is neither printable nor zero. If no run is left open
		// after it, and the byte minLen further on is such a byte too, what lies between is too
		// short for either kind: jump there. Code and compressed data go by a few bytes per
		// step instead of one.
		if breaksRuns[b[i]] && wideStart[i&1] < 0 && minLen > 0 {
			for i+minLen < len(b) && breaksRuns[b[i+minLen]] {
				i += minLen
			}
		}
	}
	out := asciiOut
	for a := range 2 {
		out = append(out, wide[a][:min(len(wide[a]), max-len(out))]...)
	}
	return out
}

// quietBytes returns how many bytes from b[i] on quietPrefix lets extractStrings step over,
// word after word: one call per quiet stretch instead of one per word. i must be above 0.
func quietBytes(b []byte, i, minLen int) int {
	j := i
	for j+8 <= len(b) {
		n := quietPrefix(binary.LittleEndian.Uint64(b[j:]), printable[b[j-1]], minLen)
		j += n
		if n < 8 {
			break
		}
	}
	return j - i
}

// quietPrefix returns how many of the iterations of extractStrings over the bytes of w (b[i]
// to b[i+7], little-endian), entered with no run open and with prevPrintable telling about
// b[i-1], keep nothing and leave no run open after them: 0 to 8. The bytes are classified
// eight at a time with SWAR arithmetic on their low seven bits, which never carries from one
// byte into the next; each mask below has a byte's high bit set where the byte qualifies.
func quietPrefix(w uint64, prevPrintable bool, minLen int) int {
	const (
		hi   = 0x8080808080808080
		low7 = 0x7f7f7f7f7f7f7f7f
		ones = 0x0101010101010101
	)
	x := w & low7
	// Printable: 0x20 <= c < 0x7f (x+0x60 sets the high bit, x+1 does not), or a tab.
	p := (x + 0x60*ones) &^ (x + ones) &^ w & hi
	t := w ^ 0x09*ones
	p |= ^((t & low7) + low7) &^ t & hi
	z := ^((x + low7) | w) & hi // zero bytes
	// Iteration j opens or continues a UTF-16LE run when b[j] is zero and b[j-1] printable.
	q := p << 8
	if prevPrintable {
		q |= 0x80
	}
	wq := z & q
	// Runs long enough to keep, by the byte where they start (ASCII) or open (UTF-16LE).
	r, rw := p, wq
	for k := 1; k < minLen && (r|rw) != 0; k++ {
		r &= p >> (8 * k)
		rw &= wq >> (16 * k)
	}
	// After iteration j a run is open if b[j] is printable, or a UTF-16LE run was opened or
	// continued at iteration j or j-1 (the two alignments). Skipping iterations up to j is
	// right when none is open after j and no long run starts at or before j.
	open := p | wq | wq<<8
	before := uint64(1)<<(bits.TrailingZeros64(r|rw)&^7) - 1 // the bytes before the first long run
	return bits.Len64(^open&hi&before) / 8
}

// narrow returns the low bytes of UTF-16LE code units.
func narrow(b []byte) string {
	s := make([]byte, len(b)/2)
	for i := range s {
		s[i] = b[2*i]
	}
	return string(s)
}

// printable marks the bytes isPrintable accepts, as a table: inside WASM a lookup is cheaper
// than the comparisons.
var printable = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isPrintable(byte(c))
	}
	return t
}()

// breaksRuns marks the bytes that end an ASCII and a UTF-16LE run alike: neither printable
// nor zero.
var breaksRuns = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c != 0 && !isPrintable(byte(c))
	}
	return t
}()

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
