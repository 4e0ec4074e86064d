package fileprocessor

import (
	"bytes"
	"crypto/md5"
	"debug/pe"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"

	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	"github.com/athena-mesh/athena/wasm-modules/internal/pefile"
)

// peImage gives RVA-based access to a PE file's bytes.
type peImage struct {
	data     []byte
	sections []*pe.SectionHeader
	is64     bool
}

// offset maps an RVA to a file offset through the section table.
func (img *peImage) offset(rva uint32) (int64, bool) {
	for _, s := range img.sections {
		size := max(s.VirtualSize, s.Size)
		if rva >= s.VirtualAddress && rva < s.VirtualAddress+size {
			off := int64(s.Offset) + int64(rva-s.VirtualAddress)
			if off < int64(len(img.data)) && rva-s.VirtualAddress < s.Size {
				return off, true
			}
			return 0, false
		}
	}
	// Headers are mapped at RVA 0 up to the first section.
	if int64(rva) < int64(len(img.data)) && (len(img.sections) == 0 || rva < img.sections[0].VirtualAddress) {
		return int64(rva), true
	}
	return 0, false
}

func (img *peImage) u16(rva uint32) (uint16, bool) {
	off, ok := img.offset(rva)
	if !ok || off+2 > int64(len(img.data)) {
		return 0, false
	}
	return binary.LittleEndian.Uint16(img.data[off:]), true
}

func (img *peImage) u32(rva uint32) (uint32, bool) {
	off, ok := img.offset(rva)
	if !ok || off+4 > int64(len(img.data)) {
		return 0, false
	}
	return binary.LittleEndian.Uint32(img.data[off:]), true
}

func (img *peImage) u64(rva uint32) (uint64, bool) {
	off, ok := img.offset(rva)
	if !ok || off+8 > int64(len(img.data)) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(img.data[off:]), true
}

// cstring reads a NUL-terminated string of at most 512 bytes at an RVA.
func (img *peImage) cstring(rva uint32) (string, bool) {
	off, ok := img.offset(rva)
	if !ok {
		return "", false
	}
	end := min(int64(len(img.data)), off+512)
	b := img.data[off:end]
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.ToValidUTF8(string(b), "?"), true
}

var peMachines = map[uint16]string{
	0x14c: "I386", 0x8664: "AMD64", 0x1c0: "ARM", 0x1c4: "ARMNT", 0xaa64: "ARM64", 0x200: "IA64",
	0x166: "R4000", 0x1a2: "SH3", 0x1a6: "SH4", 0x1f0: "POWERPC", 0xebc: "EBC", 0x5064: "RISCV64", 0x0: "UNKNOWN",
}

var peSubsystems = map[uint16]string{
	1: "NATIVE", 2: "WINDOWS_GUI", 3: "WINDOWS_CUI", 5: "OS2_CUI", 7: "POSIX_CUI", 9: "WINDOWS_CE_GUI",
	10: "EFI_APPLICATION", 11: "EFI_BOOT_SERVICE_DRIVER", 12: "EFI_RUNTIME_DRIVER", 13: "EFI_ROM", 14: "XBOX", 16: "WINDOWS_BOOT_APPLICATION",
}

var peResourceTypes = map[uint32]string{
	1: "RT_CURSOR", 2: "RT_BITMAP", 3: "RT_ICON", 4: "RT_MENU", 5: "RT_DIALOG", 6: "RT_STRING", 7: "RT_FONTDIR",
	8: "RT_FONT", 9: "RT_ACCELERATOR", 10: "RT_RCDATA", 11: "RT_MESSAGETABLE", 12: "RT_GROUP_CURSOR",
	14: "RT_GROUP_ICON", 16: "RT_VERSION", 17: "RT_DLGINCLUDE", 19: "RT_PLUGPLAY", 20: "RT_VXD",
	21: "RT_ANICURSOR", 22: "RT_ANIICON", 23: "RT_HTML", 24: "RT_MANIFEST",
}

