package fileprocessor

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
)

// zipNames returns member names read from the central directory, or, when that is missing or
// damaged, from the local headers; the bool reports an encrypted member.
func zipNames(b []byte, limit int) ([]string, bool) {
	var names []string
	enc := false
	if eocd := findEOCD(b); eocd >= 0 {
		cdOff := int64(binary.LittleEndian.Uint32(b[eocd+16:]))
		n := int(binary.LittleEndian.Uint16(b[eocd+10:]))
		p := cdOff
		for i := 0; i < n && len(names) < limit && p >= 0 && p+46 <= int64(len(b)); i++ {
			if string(b[p:p+4]) != "PK\x01\x02" {
				break
			}
			flags := binary.LittleEndian.Uint16(b[p+8:])
			nl := int64(binary.LittleEndian.Uint16(b[p+28:]))
			el := int64(binary.LittleEndian.Uint16(b[p+30:]))
			cl := int64(binary.LittleEndian.Uint16(b[p+32:]))
			if p+46+nl > int64(len(b)) {
				break
			}
			names = append(names, string(b[p+46:p+46+nl]))
			enc = enc || flags&1 != 0
			p += 46 + nl + el + cl
		}
		if len(names) > 0 {
			return names, enc
		}
	}
	p := int64(0)
	for len(names) < limit && p+30 <= int64(len(b)) && string(b[p:p+4]) == "PK\x03\x04" {
		flags := binary.LittleEndian.Uint16(b[p+6:])
		csize := int64(binary.LittleEndian.Uint32(b[p+18:]))
		nl := int64(binary.LittleEndian.Uint16(b[p+26:]))
		el := int64(binary.LittleEndian.Uint16(b[p+28:]))
		if p+30+nl > int64(len(b)) {
			break
		}
		names = append(names, string(b[p+30:p+30+nl]))
		enc = enc || flags&1 != 0
		if flags&8 != 0 {
			break // sizes follow the data: the next header cannot be found without inflating
		}
		p += 30 + nl + el + csize
	}
	return names, enc
}

// findEOCD locates the end-of-central-directory record in the last 64 KiB + 22 bytes.
func findEOCD(b []byte) int {
	lo := max(0, len(b)-(65535+22))
	i := bytes.LastIndex(b[lo:], []byte("PK\x05\x06"))
	if i < 0 || lo+i+22 > len(b) {
		return -1
	}
	return lo + i
}

// elfIsPIE reports DF_1_PIE in DT_FLAGS_1, which is how libmagic tells a PIE from a library.
func elfIsPIE(b []byte) bool {
	pie := false
	safely(func() {
		f, err := elf.NewFile(bytes.NewReader(b))
		if err != nil {
			return
		}
		vals, err := f.DynValue(elf.DT_FLAGS_1)
		if err != nil {
			return
		}
		for _, v := range vals {
			if v&uint64(elf.DF_1_PIE) != 0 {
				pie = true
			}
		}
	})
	return pie
}

// safely runs fn and swallows a panic. The standard library's binary parsers are hardened but
// not promised panic-free on hostile input, and one bad sample must not cost the whole report.
func safely(fn func()) (panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	fn()
	return false
}
