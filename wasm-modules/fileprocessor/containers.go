package fileprocessor

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf16"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

const isoSector = 2048

// parseISO lists and extracts the files of an ISO 9660 image by walking directory records from
// the primary volume descriptor's root. Disk images are a common way to deliver LNK + DLL sets
// past mark-of-the-web, so the members matter more than the image.
func (r *result) parseISO(data []byte) {
	a := &analysisv1.ArchiveInfo{Format: "iso"}
	r.details.Archive = a
	pvd := sliceAt(data, 16*isoSector, isoSector)
	if len(pvd) < 190 || pvd[0] != 1 {
		r.note("ISO primary volume descriptor missing")
		return
	}
	open := r.depth < maxNestingDepth
	if !open {
		r.guard(a, "nesting", "depth "+itoa(int(r.depth)))
	}
	type dir struct {
		lba, size uint32
		path      string
		depth     int
	}
	root := pvd[156:190]
	queue := []dir{{binary.LittleEndian.Uint32(root[2:]), binary.LittleEndian.Uint32(root[10:]), "", 0}}
	seen := map[uint32]bool{}
	var extracted int64
	for len(queue) > 0 && a.Guard != "member_count" {
		d := queue[0]
		queue = queue[1:]
		if seen[d.lba] || d.depth > 16 {
			continue
		}
		seen[d.lba] = true
		recs := sliceAt(data, int64(d.lba)*isoSector, int64(min(d.size, 4<<20)))
		for p := 0; p < len(recs); {
			l := int(recs[p])
			if l == 0 {
				// Records never straddle a sector: zero padding means "next sector".
				p = (p/isoSector + 1) * isoSector
				continue
			}
			if l < 34 || p+l > len(recs) {
				break
			}
			rec := recs[p : p+l]
			p += l
			nameLen := int(rec[32])
			if 33+nameLen > len(rec) {
				continue
			}
			name := string(rec[33 : 33+nameLen])
			if name == "\x00" || name == "\x01" {
				continue // "." and ".."
			}
			name, _, _ = strings.Cut(name, ";")
			lba, size, flags := binary.LittleEndian.Uint32(rec[2:]), binary.LittleEndian.Uint32(rec[10:]), rec[25]
			full := d.path + name
			if flags&2 != 0 {
				queue = append(queue, dir{lba, size, full + "/", d.depth + 1})
				continue
			}
			if len(a.Members) >= maxMembers {
				r.guard(a, "member_count", "more than "+itoa(maxMembers)+" files")
				break
			}
			m := &analysisv1.ArchiveMember{Name: full, Size: int64(size), CompressedSize: int64(size)}
			a.Members = append(a.Members, m)
			a.TotalUncompressed += int64(size)
			if !open || size == 0 {
				continue
			}
			content := sliceAt(data, int64(lba)*isoSector, int64(size))
			if extracted+int64(len(content)) > maxTotalExtracted {
				r.guard(a, "total_bytes", full+": extraction budget of "+itoa(maxTotalExtracted)+" bytes spent")
				continue
			}
			if r.addArtifact(content, name, "ISO image member "+quote(full), "iso:"+full) {
				extracted += int64(len(content))
				m.Extracted = true
				m.Sha256 = sha256Hex(content)
			}
		}
	}
	for _, m := range a.Members {
		lower := strings.ToLower(m.Name)
		if strings.HasSuffix(lower, ".lnk") || strings.HasSuffix(lower, ".exe") || strings.HasSuffix(lower, ".dll") ||
			strings.HasSuffix(lower, ".js") || strings.HasSuffix(lower, ".vbs") || strings.HasSuffix(lower, ".hta") ||
			strings.HasSuffix(lower, ".bat") || strings.HasSuffix(lower, ".cmd") || strings.HasSuffix(lower, ".ps1") {
			r.add(&analysisv1.Finding{Id: "archive.disk_image_payload", Title: "disk image carries " + quote(m.Name), Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 200,
				AttackTechniques: []string{"T1553.005"}, Evidence: cap200(m.Name), Offset: -1,
				Reason: "executables and shortcuts inside ISO/IMG files escape mark-of-the-web, a common phishing delivery"})
			break
		}
	}
}

