package wasmruntime

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// This file reads just enough of the WebAssembly binary format to prepare a module for
// snapshot instantiation (snapshot.go): it lifts the active data segments out of the module,
// so the engine does not copy them into every new instance, and exports every mutable global,
// so the host can read and restore them. A module this code does not fully understand is not
// rewritten; it is instantiated the ordinary way.

// errNoSnapshot says why a module is instantiated the ordinary way, running _initialize each time.
var errNoSnapshot = errors.New("module not eligible for snapshots")

// snapshotGlobalPrefix names the exports added for the module's mutable globals.
const snapshotGlobalPrefix = "athena.snapshot.global."

// Section ids of the binary format.
const (
	secImport    = 2
	secMemory    = 5
	secGlobal    = 6
	secExport    = 7
	secStart     = 8
	secData      = 11
	secDataCount = 12
)

// dataSegment is an active data segment: bytes copied into memory 0 at offset.
type dataSegment struct {
	offset uint32
	bytes  []byte
}

// snapshotPlan is a module rewritten for snapshots: the binary to compile, the data it no
// longer carries, and the export names of its mutable globals in index order.
type snapshotPlan struct {
	wasm    []byte
	data    []dataSegment
	globals []string
}

// planSnapshot rewrites wasm for snapshot instantiation. It returns an error wrapping
// errNoSnapshot when the module cannot use snapshots: no _initialize, an imported memory or
// global, a start function, passive data or data offsets that are not constants.
func planSnapshot(wasm []byte) (*snapshotPlan, error) {
	if !isBinaryV1(wasm) {
		return nil, fmt.Errorf("%w: not a version 1 binary", errNoSnapshot)
	}
	r := &reader{b: wasm, pos: 8}
	out := append([]byte(nil), wasm[:8]...)
	plan := &snapshotPlan{}
	var (
		exportFound, memoryFound, initFound bool
		mutable                             []uint32 // global indices to export
	)
	for !r.done() {
		start := r.pos
		id := r.byte()
		size := r.u32()
		body := r.bytes(int(size))
		if r.err != nil {
			return nil, fmt.Errorf("%w: section at %d: %w", errNoSnapshot, start, r.err)
		}
		s := &reader{b: body}
		switch id {
		case secImport:
			if err := checkImports(s); err != nil {
				return nil, err
			}
		case secMemory:
			memoryFound = true
		case secGlobal:
			g, err := mutableGlobals(s)
			if err != nil {
				return nil, err
			}
			mutable = g
		case secExport:
			exportFound = true
			sec, found, names, err := exportsWithGlobals(s, mutable)
			if err != nil {
				return nil, err
			}
			initFound = found
			plan.globals = names
			out = appendSection(out, secExport, sec)
			continue
		case secStart:
			return nil, fmt.Errorf("%w: module has a start function", errNoSnapshot)
		case secData:
			segs, err := activeData(s)
			if err != nil {
				return nil, err
			}
			plan.data = segs
			continue // the host writes these bytes itself
		case secDataCount:
			return nil, fmt.Errorf("%w: module uses bulk-memory data segments", errNoSnapshot)
		}
		out = append(out, wasm[start:r.pos]...)
	}
	switch {
	case !exportFound || !initFound:
		return nil, fmt.Errorf("%w: no _initialize export", errNoSnapshot)
	case !memoryFound:
		return nil, fmt.Errorf("%w: no memory defined by the module", errNoSnapshot)
	}
	plan.wasm = out
	return plan, nil
}

// checkImports refuses modules that import state a snapshot cannot capture.
func checkImports(r *reader) error {
	n := r.u32()
	for i := uint32(0); i < n && r.err == nil; i++ {
		r.name()
		r.name()
		switch kind := r.byte(); kind {
		case 0: // function
			r.u32()
		case 1: // table
			r.byte()
			r.limits()
		case 2:
			return fmt.Errorf("%w: module imports its memory", errNoSnapshot)
		case 3:
			return fmt.Errorf("%w: module imports a global", errNoSnapshot)
		default:
			return fmt.Errorf("%w: import kind %d", errNoSnapshot, kind)
		}
	}
	if r.err != nil {
		return fmt.Errorf("%w: import section: %w", errNoSnapshot, r.err)
	}
	return nil
}