// packerSections are section names that packers and protectors leave behind.
var packerSections = map[string]string{
	"UPX0": "UPX", "UPX1": "UPX", "UPX2": "UPX", "UPX!": "UPX", ".UPX0": "UPX", ".UPX1": "UPX",
	".aspack": "ASPack", ".adata": "ASPack", "ASPack": "ASPack",
	".themida": "Themida", ".winlice": "WinLicense", ".vmp0": "VMProtect", ".vmp1": "VMProtect", ".vmp2": "VMProtect",
	".MPRESS1": "MPRESS", ".MPRESS2": "MPRESS", ".petite": "Petite", ".nsp0": "NsPack", ".nsp1": "NsPack",
	".enigma1": "Enigma", ".enigma2": "Enigma", "PEC2": "PECompact", "PEC2TO": "PECompact", "pec1": "PECompact",
	".packed": "generic packer", ".perplex": "Perplex", "FSG!": "FSG", ".MaskPE": "MaskPE", "kkrunchy": "kkrunchy",
	".yP": "Y0da", ".y0da": "Y0da", ".spack": "Simple Pack", ".taz": "PESpin", "PELOCKnt": "PELock",
}

const (
	scnMemExecute = 0x20000000
	scnMemRead    = 0x40000000
	scnMemWrite   = 0x80000000
	scnCntCode    = 0x00000020
)

