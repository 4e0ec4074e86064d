package yara

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"debug/elf"
	"debug/pe"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"math"
	"strings"
	"sync"

	"github.com/athena-mesh/athena/wasm-modules/guest"
	"github.com/athena-mesh/athena/wasm-modules/internal/pefile"
)

func fnValue(f func(args []value) value) value { return value{k: vFunc, obj: &object{fn: f}} }
func structValue(fields map[string]value) value {
	return value{k: vStruct, obj: &object{fields: fields}}
}
func arrayValue(items []value) value { return value{k: vArray, obj: &object{items: items}} }

// module builds a module's object for the current data, once per scan.
func (s *scanState) module(name string) value {
	if v, ok := s.modules[name]; ok {
		return v
	}
	if s.modules == nil {
		s.modules = map[string]value{}
	}
	var v value
	func() {
		// The standard library parsers are not hardened against every hostile input; a panic
		// in one must only leave the module undefined.
		defer func() {
			if recover() != nil {
				v = structValue(map[string]value{})
			}
		}()
		switch name {
		case "math":
			v = mathModule(s.data)
		case "hash":
			v = hashModule(s.data)
		case "pe":
			v = peModule(s.data)
		case "elf":
			v = elfModule(s.data)
		}
	}()
	s.modules[name] = v
	return v
}

// dataArg resolves (offset, size) or (string) arguments to bytes.
func dataArg(data []byte, args []value) ([]byte, bool) {
	if len(args) >= 1 && args[0].k == vStr {
		return []byte(args[0].s), true
	}
	if len(args) < 2 || args[0].k != vInt || args[1].k != vInt {
		return nil, false
	}
	off, n := args[0].i, args[1].i
	if off < 0 || n < 0 || off >= int64(len(data)) {
		return nil, false
	}
	end := off + n
	if end > int64(len(data)) {
		end = int64(len(data))
	}
	return data[off:end], true
}

// entropy is math.entropy: the Shannon entropy of b in bits per byte (the built-in
// pe_high_entropy_section rule runs it over every section of every PE).
func entropy(b []byte) float64 { return guest.Entropy(b) }

func mean(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	t := 0.0
	for _, c := range b {
		t += float64(c)
	}
	return t / float64(len(b))
}

func serialCorrelation(b []byte) float64 {
	n := float64(len(b))
	if len(b) == 0 {
		return -100000
	}
	var sccun, scclast, scct1, scct2, scct3, sccfirst float64
	for i, c := range b {
		u := float64(c)
		if i == 0 {
			sccfirst = u
		} else {
			scct1 += scclast * u
		}
		scct2 += u
		scct3 += u * u
		scclast = u
	}
	sccun = scclast
	scct1 += sccun * sccfirst
	scct2 *= scct2
	d := n*scct3 - scct2
	if d == 0 {
		return -100000
	}
	return (n*scct1 - scct2) / d
}

func monteCarloPi(b []byte) float64 {
	const monteN = 6
	inmont, mcount := 0, 0
	incirc := math.Pow(math.Pow(256, monteN/2)-1, 2)
	for i := 0; i+monteN <= len(b); i += monteN {
		mcount++
		mx, my := 0.0, 0.0
		for j := 0; j < monteN/2; j++ {
			mx = mx*256 + float64(b[i+j])
			my = my*256 + float64(b[i+j+monteN/2])
		}
		if mx*mx+my*my <= incirc {
			inmont++
		}
	}
	if mcount == 0 {
		return math.NaN()
	}
	pi := 4 * float64(inmont) / float64(mcount)
	return math.Abs(pi-math.Pi) / math.Pi
}

