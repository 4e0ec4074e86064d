package fileprocessor

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"unicode/utf8"
)

// Category flavors: every identification carries exactly one of them.
const (
	catExecutable = "executable"
	catArchive    = "archive"
	catDocument   = "document"
	catScript     = "script"
	catText       = "text"
	catImage      = "image"
	catCapture    = "capture"
	catData       = "data"
)

// Identity is what a sample is: a short type id, a MIME type, a description and routing flavors.
type Identity struct {
	// FileType is the short lowercase type id (pe, elf, pdf, zip, javascript, text ...).
	FileType string
	// MIME is the MIME type, chosen to match what libmagic's `file --mime-type` reports.
	MIME string
	// Description is a human-readable identification.
	Description string
	// Category is the one category flavor (executable, archive, document ...).
	Category string
	// Hints are structural flavors such as pe:dll or ooxml:docx.
	Hints []string
}

// Flavors returns the routing flavors: the type itself, its category, then structural hints.
func (id Identity) Flavors() []string {
	out := []string{id.FileType}
	if id.Category != "" && id.Category != id.FileType {
		out = append(out, id.Category)
	}
	for _, h := range id.Hints {
		if !contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

func (id *Identity) hint(h string) {
	if !contains(id.Hints, h) {
		id.Hints = append(id.Hints, h)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Identify names the type of data by magic numbers, structure and content. It never looks at a
// file name: a renamed sample is identified the same way. Work is bounded by the caps in
// limits.go, so it is safe on hostile input.
func Identify(data []byte) Identity {
	if id, ok := identifyBinary(data); ok {
		return id
	}
	return identifyText(data)
}

func identifyBinary(b []byte) (Identity, bool) {
	has := func(off int, magic string) bool {
		return off >= 0 && len(b) >= off+len(magic) && string(b[off:off+len(magic)]) == magic
	}
	switch {
	case has(0, "\x7fELF"):
		return identifyELF(b), true
	case has(0, "MZ"):
		return identifyMZ(b), true
	case has(0, "\xfe\xed\xfa\xce"), has(0, "\xce\xfa\xed\xfe"), has(0, "\xfe\xed\xfa\xcf"), has(0, "\xcf\xfa\xed\xfe"):
		return identifyMachO(b), true
	case has(0, "\xca\xfe\xba\xbe"):
		return identifyCafebabe(b), true
	case bytes.Contains(head(b, 1024), []byte("%PDF-")):
		return Identity{FileType: "pdf", MIME: "application/pdf", Description: "PDF document", Category: catDocument}, true
	case has(0, "PK\x03\x04"), has(0, "PK\x05\x06"):
		return identifyZIP(b), true
	case has(0, "\x1f\x8b"):
		return Identity{FileType: "gzip", MIME: "application/gzip", Description: "gzip compressed data", Category: catArchive}, true
	case has(0, "BZh") && len(b) > 3 && b[3] >= '1' && b[3] <= '9':
		return Identity{FileType: "bzip2", MIME: "application/x-bzip2", Description: "bzip2 compressed data", Category: catArchive}, true
	case has(0, "\xfd7zXZ\x00"):
		return Identity{FileType: "xz", MIME: "application/x-xz", Description: "XZ compressed data", Category: catArchive}, true
	case has(0, "(\xb5/\xfd"):
		return Identity{FileType: "zstd", MIME: "application/zstd", Description: "Zstandard compressed data", Category: catArchive}, true
	case has(0, "7z\xbc\xaf\x27\x1c"):
		return Identity{FileType: "7z", MIME: "application/x-7z-compressed", Description: "7-zip archive", Category: catArchive}, true
	case has(0, "Rar!\x1a\x07"):
		return Identity{FileType: "rar", MIME: "application/x-rar", Description: "RAR archive", Category: catArchive}, true
	case has(0, "MSCF\x00\x00\x00\x00"):
		return Identity{FileType: "cab", MIME: "application/vnd.ms-cab-compressed", Description: "Microsoft Cabinet archive", Category: catArchive}, true
	case has(0, "!<arch>\ndebian-binary"):
		return Identity{FileType: "deb", MIME: "application/vnd.debian.binary-package", Description: "Debian binary package", Category: catArchive}, true
	case has(0, "!<arch>\n"):
		return Identity{FileType: "ar", MIME: "application/x-archive", Description: "ar archive", Category: catArchive}, true
	case has(0, "\xed\xab\xee\xdb"):
		return Identity{FileType: "rpm", MIME: "application/x-rpm", Description: "RPM package", Category: catArchive}, true
	case has(257, "ustar"):
		return Identity{FileType: "tar", MIME: "application/x-tar", Description: "POSIX tar archive", Category: catArchive}, true
	case has(0x8001, "CD001"):
		return Identity{FileType: "iso", MIME: "application/x-iso9660-image", Description: "ISO 9660 CD-ROM filesystem", Category: catArchive}, true
	case has(0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
		return identifyOLE(b), true
	case has(0, "{\\rtf"):
		return Identity{FileType: "rtf", MIME: "text/rtf", Description: "Rich Text Format document", Category: catDocument}, true
	case has(0, "\x89PNG\r\n\x1a\n"):
		return Identity{FileType: "png", MIME: "image/png", Description: "PNG image", Category: catImage}, true
	case has(0, "\xff\xd8\xff"):
		return Identity{FileType: "jpeg", MIME: "image/jpeg", Description: "JPEG image", Category: catImage}, true
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return Identity{FileType: "gif", MIME: "image/gif", Description: "GIF image", Category: catImage}, true
	case has(0, "BM") && isBMP(b):
		return Identity{FileType: "bmp", MIME: "image/bmp", Description: "BMP image", Category: catImage}, true
	case has(0, "RIFF") && has(8, "WEBP"):
		return Identity{FileType: "webp", MIME: "image/webp", Description: "WebP image", Category: catImage}, true
	case has(0, "II*\x00"), has(0, "MM\x00*"):
		return Identity{FileType: "tiff", MIME: "image/tiff", Description: "TIFF image", Category: catImage}, true
	case has(0, "\x00\x00\x01\x00") && isICO(b):
		return Identity{FileType: "ico", MIME: "image/vnd.microsoft.icon", Description: "Windows icon", Category: catImage}, true
	case has(0, "\xd4\xc3\xb2\xa1"), has(0, "\xa1\xb2\xc3\xd4"), has(0, "\x4d\x3c\xb2\xa1"), has(0, "\xa1\xb2\x3c\x4d"):
		return Identity{FileType: "pcap", MIME: "application/vnd.tcpdump.pcap", Description: "pcap capture file", Category: catCapture}, true
	case has(0, "\x0a\x0d\x0d\x0a") && (has(8, "\x4d\x3c\x2b\x1a") || has(8, "\x1a\x2b\x3c\x4d")):
		return Identity{FileType: "pcapng", MIME: "application/x-pcapng", Description: "pcapng capture file", Category: catCapture}, true
	case has(0, "L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"):
		return Identity{FileType: "lnk", MIME: "application/x-ms-shortcut", Description: "Windows shortcut", Category: catData}, true
	case has(0, "\x00asm") && len(b) >= 8:
		return Identity{FileType: "wasm", MIME: "application/wasm", Description: "WebAssembly binary module", Category: catExecutable}, true
	case has(0, "dex\n") && len(b) >= 8 && b[7] == 0:
		return Identity{FileType: "dex", MIME: "application/vnd.android.dex", Description: "Dalvik dex file", Category: catExecutable}, true
	case has(0, "SQLite format 3\x00"):
		return Identity{FileType: "sqlite", MIME: "application/vnd.sqlite3", Description: "SQLite 3 database", Category: catData}, true
	case has(0, "ITSF\x03\x00\x00\x00"):
		return Identity{FileType: "chm", MIME: "application/vnd.ms-htmlhelp", Description: "Microsoft HTML Help (CHM)", Category: catDocument}, true
	case has(0, "wOFF"), has(0, "wOF2"):
		return Identity{FileType: "woff", MIME: "font/woff", Description: "Web Open Font", Category: catData}, true
	case has(0, "OggS"):
		return Identity{FileType: "ogg", MIME: "audio/ogg", Description: "Ogg data", Category: catData}, true
	case has(0, "regf"):
		return Identity{FileType: "registry", MIME: "application/x-ms-registry", Description: "Windows registry hive", Category: catData}, true
	case has(0, "Windows Registry Editor Version 5.00"), has(0, "\xef\xbb\xbfWindows Registry Editor"), has(0, "\xff\xfeW\x00i\x00n\x00d\x00o\x00w\x00s\x00 \x00R\x00e\x00g\x00"):
		return Identity{FileType: "reg", MIME: "text/x-ms-regedit", Description: "Windows registry script", Category: catScript}, true
	case has(0, "-----BEGIN "):
		return Identity{FileType: "pem", MIME: "text/plain", Description: "PEM encoded data", Category: catText}, true
	}
	return Identity{}, false
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func identifyMZ(b []byte) Identity {
	id := Identity{FileType: "dosexec", MIME: "application/x-dosexec", Description: "MS-DOS executable", Category: catExecutable}
	if len(b) < 0x40 {
		return id
	}
	lfanew := int64(binary.LittleEndian.Uint32(b[0x3c:]))
	if lfanew <= 0 || lfanew+24 > int64(len(b)) || string(b[lfanew:lfanew+4]) != "PE\x00\x00" {
		return id
	}
	id = Identity{FileType: "pe", MIME: "application/vnd.microsoft.portable-executable", Description: "PE32 executable", Category: catExecutable}
	coff := b[lfanew+4:]
	chars := binary.LittleEndian.Uint16(coff[18:])
	optSize := int64(binary.LittleEndian.Uint16(coff[16:]))
	if chars&0x2000 != 0 {
		id.hint("pe:dll")
		id.Description = "PE32 DLL"
	}
	opt := lfanew + 24
	if opt+2 <= int64(len(b)) && binary.LittleEndian.Uint16(b[opt:]) == 0x20b {
		id.hint("pe:64")
		id.Description = "PE32+" + id.Description[4:]
	} else {
		id.hint("pe:32")
	}
	// The CLR runtime header is data directory 14; its offset depends on PE32 vs PE32+.
	dirOff := opt + 96
	if contains(id.Hints, "pe:64") {
		dirOff = opt + 112
	}
	clr := dirOff + 14*8
	if optSize >= clr+8-opt && clr+8 <= int64(len(b)) && binary.LittleEndian.Uint32(b[clr:]) != 0 && binary.LittleEndian.Uint32(b[clr+4:]) != 0 {
		id.hint("pe:dotnet")
		id.Description += " (.NET assembly)"
	}
	return id
}

func identifyELF(b []byte) Identity {
	id := Identity{FileType: "elf", MIME: "application/x-executable", Description: "ELF executable", Category: catExecutable}
	if len(b) < 20 {
		return id
	}
	var order binary.ByteOrder = binary.LittleEndian
	if b[5] == 2 {
		order = binary.BigEndian
	}
	if b[4] == 2 {
		id.hint("elf:64")
	} else {
		id.hint("elf:32")
	}
	switch order.Uint16(b[16:]) {
	case 1:
		id.MIME, id.Description = "application/x-object", "ELF relocatable object"
		id.hint("elf:object")
	case 2:
		id.hint("elf:exec")
	case 3:
		// libmagic tells a PIE from a shared library by DF_1_PIE in the dynamic section.
		if elfIsPIE(b) {
			id.MIME, id.Description = "application/x-pie-executable", "ELF position-independent executable"
			id.hint("elf:pie")
		} else {
			id.MIME, id.Description = "application/x-sharedlib", "ELF shared object"
			id.hint("elf:shared")
		}
	case 4:
		id.MIME, id.Description = "application/x-coredump", "ELF core file"
		id.hint("elf:core")
	}
	return id
}

func identifyMachO(b []byte) Identity {
	id := Identity{FileType: "macho", MIME: "application/x-mach-binary", Description: "Mach-O binary", Category: catExecutable}
	if len(b) >= 16 {
		var order binary.ByteOrder = binary.LittleEndian
		if b[0] == 0xfe {
			order = binary.BigEndian
		}
		if b[3] == 0xcf || b[0] == 0xcf {
			id.hint("macho:64")
		}
		switch order.Uint32(b[12:]) {
		case 1:
			id.hint("macho:object")
		case 2:
			id.hint("macho:exec")
		case 6:
			id.hint("macho:dylib")
		case 8:
			id.hint("macho:bundle")
		}
	}
	return id
}

// identifyCafebabe separates fat Mach-O from Java class files, which share the magic: a fat header
// holds a small architecture count where a class file holds its version (major >= 45).
func identifyCafebabe(b []byte) Identity {
	if len(b) >= 8 {
		n := binary.BigEndian.Uint32(b[4:])
		if n > 0 && n < 30 {
			id := Identity{FileType: "macho", MIME: "application/x-mach-binary", Description: "Mach-O universal binary", Category: catExecutable}
			id.hint("macho:fat")
			return id
		}
	}
	return Identity{FileType: "java", MIME: "application/x-java-applet", Description: "Java class file", Category: catExecutable}
}

func isBMP(b []byte) bool {
	if len(b) < 26 {
		return false
	}
	hdr := binary.LittleEndian.Uint32(b[14:])
	return hdr == 12 || hdr == 40 || hdr == 52 || hdr == 56 || hdr == 64 || hdr == 108 || hdr == 124
}

func isICO(b []byte) bool {
	if len(b) < 22 {
		return false
	}
	n := binary.LittleEndian.Uint16(b[4:])
	return n > 0 && n < 256 && b[9] == 0
}

func identifyZIP(b []byte) Identity {
	id := Identity{FileType: "zip", MIME: "application/zip", Description: "Zip archive", Category: catArchive}
	names, encrypted := zipNames(b, maxIdentifyMembers)
	if encrypted {
		id.hint("archive:encrypted")
	}
	set := map[string]bool{}
	hasPrefix := func(p string) bool {
		for _, n := range names {
			if len(n) >= len(p) && n[:len(p)] == p {
				return true
			}
		}
		return false
	}
	for _, n := range names {
		set[n] = true
	}
	switch {
	case set["[Content_Types].xml"] && hasPrefix("word/"):
		id = Identity{FileType: "ooxml", MIME: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Description: "Microsoft Word 2007+ document", Category: catDocument, Hints: []string{"ooxml:docx"}}
	case set["[Content_Types].xml"] && hasPrefix("xl/"):
		id = Identity{FileType: "ooxml", MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Description: "Microsoft Excel 2007+ workbook", Category: catDocument, Hints: []string{"ooxml:xlsx"}}
	case set["[Content_Types].xml"] && hasPrefix("ppt/"):
		id = Identity{FileType: "ooxml", MIME: "application/vnd.openxmlformats-officedocument.presentationml.presentation", Description: "Microsoft PowerPoint 2007+ presentation", Category: catDocument, Hints: []string{"ooxml:pptx"}}
	case set["[Content_Types].xml"]:
		id = Identity{FileType: "ooxml", MIME: "application/octet-stream", Description: "Office Open XML package", Category: catDocument}
	case set["AndroidManifest.xml"] && set["classes.dex"]:
		id = Identity{FileType: "apk", MIME: "application/vnd.android.package-archive", Description: "Android package", Category: catArchive}
	case set["META-INF/MANIFEST.MF"] || hasSuffixAny(names, ".class"):
		id = Identity{FileType: "jar", MIME: "application/java-archive", Description: "Java archive", Category: catArchive}
	case set["mimetype"] && zipMimetypeIsODF(b):
		id = Identity{FileType: "odf", MIME: "application/vnd.oasis.opendocument", Description: "OpenDocument file", Category: catDocument}
	}
	if encrypted {
		id.hint("archive:encrypted")
	}
	for _, n := range names {
		if n == "word/vbaProject.bin" || n == "xl/vbaProject.bin" || n == "ppt/vbaProject.bin" {
			id.hint("has_macros")
		}
	}
	return id
}

func hasSuffixAny(names []string, suffix string) bool {
	for _, n := range names {
		if len(n) > len(suffix) && n[len(n)-len(suffix):] == suffix {
			return true
		}
	}
	return false
}

// zipMimetypeIsODF checks the stored "mimetype" first member that OpenDocument files begin with.
func zipMimetypeIsODF(b []byte) bool {
	return len(b) > 38+30 && string(b[30:38]) == "mimetype" && bytes.HasPrefix(b[38:], []byte("application/vnd.oasis.opendocument"))
}

func identifyOLE(b []byte) Identity {
	id := Identity{FileType: "ole", MIME: "application/x-ole-storage", Description: "OLE2 compound document", Category: catDocument}
	cf, err := parseCFB(b)
	if err != nil {
		return id
	}
	switch app := cf.application(); app {
	case "word":
		id.MIME, id.Description = "application/msword", "Microsoft Word 97-2003 document"
		id.hint("ole:doc")
	case "excel":
		id.MIME, id.Description = "application/vnd.ms-excel", "Microsoft Excel 97-2003 workbook"
		id.hint("ole:xls")
	case "powerpoint":
		id.MIME, id.Description = "application/vnd.ms-powerpoint", "Microsoft PowerPoint 97-2003 presentation"
		id.hint("ole:ppt")
	case "msi":
		id.MIME, id.Description = "application/x-msi", "Windows Installer package"
		id.hint("ole:msi")
	}
	if cf.hasVBA() {
		id.hint("has_macros")
	}
	return id
}

// isBinary reports whether b looks like binary data rather than text in some encoding.
func isBinary(b []byte) bool {
	h := head(b, 8192)
	if len(h) == 0 {
		return false
	}
	if bytes.HasPrefix(h, []byte{0xff, 0xfe}) || bytes.HasPrefix(h, []byte{0xfe, 0xff}) {
		return false
	}
	ctrl := 0
	for _, c := range h {
		if c == 0 {
			return true
		}
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b && c != '\b' {
			ctrl++
		}
	}
	if ctrl*100 > len(h) {
		return true
	}
	if utf8.Valid(h) {
		return false
	}
	// Latin-1 text has high bytes but few control bytes; count bytes >= 0x80 as a weak signal.
	high := 0
	for _, c := range h {
		if c >= 0x80 {
			high++
		}
	}
	return high*100 > len(h)*30
}

func identifyText(b []byte) Identity {
	if len(b) == 0 {
		return Identity{FileType: "empty", MIME: "application/x-empty", Description: "empty", Category: catData}
	}
	// libmagic calls a one-byte file "very short file (no magic)", octet-stream; so do we.
	if len(b) == 1 || isBinary(b) {
		return Identity{FileType: "data", MIME: "application/octet-stream", Description: "data", Category: catData}
	}
	text := decodeTextHead(b, maxTextSniff)
	lang := sniffLanguage(text)
	id := Identity{FileType: lang.id, MIME: lang.mime, Description: lang.desc, Category: lang.category}
	if lang.id == "json" && (len(b) > maxJSONValidate || !json.Valid(b)) {
		id = Identity{FileType: "text", MIME: "text/plain", Description: "text", Category: catText}
	}
	return id
}
