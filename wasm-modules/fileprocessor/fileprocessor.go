// Package fileprocessor is the file-processor analyzer: it identifies what a sample is (magic,
// structure and content), parses executables, documents, archives and scripts into typed report
// sections, extracts children (archive members, embedded files, macros) and reports findings.
// It runs inside a WASM guest and natively in tests; all work is bounded by the caps in limits.go.
package fileprocessor

import (
	"math"
	"strconv"
	"strings"

	"github.com/athena-mesh/athena/internal/bytecount"
	"github.com/athena-mesh/athena/wasm-modules/guest"
	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// Name is the module's name in reports and routing.
const Name = "file-processor"

// Version is the module's version; bump it when output changes so cached reports are refreshed.
const Version = "0.5.0"

// Module is the file-processor analyzer.
type Module struct {
	emit func(*modulev1.AnalyzeResponse)
}

// New returns the file-processor analyzer.
func New() *Module { return &Module{} }

// NewStreaming returns an analyzer that emits the identification through emit as soon as it is
// known, before parsing starts, so the host keeps it even if a hostile sample makes parsing run
// into the deadline. The final response then carries only what the fragment did not: the host
// merges fragments and result with proto.Merge, which appends repeated fields such as flavors.
func NewStreaming(emit func(*modulev1.AnalyzeResponse)) *Module { return &Module{emit: emit} }

// Info describes the module: it accepts every file type.
func (m *Module) Info() *modulev1.ModuleInfo {
	return &modulev1.ModuleInfo{
		Name:        Name,
		Version:     Version,
		Description: "identifies file types; parses PE, ELF, Mach-O, PDF, OLE, OOXML, archives and scripts; extracts children",
	}
}

// Analyze identifies and parses one sample.
func (m *Module) Analyze(req *modulev1.AnalyzeRequest) (*modulev1.AnalyzeResponse, error) {
	data := req.GetContent()
	r := &result{depth: req.GetDepth()}
	if int64(len(data)) > maxScanBytes {
		r.note("sample larger than " + itoa(int(maxScanBytes>>20)) + " MiB: only the head was inspected")
		data = data[:maxScanBytes]
	}
	id := Identify(data)
	if req.GetOptions()["identify"] == "only" {
		// What the routing needs, without parsing: the orchestrator sends a large sample's
		// parse with the other modules.
		return &modulev1.AnalyzeResponse{Identification: &modulev1.Identification{
			FileType: id.FileType, MimeType: id.MIME, Description: id.Description, Flavors: id.Flavors(),
		}}, nil
	}
	fd := &analysisv1.FileDetails{FileType: id.FileType, MimeType: id.MIME, Description: id.Description}
	r.details = fd
	r.id = &id
	var early []string
	if m.emit != nil {
		early = id.Flavors()
		m.emit(&modulev1.AnalyzeResponse{Identification: &modulev1.Identification{
			FileType: id.FileType, MimeType: id.MIME, Description: id.Description, Flavors: early,
		}})
	}
	r.parse(data)
	fd.Flavors = id.Flavors()
	if opt := req.GetOptions(); opt["strings"] == "true" {
		minLen := 4
		if v, err := strconv.Atoi(opt["strings_min"]); err == nil && v >= 2 && v <= 1024 {
			minLen = v
		}
		limit := maxStringsDefault
		if v, err := strconv.Atoi(opt["strings_max"]); err == nil && v > 0 {
			limit = min(v, maxStringsHard)
		}
		fd.Strings, fd.StringsTruncated = extractStrings(data, minLen, limit)
	}
	for _, f := range r.findings {
		f.Module = Name
		if f.Family == "" {
			f.Family = familyOf(f.Id)
		}
	}
	ident := &modulev1.Identification{FileType: id.FileType, MimeType: id.MIME, Description: id.Description, Flavors: fd.Flavors}
	if early != nil {
		ident.Flavors = fd.Flavors[len(early):]
	}
	return &modulev1.AnalyzeResponse{
		Identification: ident,
		Details:        &analysisv1.Details{File: fd},
		Findings:       r.findings,
		Artifacts:      r.artifacts,
		Notes:          r.notes,
	}, nil
}

// result collects what the parsers produce for one sample.
type result struct {
	depth          int32
	id             *Identity
	details        *analysisv1.FileDetails
	findings       []*analysisv1.Finding
	artifacts      []*modulev1.Artifact
	artifactBytes  int64
	notes          []string
	artifactsLimit bool
}

func (r *result) note(s string) { r.notes = append(r.notes, s) }

func (r *result) add(f *analysisv1.Finding) {
	if f.Offset == 0 && f.Evidence == "" {
		f.Offset = -1
	}
	r.findings = append(r.findings, f)
}

// addArtifact keeps a child unless the per-sample count or byte budget is spent; it reports
// whether the child was kept.
func (r *result) addArtifact(content []byte, filename, description string, provenance ...string) bool {
	if len(r.artifacts) >= maxArtifacts || r.artifactBytes+int64(len(content)) > maxTotalExtracted || len(content) > maxArtifactBytes {
		if !r.artifactsLimit {
			r.artifactsLimit = true
			r.note("artifact budget reached: further children were listed but not extracted")
		}
		return false
	}
	r.artifactBytes += int64(len(content))
	filename = strings.Map(func(c rune) rune {
		if c < 0x20 || c == 0x7f || c == '/' || c == '\\' {
			return -1
		}
		return c
	}, filename)
	r.artifacts = append(r.artifacts, &modulev1.Artifact{
		Kind:        analysisv1.ArtifactKind_ARTIFACT_KIND_EXTRACTED,
		Content:     content,
		Filename:    filename,
		Description: description,
		Provenance:  append([]string{Name}, provenance...),
	})
	return true
}

// parse runs the parser for the identified type.
func (r *result) parse(data []byte) {
	switch r.id.FileType {
	case "pe":
		r.parsePE(data)
	case "dosexec":
		r.parseDOS(data)
	case "elf":
		r.parseELF(data)
	case "macho":
		r.parseMachO(data)
	case "pdf":
		r.parsePDF(data)
	case "zip", "jar", "ooxml", "apk", "odf":
		r.parseZIP(data)
	case "gzip":
		r.parseGzip(data)
	case "bzip2":
		r.parseBzip2(data)
	case "xz":
		r.parseXZ(data)
	case "iso":
		r.parseISO(data)
	case "cab":
		r.parseCAB(data)
	case "lnk":
		r.parseLNK(data)
	case "html", "hta":
		r.parseHTML(data)
	case "tar":
		r.parseTar(data)
	case "ole":
		r.parseOLE(data)
	case "rtf":
		r.parseRTF(data)
	}
	if r.id.Category == catScript {
		info, findings := analyzeScript(data, r.id.FileType)
		r.details.Script = info
		for _, f := range findings {
			r.add(f)
		}
	}
}

func familyOf(id string) string {
	for i := 0; i < len(id); i++ {
		if id[i] == '.' {
			return id[:i]
		}
	}
	return id
}

func itoa(n int) string { return strconv.Itoa(n) }

func severityWord(s analysisv1.Severity) string {
	switch s {
	case analysisv1.Severity_SEVERITY_INFO:
		return "info"
	case analysisv1.Severity_SEVERITY_LOW:
		return "low"
	case analysisv1.Severity_SEVERITY_MEDIUM:
		return "medium"
	case analysisv1.Severity_SEVERITY_HIGH:
		return "high"
	case analysisv1.Severity_SEVERITY_CRITICAL:
		return "critical"
	}
	return "unspecified"
}

// entropy is the Shannon entropy of b in bits per byte (0 to 8).
func entropy(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	var counts [256]uint64
	var total int
	if len(b) <= entropyExactBytes {
		guest.CountBytes(&counts, b)
		total = len(b)
	} else {
		// Large regions are estimated from evenly spaced windows: inside WASM a full histogram
		// of a 10 MB section costs more than the rest of the parse together.
		stride := (len(b) - entropyWindow) / (entropyWindows - 1)
		for i := 0; i < entropyWindows; i++ {
			guest.CountBytes(&counts, b[i*stride:i*stride+entropyWindow])
		}
		total = entropyWindows * entropyWindow
	}
	return math.Round(bytecount.Entropy(&counts, total)*1000) / 1000
}
