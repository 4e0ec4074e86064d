package analysisengine

import (
	"bytes"
	"encoding/binary"
	"sort"
	"strings"
)

// A Go binary carries its function table (pclntab) even when stripped: the runtime needs it
// for stack traces and garbage collection. The table names every function, so the walk can
// start at the program's own functions and leave the Go runtime and standard library, which
// every Go binary carries (a hello-world walks about 80,000 instructions of runtime from its
// entry point), named but not disassembled. Their instructions are also what made every Go
// binary look anti-VM: the runtime executes cpuid and rdtsc.
//
// Layout, from the Go sources (runtime/symtab.go pcHeader, functab and _func; formats of go1.2,
// go1.16, go1.18 and go1.20, which only changed the magic of go1.18's):
//
//	magic uint32, 0, 0, quantum uint8 (1 on x86), pointer size uint8 (4 or 8)
//	go1.2:   nfunc uintptr; functab at 8+ptr: nfunc × {entry, funcoff uintptr}, end entry;
//	         _func at table+funcoff: entry uintptr, nameoff int32 from the table's start
//	go1.16:  nfunc, nfiles, funcnameOffset, cuOffset, filetabOffset, pctabOffset, pclnOffset
//	         (uintptr each); functab at pclnOffset as go1.2's; _func at pclnOffset+funcoff,
//	         nameoff from funcnameOffset
//	go1.18+: nfunc, nfiles, textStart, then go1.16's offsets; functab entries are uint32
//	         pairs {entryoff from textStart, funcoff}; _func: entryoff uint32, nameoff int32.
//	         Since go1.26 textStart is stored as 0 and the text section's start is meant.
//
// Everything is read from hostile bytes: every offset is checked against the table, entries
// must ascend, and the table is believed only when it places a function exactly at the
// image's entry point (every Go executable and c-shared library enters at a runtime function)
// and all of them in one executable section. A crafted table could still call a program's
// code the runtime's to keep the walk out of it; the entry point and the exports are walked
// whatever the table says, the report gives the table's counts (go_functions,
// go_library_functions), and Limits.WalkGoLibrary walks everything.

// goFunc is one function of a Go binary's function table.
type goFunc struct {
	addr    uint64
	name    uint32 // offset of the NUL-terminated name in goTable.names
	library bool   // the Go runtime's or the standard library's (goLibrary)
}

// goTable is a Go binary's function table.
type goTable struct {
	format string   // go1.2, go1.16, go1.18, go1.20
	funcs  []goFunc // ascending addresses
	end    uint64   // end of the last function
	names  []byte
	table  []byte // from the header on
	text   uint64 // what go1.18+ entries are relative to
}

// maxGoFuncs bounds the table: the Go toolchain binary itself has about 17,000 functions.
const maxGoFuncs = 1 << 20

var goMagics = map[uint32]string{0xfffffffb: "go1.2", 0xfffffffa: "go1.16", 0xfffffff0: "go1.18", 0xfffffff1: "go1.20"}

// findGoTable returns the function table of a Go binary, or nil. It looks in the sections
// that are not executable for a table header whose functions validate.
func findGoTable(im *image) *goTable {
	ptr := im.bits / 8
	// Magic, the two zero pads, the x86 quantum and the pointer size: 0xfffffff? 00 00 01 ptr.
	tail := []byte{0xff, 0xff, 0xff, 0, 0, 1, byte(ptr)}
	for i := range im.sections {
		s := &im.sections[i]
		if s.exec {
			continue
		}
		for from := 0; from < len(s.data); {
			j := bytes.Index(s.data[from:], tail)
			if j < 0 {
				break
			}
			at := from + j - 1 // the magic's low byte
			from += j + 1
			if at < 0 || at%4 != 0 {
				continue
			}
			if t := parseGoTable(im, s.data[at:], ptr); t != nil {
				return t
			}
		}
	}
	return nil
}