// LNK LinkFlags bits (MS-SHLLINK 2.1.1).
const (
	lnkHasIDList      = 1 << 0
	lnkHasLinkInfo    = 1 << 1
	lnkHasName        = 1 << 2
	lnkHasRelPath     = 1 << 3
	lnkHasWorkingDir  = 1 << 4
	lnkHasArguments   = 1 << 5
	lnkHasIconLoc     = 1 << 6
	lnkIsUnicode      = 1 << 7
	lnkHeaderSize     = 0x4c
	maxLNKStringChars = 32 << 10
)

// parseLNK decodes a shell link's target and string data (MS-SHLLINK) and looks for the script
// indicators in its command line.
func (r *result) parseLNK(data []byte) {
	if len(data) < lnkHeaderSize {
		return
	}
	flags := binary.LittleEndian.Uint32(data[0x14:])
	info := &analysisv1.LNKInfo{LinkFlags: flags, ShowCommand: binary.LittleEndian.Uint32(data[0x3c:])}
	r.details.Lnk = info
	p := lnkHeaderSize
	if flags&lnkHasIDList != 0 && p+2 <= len(data) {
		p += 2 + int(binary.LittleEndian.Uint16(data[p:]))
	}
	if flags&lnkHasLinkInfo != 0 && p+28 <= len(data) {
		size := int(binary.LittleEndian.Uint32(data[p:]))
		li := sliceAt(data, int64(p), int64(size))
		if len(li) >= 28 {
			if off := int(binary.LittleEndian.Uint32(li[16:])); off > 0 && off < len(li) {
				if end := bytes.IndexByte(li[off:], 0); end >= 0 {
					info.Target = strings.ToValidUTF8(string(li[off:off+end]), "?")
				}
			}
		}
		p += max(size, 4)
	}
	readString := func() string {
		if p+2 > len(data) {
			return ""
		}
		n := int(binary.LittleEndian.Uint16(data[p:]))
		p += 2
		if flags&lnkIsUnicode != 0 {
			b := sliceAt(data, int64(p), int64(2*n))
			p += 2 * n
			u := make([]uint16, 0, len(b)/2)
			for i := 0; i+1 < len(b) && len(u) < maxLNKStringChars; i += 2 {
				u = append(u, binary.LittleEndian.Uint16(b[i:]))
			}
			return string(utf16.Decode(u))
		}
		b := sliceAt(data, int64(p), int64(n))
		p += n
		return strings.ToValidUTF8(string(b), "?")
	}
	for _, f := range []struct {
		bit uint32
		dst *string
	}{{lnkHasName, &info.Name}, {lnkHasRelPath, &info.RelativePath}, {lnkHasWorkingDir, &info.WorkingDir}, {lnkHasArguments, &info.Arguments}, {lnkHasIconLoc, &info.IconLocation}} {
		if flags&f.bit != 0 {
			*f.dst = readString()
		}
	}
	cmd := strings.ToLower(info.Target + " " + info.RelativePath)
	for _, interp := range []string{"powershell", "pwsh", "cmd.exe", "mshta", "wscript", "cscript", "rundll32", "regsvr32", "msiexec", "certutil", "bitsadmin", "conhost"} {
		if strings.Contains(cmd, interp) {
			r.add(&analysisv1.Finding{Id: "lnk.launches_interpreter", Title: "shortcut runs " + interp, Severity: analysisv1.Severity_SEVERITY_HIGH, Score: 350,
				AttackTechniques: []string{"T1204.002", "T1059"}, Evidence: cap200(strings.TrimSpace(info.Target+info.RelativePath) + " " + info.Arguments), Offset: -1,
				Reason: "a shortcut that starts a script host or LOLBin with arguments is how LNK phishing runs its payload"})
			break
		}
	}
	if len(info.Arguments) > 0 {
		_, findings := analyzeScript([]byte(info.Arguments), "lnk")
		for _, f := range findings {
			f.Id = "lnk." + strings.TrimPrefix(f.Id, "script.")
			f.Offset = -1
			r.add(f)
		}
		if len(info.Arguments) > 512 {
			r.add(&analysisv1.Finding{Id: "lnk.long_arguments", Title: "shortcut has " + itoa(len(info.Arguments)) + " characters of arguments", Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 150,
				AttackTechniques: []string{"T1027"}, Evidence: cap200(info.Arguments), Offset: -1,
				Reason: "long argument strings hide commands past the 260 characters Explorer shows"})
		}
	}
}