func (r *result) parsePE(data []byte) {
	var f *pe.File
	var err error
	if safely(func() { f, err = pefile.Open(data) }) || err != nil {
		r.add(&analysisv1.Finding{Id: "pe.malformed", Title: "PE headers could not be parsed", Severity: analysisv1.Severity_SEVERITY_LOW, Score: 100,
			Evidence: errString(err), Offset: -1, Reason: "a PE that Windows loads but parsers reject is often crafted to evade analysis"})
		return
	}
	info := &analysisv1.PEInfo{Machine: peMachines[f.Machine], Timestamp: int64(f.TimeDateStamp), Characteristics: uint32(f.Characteristics)}
	if info.Machine == "" {
		info.Machine = "0x" + hex.EncodeToString([]byte{byte(f.Machine >> 8), byte(f.Machine)})
	}
	info.IsDll = f.Characteristics&pe.IMAGE_FILE_DLL != 0
	img := &peImage{data: data}
	var dirs []pe.DataDirectory
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		info.EntryPoint, info.ImageBase, info.Subsystem = uint64(oh.AddressOfEntryPoint), uint64(oh.ImageBase), peSubsystems[oh.Subsystem]
		info.DllCharacteristics, info.Checksum = uint32(oh.DllCharacteristics), oh.CheckSum
		dirs = oh.DataDirectory[:min(int(oh.NumberOfRvaAndSizes), 16)]
	case *pe.OptionalHeader64:
		info.Is_64Bit = true
		info.EntryPoint, info.ImageBase, info.Subsystem = uint64(oh.AddressOfEntryPoint), oh.ImageBase, peSubsystems[oh.Subsystem]
		info.DllCharacteristics, info.Checksum = uint32(oh.DllCharacteristics), oh.CheckSum
		dirs = oh.DataDirectory[:min(int(oh.NumberOfRvaAndSizes), 16)]
	}
	img.is64 = info.Is_64Bit
	dir := func(i int) pe.DataDirectory {
		if i < len(dirs) {
			return dirs[i]
		}
		return pe.DataDirectory{}
	}
	r.details.Pe = info

	lastEnd := int64(0)
	for i, s := range f.Sections {
		if i >= maxSections {
			r.note("section table truncated at " + itoa(maxSections))
			break
		}
		img.sections = append(img.sections, &s.SectionHeader)
		raw := sliceAt(data, int64(s.Offset), int64(s.Size))
		sec := &analysisv1.Section{
			Name: s.Name, VirtualAddress: uint64(s.VirtualAddress), VirtualSize: uint64(s.VirtualSize),
			RawOffset: uint64(s.Offset), RawSize: uint64(s.Size), Entropy: entropy(raw), Flags: uint64(s.Characteristics),
			Permissions: perms(s.Characteristics&scnMemRead != 0, s.Characteristics&scnMemWrite != 0, s.Characteristics&scnMemExecute != 0),
		}
		info.Sections = append(info.Sections, sec)
		if s.Size > 0 {
			lastEnd = max(lastEnd, int64(s.Offset)+int64(s.Size))
		}
		ep := uint32(info.EntryPoint)
		if ep >= s.VirtualAddress && ep < s.VirtualAddress+max(s.VirtualSize, s.Size) {
			info.EntrySection = s.Name
		}
		exec := s.Characteristics&scnMemExecute != 0
		if exec && s.Characteristics&scnMemWrite != 0 {
			r.add(&analysisv1.Finding{Id: "pe.section_wx", Title: "section " + quote(s.Name) + " is writable and executable", Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 250,
				AttackTechniques: []string{"T1027.002"}, Evidence: s.Name + " characteristics 0x" + hex32(s.Characteristics), Offset: int64(s.Offset),
				Reason: "W+X sections let code rewrite itself, typical of packers and shellcode loaders"})
		}
		if (exec || s.Characteristics&scnCntCode != 0) && sec.Entropy > 7.2 {
			r.add(&analysisv1.Finding{Id: "pe.high_entropy_code", Title: "code section " + quote(s.Name) + " has entropy " + ftoa(sec.Entropy), Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 250,
				AttackTechniques: []string{"T1027.002"}, Evidence: s.Name + " entropy " + ftoa(sec.Entropy), Offset: int64(s.Offset),
				Reason: "compiled code has entropy near 6; above 7.2 the section is compressed or encrypted"})
		}
		if p, ok := packerSections[s.Name]; ok {
			r.add(&analysisv1.Finding{Id: "pe.packer_section", Title: "section name " + quote(s.Name) + " left by " + p, Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 300,
				AttackTechniques: []string{"T1027.002"}, Evidence: s.Name, Offset: -1,
				Reason: "packers hide the real code from static analysis; the section name is the packer's signature"})
		}
	}
	if info.EntryPoint != 0 {
		var epSec *pe.SectionHeader
		for _, s := range img.sections {
			if s.Name == info.EntrySection {
				epSec = s
				break
			}
		}
		if epSec == nil || epSec.Characteristics&(scnMemExecute|scnCntCode) == 0 {
			where := "outside every section"
			if epSec != nil {
				where = "in non-executable section " + quote(epSec.Name)
			}
			r.add(&analysisv1.Finding{Id: "pe.entry_outside_code", Title: "entry point " + where, Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 250,
				AttackTechniques: []string{"T1027.002"}, Evidence: "entry point RVA 0x" + hex32(uint32(info.EntryPoint)), Offset: -1,
				Reason: "compilers put the entry point in the code section; elsewhere it points at a packer stub or injected code"})
		}
	}
	// A COFF symbol and string table (MinGW leaves one) sits after the sections but is part of
	// the image as linked, not appended data.
	if sym := int64(f.PointerToSymbolTable); sym > 0 && sym >= lastEnd && sym < int64(len(data)) {
		strTab := sym + 18*int64(f.NumberOfSymbols)
		if strTab+4 <= int64(len(data)) {
			lastEnd = strTab + int64(binary.LittleEndian.Uint32(data[strTab:]))
		}
	}
	if lastEnd > 0 && lastEnd < int64(len(data)) {
		info.OverlayOffset = lastEnd
		info.OverlaySize = int64(len(data)) - lastEnd
	}
	r.peTimestamp(info)

	info.Imports, info.Imphash = peImports(img, dir(pe.IMAGE_DIRECTORY_ENTRY_IMPORT))
	info.Exports = peExports(img, dir(pe.IMAGE_DIRECTORY_ENTRY_EXPORT))
	var leaves []peResourceLeaf
	info.Resources, leaves = peResources(img, dir(pe.IMAGE_DIRECTORY_ENTRY_RESOURCE))
	r.peResourcePayloads(img, leaves)
	info.RichHeader = richHeader(data)
	sec := dir(pe.IMAGE_DIRECTORY_ENTRY_SECURITY)
	// The security directory holds a file offset, not an RVA.
	info.HasAuthenticode = sec.Size >= 8 && int64(sec.VirtualAddress)+int64(sec.Size) <= int64(len(data)) && sec.VirtualAddress > 0
	clr := dir(pe.IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR)
	info.IsDotnet = clr.VirtualAddress != 0 && clr.Size != 0
	if info.IsDotnet {
		r.id.hint("pe:dotnet")
	}
	if info.HasAuthenticode {
		r.id.hint("pe:signed")
		if sec.VirtualAddress >= uint32(info.OverlayOffset) && info.OverlayOffset > 0 {
			// The certificate table sits in the overlay by design; only the rest counts as appended data.
			info.OverlaySize = max(0, int64(sec.VirtualAddress)-info.OverlayOffset) + max(0, int64(len(data))-int64(sec.VirtualAddress)-int64(sec.Size))
		}
	}
	if info.OverlaySize > 0 {
		ov := sliceAt(data, info.OverlayOffset, info.OverlaySize)
		sev, score := analysisv1.Severity_SEVERITY_INFO, int32(0)
		if len(ov) > 4096 && entropy(head(ov, 1<<20)) > 7.5 {
			sev, score = analysisv1.Severity_SEVERITY_LOW, 100
		}
		r.add(&analysisv1.Finding{Id: "pe.overlay", Title: itoa(int(info.OverlaySize)) + " bytes appended after the last section", Severity: sev, Score: score,
			Evidence: "overlay at 0x" + hex32(uint32(info.OverlayOffset)), Offset: info.OverlayOffset,
			Reason: "installers and droppers carry payloads in the overlay; scored only when the data is high-entropy"})
		if Identify(ov).Category != catData && len(ov) >= 64 {
			r.addArtifact(ov, "overlay.bin", "PE overlay at offset "+itoa(int(info.OverlayOffset)), "pe.overlay")
		}
	}
	if len(info.Imports) == 0 && !info.IsDotnet {
		r.add(&analysisv1.Finding{Id: "pe.no_imports", Title: "PE imports nothing", Severity: analysisv1.Severity_SEVERITY_LOW, Score: 100,
			AttackTechniques: []string{"T1027.002"}, Offset: -1, Evidence: "empty import directory",
			Reason: "a native program with no imports resolves APIs by itself, as packed code does"})
	}
	if info.IsDll {
		r.id.hint("pe:dll")
	}
}