func mathModule(data []byte) value {
	f1 := func(fn func([]byte) float64) value {
		return fnValue(func(args []value) value {
			b, ok := dataArg(data, args)
			if !ok {
				return undef
			}
			r := fn(b)
			if math.IsNaN(r) {
				return undef
			}
			return vf(r)
		})
	}
	return structValue(map[string]value{
		"MEAN_BYTES":         vf(127.5),
		"entropy":            f1(entropy),
		"mean":               f1(mean),
		"serial_correlation": f1(serialCorrelation),
		"monte_carlo_pi":     f1(monteCarloPi),
		"deviation": fnValue(func(args []value) value {
			if len(args) < 2 {
				return undef
			}
			m := args[len(args)-1]
			b, ok := dataArg(data, args[:len(args)-1])
			if !ok || !m.num() || len(b) == 0 {
				return undef
			}
			t := 0.0
			for _, c := range b {
				t += math.Abs(float64(c) - m.asF())
			}
			return vf(t / float64(len(b)))
		}),
		"in_range": fnValue(func(args []value) value {
			if len(args) != 3 || !args[0].num() || !args[1].num() || !args[2].num() {
				return undef
			}
			x := args[0].asF()
			return vb(x >= args[1].asF() && x <= args[2].asF())
		}),
		"abs": fnValue(func(args []value) value {
			if len(args) != 1 || args[0].k != vInt {
				return undef
			}
			if args[0].i < 0 {
				return vi(-args[0].i)
			}
			return args[0]
		}),
		"min": fnValue(func(args []value) value {
			if len(args) != 2 || args[0].k != vInt || args[1].k != vInt {
				return undef
			}
			return vi(min(args[0].i, args[1].i))
		}),
		"max": fnValue(func(args []value) value {
			if len(args) != 2 || args[0].k != vInt || args[1].k != vInt {
				return undef
			}
			return vi(max(args[0].i, args[1].i))
		}),
		"to_number": fnValue(func(args []value) value {
			if len(args) != 1 {
				return undef
			}
			return vi(args[0].i)
		}),
	})
}

func hashModule(data []byte) value {
	hexFn := func(sum func([]byte) []byte) value {
		return fnValue(func(args []value) value {
			b, ok := dataArg(data, args)
			if !ok {
				return undef
			}
			return vs(hex.EncodeToString(sum(b)))
		})
	}
	return structValue(map[string]value{
		"md5":    hexFn(func(b []byte) []byte { s := md5.Sum(b); return s[:] }),
		"sha1":   hexFn(func(b []byte) []byte { s := sha1.Sum(b); return s[:] }),
		"sha256": hexFn(func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }),
		"crc32": fnValue(func(args []value) value {
			b, ok := dataArg(data, args)
			if !ok {
				return undef
			}
			return vi(int64(crc32.ChecksumIEEE(b)))
		}),
		"checksum32": fnValue(func(args []value) value {
			b, ok := dataArg(data, args)
			if !ok {
				return undef
			}
			var t uint32
			for _, c := range b {
				t += uint32(c)
			}
			return vi(int64(t))
		}),
	})
}

var peConstants = map[string]int64{
	"MACHINE_UNKNOWN": 0, "MACHINE_I386": 0x14c, "MACHINE_AMD64": 0x8664, "MACHINE_ARM": 0x1c0,
	"MACHINE_ARM64": 0xaa64, "MACHINE_IA64": 0x200,
	"RELOCS_STRIPPED": 0x1, "EXECUTABLE_IMAGE": 0x2, "LINE_NUMS_STRIPPED": 0x4, "LOCAL_SYMS_STRIPPED": 0x8,
	"LARGE_ADDRESS_AWARE": 0x20, "MACHINE_32BIT": 0x100, "DEBUG_STRIPPED": 0x200, "SYSTEM": 0x1000, "DLL": 0x2000,
	"SECTION_CNT_CODE": 0x20, "SECTION_CNT_INITIALIZED_DATA": 0x40, "SECTION_CNT_UNINITIALIZED_DATA": 0x80,
	"SECTION_MEM_EXECUTE": 0x20000000, "SECTION_MEM_READ": 0x40000000, "SECTION_MEM_WRITE": 0x80000000,
	"SUBSYSTEM_WINDOWS_GUI": 2, "SUBSYSTEM_WINDOWS_CUI": 3, "SUBSYSTEM_NATIVE": 1,
}

// notPE is the pe object of data that is not a PE file: the constants and is_pe = 0. It is
// built once because most scanned data is not PE and the constants are many; scans only read it.
var notPE = sync.OnceValue(func() value {
	fields := map[string]value{}
	for k, v := range peConstants {
		fields[k] = vi(v)
	}
	fields["is_pe"] = vi(0)
	return structValue(fields)
})

