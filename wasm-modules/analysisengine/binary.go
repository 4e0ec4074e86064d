package analysisengine

import (
	"bytes"
	"debug/elf"
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/athena-mesh/athena/wasm-modules/internal/pefile"
)

// errNotCode is returned for samples that are neither PE nor ELF x86 / x86-64 code.
var errNotCode = errors.New("not an x86 or x86-64 PE or ELF file")

// section is one mapped section of an image.
type section struct {
	name       string
	addr       uint64 // virtual address
	virtSize   uint64
	data       []byte
	exec       bool
	write      bool
	rawOffset  uint64
	rawSize    uint64
	entropyVal float64
}

// symbol is a named code address: the entry point, an export, a call target. A call target's
// name is made only when something shows it (walker.nameOf): most are walked and never named.
type symbol struct {
	name string
	addr uint64
	keep bool // listed in the details whatever the number of functions before it
	// gofn is 1 + the index of the Go function table entry that names it, 0 for none;
	// unnamed (without gofn) names it sub_<hex address>.
	gofn    int32
	unnamed bool
}

// image is the part of a PE or ELF file the engine needs, independent of the format.
type image struct {
	format   string // pe, elf
	bits     int    // 32, 64
	base     uint64
	entry    uint64
	sections []section
	exports  []symbol
	imports  []string // function names
	// iat maps the address of a PE import slot to its function name, so a call through the
	// slot (call [rip+x] / call [x]) names the API it reaches.
	iat  map[uint64]string
	libs []string
	// gotab is the function table of a Go binary, nil for other code.
	gotab *goTable
	// disjoint: no two sections' file data overlap and none wraps around the address space,
	// so the section holding an address is the only one, and a lookup may start with the
	// section of the previous one (see dataSection).
	disjoint bool
}

// read returns up to n bytes mapped at virtual address va.
func (im *image) read(va uint64, n int) []byte {
	for i := range im.sections {
		s := &im.sections[i]
		if va >= s.addr && va < s.addr+uint64(len(s.data)) {
			off := va - s.addr
			end := off + uint64(n)
			if end > uint64(len(s.data)) {
				end = uint64(len(s.data))
			}
			return s.data[off:end]
		}
	}
	return nil
}

// dataSection returns the index of the first section whose file data holds va, or -1, like
// read. With disjoint sections the one at *hint is tried first and *hint follows the answer:
// the walk reads one section mostly, and inside WASM a loop over the sections for every
// instruction was a visible cost.
func (im *image) dataSection(va uint64, hint *int) int {
	if h := *hint; im.disjoint && h < len(im.sections) {
		if s := &im.sections[h]; va >= s.addr && va-s.addr < uint64(len(s.data)) {
			return h
		}
	}
	for i := range im.sections {
		s := &im.sections[i]
		if va >= s.addr && va < s.addr+uint64(len(s.data)) {
			*hint = i
			return i
		}
	}
	return -1
}

// dataDisjoint reports whether no two sections' file data overlap and none wraps around.
func dataDisjoint(sections []section) bool {
	idx := make([]int, 0, len(sections))
	for i, s := range sections {
		if s.addr+uint64(len(s.data)) < s.addr {
			return false
		}
		if len(s.data) > 0 {
			idx = append(idx, i)
		}
	}
	sort.Slice(idx, func(a, b int) bool { return sections[idx[a]].addr < sections[idx[b]].addr })
	for k := 1; k < len(idx); k++ {
		prev, cur := &sections[idx[k-1]], &sections[idx[k]]
		if cur.addr < prev.addr+uint64(len(prev.data)) {
			return false
		}
	}
	return true
}

// sectionAt returns the section holding va, or nil.
func (im *image) sectionAt(va uint64) *section {
	for i := range im.sections {
		s := &im.sections[i]
		size := s.virtSize
		if uint64(len(s.data)) > size {
			size = uint64(len(s.data))
		}
		if va >= s.addr && va < s.addr+size {
			return s
		}
	}
	return nil
}