// peTimestamp flags link times that cannot be real: before 1995 (except 0, which reproducible
// builds use) or more than a day in the future.
func (r *result) peTimestamp(info *analysisv1.PEInfo) {
	ts := info.Timestamp
	if ts == 0 {
		return
	}
	var why string
	switch {
	case ts < 788918400:
		why = "before 1995"
	case time.Unix(ts, 0).After(time.Now().Add(24 * time.Hour)):
		why = "in the future"
	default:
		return
	}
	r.add(&analysisv1.Finding{Id: "pe.suspicious_timestamp", Title: "link timestamp is " + why, Severity: analysisv1.Severity_SEVERITY_LOW, Score: 50,
		AttackTechniques: []string{"T1070.006"}, Evidence: time.Unix(ts, 0).UTC().Format(time.RFC3339), Offset: -1,
		Reason: "a forged link time hides when the sample was built (Delphi's 1992 stamp is a known benign exception)"})
}

// peImports walks the import directory itself, because debug/pe drops imports by ordinal, which
// the import hash needs. It returns the imports and the imphash as pefile computes it: lowercased
// "dll.function" pairs (dll without .dll/.ocx/.sys; ordinals as ordN) joined by commas, MD5.
func peImports(img *peImage, d pe.DataDirectory) ([]*analysisv1.PEImport, string) {
	if d.VirtualAddress == 0 || d.Size == 0 {
		return nil, ""
	}
	var out []*analysisv1.PEImport
	var parts []string
	total := 0
	for desc := d.VirtualAddress; len(out) < 1024; desc += 20 {
		oft, ok1 := img.u32(desc)
		nameRVA, ok2 := img.u32(desc + 12)
		ft, ok3 := img.u32(desc + 16)
		if !ok1 || !ok2 || !ok3 || (oft == 0 && nameRVA == 0 && ft == 0) {
			break
		}
		dll, ok := img.cstring(nameRVA)
		if !ok || dll == "" {
			break
		}
		imp := &analysisv1.PEImport{Dll: dll}
		lib := strings.ToLower(dll)
		if i := strings.LastIndexByte(lib, '.'); i >= 0 {
			switch lib[i+1:] {
			case "dll", "ocx", "sys":
				lib = lib[:i]
			}
		}
		thunk := oft
		if thunk == 0 {
			thunk = ft
		}
		step := uint32(4)
		if img.is64 {
			step = 8
		}
		for ; total < maxImports; thunk += step {
			var v uint64
			var ordinal bool
			if img.is64 {
				x, ok := img.u64(thunk)
				if !ok {
					break
				}
				v, ordinal = x, x&(1<<63) != 0
			} else {
				x, ok := img.u32(thunk)
				if !ok {
					break
				}
				v, ordinal = uint64(x), x&(1<<31) != 0
			}
			if v == 0 {
				break
			}
			var fn string
			if ordinal {
				fn = ordinalName(lib, uint16(v))
			} else {
				name, ok := img.cstring(uint32(v) + 2)
				if !ok {
					break
				}
				fn = name
			}
			imp.Functions = append(imp.Functions, fn)
			parts = append(parts, lib+"."+strings.ToLower(fn))
			total++
		}
		out = append(out, imp)
	}
	if len(parts) == 0 {
		return out, ""
	}
	sum := md5.Sum([]byte(strings.Join(parts, ",")))
	return out, hex.EncodeToString(sum[:])
}

