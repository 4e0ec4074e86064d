package wasmruntime

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// How a running guest is stopped at its deadline.
//
// wazero can do it by itself (RuntimeConfig.WithCloseOnContextDone), but it does so by calling
// a trampoline back into the host at every loop header; Go compiled to wasm enters a loop in
// nearly every function (its resumable-call dispatch), so that check made every module 5-20
// times slower (measured: a 100M-iteration loop took 8.0 s with the check, 0.43 s without).
// Instead the host instruments the module when it loads it: it adds one mutable i32 global, a
// budget, and at the head of every loop inserts
//
//	budget--; if budget == 0 { budget = yieldEvery; sched_yield() }
//
// — a load, a store and a branch per iteration. sched_yield is the WASI import Go modules
// already have; the host implements it per instance (WithOsyield): when the call's context has
// ended it panics, which wazero turns into an error that unwinds the guest, and otherwise it
// yields the processor. The periodic return to Go matters beyond deadlines: the Go scheduler
// cannot preempt machine code, so a guest that never returned to Go would hold its thread
// against the garbage collector's stop-the-world and against the timers of every other call.
// Code without loops cannot run long: a recursion without end overflows the call stack and
// traps. A module this code cannot fully decode (an opcode it does not know, e.g. SIMD) or that
// does not import sched_yield is compiled unchanged with wazero's own check: slow but safe.

// yieldEvery is how many loop iterations run between two calls to the host: about a
// millisecond of guest code. (Before threadBranches took the forward jumps of Go's dispatch
// loops off the loop heads, 65,536 was; the analysis-engine's walk passed a loop head three
// times as often then.)
const yieldEvery = 1 << 14

// errNotInstrumented says a module was left as it is; the engine falls back to wazero's check.
var errNotInstrumented = errors.New("module not instrumented")

const (
	secType = 1
	secCode = 10
)

// sectionRank is where a known non-custom section must appear in a module; ok is false for an
// unknown section id.
func sectionRank(id byte) (rank int, ok bool) {
	switch id {
	case 1, 2, 3, 4, 5: // type import function table memory
		return int(id), true
	case 13: // tag
		return 6, true
	case 6, 7, 8, 9: // global export start element
		return int(id) + 1, true
	case 12: // data count
		return 11, true
	case 10, 11: // code data
		return int(id) + 2, true
	}
	return 0, false
}