func peModule(data []byte) value {
	isPE := len(data) > 0x40 && data[0] == 'M' && data[1] == 'Z'
	var f *pe.File
	if isPE {
		lfanew := int(binary.LittleEndian.Uint32(data[0x3c:]))
		if lfanew < 0 || lfanew+4 > len(data) || string(data[lfanew:lfanew+4]) != "PE\x00\x00" {
			isPE = false
		}
	}
	if isPE {
		var err error
		f, err = pefile.Open(data)
		if err != nil {
			isPE = false
		}
	}
	if !isPE {
		return notPE()
	}
	fields := map[string]value{}
	for k, v := range peConstants {
		fields[k] = vi(v)
	}
	fields["is_pe"] = vi(1)
	fh := f.FileHeader
	fields["machine"] = vi(int64(fh.Machine))
	fields["number_of_sections"] = vi(int64(fh.NumberOfSections))
	fields["timestamp"] = vi(int64(fh.TimeDateStamp))
	fields["characteristics"] = vi(int64(fh.Characteristics))
	var entryRVA uint32
	is64 := false
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		entryRVA = oh.AddressOfEntryPoint
		fields["subsystem"] = vi(int64(oh.Subsystem))
		fields["image_base"] = vi(int64(oh.ImageBase))
	case *pe.OptionalHeader64:
		entryRVA = oh.AddressOfEntryPoint
		is64 = true
		fields["subsystem"] = vi(int64(oh.Subsystem))
		fields["image_base"] = vi(int64(oh.ImageBase))
	}
	fields["entry_point_raw"] = vi(int64(entryRVA))
	var secs []value
	ep := int64(-1)
	for _, s := range f.Sections {
		secs = append(secs, structValue(map[string]value{
			"name":            vs(s.Name),
			"virtual_address": vi(int64(s.VirtualAddress)),
			"virtual_size":    vi(int64(s.VirtualSize)),
			"raw_data_offset": vi(int64(s.Offset)),
			"raw_data_size":   vi(int64(s.Size)),
			"characteristics": vi(int64(s.Characteristics)),
		}))
		if entryRVA >= s.VirtualAddress && entryRVA < s.VirtualAddress+max(s.VirtualSize, s.Size) {
			ep = int64(entryRVA-s.VirtualAddress) + int64(s.Offset)
		}
	}
	if ep < 0 && len(f.Sections) == 0 {
		ep = int64(entryRVA)
	}
	if ep >= 0 {
		fields["entry_point"] = vi(ep)
	}
	fields["sections"] = arrayValue(secs)
	dll := fh.Characteristics&0x2000 != 0
	fields["is_dll"] = fnValue(func([]value) value { return vb(dll) })
	fields["is_32bit"] = fnValue(func([]value) value { return vb(!is64) })
	fields["is_64bit"] = fnValue(func([]value) value { return vb(is64) })

	type imp struct{ dll, fn string }
	var imports []imp
	if syms, err := f.ImportedSymbols(); err == nil {
		for _, s := range syms {
			fn, d, ok := strings.Cut(s, ":")
			if ok {
				imports = append(imports, imp{strings.ToLower(d), fn})
			}
		}
	}
	fields["number_of_imports"] = vi(int64(len(imports)))
	fields["imports"] = fnValue(func(args []value) value {
		if len(args) < 1 || args[0].k != vStr {
			return undef
		}
		d := strings.ToLower(args[0].s)
		if len(args) == 1 {
			n := 0
			for _, im := range imports {
				if im.dll == d {
					n++
				}
			}
			return vi(int64(n))
		}
		if args[1].k != vStr {
			return undef
		}
		for _, im := range imports {
			if im.dll == d && strings.EqualFold(im.fn, args[1].s) {
				return vb(true)
			}
		}
		return vb(false)
	})
	fields["imphash"] = fnValue(func([]value) value {
		var parts []string
		for _, im := range imports {
			d := im.dll
			for _, ext := range []string{".dll", ".ocx", ".sys"} {
				d = strings.TrimSuffix(d, ext)
			}
			parts = append(parts, d+"."+strings.ToLower(im.fn))
		}
		s := md5.Sum([]byte(strings.Join(parts, ",")))
		return vs(hex.EncodeToString(s[:]))
	})
	exports := peExports(f, data)
	fields["number_of_exports"] = vi(int64(len(exports)))
	fields["exports"] = fnValue(func(args []value) value {
		if len(args) != 1 || args[0].k != vStr {
			return undef
		}
		for _, e := range exports {
			if strings.EqualFold(e, args[0].s) {
				return vb(true)
			}
		}
		return vb(false)
	})
	return structValue(fields)
}

