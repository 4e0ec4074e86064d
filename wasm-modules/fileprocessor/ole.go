package fileprocessor

import (
	"encoding/binary"
	"errors"
	"regexp"
	"strings"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

func (r *result) parseOLE(data []byte) {
	info := &analysisv1.OLEInfo{}
	r.details.Ole = info
	cf, err := parseCFB(data)
	if err != nil {
		r.add(&analysisv1.Finding{Id: "ole.malformed", Title: "OLE compound file could not be parsed", Severity: analysisv1.Severity_SEVERITY_LOW, Score: 100,
			Evidence: err.Error(), Offset: -1, Reason: "a damaged compound file can be crafted to defeat parsers while Office still opens it"})
		return
	}
	info.Application = cf.application()
	for i, e := range cf.streams() {
		if i >= maxMembers {
			r.note("OLE stream list truncated at " + itoa(maxMembers))
			break
		}
		info.Streams = append(info.Streams, e.path)
		lower := strings.ToLower(e.name)
		// Embedded objects and packages carry droppable files.
		if lower == "\x01ole10native" || lower == "package" || strings.HasSuffix(lower, "contents") && strings.Contains(strings.ToLower(e.path), "objectpool") {
			if b, err := cf.read(e, maxArtifactBytes); err == nil && len(b) > 0 {
				r.addArtifact(b, e.name+".bin", "OLE embedded object stream "+quote(e.path), "ole:"+e.path)
			}
		}
	}
	if cf.hasVBA() {
		info.HasVba = true
		r.id.hint("has_macros")
		info.Macros = r.vba(cf, "compound file")
	}
}

var reAutoExec = regexp.MustCompile(`(?i)\b(auto_?open|autoexec|autoclose|auto_close|document_open|document_close|documentopen|workbook_open|workbook_activate|workbook_beforeclose|presentation_open|document_new|autonew)\b`)

// vba finds every VBA project in cf, extracts each module's source as a child, reports macro
// findings and returns the module names.
func (r *result) vba(cf *cfbFile, where string) []string {
	var names []string
	for _, dir := range cf.streams() {
		if !strings.EqualFold(dir.name, "dir") || !strings.HasSuffix(strings.ToUpper(dir.path), "VBA/DIR") {
			continue
		}
		prefix := dir.path[:len(dir.path)-3]
		raw, err := cf.read(dir, 1<<20)
		if err != nil && len(raw) == 0 {
			continue
		}
		dec, err := ovbaDecompress(raw, 4<<20)
		if err != nil {
			r.note("VBA dir stream: " + err.Error())
			continue
		}
		for _, mod := range vbaModules(dec) {
			if len(names) >= maxVBAModules {
				break
			}
			names = append(names, mod.name)
			st := cf.find(prefix + mod.stream)
			if st == nil {
				continue
			}
			b, err := cf.read(st, 8<<20)
			if err != nil && len(b) == 0 || int(mod.offset) > len(b) {
				continue
			}
			src, err := ovbaDecompress(b[mod.offset:], 8<<20)
			if err != nil && len(src) == 0 {
				continue
			}
			r.addArtifact(src, mod.name+".vba", "VBA macro module "+quote(mod.name)+" from "+where, "ole:"+st.path, "ms-ovba:decompress")
			if m := reAutoExec.FindIndex(src); m != nil {
				r.add(&analysisv1.Finding{Id: "vba.autoexec", Title: "macro runs automatically (" + string(src[m[0]:m[1]]) + ")", Severity: analysisv1.Severity_SEVERITY_HIGH, Score: 400,
					AttackTechniques: []string{"T1204.002", "T1059.005"}, Evidence: cap200(mod.name + ": " + string(src[m[0]:m[1]])), Offset: -1,
					Reason: "an auto-executing macro runs code as soon as the victim enables content, the usual maldoc entry point"})
			}
		}
	}
	r.add(&analysisv1.Finding{Id: "vba.macros", Title: "document contains VBA macros", Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 200,
		AttackTechniques: []string{"T1059.005"}, Evidence: cap200(strings.Join(names, ", ")), Offset: -1,
		Reason: "macros are the most common code-execution vector in malicious Office documents"})
	return names
}

type vbaModule struct {
	name, stream string
	offset       uint32
}

// vbaModules walks the decompressed dir stream (MS-OVBA 2.3.4.2) for MODULENAME,
// MODULESTREAMNAME and MODULEOFFSET records.
func vbaModules(d []byte) []vbaModule {
	var out []vbaModule
	var cur *vbaModule
	for p := 0; p+6 <= len(d) && len(out) < maxVBAModules; {
		id := binary.LittleEndian.Uint16(d[p:])
		size := int(binary.LittleEndian.Uint32(d[p+2:]))
		if id == 0x0009 {
			size = 6 // PROJECTVERSION's size field is 4 but 6 bytes follow it
		}
		if size < 0 || p+6+size > len(d) {
			break
		}
		v := d[p+6 : p+6+size]
		switch id {
		case 0x0019: // MODULENAME
			out = append(out, vbaModule{name: string(v), stream: string(v)})
			cur = &out[len(out)-1]
		case 0x001a: // MODULESTREAMNAME
			if cur != nil {
				cur.stream = string(v)
			}
		case 0x0031: // MODULEOFFSET
			if cur != nil && len(v) >= 4 {
				cur.offset = binary.LittleEndian.Uint32(v)
			}
		}
		p += 6 + size
	}
	return out
}

// ovbaDecompress implements the MS-OVBA 2.4.1 compression: a 0x01 signature then chunks of at
// most 4096 decompressed bytes, each a run of flag bytes followed by literals and copy tokens.
func ovbaDecompress(in []byte, limit int) ([]byte, error) {
	if len(in) == 0 || in[0] != 1 {
		return nil, errors.New("ovba: missing signature byte")
	}
	out := make([]byte, 0, min(len(in)*3, limit))
	p := 1
	for p+2 <= len(in) {
		hdr := binary.LittleEndian.Uint16(in[p:])
		size := int(hdr&0x0fff) + 3
		compressed := hdr&0x8000 != 0
		end := min(p+size, len(in))
		p += 2
		chunkStart := len(out)
		if !compressed {
			n := min(4096, len(in)-p)
			out = append(out, in[p:p+n]...)
			p += n
			if len(out) > limit {
				return out[:limit], errors.New("ovba: output limit")
			}
			continue
		}
		for p < end {
			flags := in[p]
			p++
			for bit := 0; bit < 8 && p < end; bit++ {
				if flags&(1<<bit) == 0 {
					out = append(out, in[p])
					p++
					continue
				}
				if p+2 > end {
					return out, errors.New("ovba: truncated copy token")
				}
				tok := binary.LittleEndian.Uint16(in[p:])
				p += 2
				diff := len(out) - chunkStart
				bits := 4
				for (1 << bits) < diff {
					bits++
				}
				lengthMask := uint16(0xffff) >> bits
				length := int(tok&lengthMask) + 3
				offset := int(tok>>(16-bits)) + 1
				if offset > diff {
					return out, errors.New("ovba: copy token points before the chunk")
				}
				for i := 0; i < length; i++ {
					out = append(out, out[len(out)-offset])
				}
			}
			if len(out) > limit {
				return out[:limit], errors.New("ovba: output limit")
			}
		}
		p = end
	}
	return out, nil
}