// mutableGlobals returns the indices of the mutable numeric globals.
func mutableGlobals(r *reader) ([]uint32, error) {
	n := r.u32()
	var out []uint32
	for i := uint32(0); i < n && r.err == nil; i++ {
		typ, mut := r.byte(), r.byte()
		if mut == 1 {
			switch typ {
			case 0x7f, 0x7e, 0x7d, 0x7c: // i32 i64 f32 f64
			default:
				return nil, fmt.Errorf("%w: mutable global %d of type 0x%x", errNoSnapshot, i, typ)
			}
			out = append(out, i)
		}
		if _, _, err := r.constExpr(); err != nil {
			return nil, fmt.Errorf("%w: global %d: %w", errNoSnapshot, i, err)
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("%w: global section: %w", errNoSnapshot, r.err)
	}
	return out, nil
}

// exportsWithGlobals re-encodes the export section with one more export per mutable global.
func exportsWithGlobals(r *reader, globals []uint32) (section []byte, hasInit bool, names []string, err error) {
	n := r.u32()
	entries := r.pos
	for i := uint32(0); i < n && r.err == nil; i++ {
		if r.name() == "_initialize" {
			hasInit = true
		}
		r.byte()
		r.u32()
	}
	if r.err != nil {
		return nil, false, nil, fmt.Errorf("%w: export section: %w", errNoSnapshot, r.err)
	}
	section = binary.AppendUvarint(nil, uint64(n)+uint64(len(globals)))
	section = append(section, r.b[entries:r.pos]...)
	for _, g := range globals {
		name := snapshotGlobalPrefix + strconv.FormatUint(uint64(g), 10)
		section = binary.AppendUvarint(section, uint64(len(name)))
		section = append(section, name...)
		section = append(section, 3) // global
		section = binary.AppendUvarint(section, uint64(g))
		names = append(names, name)
	}
	return section, hasInit, names, nil
}

// activeData decodes the data section; every segment must be active in memory 0 at a constant offset.
func activeData(r *reader) ([]dataSegment, error) {
	n := r.u32()
	segs := make([]dataSegment, 0, min(n, 1<<16))
	for i := uint32(0); i < n && r.err == nil; i++ {
		switch flag := r.u32(); flag {
		case 0:
		case 2:
			if mem := r.u32(); mem != 0 {
				return nil, fmt.Errorf("%w: data segment %d for memory %d", errNoSnapshot, i, mem)
			}
		default:
			return nil, fmt.Errorf("%w: passive data segment %d", errNoSnapshot, i)
		}
		off, constant, err := r.constExpr()
		if err != nil || !constant {
			return nil, fmt.Errorf("%w: data segment %d offset is not an i32 constant", errNoSnapshot, i)
		}
		b := r.bytes(int(r.u32()))
		// Go emits tens of thousands of small, ascending segments: join neighbours (through
		// small zero gaps) into few runs that own their bytes.
		if n := len(segs); n > 0 {
			end := uint64(segs[n-1].offset) + uint64(len(segs[n-1].bytes))
			if gap := uint64(off) - end; uint64(off) >= end && gap <= 256 {
				segs[n-1].bytes = append(append(segs[n-1].bytes, make([]byte, gap)...), b...)
				continue
			}
		}
		segs = append(segs, dataSegment{offset: off, bytes: append([]byte(nil), b...)})
	}
	if r.err != nil {
		return nil, fmt.Errorf("%w: data section: %w", errNoSnapshot, r.err)
	}
	return segs, nil
}

// isBinaryV1 reports whether wasm starts with the header of a version 1 binary, the only
// version the rewrites read.
func isBinaryV1(wasm []byte) bool {
	return len(wasm) >= 8 && string(wasm[:4]) == "\x00asm" && binary.LittleEndian.Uint32(wasm[4:8]) == 1
}

// rewriteFunctions rebuilds a code section with every function body passed through f, which
// appends the body's rewrite to out; grow is how many bytes the rewrite may add, as a hint.
// An error is wrapped in fail, naming the function.
func rewriteFunctions(body []byte, grow int, fail error, f func(out, code []byte) ([]byte, error)) ([]byte, error) {
	r := &reader{b: body}
	n := r.u32()
	out := binary.AppendUvarint(make([]byte, 0, len(body)+grow), uint64(n))
	var fn []byte
	for i := uint32(0); i < n; i++ {
		code := r.bytes(int(r.u32()))
		if r.err != nil {
			return nil, fmt.Errorf("%w: function %d: %w", fail, i, r.err)
		}
		var err error
		if fn, err = f(fn[:0], code); err != nil {
			return nil, fmt.Errorf("%w: function %d: %w", fail, i, err)
		}
		out = binary.AppendUvarint(out, uint64(len(fn)))
		out = append(out, fn...)
	}
	if !r.done() {
		return nil, fmt.Errorf("%w: trailing bytes in the code section", fail)
	}
	return out, nil
}

func appendSection(out []byte, id byte, body []byte) []byte {
	out = append(out, id)
	out = binary.AppendUvarint(out, uint64(len(body)))
	return append(out, body...)
}

// reader decodes the binary format; the first error sticks and later reads return zero values.
type reader struct {
	b   []byte
	pos int
	err error
}

var errTruncated = errors.New("truncated")

func (r *reader) done() bool { return r.err != nil || r.pos >= len(r.b) }

func (r *reader) byte() byte {
	if r.err != nil || r.pos >= len(r.b) {
		r.fail(errTruncated)
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b)-r.pos {
		r.fail(errTruncated)
		return nil
	}
	b := r.b[r.pos : r.pos+n]
	r.pos += n
	return b
}

func (r *reader) u32() uint32 {
	var v uint64
	for shift := 0; shift < 35; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			if v > 0xffffffff {
				break
			}
			return uint32(v)
		}
	}
	r.fail(errors.New("bad u32"))
	return 0
}

