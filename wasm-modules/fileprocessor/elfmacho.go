package fileprocessor

import (
	"bytes"
	"debug/elf"
	"debug/macho"
	"encoding/binary"
	"strings"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
)

func (r *result) parseELF(data []byte) {
	var f *elf.File
	var err error
	if safely(func() { f, err = elf.NewFile(bytes.NewReader(data)) }) || err != nil {
		r.add(&analysisv1.Finding{Id: "elf.malformed", Title: "ELF headers could not be parsed", Severity: analysisv1.Severity_SEVERITY_LOW, Score: 100,
			Evidence: errString(err), Offset: -1, Reason: "an ELF the kernel loads but parsers reject is often crafted to hinder analysis"})
		return
	}
	info := &analysisv1.ELFInfo{Class: f.Class.String(), Machine: f.Machine.String(), Type: f.Type.String(), EntryPoint: f.Entry, ByteOrder: "little"}
	if f.ByteOrder == binary.BigEndian {
		info.ByteOrder = "big"
	}
	r.details.Elf = info
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			if b := sliceAt(data, int64(p.Off), int64(min(p.Filesz, 4096))); b != nil {
				info.Interpreter = string(bytes.TrimRight(b, "\x00"))
			}
		}
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_W != 0 && p.Flags&elf.PF_X != 0 {
			r.add(&analysisv1.Finding{Id: "elf.segment_wx", Title: "loadable segment is writable and executable", Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 250,
				AttackTechniques: []string{"T1027.002"}, Evidence: "PT_LOAD at offset " + itoa(int(p.Off)) + " flags " + p.Flags.String(), Offset: int64(p.Off),
				Reason: "W+X memory lets code rewrite itself, typical of packers and injected payloads"})
		}
	}
	for i, s := range f.Sections {
		if i >= maxSections {
			r.note("section table truncated at " + itoa(maxSections))
			break
		}
		sec := &analysisv1.Section{Name: s.Name, VirtualAddress: s.Addr, VirtualSize: s.Size, RawOffset: s.Offset, Flags: uint64(s.Flags), Type: s.Type.String(),
			Permissions: perms(s.Flags&elf.SHF_ALLOC != 0, s.Flags&elf.SHF_WRITE != 0, s.Flags&elf.SHF_EXECINSTR != 0)}
		if s.Type != elf.SHT_NOBITS {
			sec.RawSize = s.Size
			sec.Entropy = entropy(sliceAt(data, int64(s.Offset), int64(s.Size)))
		}
		info.Sections = append(info.Sections, sec)
		if s.Flags&elf.SHF_WRITE != 0 && s.Flags&elf.SHF_EXECINSTR != 0 {
			r.add(&analysisv1.Finding{Id: "elf.section_wx", Title: "section " + quote(s.Name) + " is writable and executable", Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 250,
				AttackTechniques: []string{"T1027.002"}, Evidence: s.Name + " flags " + s.Flags.String(), Offset: int64(s.Offset),
				Reason: "W+X sections let code rewrite itself, typical of packers and shellcode"})
		}
	}
	if len(f.Sections) == 0 || (len(f.Sections) == 1 && f.Sections[0].Type == elf.SHT_NULL) {
		r.add(&analysisv1.Finding{Id: "elf.no_sections", Title: "ELF has no section headers", Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 200,
			AttackTechniques: []string{"T1027"}, Evidence: "e_shnum 0", Offset: -1,
			Reason: "stripping the section table is done by packers and to break disassemblers; linkers always emit one"})
	}
	var libs []string
	safely(func() { libs, _ = f.ImportedLibraries() })
	info.Libraries = libs[:min(len(libs), maxLibraries)]
	var syms, dyn []elf.Symbol
	var symErr error
	safely(func() { syms, symErr = f.Symbols() })
	safely(func() { dyn, _ = f.DynamicSymbols() })
	info.SymbolCount, info.DynamicSymbolCount = int32(len(syms)), int32(len(dyn))
	info.Stripped = symErr != nil || len(syms) == 0
	if info.Stripped {
		r.id.hint("elf:stripped")
	}
	if i := bytes.Index(head(data, 1<<20), []byte("UPX!")); i >= 0 || bytes.Contains(head(data, 1<<20), []byte("This file is packed with the UPX")) {
		r.add(&analysisv1.Finding{Id: "elf.upx", Title: "packed with UPX", Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 250,
			AttackTechniques: []string{"T1027.002"}, Evidence: "UPX! marker", Offset: int64(i),
			Reason: "UPX hides the real code from static analysis and is common in Linux malware (IoT bots, miners)"})
		r.id.hint("packed")
	}
}