// ordinalName names an import by ordinal the way pefile does: known ws2_32/wsock32 ordinals by
// name, anything else as ordN. (pefile also knows oleaut32's ordinals; those come out as ordN
// here, so the imphash of a sample importing oleaut32 by ordinal differs from pefile's.)
func ordinalName(lib string, ord uint16) string {
	if lib == "ws2_32" || lib == "wsock32" {
		if n, ok := ws2Ordinals[ord]; ok {
			return n
		}
	}
	return "ord" + itoa(int(ord))
}

var ws2Ordinals = map[uint16]string{
	1: "accept", 2: "bind", 3: "closesocket", 4: "connect", 5: "getpeername", 6: "getsockname", 7: "getsockopt",
	8: "htonl", 9: "htons", 10: "ioctlsocket", 11: "inet_addr", 12: "inet_ntoa", 13: "listen", 14: "ntohl",
	15: "ntohs", 16: "recv", 17: "recvfrom", 18: "select", 19: "send", 20: "sendto", 21: "setsockopt",
	22: "shutdown", 23: "socket", 24: "GetAddrInfoW", 25: "GetNameInfoW", 26: "WSApSetPostRoutine",
	27: "FreeAddrInfoW", 28: "WPUCompleteOverlappedRequest", 29: "WSAAccept", 30: "WSAAddressToStringA",
	31: "WSAAddressToStringW", 32: "WSACloseEvent", 33: "WSAConnect", 34: "WSACreateEvent",
	35: "WSADuplicateSocketA", 36: "WSADuplicateSocketW", 37: "WSAEnumNameSpaceProvidersA",
	38: "WSAEnumNameSpaceProvidersW", 39: "WSAEnumNetworkEvents", 40: "WSAEnumProtocolsA",
	41: "WSAEnumProtocolsW", 42: "WSAEventSelect", 43: "WSAGetOverlappedResult", 44: "WSAGetQOSByName",
	45: "WSAGetServiceClassInfoA", 46: "WSAGetServiceClassInfoW", 47: "WSAGetServiceClassNameByClassIdA",
	48: "WSAGetServiceClassNameByClassIdW", 49: "WSAHtonl", 50: "WSAHtons", 51: "gethostbyaddr",
	52: "gethostbyname", 53: "getprotobyname", 54: "getprotobynumber", 55: "getservbyname", 56: "getservbyport",
	57: "gethostname", 58: "WSAInstallServiceClassA", 59: "WSAInstallServiceClassW", 60: "WSAIoctl",
	61: "WSAJoinLeaf", 62: "WSALookupServiceBeginA", 63: "WSALookupServiceBeginW", 64: "WSALookupServiceEnd",
	65: "WSALookupServiceNextA", 66: "WSALookupServiceNextW", 67: "WSANSPIoctl", 68: "WSANtohl", 69: "WSANtohs",
	70: "WSAProviderConfigChange", 71: "WSARecv", 72: "WSARecvDisconnect", 73: "WSARecvFrom",
	74: "WSARemoveServiceClass", 75: "WSAResetEvent", 76: "WSASend", 77: "WSASendDisconnect", 78: "WSASendTo",
	79: "WSASetEvent", 80: "WSASetServiceA", 81: "WSASetServiceW", 82: "WSASocketA", 83: "WSASocketW",
	84: "WSAStringToAddressA", 85: "WSAStringToAddressW", 86: "WSAWaitForMultipleEvents", 87: "WSCDeinstallProvider",
	88: "WSCEnableNSProvider", 89: "WSCEnumProtocols", 90: "WSCGetProviderPath", 91: "WSCInstallNameSpace",
	92: "WSCInstallProvider", 93: "WSCUnInstallNameSpace", 94: "WSCUpdateProvider", 95: "WSCWriteNameSpaceOrder",
	96: "WSCWriteProviderOrder", 97: "freeaddrinfo", 98: "getaddrinfo", 99: "getnameinfo", 101: "WSAAsyncSelect",
	102: "WSAAsyncGetHostByAddr", 103: "WSAAsyncGetHostByName", 104: "WSAAsyncGetProtoByNumber",
	105: "WSAAsyncGetProtoByName", 106: "WSAAsyncGetServByPort", 107: "WSAAsyncGetServByName",
	108: "WSACancelAsyncRequest", 109: "WSASetBlockingHook", 110: "WSAUnhookBlockingHook", 111: "WSAGetLastError",
	112: "WSASetLastError", 113: "WSACancelBlockingCall", 114: "WSAIsBlocking", 115: "WSAStartup", 116: "WSACleanup",
	151: "__WSAFDIsSet", 500: "WEP",
}

