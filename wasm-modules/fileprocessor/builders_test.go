package fileprocessor

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"
)

// Builders for hand-made fixtures. They write just enough of each format to carry known
// indicators, so the golden reports say exactly what the parsers must find.

// peSpec describes a PE32 (i386) image for buildPE.
type peSpec struct {
	timestamp uint32
	entry     uint32
	sections  []peSec
	imports   []peDLL // placed in an .idata section appended after the others
	overlay   []byte
	rich      bool
	dll       bool
}

type peSec struct {
	name  string
	vsize uint32
	chars uint32
	data  []byte
}

type peDLL struct {
	name  string
	funcs []string // "#23" imports by ordinal
}

func align(v, a uint32) uint32 { return (v + a - 1) / a * a }

func buildPE(t testing.TB, s peSpec) []byte {
	t.Helper()
	const fileAlign, secAlign = 0x200, 0x1000
	lfanew := uint32(0x80)
	if s.rich {
		lfanew = 0xc0
	}
	secs := append([]peSec{}, s.sections...)
	nsec := len(secs)
	if len(s.imports) > 0 {
		nsec++
	}
	hdrSize := align(lfanew+4+20+224+uint32(40*nsec), fileAlign)
	// Assign addresses first so the import section can point at itself.
	rva := uint32(secAlign)
	type placed struct {
		peSec
		rva, raw uint32
	}
	var out []placed
	raw := hdrSize
	for _, sec := range secs {
		out = append(out, placed{sec, rva, raw})
		rva += align(max(sec.vsize, uint32(len(sec.data)), 1), secAlign)
		raw += align(uint32(len(sec.data)), fileAlign)
	}
	var importRVA, importSize uint32
	if len(s.imports) > 0 {
		base := rva
		idata := buildImports(base, s.imports)
		importRVA, importSize = base, uint32(20*(len(s.imports)+1))
		out = append(out, placed{peSec{".idata", uint32(len(idata)), 0xc0000040, idata}, base, raw})
		rva += align(uint32(len(idata)), secAlign)
		raw += align(uint32(len(idata)), fileAlign)
	}
	b := make([]byte, raw)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], lfanew)
	if s.rich {
		key := uint32(0x1234abcd)
		words := []uint32{0x536e6144 ^ key, key, key, key, (0x0104<<16 | 30729) ^ key, 7 ^ key, (0x0093<<16 | 30729) ^ key, 12 ^ key}
		for i, w := range words {
			binary.LittleEndian.PutUint32(b[0x80+4*i:], w)
		}
		copy(b[0x80+4*len(words):], "Rich")
		binary.LittleEndian.PutUint32(b[0x80+4*len(words)+4:], key)
	}
	p := lfanew
	copy(b[p:], "PE\x00\x00")
	coff := b[p+4:]
	binary.LittleEndian.PutUint16(coff[0:], 0x14c)
	binary.LittleEndian.PutUint16(coff[2:], uint16(len(out)))
	binary.LittleEndian.PutUint32(coff[4:], s.timestamp)
	binary.LittleEndian.PutUint16(coff[16:], 224)
	chars := uint16(0x0102)
	if s.dll {
		chars |= 0x2000
	}
	binary.LittleEndian.PutUint16(coff[18:], chars)
	opt := coff[20:]
	binary.LittleEndian.PutUint16(opt[0:], 0x10b)
	binary.LittleEndian.PutUint32(opt[16:], s.entry)
	binary.LittleEndian.PutUint32(opt[28:], 0x400000)
	binary.LittleEndian.PutUint32(opt[32:], secAlign)
	binary.LittleEndian.PutUint32(opt[36:], fileAlign)
	binary.LittleEndian.PutUint16(opt[40:], 4)
	binary.LittleEndian.PutUint16(opt[48:], 4)
	binary.LittleEndian.PutUint32(opt[56:], rva)
	binary.LittleEndian.PutUint32(opt[60:], hdrSize)
	binary.LittleEndian.PutUint16(opt[68:], 2)
	binary.LittleEndian.PutUint32(opt[92:], 16)
	binary.LittleEndian.PutUint32(opt[96+8:], importRVA)
	binary.LittleEndian.PutUint32(opt[96+12:], importSize)
	sh := opt[224:]
	for i, sec := range out {
		h := sh[40*i:]
		copy(h, sec.name)
		binary.LittleEndian.PutUint32(h[8:], max(sec.vsize, uint32(len(sec.data))))
		binary.LittleEndian.PutUint32(h[12:], sec.rva)
		if len(sec.data) > 0 {
			binary.LittleEndian.PutUint32(h[16:], align(uint32(len(sec.data)), fileAlign))
			binary.LittleEndian.PutUint32(h[20:], sec.raw)
		}
		binary.LittleEndian.PutUint32(h[36:], sec.chars)
		copy(b[sec.raw:], sec.data)
	}
	return append(b, s.overlay...)
}

