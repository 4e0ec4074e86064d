package fileprocessor

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"encoding/hex"
	"errors"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/athena-mesh/athena/wasm-modules/guest"
	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	"github.com/ulikunitz/xz"
)

var errTooLarge = errors.New("member exceeds the extraction limit")

// readCapped reads at most limit bytes from rc and reports errTooLarge when there was more.
func readCapped(rc io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return b, err
	}
	if int64(len(b)) > limit {
		return b[:limit], errTooLarge
	}
	return b, nil
}

// sha256Hex is a member's SHA-256; inside the guest the host computes it (athena.digest).
func sha256Hex(b []byte) string {
	return hex.EncodeToString(guest.Sum(guest.SHA256, b))
}

// guard records the first extraction guard that stopped an archive, with a finding.
func (r *result) guard(a *analysisv1.ArchiveInfo, name, evidence string) {
	a.Truncated = true
	if a.Guard != "" {
		return
	}
	a.Guard = name
	f := &analysisv1.Finding{Offset: -1, Evidence: evidence}
	switch name {
	case "ratio":
		f.Id, f.Title, f.Severity, f.Score = "archive.bomb", "decompression bomb: expansion ratio guard stopped extraction", analysisv1.Severity_SEVERITY_HIGH, 400
		f.AttackTechniques = []string{"T1499"}
		f.Reason = "data expands more than " + itoa(maxRatio) + " times its stored size, a decompression bomb meant to exhaust scanners"
	case "total_bytes":
		f.Id, f.Title, f.Severity, f.Score = "archive.extraction_limit", "extraction byte budget reached", analysisv1.Severity_SEVERITY_LOW, 50
		f.Reason = "large archives are usually benign, but content past the budget was not analyzed"
	case "member_count":
		f.Id, f.Title, f.Severity, f.Score = "archive.member_count", "archive member count exceeds the listing cap", analysisv1.Severity_SEVERITY_LOW, 100
		f.Reason = "huge member counts are used to exhaust scanners; benign archives rarely exceed the cap"
	case "nesting":
		f.Id, f.Title, f.Severity, f.Score = "archive.nesting", "container nested too deep to open", analysisv1.Severity_SEVERITY_MEDIUM, 200
		f.AttackTechniques = []string{"T1027"}
		f.Reason = "deeply nested containers hide payloads from scanners with shallow recursion"
	}
	r.add(f)
}

// shouldExtract decides which members of a container become children.
func shouldExtract(fileType, name string) bool {
	if fileType == "jar" || fileType == "apk" {
		// Class files are listed; as children they would only be identified as "java".
		return !strings.HasSuffix(strings.ToLower(name), ".class")
	}
	if fileType != "ooxml" && fileType != "odf" {
		return true
	}
	lower := strings.ToLower(name)
	// Office parts are XML the pipeline would only re-read; the payload carriers are these.
	return strings.HasSuffix(lower, "vbaproject.bin") || strings.Contains(lower, "/embeddings/") ||
		strings.Contains(lower, "/activex/") && strings.HasSuffix(lower, ".bin") || strings.HasSuffix(lower, ".exe") ||
		strings.HasSuffix(lower, ".dll") || strings.HasSuffix(lower, ".js") || strings.HasSuffix(lower, ".vbs")
}