// peExports returns the names in the export directory.
func peExports(img *peImage, d pe.DataDirectory) []string {
	if d.VirtualAddress == 0 || d.Size == 0 {
		return nil
	}
	n, ok1 := img.u32(d.VirtualAddress + 24)
	names, ok2 := img.u32(d.VirtualAddress + 32)
	if !ok1 || !ok2 {
		return nil
	}
	var out []string
	for i := uint32(0); i < n && len(out) < maxExports; i++ {
		rva, ok := img.u32(names + 4*i)
		if !ok {
			break
		}
		name, ok := img.cstring(rva)
		if !ok {
			break
		}
		out = append(out, name)
	}
	return out
}

// peResourceLeaf is one resource's data.
type peResourceLeaf struct {
	typ       string
	rva, size uint32
}

// peResources summarizes the resource tree by type (count of leaves and their total size) and
// returns the leaves.
func peResources(img *peImage, d pe.DataDirectory) ([]*analysisv1.PEResource, []peResourceLeaf) {
	if d.VirtualAddress == 0 || d.Size == 0 {
		return nil, nil
	}
	var leaves []peResourceLeaf
	base := d.VirtualAddress
	var out []*analysisv1.PEResource
	visited := 0
	var walk func(dirRVA uint32, depth int, res *analysisv1.PEResource)
	walk = func(dirRVA uint32, depth int, res *analysisv1.PEResource) {
		if depth > 3 || visited > maxResources {
			return
		}
		named, ok1 := img.u16(dirRVA + 12)
		ids, ok2 := img.u16(dirRVA + 14)
		if !ok1 || !ok2 {
			return
		}
		for i := uint32(0); i < uint32(named)+uint32(ids) && visited <= maxResources; i++ {
			visited++
			e := dirRVA + 16 + 8*i
			nameField, ok1 := img.u32(e)
			off, ok2 := img.u32(e + 4)
			if !ok1 || !ok2 {
				return
			}
			cur := res
			if depth == 0 {
				typ := peResourceTypes[nameField]
				if nameField&0x80000000 != 0 {
					typ = resourceName(img, base+nameField&0x7fffffff)
				} else if typ == "" {
					typ = itoa(int(nameField))
				}
				cur = &analysisv1.PEResource{Type: typ}
				out = append(out, cur)
			}
			if off&0x80000000 != 0 {
				walk(base+off&0x7fffffff, depth+1, cur)
				continue
			}
			if cur != nil {
				dataRVA, _ := img.u32(base + off)
				size, _ := img.u32(base + off + 4)
				cur.Count++
				cur.Size += int64(size)
				leaves = append(leaves, peResourceLeaf{cur.Type, dataRVA, size})
			}
		}
	}
	walk(base, 0, nil)
	return out, leaves
}