// load parses a PE or ELF file. The standard library parsers are written for trusted input and
// have panicked on malformed files in the past, so a panic is turned into an error here.
func load(content []byte) (im *image, err error) {
	defer func() {
		if r := recover(); r != nil {
			im, err = nil, fmt.Errorf("parse binary: malformed structure: %v", r)
		}
	}()
	switch {
	case bytes.HasPrefix(content, []byte("MZ")):
		im, err = loadPE(content)
	case bytes.HasPrefix(content, []byte("\x7fELF")):
		im, err = loadELF(content)
	default:
		return nil, errNotCode
	}
	if err != nil {
		return nil, err
	}
	im.disjoint = dataDisjoint(im.sections)
	im.gotab = findGoTable(im)
	return im, nil
}

func loadPE(content []byte) (*image, error) {
	f, err := pefile.Open(content)
	if err != nil {
		return nil, fmt.Errorf("parse PE: %w", err)
	}
	defer f.Close()
	im := &image{format: "pe"}
	var exportDir, importDir pe.DataDirectory
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		im.bits, im.base = 32, uint64(oh.ImageBase)
		im.entry = im.base + uint64(oh.AddressOfEntryPoint)
		if len(oh.DataDirectory) > 1 {
			exportDir, importDir = oh.DataDirectory[0], oh.DataDirectory[1]
		}
	case *pe.OptionalHeader64:
		im.bits, im.base = 64, oh.ImageBase
		im.entry = im.base + uint64(oh.AddressOfEntryPoint)
		if len(oh.DataDirectory) > 1 {
			exportDir, importDir = oh.DataDirectory[0], oh.DataDirectory[1]
		}
	default:
		return nil, fmt.Errorf("parse PE: %w", errNotCode)
	}
	if f.Machine != pe.IMAGE_FILE_MACHINE_I386 && f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		return nil, fmt.Errorf("PE machine %#x: %w", f.Machine, errNotCode)
	}
	for _, s := range f.Sections {
		data := rawSlice(content, uint64(s.Offset), uint64(s.Size))
		im.sections = append(im.sections, section{
			name: strings.TrimRight(s.Name, "\x00"), addr: im.base + uint64(s.VirtualAddress),
			virtSize: uint64(s.VirtualSize), data: data,
			exec:      s.Characteristics&(pe.IMAGE_SCN_MEM_EXECUTE|pe.IMAGE_SCN_CNT_CODE) != 0,
			write:     s.Characteristics&pe.IMAGE_SCN_MEM_WRITE != 0,
			rawOffset: uint64(s.Offset), rawSize: uint64(s.Size),
		})
	}
	// ImportedSymbols fails on some malformed import tables; imports are then left empty and the
	// import-sparsity packer check says so.
	if syms, err := f.ImportedSymbols(); err == nil {
		for _, s := range syms {
			fn, dll, _ := strings.Cut(s, ":")
			im.imports = append(im.imports, fn)
			im.libs = appendUnique(im.libs, strings.ToLower(dll))
		}
	}
	im.exports = peExports(im, exportDir)
	im.iat = peIAT(im, importDir)
	return im, nil
}

// peIAT reads the import descriptors: for each imported function by name, the address of its
// import address table slot. Bounded: 256 libraries, 4096 functions each.
func peIAT(im *image, dir pe.DataDirectory) map[uint64]string {
	iat := map[uint64]string{}
	if dir.VirtualAddress == 0 {
		return iat
	}
	le := binary.LittleEndian
	ptr := uint64(im.bits / 8)
	for d := uint64(0); d < 256; d++ {
		desc := im.read(im.base+uint64(dir.VirtualAddress)+d*20, 20)
		if len(desc) < 20 {
			break
		}
		oft, ft := le.Uint32(desc[0:]), le.Uint32(desc[16:])
		if ft == 0 {
			break
		}
		lookup := oft
		if lookup == 0 {
			lookup = ft
		}
		for i := uint64(0); i < 4096; i++ {
			entry := im.read(im.base+uint64(lookup)+i*ptr, int(ptr))
			if len(entry) < int(ptr) {
				break
			}
			var v uint64
			if ptr == 8 {
				v = le.Uint64(entry)
			} else {
				v = uint64(le.Uint32(entry))
			}
			if v == 0 {
				break
			}
			if v>>(ptr*8-1) == 1 {
				continue // by ordinal
			}
			name := cString(im.read(im.base+(v&0x7fffffff)+2, 256))
			if name != "" {
				iat[im.base+uint64(ft)+i*ptr] = name
			}
		}
	}
	return iat
}