var machoLoadCommands = map[uint32]string{
	0x1: "LC_SEGMENT", 0x2: "LC_SYMTAB", 0x4: "LC_THREAD", 0x5: "LC_UNIXTHREAD", 0xb: "LC_DYSYMTAB", 0xc: "LC_LOAD_DYLIB",
	0xd: "LC_ID_DYLIB", 0xe: "LC_LOAD_DYLINKER", 0xf: "LC_ID_DYLINKER", 0x19: "LC_SEGMENT_64", 0x1b: "LC_UUID",
	0x1d: "LC_CODE_SIGNATURE", 0x1e: "LC_SEGMENT_SPLIT_INFO", 0x21: "LC_ENCRYPTION_INFO", 0x22: "LC_DYLD_INFO",
	0x80000022: "LC_DYLD_INFO_ONLY", 0x80000018: "LC_LOAD_WEAK_DYLIB", 0x8000001c: "LC_RPATH", 0x80000028: "LC_MAIN",
	0x24: "LC_VERSION_MIN_MACOSX", 0x25: "LC_VERSION_MIN_IPHONEOS", 0x26: "LC_FUNCTION_STARTS", 0x29: "LC_DATA_IN_CODE",
	0x2a: "LC_SOURCE_VERSION", 0x2c: "LC_ENCRYPTION_INFO_64", 0x32: "LC_BUILD_VERSION", 0x80000033: "LC_DYLD_EXPORTS_TRIE",
	0x80000034: "LC_DYLD_CHAINED_FIXUPS", 0x8000001f: "LC_REEXPORT_DYLIB", 0x2b: "LC_DYLIB_CODE_SIGN_DRS", 0x2e: "LC_LINKER_OPTIMIZATION_HINT",
}

func (r *result) parseMachO(data []byte) {
	if len(data) >= 4 && string(data[:4]) == "\xca\xfe\xba\xbe" {
		r.parseFatMachO(data)
		return
	}
	info := &analysisv1.MachOInfo{}
	r.details.Macho = info
	r.machoThin(data, info)
}

func (r *result) parseFatMachO(data []byte) {
	info := &analysisv1.MachOInfo{IsFat: true}
	r.details.Macho = info
	var ff *macho.FatFile
	var err error
	if safely(func() { ff, err = macho.NewFatFile(bytes.NewReader(data)) }) || err != nil {
		r.add(&analysisv1.Finding{Id: "macho.malformed", Title: "fat Mach-O header could not be parsed", Severity: analysisv1.Severity_SEVERITY_LOW, Score: 100,
			Evidence: errString(err), Offset: -1, Reason: "a malformed universal header is unusual for toolchain output"})
		return
	}
	for i, a := range ff.Arches {
		info.Architectures = append(info.Architectures, a.Cpu.String())
		if i == 0 {
			// The first slice describes the file; the others are listed as architectures.
			r.machoThin(sliceAt(data, int64(a.Offset), int64(a.Size)), info)
			info.IsFat = true
		}
	}
}

func (r *result) machoThin(data []byte, info *analysisv1.MachOInfo) {
	var f *macho.File
	var err error
	if safely(func() { f, err = macho.NewFile(bytes.NewReader(data)) }) || err != nil {
		r.add(&analysisv1.Finding{Id: "macho.malformed", Title: "Mach-O headers could not be parsed", Severity: analysisv1.Severity_SEVERITY_LOW, Score: 100,
			Evidence: errString(err), Offset: -1, Reason: "a Mach-O that dyld loads but parsers reject is often crafted to hinder analysis"})
		return
	}
	info.Cpu, info.Type, info.Flags = f.Cpu.String(), f.Type.String(), uint32(f.Flags)
	counts := map[string]int32{}
	var order []string
	for i, l := range f.Loads {
		if i >= maxLoadCommands {
			break
		}
		raw := l.Raw()
		if len(raw) < 4 {
			continue
		}
		cmd := f.ByteOrder.Uint32(raw)
		name, ok := machoLoadCommands[cmd]
		if !ok {
			name = "0x" + hex32(cmd)
		}
		if counts[name] == 0 {
			order = append(order, name)
		}
		counts[name]++
		if cmd == 0x21 || cmd == 0x2c {
			if len(raw) >= 20 && f.ByteOrder.Uint32(raw[16:]) != 0 {
				r.add(&analysisv1.Finding{Id: "macho.encrypted", Title: "Mach-O has an encrypted segment", Severity: analysisv1.Severity_SEVERITY_LOW, Score: 100,
					AttackTechniques: []string{"T1027"}, Evidence: name + " cryptid != 0", Offset: -1, Reason: "encrypted code cannot be inspected statically"})
			}
		}
	}
	info.LoadCommands = nil
	for _, n := range order {
		info.LoadCommands = append(info.LoadCommands, &analysisv1.NameCount{Name: n, Count: counts[n]})
	}
	var libs []string
	safely(func() { libs, _ = f.ImportedLibraries() })
	info.Libraries = libs[:min(len(libs), maxLibraries)]
	for i, s := range f.Sections {
		if i >= maxSections {
			break
		}
		sec := &analysisv1.Section{Name: s.Seg + "," + s.Name, VirtualAddress: s.Addr, VirtualSize: s.Size, RawOffset: uint64(s.Offset), RawSize: s.Size, Flags: uint64(s.Flags)}
		if s.Flags&0xff != 1 { // S_ZEROFILL has no file bytes
			sec.Entropy = entropy(sliceAt(data, int64(s.Offset), int64(s.Size)))
		} else {
			sec.RawSize = 0
		}
		info.Sections = append(info.Sections, sec)
	}
	if counts["LC_CODE_SIGNATURE"] > 0 {
		r.id.hint("macho:signed")
	}
	if strings.Contains(info.Type, "Dylib") {
		r.id.hint("macho:dylib")
	}
}