func (r *result) parseZIP(data []byte) {
	a := &analysisv1.ArchiveInfo{Format: "zip"}
	r.details.Archive = a
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		names, enc := zipNames(data, maxMembers)
		for _, n := range names {
			a.Members = append(a.Members, &analysisv1.ArchiveMember{Name: n})
		}
		a.Encrypted = enc
		r.note("zip central directory unreadable (" + err.Error() + "): names listed from local headers, nothing extracted")
		return
	}
	open := r.depth < maxNestingDepth
	if !open {
		r.guard(a, "nesting", "depth "+itoa(int(r.depth)))
	}
	var extracted int64
	var vba [][]byte
	for i, zf := range zr.File {
		if i >= maxMembers {
			r.guard(a, "member_count", itoa(len(zr.File))+" members")
			break
		}
		m := &analysisv1.ArchiveMember{Name: zf.Name, Size: int64(zf.UncompressedSize64), CompressedSize: int64(zf.CompressedSize64), Encrypted: zf.Flags&1 != 0}
		a.Members = append(a.Members, m)
		a.TotalUncompressed += m.Size
		if m.Encrypted {
			a.Encrypted = true
		}
		if strings.HasSuffix(zf.Name, "/") || m.Encrypted || !open || a.Guard == "ratio" || a.Guard == "total_bytes" {
			continue
		}
		if m.Size > 1<<20 && m.CompressedSize > 0 && m.Size/m.CompressedSize > maxRatio {
			r.guard(a, "ratio", zf.Name+": "+itoa(int(m.Size))+" bytes from "+itoa(int(m.CompressedSize)))
			continue
		}
		if !shouldExtract(r.id.FileType, zf.Name) && !strings.HasSuffix(strings.ToLower(zf.Name), "vbaproject.bin") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			continue
		}
		// Declared sizes can lie: the reader is capped, and the real ratio is checked again.
		limit := min(int64(maxArtifactBytes), maxTotalExtracted-extracted, max(m.CompressedSize, 1)*maxRatio+4096)
		b, err := readCapped(rc, limit)
		rc.Close()
		if errors.Is(err, errTooLarge) {
			if int64(len(b)) > max(m.CompressedSize, 1)*maxRatio {
				r.guard(a, "ratio", zf.Name+": more than "+itoa(len(b))+" bytes from "+itoa(int(m.CompressedSize)))
			} else {
				r.guard(a, "total_bytes", zf.Name+": extraction budget of "+itoa(maxTotalExtracted)+" bytes spent")
			}
			continue
		}
		if err != nil {
			r.note("zip member " + quote(zf.Name) + ": " + err.Error())
			continue
		}
		extracted += int64(len(b))
		if strings.HasSuffix(strings.ToLower(zf.Name), "vbaproject.bin") {
			vba = append(vba, b)
		}
		if r.addArtifact(b, path.Base(zf.Name), r.id.FileType+" member "+quote(zf.Name), "zip:"+zf.Name) {
			m.Extracted = true
			m.Sha256 = sha256Hex(b)
		}
	}
	if a.Encrypted {
		r.id.hint("archive:encrypted")
		r.add(&analysisv1.Finding{Id: "archive.encrypted", Title: "archive has encrypted members", Severity: analysisv1.Severity_SEVERITY_LOW, Score: 150,
			AttackTechniques: []string{"T1027.013"}, Evidence: "encrypted flag set", Offset: -1,
			Reason: "password-protected archives keep payloads away from scanners; common in phishing deliveries"})
	}
	if r.id.FileType == "ooxml" {
		r.ooxmlChecks(zr)
	}
	for _, b := range vba {
		a.HasVba = true
		r.id.hint("has_macros")
		if cf, err := parseCFB(b); err == nil {
			r.vba(cf, "vbaProject.bin")
		}
	}
}

var (
	reExternalRel = regexp.MustCompile(`(?i)<Relationship[^>]*TargetMode="External"[^>]*>`)
	reRelTarget   = regexp.MustCompile(`(?i)Target="([^"]*)"`)
	reRelType     = regexp.MustCompile(`(?i)Type="[^"]*/([^"/]*)"`)
	reDDE         = regexp.MustCompile(`(?i)\bDDE(AUTO)?\b`)
)

// ooxmlChecks looks for remote templates / external OLE links (template injection) and DDE fields.
func (r *result) ooxmlChecks(zr *zip.Reader) {
	seen := 0
	for _, zf := range zr.File {
		lower := strings.ToLower(zf.Name)
		isRels := strings.HasSuffix(lower, ".rels")
		isBody := lower == "word/document.xml" || strings.HasPrefix(lower, "xl/externallinks/")
		if (!isRels && !isBody) || zf.UncompressedSize64 > 8<<20 || seen > 200 {
			continue
		}
		seen++
		rc, err := zf.Open()
		if err != nil {
			continue
		}
		b, _ := readCapped(rc, 8<<20)
		rc.Close()
		if isRels {
			for _, rel := range reExternalRel.FindAll(b, 50) {
				target, typ := "", ""
				if m := reRelTarget.FindSubmatch(rel); m != nil {
					target = string(m[1])
				}
				if m := reRelType.FindSubmatch(rel); m != nil {
					typ = string(m[1])
				}
				if typ == "hyperlink" {
					continue
				}
				r.add(&analysisv1.Finding{Id: "ooxml.external_relationship", Title: "document loads an external " + typ, Severity: analysisv1.Severity_SEVERITY_HIGH, Score: 400,
					AttackTechniques: []string{"T1221"}, Evidence: cap200(zf.Name + ": " + target), Offset: -1,
					Reason: "remote templates and OLE links fetch and run content when the document opens (template injection)"})
			}
		}
		if isBody && reDDE.Match(b) && bytes.Contains(b, []byte("instrText")) || isBody && bytes.Contains(b, []byte("ddeService")) {
			r.add(&analysisv1.Finding{Id: "ooxml.dde", Title: "document contains a DDE field", Severity: analysisv1.Severity_SEVERITY_HIGH, Score: 400,
				AttackTechniques: []string{"T1559.002"}, Evidence: zf.Name, Offset: -1,
				Reason: "DDE fields run commands when the document is opened, without macros"})
		}
	}
}