// peResourcePayloads extracts resources that are themselves executables, containers, documents
// or scripts: droppers carry their next stage as RCDATA or a custom resource type.
func (r *result) peResourcePayloads(img *peImage, leaves []peResourceLeaf) {
	for _, l := range leaves {
		switch l.typ {
		case "RT_ICON", "RT_GROUP_ICON", "RT_CURSOR", "RT_GROUP_CURSOR", "RT_BITMAP", "RT_STRING", "RT_VERSION", "RT_MANIFEST", "RT_DIALOG", "RT_MENU", "RT_MESSAGETABLE":
			continue
		}
		off, ok := img.offset(l.rva)
		if !ok || l.size < 64 {
			continue
		}
		data := sliceAt(img.data, off, int64(l.size))
		id := Identify(data)
		if id.Category != catExecutable && id.Category != catArchive && id.Category != catDocument && id.Category != catScript {
			continue
		}
		r.addArtifact(data, "resource_"+l.typ+"_"+itoa(int(off))+".bin", id.Description+" in PE resource "+l.typ, "pe:resource "+l.typ)
		r.add(&analysisv1.Finding{Id: "pe.embedded_payload", Title: id.Description + " embedded in resource " + l.typ, Severity: analysisv1.Severity_SEVERITY_MEDIUM, Score: 250,
			AttackTechniques: []string{"T1027.009"}, Evidence: l.typ + " at offset 0x" + hex32(uint32(off)) + ", " + itoa(len(data)) + " bytes: " + id.FileType, Offset: off,
			Reason: "droppers carry their next stage as a resource; an executable or container there is rarely benign"})
	}
}