// instrumentLoops returns wasm with the budget global and a check at every loop head.
func instrumentLoops(wasm []byte) ([]byte, error) {
	if !isBinaryV1(wasm) {
		return nil, fmt.Errorf("%w: not a version 1 binary", errNotInstrumented)
	}
	type section struct {
		id   byte
		body []byte
	}
	var sections []section
	r := &reader{b: wasm, pos: 8}
	for !r.done() {
		id := r.byte()
		body := r.bytes(int(r.u32()))
		if r.err != nil {
			return nil, fmt.Errorf("%w: %w", errNotInstrumented, r.err)
		}
		if _, known := sectionRank(id); !known && id != 0 {
			return nil, fmt.Errorf("%w: unknown section %d", errNotInstrumented, id)
		}
		sections = append(sections, section{id, body})
	}
	// The budget global's index follows the imported and the defined globals.
	var importedGlobals, definedGlobals uint32
	var hasCode bool
	yield := -1
	var types []byte
	for _, s := range sections {
		if s.id == secType {
			types = s.body
		}
	}
	for _, s := range sections {
		switch s.id {
		case secImport:
			n, y, err := scanImports(s.body, types)
			if err != nil {
				return nil, err
			}
			importedGlobals, yield = n, y
		case secGlobal:
			sr := &reader{b: s.body}
			definedGlobals = sr.u32()
			if sr.err != nil {
				return nil, fmt.Errorf("%w: global section: %w", errNotInstrumented, sr.err)
			}
		case secCode:
			hasCode = true
		}
	}
	switch {
	case !hasCode:
		return nil, fmt.Errorf("%w: no code", errNotInstrumented)
	case yield < 0:
		return nil, fmt.Errorf("%w: no wasi_snapshot_preview1.sched_yield import", errNotInstrumented)
	}
	budget := binary.AppendUvarint(nil, uint64(importedGlobals+definedGlobals))
	var check []byte
	check = append(append(check, 0x23), budget...)      // global.get $budget
	check = append(check, 0x41, 0x01, 0x6b)             // i32.const 1, i32.sub
	check = append(append(check, 0x24), budget...)      // global.set $budget
	check = append(append(check, 0x23), budget...)      // global.get $budget
	check = append(check, 0x45, 0x04, 0x40)             // i32.eqz, if
	check = appendSLEB(append(check, 0x41), yieldEvery) //   i32.const yieldEvery
	check = append(append(check, 0x24), budget...)      //   global.set $budget
	check = binary.AppendUvarint(append(check, 0x10), uint64(yield))
	check = append(check, 0x1a, 0x0b) //   call sched_yield, drop; end

	out := append([]byte(nil), wasm[:8]...)
	globalRank, _ := sectionRank(secGlobal)
	globalDone := false
	emitGlobal := func(body []byte) {
		// Append the budget, (mut i32) (i32.const yieldEvery), to the defined globals.
		var nb []byte
		if body == nil {
			nb = binary.AppendUvarint(nil, 1)
		} else {
			sr := &reader{b: body}
			n := sr.u32()
			nb = binary.AppendUvarint(nil, uint64(n)+1)
			nb = append(nb, body[sr.pos:]...)
		}
		nb = appendSLEB(append(nb, 0x7f, 0x01, 0x41), yieldEvery)
		nb = append(nb, 0x0b)
		out = appendSection(out, secGlobal, nb)
		globalDone = true
	}
	for _, s := range sections {
		if rank, _ := sectionRank(s.id); s.id != 0 && !globalDone && rank > globalRank {
			emitGlobal(nil)
		}
		switch s.id {
		case secGlobal:
			emitGlobal(s.body)
		case secCode:
			body, err := instrumentCode(s.body, check)
			if err != nil {
				return nil, err
			}
			out = appendSection(out, secCode, body)
		default:
			out = appendSection(out, s.id, s.body)
		}
	}
	return out, nil
}

// scanImports counts the imported globals and finds the function index of
// wasi_snapshot_preview1.sched_yield, if it is imported with its WASI type () -> i32.
func scanImports(body, types []byte) (globals uint32, yield int, err error) {
	r := &reader{b: body}
	n := r.u32()
	yield = -1
	var funcs int
	for i := uint32(0); i < n && r.err == nil; i++ {
		module, name := r.name(), r.name()
		switch kind := r.byte(); kind {
		case 0:
			typ := r.u32()
			if module == "wasi_snapshot_preview1" && name == "sched_yield" && yield < 0 && isYieldType(types, typ) {
				yield = funcs
			}
			funcs++
		case 1:
			r.byte()
			r.limits()
		case 2:
			r.limits()
		case 3:
			r.byte()
			r.byte()
			globals++
		default:
			return 0, -1, fmt.Errorf("%w: import kind %d", errNotInstrumented, kind)
		}
	}
	if r.err != nil {
		return 0, -1, fmt.Errorf("%w: import section: %w", errNotInstrumented, r.err)
	}
	return globals, yield, nil
}

// isYieldType reports whether type index idx of the type section is () -> i32.
func isYieldType(types []byte, idx uint32) bool {
	r := &reader{b: types}
	n := r.u32()
	for i := uint32(0); i < n && r.err == nil; i++ {
		if r.byte() != 0x60 {
			return false
		}
		params := r.bytes(int(r.u32()))
		results := r.bytes(int(r.u32()))
		if i == idx {
			return r.err == nil && len(params) == 0 && len(results) == 1 && results[0] == 0x7f
		}
	}
	return false
}

// instrumentCode rewrites every function body of a code section.
func instrumentCode(body []byte, check []byte) ([]byte, error) {
	return rewriteFunctions(body, len(body)/8, errNotInstrumented, func(out, code []byte) ([]byte, error) {
		return instrumentFunction(out, code, check)
	})
}