// peExports reads the export directory: names and their function addresses, forwarders skipped.
func peExports(im *image, dir pe.DataDirectory) []symbol {
	if dir.VirtualAddress == 0 || dir.Size < 40 {
		return nil
	}
	hdr := im.read(im.base+uint64(dir.VirtualAddress), 40)
	if len(hdr) < 40 {
		return nil
	}
	le := binary.LittleEndian
	nNames := le.Uint32(hdr[24:])
	funcs, names, ords := le.Uint32(hdr[28:]), le.Uint32(hdr[32:]), le.Uint32(hdr[36:])
	if nNames > 4096 {
		nNames = 4096
	}
	var out []symbol
	for i := uint32(0); i < nNames; i++ {
		nameRVA := im.read(im.base+uint64(names)+uint64(i)*4, 4)
		ord := im.read(im.base+uint64(ords)+uint64(i)*2, 2)
		if len(nameRVA) < 4 || len(ord) < 2 {
			break
		}
		fn := im.read(im.base+uint64(funcs)+uint64(le.Uint16(ord))*4, 4)
		if len(fn) < 4 {
			continue
		}
		rva := le.Uint32(fn)
		if rva >= dir.VirtualAddress && rva < dir.VirtualAddress+dir.Size {
			continue // forwarder string, not code
		}
		out = append(out, symbol{name: cString(im.read(im.base+uint64(le.Uint32(nameRVA)), 256)), addr: im.base + uint64(rva)})
	}
	return out
}

func loadELF(content []byte) (*image, error) {
	f, err := elf.NewFile(bytes.NewReader(content))
	if err != nil {
		return nil, fmt.Errorf("parse ELF: %w", err)
	}
	defer f.Close()
	im := &image{format: "elf", entry: f.Entry}
	switch f.Machine {
	case elf.EM_386:
		im.bits = 32
	case elf.EM_X86_64:
		im.bits = 64
	default:
		return nil, fmt.Errorf("ELF machine %v: %w", f.Machine, errNotCode)
	}
	for _, s := range f.Sections {
		if s.Flags&elf.SHF_ALLOC == 0 || s.Type == elf.SHT_NOBITS {
			continue
		}
		im.sections = append(im.sections, section{
			name: s.Name, addr: s.Addr, virtSize: s.Size, data: rawSlice(content, s.Offset, s.FileSize),
			exec: s.Flags&elf.SHF_EXECINSTR != 0, write: s.Flags&elf.SHF_WRITE != 0,
			rawOffset: s.Offset, rawSize: s.FileSize,
		})
	}
	if len(im.sections) == 0 {
		// A stripped file without section headers still has loadable segments.
		for _, p := range f.Progs {
			if p.Type != elf.PT_LOAD {
				continue
			}
			im.sections = append(im.sections, section{
				name: fmt.Sprintf("LOAD@%#x", p.Vaddr), addr: p.Vaddr, virtSize: p.Memsz,
				data: rawSlice(content, p.Off, p.Filesz), exec: p.Flags&elf.PF_X != 0, write: p.Flags&elf.PF_W != 0,
				rawOffset: p.Off, rawSize: p.Filesz,
			})
		}
	}
	if syms, err := f.ImportedSymbols(); err == nil {
		for _, s := range syms {
			im.imports = append(im.imports, s.Name)
			if s.Library != "" {
				im.libs = appendUnique(im.libs, s.Library)
			}
		}
	}
	if syms, err := f.DynamicSymbols(); err == nil {
		for _, s := range syms {
			if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 && s.Section != elf.SHN_UNDEF {
				im.exports = append(im.exports, symbol{name: s.Name, addr: s.Value})
			}
		}
	}
	sort.Slice(im.exports, func(i, j int) bool { return im.exports[i].addr < im.exports[j].addr })
	return im, nil
}

// rawSlice returns content[off:off+n] clipped to the file.
func rawSlice(content []byte, off, n uint64) []byte {
	if off >= uint64(len(content)) {
		return nil
	}
	end := off + n
	if end > uint64(len(content)) || end < off {
		end = uint64(len(content))
	}
	return content[off:end]
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}