// buildImports lays out descriptors, lookup tables, hint/name entries and DLL names for an
// import section at RVA base.
func buildImports(base uint32, dlls []peDLL) []byte {
	descSize := 20 * (len(dlls) + 1)
	var thunks, names bytes.Buffer
	nameOffs := make([]int, len(dlls))
	thunkBase := uint32(descSize)
	// Thunk arrays first (sizes known), then names.
	total := 0
	for _, d := range dlls {
		total += 4 * (len(d.funcs) + 1)
	}
	nameBase := thunkBase + uint32(total)
	var thunkWords [][]uint32
	for i, d := range dlls {
		var words []uint32
		for _, f := range d.funcs {
			if strings.HasPrefix(f, "#") {
				var ord uint32
				fmt.Sscanf(f[1:], "%d", &ord)
				words = append(words, 0x80000000|ord)
				continue
			}
			words = append(words, base+nameBase+uint32(names.Len()))
			names.Write([]byte{0, 0})
			names.WriteString(f)
			names.WriteByte(0)
			if names.Len()%2 == 1 {
				names.WriteByte(0)
			}
		}
		nameOffs[i] = names.Len()
		names.WriteString(d.name)
		names.WriteByte(0)
		thunkWords = append(thunkWords, append(words, 0))
	}
	out := make([]byte, descSize)
	for i, words := range thunkWords {
		iltRVA := base + thunkBase + uint32(thunks.Len())
		for _, w := range words {
			binary.Write(&thunks, binary.LittleEndian, w)
		}
		d := out[20*i:]
		binary.LittleEndian.PutUint32(d[0:], iltRVA)
		binary.LittleEndian.PutUint32(d[12:], base+nameBase+uint32(nameOffs[i]))
		binary.LittleEndian.PutUint32(d[16:], iltRVA)
	}
	out = append(out, thunks.Bytes()...)
	return append(out, names.Bytes()...)
}

// randomBytes returns deterministic high-entropy bytes.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// ovbaCompressLiterals writes an MS-OVBA container that uses literal tokens only, which the
// format allows; chunks stay below the 4096-byte limit.
func ovbaCompressLiterals(src []byte) []byte {
	out := []byte{1}
	for len(src) > 0 {
		n := min(len(src), 3000)
		chunk := src[:n]
		src = src[n:]
		var body []byte
		for i := 0; i < len(chunk); i += 8 {
			body = append(body, 0)
			body = append(body, chunk[i:min(i+8, len(chunk))]...)
		}
		hdr := uint16(len(body)+2-3) | 0xb000
		out = binary.LittleEndian.AppendUint16(out, hdr)
		out = append(out, body...)
	}
	return out
}