// instrumentFunction copies one function body, inserting check after every loop's block type.
func instrumentFunction(out, code, check []byte) ([]byte, error) {
	r := &reader{b: code}
	if r.skipLocals(); r.err != nil {
		return nil, r.err
	}
	out = append(out, code[:r.pos]...)
	copied := r.pos
	depth := 1 // the function body is the outermost block
	for depth > 0 {
		op := r.byte()
		if r.err != nil {
			return nil, r.err
		}
		switch {
		case op == 0x02 || op == 0x03 || op == 0x04: // block loop if
			r.blockType()
			depth++
			if op == 0x03 {
				out = append(out, code[copied:r.pos]...)
				out = append(out, check...)
				copied = r.pos
			}
		case op == 0x0b: // end
			depth--
		default:
			if err := r.skipImmediates(op); err != nil {
				return nil, err
			}
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	if r.pos != len(code) {
		return nil, errors.New("bytes after the function's end")
	}
	return append(out, code[copied:]...), nil
}

// skipImmediates reads the immediates of op, an instruction that neither opens nor closes a
// block; an opcode it does not know is an error.
func (r *reader) skipImmediates(op byte) error {
	switch {
	case op == 0x0c || op == 0x0d || op == 0x10 || op == 0x12 || // br br_if call return_call
		(op >= 0x20 && op <= 0x26) || op == 0xd2: // locals, globals, table.get/set, ref.func
		r.u32()
	case op == 0x0e: // br_table
		targets := r.u32()
		for i := uint32(0); i <= targets && r.err == nil; i++ {
			r.u32()
		}
	case op == 0x11 || op == 0x13: // call_indirect return_call_indirect
		r.u32()
		r.u32()
	case op == 0x1c: // select with types
		types := r.u32()
		r.bytes(int(types))
	case op >= 0x28 && op <= 0x3e: // loads and stores: memarg
		if align := r.u32(); align&0x40 != 0 {
			r.u32() // memory index (multi-memory)
		}
		r.u32()
	case op == 0x3f || op == 0x40: // memory.size memory.grow
		r.u32()
	case op == 0x41:
		r.sleb(32)
	case op == 0x42:
		r.sleb(64)
	case op == 0x43:
		r.bytes(4)
	case op == 0x44:
		r.bytes(8)
	case op == 0xd0: // ref.null
		r.byte()
	case op <= 0x01, op == 0x05, op == 0x0f, op == 0x1a, op == 0x1b, // unreachable nop else return drop select
		op >= 0x45 && op <= 0xc4, op == 0xd1: // numeric, sign extension, ref.is_null
	case op == 0xfc:
		return r.prefixedFC()
	default:
		return fmt.Errorf("opcode 0x%x", op)
	}
	return r.err
}

// skipLocals reads a function body's local declarations.
func (r *reader) skipLocals() {
	n := r.u32()
	for i := uint32(0); i < n && r.err == nil; i++ {
		r.u32()
		r.byte()
	}
}

// blockType reads a block type: empty, a value type, or a type index (a signed 33-bit LEB).
func (r *reader) blockType() {
	if r.pos < len(r.b) {
		switch r.b[r.pos] {
		case 0x40, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f:
			r.pos++
			return
		}
	}
	r.sleb(33)
}

// prefixedFC reads the immediates of a 0xFC-prefixed instruction (saturating truncation, bulk
// memory and table operations).
func (r *reader) prefixedFC() error {
	switch sub := r.u32(); {
	case sub <= 7: // trunc_sat
	case sub == 8: // memory.init
		r.u32()
		r.byte()
	case sub == 9 || sub == 13 || sub == 15 || sub == 16 || sub == 17: // data.drop elem.drop table.grow/size/fill
		r.u32()
	case sub == 10: // memory.copy
		r.byte()
		r.byte()
	case sub == 11: // memory.fill
		r.byte()
	case sub == 12 || sub == 14: // table.init table.copy
		r.u32()
		r.u32()
	default:
		return fmt.Errorf("opcode 0xfc %d", sub)
	}
	return r.err
}

// errInterrupted is the panic value of a sched_yield that stops a guest past its deadline.
var errInterrupted = errors.New("guest interrupted at its deadline")

// appendSLEB appends v as a signed LEB128 (what i32.const takes; encoding/binary's varints are
// zigzag-encoded, a different format).
func appendSLEB(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