func resourceName(img *peImage, rva uint32) string {
	n, ok := img.u16(rva)
	if !ok {
		return "?"
	}
	var sb strings.Builder
	for i := uint32(0); i < uint32(min(n, 64)); i++ {
		c, ok := img.u16(rva + 2 + 2*i)
		if !ok {
			break
		}
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// richHeader decodes the Rich header between the DOS stub and the PE header: the entries are
// XORed with the key that follows "Rich", and start after "DanS" and three padding words.
func richHeader(data []byte) []*analysisv1.RichEntry {
	if len(data) < 0x40 {
		return nil
	}
	lfanew := int(binary.LittleEndian.Uint32(data[0x3c:]))
	if lfanew <= 0x80 || lfanew > len(data) || lfanew > 4096 {
		return nil
	}
	stub := data[:lfanew]
	ri := bytes.LastIndex(stub, []byte("Rich"))
	if ri < 0x80 || ri+8 > len(stub) {
		return nil
	}
	key := binary.LittleEndian.Uint32(stub[ri+4:])
	start := -1
	for p := ri - 4; p >= 0x80; p -= 4 {
		if binary.LittleEndian.Uint32(stub[p:])^key == 0x536e6144 { // "DanS"
			start = p
			break
		}
	}
	if start < 0 {
		return nil
	}
	var out []*analysisv1.RichEntry
	for p := start + 16; p+8 <= ri; p += 8 {
		comp := binary.LittleEndian.Uint32(stub[p:]) ^ key
		count := binary.LittleEndian.Uint32(stub[p+4:]) ^ key
		out = append(out, &analysisv1.RichEntry{ProductId: comp >> 16, Build: comp & 0xffff, Count: count})
	}
	return out
}

func sliceAt(b []byte, off, n int64) []byte {
	if off < 0 || n <= 0 || off >= int64(len(b)) {
		return nil
	}
	end := off + n
	if end > int64(len(b)) || end < off {
		end = int64(len(b))
	}
	return b[off:end]
}

func perms(r, w, x bool) string {
	p := []byte("---")
	if r {
		p[0] = 'r'
	}
	if w {
		p[1] = 'w'
	}
	if x {
		p[2] = 'x'
	}
	return string(p)
}

func hex32(v uint32) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return hex.EncodeToString(b[:])
}

func quote(s string) string { return "\"" + strings.ToValidUTF8(s, "?") + "\"" }

func ftoa(f float64) string {
	whole := int(f)
	frac := int((f-float64(whole))*100 + 0.5)
	if frac >= 100 {
		whole, frac = whole+1, frac-100
	}
	s := itoa(frac)
	if frac < 10 {
		s = "0" + s
	}
	return itoa(whole) + "." + s
}

func errString(err error) string {
	if err == nil {
		return "parser panicked"
	}
	return err.Error()
}

// parseDOS flags an MZ file whose PE header is cut off: the header pointer leads past the end
// of the file or to a PE signature with no room for the COFF header.
func (r *result) parseDOS(data []byte) {
	if len(data) < 0x40 {
		r.add(&analysisv1.Finding{Id: "pe.truncated", Title: "MZ header is truncated", Severity: analysisv1.Severity_SEVERITY_LOW, Score: 50,
			Evidence: itoa(len(data)) + " bytes", Offset: 0, Reason: "a cut-off executable is damaged or a fragment carved from memory or traffic"})
		return
	}
	lfanew := int64(binary.LittleEndian.Uint32(data[0x3c:]))
	if lfanew >= int64(len(data)) || lfanew+4 <= int64(len(data)) && string(data[lfanew:lfanew+4]) == "PE\x00\x00" {
		r.add(&analysisv1.Finding{Id: "pe.truncated", Title: "PE header is cut off", Severity: analysisv1.Severity_SEVERITY_LOW, Score: 50,
			Evidence: "e_lfanew 0x" + hex32(uint32(lfanew)) + ", file size " + itoa(len(data)), Offset: 0x3c,
			Reason: "a cut-off executable is damaged or a fragment carved from memory or traffic"})
	}
}