// vbaDir builds a decompressed dir stream naming the modules (stream name = module name,
// source at offset 0) and compresses it.
func vbaDir(modules ...string) []byte {
	rec := func(b []byte, id uint16, data []byte) []byte {
		b = binary.LittleEndian.AppendUint16(b, id)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
		return append(b, data...)
	}
	var d []byte
	d = rec(d, 0x0001, []byte{1, 0, 0, 0}) // PROJECTSYSKIND win32
	// PROJECTVERSION: size field 4, then 6 bytes.
	d = binary.LittleEndian.AppendUint16(d, 0x0009)
	d = binary.LittleEndian.AppendUint32(d, 4)
	d = append(d, 0x5e, 0, 0, 0, 0x0e, 0)
	d = rec(d, 0x000f, []byte{byte(len(modules)), 0}) // PROJECTMODULES count
	for _, m := range modules {
		d = rec(d, 0x0019, []byte(m))
		d = rec(d, 0x001a, []byte(m))
		u := utf16.Encode([]rune(m))
		var ub []byte
		for _, c := range u {
			ub = binary.LittleEndian.AppendUint16(ub, c)
		}
		d = rec(d, 0x0032, ub)
		d = rec(d, 0x0031, []byte{0, 0, 0, 0})
		d = rec(d, 0x0021, nil) // MODULETYPE procedural
		d = rec(d, 0x002b, nil) // module terminator
	}
	d = rec(d, 0x0010, nil) // dir terminator
	return ovbaCompressLiterals(d)
}