func cap200(s string) string {
	if len(s) > maxFindingEvidence {
		s = s[:maxFindingEvidence]
	}
	return strings.ToValidUTF8(s, "?")
}

func (r *result) parseGzip(data []byte) {
	a := &analysisv1.ArchiveInfo{Format: "gzip"}
	r.details.Archive = a
	in := &countingReader{r: bytes.NewReader(data)}
	zr, err := gzip.NewReader(in)
	if err != nil {
		r.note("gzip header: " + err.Error())
		return
	}
	zr.Multistream(false)
	r.decompressed(data, a, in, zr, zr.Name, "gzip")
}

func (r *result) parseBzip2(data []byte) {
	a := &analysisv1.ArchiveInfo{Format: "bzip2"}
	r.details.Archive = a
	in := &countingReader{r: bytes.NewReader(data)}
	r.decompressed(data, a, in, bzip2.NewReader(in), "", "bzip2")
}

func (r *result) parseXZ(data []byte) {
	a := &analysisv1.ArchiveInfo{Format: "xz"}
	r.details.Archive = a
	in := &countingReader{r: bytes.NewReader(data)}
	xr, err := xz.NewReader(in)
	if err != nil {
		r.note("xz header: " + err.Error())
		return
	}
	r.decompressed(data, a, in, xr, "", "xz")
}

// decompressed reads the single payload of a compression format within the byte and ratio
// guards and returns it as a child. The ratio is judged on the compressed bytes consumed so far,
// so a bomb is recognised as one even when the byte budget stops it first.
func (r *result) decompressed(data []byte, a *analysisv1.ArchiveInfo, in *countingReader, rd io.Reader, name, format string) {
	if name == "" {
		name = "payload"
	}
	m := &analysisv1.ArchiveMember{Name: name, CompressedSize: int64(len(data))}
	a.Members = append(a.Members, m)
	if r.depth >= maxNestingDepth {
		r.guard(a, "nesting", "depth "+itoa(int(r.depth)))
		return
	}
	limit := min(int64(maxArtifactBytes), int64(len(data))*maxRatio+(1<<20))
	b, err := readCapped(rd, limit)
	m.Size = int64(len(b))
	a.TotalUncompressed = m.Size
	switch {
	case errors.Is(err, errTooLarge) && int64(len(b)) > max(in.n, 1)*maxRatio:
		r.guard(a, "ratio", "more than "+itoa(len(b))+" bytes from "+itoa(int(in.n)))
		return
	case errors.Is(err, errTooLarge):
		r.guard(a, "total_bytes", "payload larger than "+itoa(int(limit))+" bytes")
		return
	case err != nil:
		r.note(format + " payload: " + err.Error() + " (kept the " + itoa(len(b)) + " bytes decoded before it)")
	}
	if len(b) > 0 && r.addArtifact(b, name, format+" payload", format) {
		m.Extracted = true
		m.Sha256 = sha256Hex(b)
	}
}

func (r *result) parseTar(data []byte) {
	a := &analysisv1.ArchiveInfo{Format: "tar"}
	r.details.Archive = a
	open := r.depth < maxNestingDepth
	if !open {
		r.guard(a, "nesting", "depth "+itoa(int(r.depth)))
	}
	tr := tar.NewReader(bytes.NewReader(data))
	for i := 0; ; i++ {
		h, err := tr.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				r.note("tar: " + err.Error())
			}
			break
		}
		if i >= maxMembers {
			r.guard(a, "member_count", "more than "+itoa(maxMembers)+" members")
			break
		}
		m := &analysisv1.ArchiveMember{Name: h.Name, Size: h.Size, CompressedSize: h.Size}
		a.Members = append(a.Members, m)
		a.TotalUncompressed += h.Size
		if h.Typeflag != tar.TypeReg || !open || h.Size == 0 {
			continue
		}
		b, err := readCapped(tr, maxArtifactBytes)
		if err != nil {
			continue
		}
		if r.addArtifact(b, path.Base(h.Name), "tar member "+quote(h.Name), "tar:"+h.Name) {
			m.Extracted = true
			m.Sha256 = sha256Hex(b)
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
