// Package pefile opens PE files with debug/pe without reading their COFF symbol table.
//
// debug/pe.NewFile reads every COFF symbol with its own reflective binary.Read. Executables
// built by MinGW keep that table (a symbol or more per function): on a 1.2 MB MinGW build with
// 9,300 functions the read was a third of the analysis-engine's native time, and reflection
// runs several times slower again inside WASM, where each module that parses PE headers
// (file-processor, pattern-matcher, analysis-engine) paid it on every call. No module uses the
// symbols; Windows does not load them.
package pefile

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"io"
)

// Open parses content as debug/pe.NewFile does, except that File.COFFSymbols and File.Symbols
// are empty. The COFF string table after the symbols is still read, so long section names
// ("/4") resolve as before, and File.FileHeader holds the file's own PointerToSymbolTable and
// NumberOfSymbols.
func Open(content []byte) (*pe.File, error) {
	hdr := fileHeaderOffset(content)
	if hdr < 0 || len(content)-hdr < 16 {
		return pe.NewFile(bytes.NewReader(content))
	}
	le := binary.LittleEndian
	ptr, n := le.Uint32(content[hdr+8:]), le.Uint32(content[hdr+12:])
	if ptr == 0 || n == 0 {
		return pe.NewFile(bytes.NewReader(content))
	}
	// The string table starts where debug/pe computes it, in uint32 arithmetic: at the
	// pointer moved past the symbols, with no symbols left to read.
	r := &patched{b: content, at: int64(hdr + 8)}
	le.PutUint32(r.patch[:], ptr+pe.COFFSymbolSize*n)
	f, err := pe.NewFile(r)
	if err != nil {
		return nil, err
	}
	f.PointerToSymbolTable, f.NumberOfSymbols = ptr, n
	return f, nil
}

// fileHeaderOffset returns where NewFile reads the COFF file header: after the PE signature
// of an image, at 0 in an object file, -1 when the signature is out of the file (NewFile then
// fails as it would).
func fileHeaderOffset(b []byte) int {
	if len(b) < 0x40 || b[0] != 'M' || b[1] != 'Z' {
		return 0
	}
	sig := int64(binary.LittleEndian.Uint32(b[0x3c:]))
	if sig+4 > int64(len(b)) {
		return -1
	}
	return int(sig + 4)
}

// patched reads b with the eight bytes at offset at replaced by patch.
type patched struct {
	b     []byte
	at    int64
	patch [8]byte
}

func (r *patched) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= int64(len(r.b)) {
		return 0, io.EOF
	}
	n := copy(p, r.b[off:])
	for i := range r.patch {
		if pos := r.at + int64(i) - off; pos >= 0 && pos < int64(n) {
			p[pos] = r.patch[i]
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