// buildCFB writes a version 3 compound file holding the given streams (paths with "/" for
// storages). Every stream lives in regular sectors (mini stream cutoff 0), and siblings are
// chained through the right pointer, which readers accept as a degenerate red-black tree.
func buildCFB(t testing.TB, streams map[string][]byte, rootCLSID []byte) []byte {
	t.Helper()
	type node struct {
		name     string
		isStream bool
		data     []byte
		children []*node
		id       int
		start    uint32
	}
	root := &node{name: "Root Entry"}
	paths := make([]string, 0, len(streams))
	for p := range streams {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		parts := strings.Split(p, "/")
		cur := root
		for i, part := range parts {
			var next *node
			for _, c := range cur.children {
				if c.name == part {
					next = c
				}
			}
			if next == nil {
				next = &node{name: part, isStream: i == len(parts)-1}
				if next.isStream {
					next.data = streams[p]
				}
				cur.children = append(cur.children, next)
			}
			cur = next
		}
	}
	var all []*node
	var walk func(n *node)
	walk = func(n *node) {
		n.id = len(all)
		all = append(all, n)
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(root)
	const ss = 512
	var sectors [][]byte
	var fat []uint32
	addChain := func(data []byte) uint32 {
		if len(data) == 0 {
			return cfbEndOfChain
		}
		start := uint32(len(sectors))
		for i := 0; i < len(data); i += ss {
			sec := make([]byte, ss)
			copy(sec, data[i:])
			sectors = append(sectors, sec)
			fat = append(fat, uint32(len(sectors)))
		}
		fat[len(fat)-1] = cfbEndOfChain
		return start
	}
	for _, n := range all {
		if n.isStream {
			n.start = addChain(n.data)
		}
	}
	dir := make([]byte, align(uint32(128*len(all)), ss))
	for _, n := range all {
		e := dir[128*n.id:]
		u := utf16.Encode([]rune(n.name))
		for i, c := range u {
			binary.LittleEndian.PutUint16(e[2*i:], c)
		}
		binary.LittleEndian.PutUint16(e[64:], uint16(2*len(u)+2))
		switch {
		case n == root:
			e[66] = 5
			copy(e[80:96], rootCLSID)
		case n.isStream:
			e[66] = 2
		default:
			e[66] = 1
		}
		e[67] = 1
		binary.LittleEndian.PutUint32(e[68:], cfbFreeSect)
		binary.LittleEndian.PutUint32(e[72:], cfbFreeSect)
		binary.LittleEndian.PutUint32(e[76:], cfbFreeSect)
		binary.LittleEndian.PutUint32(e[116:], cfbEndOfChain)
		if n.isStream {
			binary.LittleEndian.PutUint32(e[116:], n.start)
			binary.LittleEndian.PutUint64(e[120:], uint64(len(n.data)))
		}
	}
	for _, n := range all {
		if len(n.children) > 0 {
			binary.LittleEndian.PutUint32(dir[128*n.id+76:], uint32(n.children[0].id))
			for i := 0; i+1 < len(n.children); i++ {
				binary.LittleEndian.PutUint32(dir[128*n.children[i].id+72:], uint32(n.children[i+1].id))
			}
		}
	}
	dirStart := addChain(dir)
	// FAT sectors go last; they mark themselves.
	nfat := (len(sectors) + 1 + 127) / 128
	for nfat*128 < len(sectors)+nfat {
		nfat++
	}
	fatStart := uint32(len(sectors))
	for i := 0; i < nfat; i++ {
		fat = append(fat, cfbFATSect)
	}
	fatBytes := make([]byte, nfat*ss)
	for i := range fatBytes[:len(fatBytes)/4] {
		v := uint32(cfbFreeSect)
		if i < len(fat) {
			v = fat[i]
		}
		binary.LittleEndian.PutUint32(fatBytes[4*i:], v)
	}
	for i := 0; i < nfat; i++ {
		sectors = append(sectors, fatBytes[i*ss:(i+1)*ss])
	}
	h := make([]byte, 512)
	copy(h, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
	binary.LittleEndian.PutUint16(h[0x18:], 0x3e)
	binary.LittleEndian.PutUint16(h[0x1a:], 3)
	binary.LittleEndian.PutUint16(h[0x1c:], 0xfffe)
	binary.LittleEndian.PutUint16(h[0x1e:], 9)
	binary.LittleEndian.PutUint16(h[0x20:], 6)
	binary.LittleEndian.PutUint32(h[0x2c:], uint32(nfat))
	binary.LittleEndian.PutUint32(h[0x30:], dirStart)
	binary.LittleEndian.PutUint32(h[0x38:], 0)
	binary.LittleEndian.PutUint32(h[0x3c:], cfbEndOfChain)
	binary.LittleEndian.PutUint32(h[0x44:], cfbEndOfChain)
	for i := 0; i < 109; i++ {
		v := uint32(cfbFreeSect)
		if i < nfat {
			v = fatStart + uint32(i)
		}
		binary.LittleEndian.PutUint32(h[0x4c+4*i:], v)
	}
	out := h
	for _, s := range sectors {
		out = append(out, s...)
	}
	return out
}

func zipFiles(t testing.TB, files [][2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range files {
		fw, err := w.CreateHeader(&zip.FileHeader{Name: f[0], Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zlibOf(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// buildPDF writes objects with a correct xref table.
func buildPDF(objs []string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 2 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// buildLNK writes a shell link to target with arguments: header, LinkInfo with a local base
// path, then Unicode string data.
func buildLNK(target, args, icon string) []byte {
	b := make([]byte, lnkHeaderSize)
	binary.LittleEndian.PutUint32(b[0:], lnkHeaderSize)
	copy(b[4:], "\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46")
	binary.LittleEndian.PutUint32(b[0x14:], lnkHasLinkInfo|lnkHasArguments|lnkHasIconLoc|lnkIsUnicode)
	binary.LittleEndian.PutUint32(b[0x3c:], 7)
	// LinkInfo: 28-byte header, a minimal VolumeID, then the ANSI local base path.
	vol := []byte{0x11, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0}
	li := make([]byte, 28)
	li = append(li, vol...)
	pathOff := len(li)
	li = append(li, target...)
	li = append(li, 0, 0)
	binary.LittleEndian.PutUint32(li[0:], uint32(len(li)))
	binary.LittleEndian.PutUint32(li[4:], 28)
	binary.LittleEndian.PutUint32(li[8:], 1)
	binary.LittleEndian.PutUint32(li[12:], 28)
	binary.LittleEndian.PutUint32(li[16:], uint32(pathOff))
	binary.LittleEndian.PutUint32(li[24:], uint32(len(li)-1))
	b = append(b, li...)
	for _, s := range []string{args, icon} {
		u := utf16.Encode([]rune(s))
		b = binary.LittleEndian.AppendUint16(b, uint16(len(u)))
		for _, c := range u {
			b = binary.LittleEndian.AppendUint16(b, c)
		}
	}
	return append(b, 0, 0, 0, 0)
}

// buildISO writes an ISO 9660 image with the given files in the root directory.
func buildISO(files [][2]string) []byte {
	const ss = isoSector
	dirRec := func(lba, size uint32, flags byte, name string) []byte {
		r := make([]byte, 33+len(name))
		if len(r)%2 == 1 {
			r = append(r, 0)
		}
		r[0] = byte(len(r))
		binary.LittleEndian.PutUint32(r[2:], lba)
		binary.BigEndian.PutUint32(r[6:], lba)
		binary.LittleEndian.PutUint32(r[10:], size)
		binary.BigEndian.PutUint32(r[14:], size)
		r[25] = flags
		r[32] = byte(len(name))
		copy(r[33:], name)
		return r
	}
	img := make([]byte, 19*ss)
	pvd := img[16*ss:]
	pvd[0] = 1
	copy(pvd[1:], "CD001")
	pvd[6] = 1
	copy(img[17*ss:], "\xffCD001\x01")
	var root []byte
	root = append(root, dirRec(18, ss, 2, "\x00")...)
	root = append(root, dirRec(18, ss, 2, "\x01")...)
	lba := uint32(19)
	var data []byte
	for _, f := range files {
		root = append(root, dirRec(lba, uint32(len(f[1])), 0, f[0]+";1")...)
		sec := make([]byte, align(uint32(max(len(f[1]), 1)), ss))
		copy(sec, f[1])
		data = append(data, sec...)
		lba += uint32(len(sec) / ss)
	}
	copy(pvd[156:], dirRec(18, ss, 2, "\x00"))
	copy(img[18*ss:], root)
	return append(img, data...)
}

// buildCAB writes a one-folder cabinet holding files (name, content), compressed with MSZIP when
// mszip is set (one deflate stream per 32 KiB block, each primed with the previous block), else
// stored.
func buildCAB(files [][2]string, mszip bool) []byte {
	var stream []byte
	var records []byte
	for _, f := range files {
		rec := make([]byte, 16)
		binary.LittleEndian.PutUint32(rec[0:], uint32(len(f[1])))
		binary.LittleEndian.PutUint32(rec[4:], uint32(len(stream)))
		records = append(append(records, rec...), f[0]+"\x00"...)
		stream = append(stream, f[1]...)
	}
	chunks := [][]byte{nil} // an empty folder still has one (empty) block
	if len(stream) > 0 {
		chunks = nil
		for off := 0; off < len(stream); off += cabBlockMax {
			chunks = append(chunks, stream[off:min(off+cabBlockMax, len(stream))])
		}
	}
	var blocks []byte
	for i, chunk := range chunks {
		stored := chunk
		if mszip {
			var buf bytes.Buffer
			buf.WriteString("CK")
			off := i * cabBlockMax
			w, _ := flate.NewWriterDict(&buf, flate.BestCompression, stream[max(0, off-cabDictionary):off])
			w.Write(chunk)
			w.Close()
			stored = buf.Bytes()
		}
		hdr := make([]byte, 8)
		binary.LittleEndian.PutUint16(hdr[4:], uint16(len(stored)))
		binary.LittleEndian.PutUint16(hdr[6:], uint16(len(chunk)))
		blocks = append(append(blocks, hdr...), stored...)
	}
	n := len(chunks)
	b := make([]byte, cabHeaderSize+8)
	copy(b, "MSCF")
	filesAt := len(b)
	dataAt := filesAt + len(records)
	binary.LittleEndian.PutUint32(b[16:], uint32(filesAt))
	b[24], b[25] = 3, 1
	binary.LittleEndian.PutUint16(b[26:], 1)
	binary.LittleEndian.PutUint16(b[28:], uint16(len(files)))
	binary.LittleEndian.PutUint32(b[cabHeaderSize:], uint32(dataAt))
	binary.LittleEndian.PutUint16(b[cabHeaderSize+4:], uint16(n))
	if mszip {
		binary.LittleEndian.PutUint16(b[cabHeaderSize+6:], cabCompressZIP)
	}
	b = append(append(b, records...), blocks...)
	binary.LittleEndian.PutUint32(b[8:], uint32(len(b)))
	return b
}