// sleb reads a signed LEB128 of up to bits bits.
func (r *reader) sleb(bits int) int64 {
	var v int64
	for shift := 0; shift < bits+7; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= int64(c&0x7f) << shift
		if c&0x80 == 0 {
			if shift+7 < 64 && c&0x40 != 0 {
				v |= -1 << (shift + 7)
			}
			return v
		}
	}
	r.fail(errors.New("bad signed integer"))
	return 0
}

func (r *reader) name() string { return string(r.bytes(int(r.u32()))) }

func (r *reader) limits() {
	switch flag := r.byte(); flag {
	case 0:
		r.u32()
	case 1:
		r.u32()
		r.u32()
	default:
		r.fail(fmt.Errorf("limits flag %d", flag))
	}
}

// constExpr reads a constant expression up to its end. constant is true, with the value, when
// the expression is a lone i32.const.
func (r *reader) constExpr() (value uint32, constant bool, err error) {
	constant = true
	for ops := 0; ; ops++ {
		op := r.byte()
		if r.err != nil {
			return 0, false, r.err
		}
		switch op {
		case 0x0b: // end
			return value, constant && ops == 1, nil
		case 0x41: // i32.const
			value = uint32(int32(r.sleb(32)))
		case 0x42: // i64.const
			r.sleb(64)
			constant = false
		case 0x43: // f32.const
			r.bytes(4)
			constant = false
		case 0x44: // f64.const
			r.bytes(8)
			constant = false
		case 0x23, 0xd2: // global.get, ref.func
			r.u32()
			constant = false
		case 0xd0: // ref.null
			r.byte()
			constant = false
		case 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e: // extended-const arithmetic
			constant = false
		default:
			return 0, false, fmt.Errorf("opcode 0x%x in a constant expression", op)
		}
	}
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}