// parseGoTable parses a table header at the start of b, or returns nil.
func parseGoTable(im *image, b []byte, ptr int) *goTable {
	le := binary.LittleEndian
	format := goMagics[le.Uint32(b)]
	if format == "" {
		return nil
	}
	word := func(off uint64) (uint64, bool) {
		if off > uint64(len(b)) || uint64(len(b))-off < uint64(ptr) {
			return 0, false
		}
		if ptr == 4 {
			return uint64(le.Uint32(b[off:])), true
		}
		return le.Uint64(b[off:]), true
	}
	field := func(i int) (uint64, bool) { return word(8 + uint64(i*ptr)) }
	nfunc, ok := field(0)
	if !ok || nfunc == 0 || nfunc > maxGoFuncs {
		return nil
	}
	t := &goTable{format: format, table: b}
	var functab, names, textStart uint64
	switch format {
	case "go1.2":
		functab, names = 8+uint64(ptr), 0
	case "go1.16":
		names, _ = field(2)
		functab, ok = field(6)
	default:
		textStart, _ = field(2)
		names, _ = field(3)
		functab, ok = field(7)
	}
	if !ok || names > uint64(len(b)) || functab > uint64(len(b)) {
		return nil
	}
	t.names = b[names:]
	// Entries: nfunc+1 of them, the last one the end of the text.
	rel := format == "go1.18" || format == "go1.20" // uint32 entries relative to the text
	entrySize := uint64(2 * ptr)
	if rel {
		entrySize = 8
	}
	if (uint64(len(b))-functab)/entrySize < nfunc+1 {
		return nil
	}
	t.funcs = make([]goFunc, 0, nfunc) // now bounded by the bytes that hold the entries
	entry := func(i uint64) (addr, funcoff uint64) {
		off := functab + i*entrySize
		if rel {
			return uint64(le.Uint32(b[off:])), uint64(le.Uint32(b[off+4:]))
		}
		a, _ := word(off)
		f, _ := word(off + uint64(ptr))
		return a, f
	}
	var prev uint64
	for i := uint64(0); i <= nfunc; i++ {
		addr, funcoff := entry(i)
		if addr < prev {
			return nil
		}
		prev = addr
		if i == nfunc {
			t.end = addr
			break
		}
		// The name offset follows the entry (a uintptr before go1.18, a uint32 since).
		nameAt := functab + uint64(ptr)
		if format == "go1.2" {
			nameAt = uint64(ptr)
		} else if rel {
			nameAt = functab + 4
		}
		if funcoff > uint64(len(b)) || nameAt+funcoff > uint64(len(b))-4 {
			return nil
		}
		nameAt += funcoff
		name := uint64(le.Uint32(b[nameAt:]))
		if name >= uint64(len(t.names)) {
			return nil
		}
		t.funcs = append(t.funcs, goFunc{addr: addr, name: uint32(name), library: goLibrary(t.nameBytes(uint32(name)))})
	}
	if !rel {
		return t.placed(im, 0)
	}
	// go1.18+: entries are offsets from the text's start, stored in the header until go1.26.
	if textStart != 0 {
		return t.placed(im, textStart)
	}
	for i := range im.sections {
		if s := &im.sections[i]; s.exec {
			if found := t.placed(im, s.addr); found != nil {
				return found
			}
		}
	}
	return nil
}

// placed adds base to the table's addresses and returns it if that puts a function exactly at
// the image's entry point and all of them in one executable section; otherwise it returns nil
// and leaves the table as it was.
func (t *goTable) placed(im *image, base uint64) *goTable {
	at := sort.Search(len(t.funcs), func(i int) bool { return t.funcs[i].addr+base >= im.entry })
	if at == len(t.funcs) || t.funcs[at].addr+base != im.entry || t.end+base < t.end {
		return nil
	}
	s := im.sectionAt(t.funcs[0].addr + base)
	if s == nil || !s.exec || t.end+base > s.addr+max(s.virtSize, uint64(len(s.data))) {
		return nil
	}
	for i := range t.funcs {
		t.funcs[i].addr += base
	}
	t.end += base
	t.text = base
	return t
}

// nameBytes returns the name at off, without copying; at most 4 KiB of it.
func (t *goTable) nameBytes(off uint32) []byte {
	b := t.names[off:]
	b = b[:min(len(b), 4096)]
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return b
}

// name returns the name of function i.
func (t *goTable) name(i int) string { return string(t.nameBytes(t.funcs[i].name)) }

// at returns the index of the function starting exactly at va, or -1.
func (t *goTable) at(va uint64) int {
	i := sort.Search(len(t.funcs), func(i int) bool { return t.funcs[i].addr >= va })
	if i < len(t.funcs) && t.funcs[i].addr == va {
		return i
	}
	return -1
}

// bounds returns the start and end of the function holding va, or 0, 0 when va is outside the
// table's text.
func (t *goTable) bounds(va uint64) (start, end uint64) {
	i := sort.Search(len(t.funcs), func(i int) bool { return t.funcs[i].addr > va })
	if i == 0 || va >= t.end {
		return 0, 0
	}
	end = t.end
	if i < len(t.funcs) {
		end = t.funcs[i].addr
	}
	return t.funcs[i-1].addr, end
}

// goLibrary reports whether the function named name belongs to the Go distribution (runtime,
// standard library, cmd/…), is generated by the compiler (type:…, go:…) or is an assembly
// symbol without a package (_rt0_amd64_windows). The package is the name up to the first dot
// after its last slash, and the distribution's are those whose path starts with one of its
// top-level directories: a program's own packages start with main or a module path, which
// need not hold a dot (go mod init implant). A generic function's type arguments, in
// brackets, may hold further paths and are not looked at.
func goLibrary(name []byte) bool {
	if bytes.HasPrefix(name, []byte("type:")) || bytes.HasPrefix(name, []byte("go:")) {
		return true // generated: type:.eq.T, type:.hash.T, go:buildid
	}
	if i := bytes.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	slash := bytes.LastIndexByte(name, '/')
	dot := bytes.IndexByte(name[slash+1:], '.')
	if dot < 0 {
		return true
	}
	first := name[:slash+1+dot]
	if i := bytes.IndexByte(first, '/'); i >= 0 {
		first = first[:i]
	}
	return goRoots[string(first)]
}

// goRoots are the top-level directories of the Go distribution's src (Go 1.26), which hold
// the standard library, the toolchain's own packages (cmd) and vendored copies (vendor).
var goRoots = func() map[string]bool {
	m := map[string]bool{}
	for _, d := range strings.Fields(`archive arena bufio builtin bytes cmd cmp compress container
		context crypto database debug embed encoding errors expvar flag fmt go hash html image
		index internal io iter log maps math mime net os path plugin reflect regexp runtime simd
		slices sort strconv strings structs sync syscall testing text time unicode unique unsafe
		vendor weak`) {
		m[d] = true
	}
	return m
}()
