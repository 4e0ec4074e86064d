package fileprocessor

import (
	"bytes"
	"regexp"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

var (
	reRTFObjData  = regexp.MustCompile(`\\objdata\b`)
	reRTFEquation = regexp.MustCompile(`(?i)equation\.(3|dsmt)`)
)

// parseRTF extracts \objdata payloads (hex-encoded OLE objects) and flags the constructs that
// RTF exploits rely on.
func (r *result) parseRTF(data []byte) {
	objects := 0
	for _, loc := range reRTFObjData.FindAllIndex(data, maxArtifacts) {
		blob := rtfHex(data[loc[1]:], maxArtifactBytes)
		if len(blob) < 16 {
			continue
		}
		objects++
		// An OLE1 wrapper precedes the compound file; hand the pipeline the compound file itself.
		if i := bytes.Index(blob, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")); i >= 0 {
			blob = blob[i:]
		}
		r.addArtifact(blob, "rtf_object"+itoa(objects)+".bin", "\\objdata embedded object at offset "+itoa(loc[0]), "rtf:objdata", "hex")
		if m := reRTFEquation.Find(blob); m != nil {
			r.add(&analysisv1.Finding{Id: "rtf.equation_editor", Title: "embedded Equation Editor object", Severity: analysisv1.Severity_SEVERITY_HIGH, Score: 500,
				AttackTechniques: []string{"T1203"}, Evidence: string(m), Offset: int64(loc[0]),
				Reason: "Equation Editor objects in RTF are the carrier of CVE-2017-11882 / CVE-2018-0802 exploits"})
		}
	}
	if objects > 0 {
		r.add(&analysisv1.Finding{Id: "rtf.embedded_object", Title: itoa(objects) + " embedded object(s) in RTF", Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 150,
			AttackTechniques: []string{"T1027.009"}, Evidence: "\\objdata x" + itoa(objects), Offset: -1,
			Reason: "RTF documents rarely embed OLE objects except to deliver exploits or droppers"})
	}
	if i := bytes.Index(data, []byte(`\objupdate`)); i >= 0 {
		r.add(&analysisv1.Finding{Id: "rtf.objupdate", Title: "object set to update automatically", Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 200,
			AttackTechniques: []string{"T1204.002"}, Evidence: `\objupdate`, Offset: int64(i),
			Reason: "\\objupdate loads the embedded object on open, without a click"})
	}
}

// rtfHex decodes hex digits until the group closes, skipping whitespace and nested control words.
func rtfHex(b []byte, limit int) []byte {
	var out []byte
	hi := -1
	for i := 0; i < len(b) && len(out) < limit; i++ {
		c := b[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'a' && c <= 'f':
			v = int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			v = int(c-'A') + 10
		case c == '}':
			return out
		case c == '\\':
			for i+1 < len(b) && (b[i+1] >= 'a' && b[i+1] <= 'z') {
				i++
			}
			continue
		default:
			continue
		}
		if hi < 0 {
			hi = v
		} else {
			out = append(out, byte(hi<<4|v))
			hi = -1
		}
	}
	return out
}