// peExports reads the export directory's name table.
func peExports(f *pe.File, data []byte) []string {
	var dirRVA, dirSize uint32
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		if oh.NumberOfRvaAndSizes > 0 {
			dirRVA, dirSize = oh.DataDirectory[0].VirtualAddress, oh.DataDirectory[0].Size
		}
	case *pe.OptionalHeader64:
		if oh.NumberOfRvaAndSizes > 0 {
			dirRVA, dirSize = oh.DataDirectory[0].VirtualAddress, oh.DataDirectory[0].Size
		}
	}
	if dirRVA == 0 || dirSize == 0 {
		return nil
	}
	off := func(rva uint32) int {
		for _, s := range f.Sections {
			if rva >= s.VirtualAddress && rva < s.VirtualAddress+max(s.VirtualSize, s.Size) {
				return int(rva-s.VirtualAddress) + int(s.Offset)
			}
		}
		return -1
	}
	d := off(dirRVA)
	if d < 0 || d+40 > len(data) {
		return nil
	}
	n := int(binary.LittleEndian.Uint32(data[d+24:]))
	names := off(binary.LittleEndian.Uint32(data[d+32:]))
	var out []string
	for i := 0; i < n && i < 65536 && names >= 0 && names+4*i+4 <= len(data); i++ {
		p := off(binary.LittleEndian.Uint32(data[names+4*i:]))
		if p < 0 || p >= len(data) {
			continue
		}
		end := bytes.IndexByte(data[p:], 0)
		if end < 0 {
			continue
		}
		out = append(out, string(data[p:p+end]))
	}
	return out
}

func elfModule(data []byte) value {
	fields := map[string]value{
		"ET_NONE": vi(0), "ET_REL": vi(1), "ET_EXEC": vi(2), "ET_DYN": vi(3), "ET_CORE": vi(4),
		"EM_386": vi(3), "EM_X86_64": vi(62), "EM_ARM": vi(40), "EM_AARCH64": vi(183), "EM_MIPS": vi(8),
		"SHT_NULL": vi(0), "SHT_PROGBITS": vi(1), "SHT_SYMTAB": vi(2), "SHT_STRTAB": vi(3), "SHT_NOBITS": vi(8),
		"SHF_WRITE": vi(1), "SHF_ALLOC": vi(2), "SHF_EXECINSTR": vi(4),
		"PT_LOAD": vi(1), "PT_DYNAMIC": vi(2), "PT_INTERP": vi(3),
	}
	if len(data) < 16 || string(data[:4]) != "\x7fELF" {
		return structValue(fields)
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return structValue(fields)
	}
	fields["type"] = vi(int64(f.Type))
	fields["machine"] = vi(int64(f.Machine))
	fields["number_of_sections"] = vi(int64(len(f.Sections)))
	fields["number_of_segments"] = vi(int64(len(f.Progs)))
	var secs []value
	for _, s := range f.Sections {
		secs = append(secs, structValue(map[string]value{
			"name":    vs(s.Name),
			"type":    vi(int64(s.Type)),
			"flags":   vi(int64(s.Flags)),
			"address": vi(int64(s.Addr)),
			"size":    vi(int64(s.Size)),
			"offset":  vi(int64(s.Offset)),
		}))
	}
	fields["sections"] = arrayValue(secs)
	var segs []value
	for _, p := range f.Progs {
		segs = append(segs, structValue(map[string]value{
			"type":             vi(int64(p.Type)),
			"flags":            vi(int64(p.Flags)),
			"offset":           vi(int64(p.Off)),
			"virtual_address":  vi(int64(p.Vaddr)),
			"file_size":        vi(int64(p.Filesz)),
			"memory_size":      vi(int64(p.Memsz)),
			"physical_address": vi(int64(p.Paddr)),
			"alignment":        vi(int64(p.Align)),
		}))
	}
	fields["segments"] = arrayValue(segs)
	// entry_point is a file offset, like YARA's, found through the loadable segments.
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && f.Entry >= p.Vaddr && f.Entry < p.Vaddr+p.Filesz {
			fields["entry_point"] = vi(int64(f.Entry-p.Vaddr) + int64(p.Off))
		}
	}
	if f.Type == elf.ET_REL {
		fields["entry_point"] = vi(int64(f.Entry))
	}
	return structValue(fields)
}
