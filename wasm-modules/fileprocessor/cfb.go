package fileprocessor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// CFB (MS-CFB, "OLE2 compound file") sector markers.
const (
	cfbFreeSect   = 0xFFFFFFFF
	cfbEndOfChain = 0xFFFFFFFE
	cfbFATSect    = 0xFFFFFFFD
	cfbDIFSect    = 0xFFFFFFFC
	cfbMaxRegSect = 0xFFFFFFFA
)

var errCFBChain = errors.New("sector chain is broken or too long")

// cfbEntry is one directory entry.
type cfbEntry struct {
	name     string
	objType  byte // 1 storage, 2 stream, 5 root
	left     uint32
	right    uint32
	child    uint32
	start    uint32
	size     uint64
	clsid    [16]byte
	path     string // full path from the root, "/"-joined
	resolved bool
}

// cfbFile is a parsed compound file. Streams are read lazily and each read is capped.
type cfbFile struct {
	data        []byte
	sectorSize  int
	miniSize    int
	miniCutoff  uint64
	fat         []uint32
	miniFAT     []uint32
	entries     []cfbEntry
	miniStream  []byte
	miniStreamN bool
}

func parseCFB(b []byte) (*cfbFile, error) {
	if len(b) < 512 || string(b[:8]) != "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" {
		return nil, errors.New("not a compound file")
	}
	shift := binary.LittleEndian.Uint16(b[0x1e:])
	miniShift := binary.LittleEndian.Uint16(b[0x20:])
	if shift != 9 && shift != 12 {
		return nil, fmt.Errorf("sector shift %d", shift)
	}
	if miniShift != 6 {
		return nil, fmt.Errorf("mini sector shift %d", miniShift)
	}
	cf := &cfbFile{data: b, sectorSize: 1 << shift, miniSize: 1 << miniShift}
	cf.miniCutoff = uint64(binary.LittleEndian.Uint32(b[0x38:]))
	numFAT := binary.LittleEndian.Uint32(b[0x2c:])
	firstDir := binary.LittleEndian.Uint32(b[0x30:])
	firstMiniFAT := binary.LittleEndian.Uint32(b[0x3c:])
	firstDIFAT := binary.LittleEndian.Uint32(b[0x44:])
	numDIFAT := binary.LittleEndian.Uint32(b[0x48:])

	maxSectors := uint32(len(b)/cf.sectorSize + 1)
	if numFAT > maxSectors {
		return nil, fmt.Errorf("fat sector count %d exceeds file", numFAT)
	}
	// The DIFAT lists FAT sectors: 109 in the header, the rest in a chain of DIFAT sectors.
	var fatSectors []uint32
	for i := 0; i < 109 && uint32(len(fatSectors)) < numFAT; i++ {
		s := binary.LittleEndian.Uint32(b[0x4c+4*i:])
		if s <= cfbMaxRegSect {
			fatSectors = append(fatSectors, s)
		}
	}
	next := firstDIFAT
	per := cf.sectorSize/4 - 1
	for n := uint32(0); n < numDIFAT && next <= cfbMaxRegSect && uint32(len(fatSectors)) < numFAT; n++ {
		sec, ok := cf.sector(next)
		if !ok {
			break
		}
		for i := 0; i < per && uint32(len(fatSectors)) < numFAT; i++ {
			s := binary.LittleEndian.Uint32(sec[4*i:])
			if s <= cfbMaxRegSect {
				fatSectors = append(fatSectors, s)
			}
		}
		next = binary.LittleEndian.Uint32(sec[4*per:])
	}
	for _, s := range fatSectors {
		sec, ok := cf.sector(s)
		if !ok {
			continue
		}
		for i := 0; i+4 <= len(sec); i += 4 {
			cf.fat = append(cf.fat, binary.LittleEndian.Uint32(sec[i:]))
		}
		if len(cf.fat) > maxCFBSectors {
			return nil, errors.New("fat too large")
		}
	}
	dir, err := cf.chain(firstDir, cf.fat, cf.sectorSize, uint64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	for i := 0; i+128 <= len(dir) && len(cf.entries) < maxCFBEntries; i += 128 {
		e := dir[i : i+128]
		nameLen := int(binary.LittleEndian.Uint16(e[64:]))
		if nameLen > 64 {
			nameLen = 64
		}
		u := make([]uint16, 0, 32)
		for j := 0; j+1 < nameLen; j += 2 {
			c := binary.LittleEndian.Uint16(e[j:])
			if c == 0 {
				break
			}
			u = append(u, c)
		}
		ent := cfbEntry{
			name:    string(utf16.Decode(u)),
			objType: e[66],
			left:    binary.LittleEndian.Uint32(e[68:]),
			right:   binary.LittleEndian.Uint32(e[72:]),
			child:   binary.LittleEndian.Uint32(e[76:]),
			start:   binary.LittleEndian.Uint32(e[116:]),
			size:    binary.LittleEndian.Uint64(e[120:]),
		}
		if cf.sectorSize == 512 {
			ent.size &= 0xffffffff // version 3 files may leave garbage in the high half
		}
		copy(ent.clsid[:], e[80:96])
		cf.entries = append(cf.entries, ent)
	}
	if len(cf.entries) == 0 || cf.entries[0].objType != 5 {
		return nil, errors.New("no root entry")
	}
	if firstMiniFAT <= cfbMaxRegSect {
		mf, err := cf.chain(firstMiniFAT, cf.fat, cf.sectorSize, uint64(len(b)))
		if err == nil {
			for i := 0; i+4 <= len(mf); i += 4 {
				cf.miniFAT = append(cf.miniFAT, binary.LittleEndian.Uint32(mf[i:]))
			}
		}
	}
	cf.resolvePaths()
	return cf, nil
}

// sector returns the bytes of a regular sector; sector 0 follows the 512-byte header (or the
// first 4096-byte sector in version 4 files).
func (cf *cfbFile) sector(n uint32) ([]byte, bool) {
	off := (int64(n) + 1) * int64(cf.sectorSize)
	if n > cfbMaxRegSect || off+int64(cf.sectorSize) > int64(len(cf.data)) {
		return nil, false
	}
	return cf.data[off : off+int64(cf.sectorSize)], true
}

// chain follows a FAT chain and concatenates at most limit bytes.
func (cf *cfbFile) chain(start uint32, fat []uint32, size int, limit uint64) ([]byte, error) {
	var out []byte
	seen := 0
	maxSteps := len(fat) + 1
	if maxSteps > maxCFBSectors {
		maxSteps = maxCFBSectors
	}
	for s := start; s != cfbEndOfChain; {
		if s > cfbMaxRegSect || seen >= maxSteps {
			return out, errCFBChain
		}
		seen++
		var sec []byte
		if size == cf.miniSize {
			off := int(s) * cf.miniSize
			if off+cf.miniSize > len(cf.miniStream) {
				return out, errCFBChain
			}
			sec = cf.miniStream[off : off+cf.miniSize]
		} else {
			var ok bool
			if sec, ok = cf.sector(s); !ok {
				return out, errCFBChain
			}
		}
		out = append(out, sec...)
		if uint64(len(out)) >= limit {
			return out[:limit], nil
		}
		if int(s) >= len(fat) {
			return out, errCFBChain
		}
		s = fat[s]
	}
	return out, nil
}

// resolvePaths walks the red-black tree of each storage to give every entry its full path.
func (cf *cfbFile) resolvePaths() {
	var walk func(idx uint32, parent string, depth int)
	visited := 0
	walk = func(idx uint32, parent string, depth int) {
		if idx >= uint32(len(cf.entries)) || depth > 64 || visited > len(cf.entries) {
			return
		}
		e := &cf.entries[idx]
		if e.resolved {
			return
		}
		visited++
		e.resolved = true
		e.path = parent + e.name
		walk(e.left, parent, depth+1)
		walk(e.right, parent, depth+1)
		if e.objType == 1 || e.objType == 5 {
			walk(e.child, e.path+"/", depth+1)
		}
	}
	cf.entries[0].resolved = true
	cf.entries[0].path = ""
	walk(cf.entries[0].child, "", 0)
}

// streams returns every stream entry with a resolved path.
func (cf *cfbFile) streams() []*cfbEntry {
	var out []*cfbEntry
	for i := range cf.entries {
		if cf.entries[i].objType == 2 && cf.entries[i].resolved {
			out = append(out, &cf.entries[i])
		}
	}
	return out
}

// find returns the stream whose path matches case-insensitively.
func (cf *cfbFile) find(path string) *cfbEntry {
	for _, e := range cf.streams() {
		if strings.EqualFold(e.path, path) {
			return e
		}
	}
	return nil
}

// read returns the content of a stream, at most limit bytes.
func (cf *cfbFile) read(e *cfbEntry, limit uint64) ([]byte, error) {
	size := e.size
	if size > limit {
		size = limit
	}
	if e.size < cf.miniCutoff {
		if !cf.miniStreamN {
			cf.miniStreamN = true
			root := &cf.entries[0]
			ms, err := cf.chain(root.start, cf.fat, cf.sectorSize, root.size)
			if err != nil && len(ms) == 0 {
				return nil, fmt.Errorf("mini stream: %w", err)
			}
			cf.miniStream = ms
		}
		out, err := cf.chain(e.start, cf.miniFAT, cf.miniSize, size)
		if uint64(len(out)) > size {
			out = out[:size]
		}
		return out, err
	}
	out, err := cf.chain(e.start, cf.fat, cf.sectorSize, size)
	if uint64(len(out)) > size {
		out = out[:size]
	}
	return out, err
}

// msiCLSID is the root storage class id of Windows Installer packages (000C1084-...-46).
var msiCLSID = [16]byte{0x84, 0x10, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}

// application guesses which program wrote the compound file from its stream names.
func (cf *cfbFile) application() string {
	if cf.entries[0].clsid == msiCLSID {
		return "msi"
	}
	for _, e := range cf.streams() {
		switch e.path {
		case "WordDocument":
			return "word"
		case "Workbook", "Book":
			return "excel"
		case "PowerPoint Document":
			return "powerpoint"
		}
	}
	return ""
}

// hasVBA reports whether a VBA project storage is present.
func (cf *cfbFile) hasVBA() bool {
	for _, e := range cf.streams() {
		if strings.EqualFold(e.name, "dir") && strings.Contains(strings.ToUpper(e.path), "VBA/") {
			return true
		}
	}
	return false
}
