package fileprocessor

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

// Microsoft Cabinet (MS-CAB): a header, CFFOLDER records (each a run of CFDATA blocks
// compressed as one stream), CFFILE records (a name and a range of a folder's uncompressed
// stream) and the data blocks.
const (
	cabHeaderSize   = 36
	cabFlagPrev     = 0x0001 // continues a previous cabinet: two names follow the header
	cabFlagNext     = 0x0002 // continued in a next cabinet: two names follow
	cabFlagReserve  = 0x0004 // per-header, per-folder and per-block reserved areas
	cabCompressNone = 0
	cabCompressZIP  = 1      // MSZIP: "CK" + a deflate stream per block, window carried over
	cabBlockMax     = 32768  // uncompressed bytes of one CFDATA block
	cabFolderSpan   = 0xfffd // iFolder values from here on: the file spans cabinets
	cabDictionary   = 32768  // MSZIP window: the previous block's output
	cabMaxString    = 256    // bytes of a name, terminator included
	cabBombFloor    = 1 << 20
)

var errCABRatio = errors.New("expansion ratio guard")

type cabFolder struct {
	dataOff, blocks int
	compress        uint16
}

type cabFile struct {
	name      string
	size, off uint32
	folder    uint16
}

type cabinet struct {
	folders      []cabFolder
	files        []cabFile
	nFiles       int // declared
	dataReserve  int
	truncated    bool
	truncatedWhy string
}

// readCAB reads the header, folders and files of a cabinet, as far as they are inside data.
func readCAB(data []byte) (*cabinet, error) {
	if len(data) < cabHeaderSize {
		return nil, errors.New("header truncated")
	}
	le := binary.LittleEndian
	coffFiles := int(le.Uint32(data[16:]))
	nFolders := int(le.Uint16(data[26:]))
	c := &cabinet{nFiles: int(le.Uint16(data[28:]))}
	flags := le.Uint16(data[30:])
	p := cabHeaderSize
	folderReserve := 0
	if flags&cabFlagReserve != 0 {
		if p+4 > len(data) {
			return c, errors.New("reserve sizes truncated")
		}
		headerReserve := int(le.Uint16(data[p:]))
		folderReserve, c.dataReserve = int(data[p+2]), int(data[p+3])
		p += 4 + headerReserve
	}
	for _, f := range []uint16{cabFlagPrev, cabFlagNext} {
		if flags&f == 0 {
			continue
		}
		for range 2 { // cabinet name, disk name
			end := bytes.IndexByte(data[min(p, len(data)):min(p+cabMaxString, len(data))], 0)
			if end < 0 {
				return c, errors.New("cabinet names truncated")
			}
			p += end + 1
		}
	}
	var err error
	for i := 0; i < nFolders; i++ {
		if p+8 > len(data) {
			// The files may still be listed, and those in the folders read extracted.
			err = fmt.Errorf("folder %d of %d outside the file", i, nFolders)
			break
		}
		c.folders = append(c.folders, cabFolder{dataOff: int(le.Uint32(data[p:])), blocks: int(le.Uint16(data[p+4:])), compress: le.Uint16(data[p+6:])})
		p += 8 + folderReserve
	}
	p = coffFiles
	for i := 0; i < c.nFiles && i < maxMembers; i++ {
		if p < 0 || p+16 > len(data) {
			return c, errors.Join(err, fmt.Errorf("file record %d of %d outside the file", i, c.nFiles))
		}
		end := bytes.IndexByte(data[p+16:min(len(data), p+16+cabMaxString)], 0)
		if end < 0 {
			return c, errors.Join(err, fmt.Errorf("file record %d: name not terminated", i))
		}
		c.files = append(c.files, cabFile{
			name:   strings.ToValidUTF8(string(data[p+16:p+16+end]), "?"),
			size:   le.Uint32(data[p:]),
			off:    le.Uint32(data[p+4:]),
			folder: le.Uint16(data[p+8:]),
		})
		p += 16 + end + 1
	}
	return c, err
}

// cabFolderData decompresses a folder's blocks until need bytes are out, or all blocks are
// decoded, never more than budget bytes (errTooLarge), keeping what was decoded before an error.
// compressed is how many stored bytes were read.
func cabFolderData(data []byte, f cabFolder, dataReserve int, need, budget int64) (out []byte, compressed int64, err error) {
	le := binary.LittleEndian
	p := f.dataOff
	for i := 0; i < f.blocks && int64(len(out)) < need; i++ {
		if p < 0 || p+8+dataReserve > len(data) {
			return out, compressed, fmt.Errorf("data block %d of %d outside the file", i, f.blocks)
		}
		stored, size := int(le.Uint16(data[p+4:])), int(le.Uint16(data[p+6:]))
		p += 8 + dataReserve
		if p+stored > len(data) {
			return out, compressed, fmt.Errorf("data block %d truncated", i)
		}
		block := data[p : p+stored]
		p += stored
		compressed += int64(stored) + 8
		switch {
		case size > cabBlockMax:
			return out, compressed, fmt.Errorf("data block %d declares %d bytes, more than %d", i, size, cabBlockMax)
		case int64(len(out)+size) > budget:
			return out, compressed, errTooLarge
		}
		n := len(out)
		out = slices.Grow(out, size)[:n+size]
		switch f.compress & 0x000f {
		case cabCompressNone:
			if stored != size {
				return out[:n], compressed, fmt.Errorf("stored block %d holds %d bytes, declares %d", i, stored, size)
			}
			copy(out[n:], block)
		case cabCompressZIP:
			if !bytes.HasPrefix(block, []byte("CK")) {
				return out[:n], compressed, fmt.Errorf("MSZIP block %d lacks its CK signature", i)
			}
			zr := flate.NewReaderDict(bytes.NewReader(block[2:]), out[max(0, n-cabDictionary):n])
			got, rerr := io.ReadFull(zr, out[n:])
			if rerr != nil {
				return out[:n+got], compressed, fmt.Errorf("MSZIP block %d: %w", i, rerr)
			}
		}
		if len(out) > cabBombFloor && int64(len(out)) > compressed*maxRatio {
			return out, compressed, errCABRatio
		}
	}
	return out, compressed, nil
}

// cabCompression names a folder's compression type for notes.
func cabCompression(t uint16) string {
	switch t & 0x000f {
	case cabCompressNone:
		return "none"
	case cabCompressZIP:
		return "MSZIP"
	case 2:
		return "Quantum"
	case 3:
		return "LZX"
	}
	return "type " + itoa(int(t&0x000f))
}

// parseCAB lists a cabinet's files and extracts those in stored and MSZIP folders as children.
// Quantum and LZX folders, and files continued from or into other cabinets, are listed only.
func (r *result) parseCAB(data []byte) {
	a := &analysisv1.ArchiveInfo{Format: "cab"}
	r.details.Archive = a
	c, err := readCAB(data)
	if err != nil {
		r.note("CAB: " + strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if c == nil {
		return
	}
	if c.nFiles > maxMembers {
		r.guard(a, "member_count", itoa(c.nFiles)+" files")
	}
	members := make([]*analysisv1.ArchiveMember, len(c.files))
	for i, f := range c.files {
		members[i] = &analysisv1.ArchiveMember{Name: f.name, Size: int64(f.size)}
		a.Members = append(a.Members, members[i])
		a.TotalUncompressed += int64(f.size)
	}
	if r.depth >= maxNestingDepth {
		r.guard(a, "nesting", "depth "+itoa(int(r.depth)))
		return
	}
	var extracted int64
	for fi, folder := range c.folders {
		var want []int // files of this folder, in record order
		for i, f := range c.files {
			if int(f.folder) == fi && f.folder < cabFolderSpan {
				want = append(want, i)
			}
		}
		if len(want) == 0 || a.Guard == "ratio" || a.Guard == "total_bytes" {
			continue
		}
		if t := folder.compress & 0x000f; t != cabCompressNone && t != cabCompressZIP {
			r.note("CAB folder " + itoa(fi) + ": " + cabCompression(folder.compress) + " compression is not decompressed; its files are listed only")
			continue
		}
		// Decode as far as the last file of the folder ends, within the extraction budget.
		var need int64
		for _, i := range want {
			need = max(need, int64(c.files[i].off)+int64(c.files[i].size))
		}
		out, stored, err := cabFolderData(data, folder, c.dataReserve, need, maxTotalExtracted-extracted)
		extracted += int64(len(out))
		switch {
		case errors.Is(err, errCABRatio):
			r.guard(a, "ratio", "folder "+itoa(fi)+": more than "+itoa(len(out))+" bytes from "+itoa(int(stored)))
		case errors.Is(err, errTooLarge):
			r.guard(a, "total_bytes", "folder "+itoa(fi)+": extraction budget of "+itoa(maxTotalExtracted)+" bytes spent")
		case err != nil:
			r.note("CAB folder " + itoa(fi) + ": " + err.Error() + " (kept the " + itoa(len(out)) + " bytes decoded before it)")
		}
		for _, i := range want {
			f := c.files[i]
			end := int64(f.off) + int64(f.size)
			if end > int64(len(out)) {
				continue
			}
			b := out[f.off:end]
			if r.addArtifact(b, baseName(f.name), "cab member "+quote(f.name), "cab:"+f.name) {
				members[i].Extracted = true
				members[i].Sha256 = sha256Hex(b)
			}
		}
	}
	for i, f := range c.files {
		if f.folder >= cabFolderSpan {
			r.note("CAB file " + quote(f.name) + " continues across cabinets; listed only")
		} else if int(f.folder) >= len(c.folders) {
			r.note("CAB file " + quote(c.files[i].name) + " names folder " + itoa(int(f.folder)) + " of " + itoa(len(c.folders)))
		}
	}
}

// baseName is the last component of a cabinet path, which uses backslashes.
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `\/`); i >= 0 {
		return name[i+1:]
	}
	return name
}
