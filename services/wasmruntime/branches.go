package wasmruntime

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Direct forward branches in Go-compiled modules.
//
// Go's wasm backend makes every function a loop around a dispatch: the function's basic
// blocks follow one another at the top level, each after the end of one of a stack of blocks
// opened at the loop's head, and a br_table on the function's first parameter (PC_B) picks
// the block to leave, so that a goroutine switch can resume the function at any of them:
//
//	loop $entry
//	  block $b15 … block $b1 block $b0
//	    local.get 0  br_table $b0 $b0 $b1 … $b15
//	  end  ;; basic block 0 …
//	  end  ;; basic block 1 …
//
// A jump from one basic block to another is compiled the same way, as
//
//	i32.const K  local.set 0  br $entry
//
// which goes back to the loop's head and through the br_table: an indirect jump, and a pass
// through the loop budget at the loop head (interrupt.go), for every jump a function takes.
// When the target block starts further down the function, the block whose end it follows
// still encloses the jump, so a plain `br` to that block lands at the same place.
// threadBranches rewrites those jumps so; PC_B is still set, so the function's state is the
// same as after the dispatch. Jumps back up (loops) still go through the dispatch, so every
// cycle of the control flow still passes the loop head and its budget.
//
// A module whose code this cannot decode is left as it is (errNotThreaded); a function without
// the dispatch is copied unchanged.

var errNotThreaded = errors.New("branches not threaded")

// threadBranches returns wasm with the forward jumps of every Go dispatch loop made direct,
// and how many it made direct.
func threadBranches(wasm []byte) ([]byte, int, error) {
	if !isBinaryV1(wasm) {
		return nil, 0, fmt.Errorf("%w: not a version 1 binary", errNotThreaded)
	}
	r := &reader{b: wasm, pos: 8}
	out := append(make([]byte, 0, len(wasm)), wasm[:8]...)
	threaded := 0
	for !r.done() {
		id := r.byte()
		body := r.bytes(int(r.u32()))
		if r.err != nil {
			return nil, 0, fmt.Errorf("%w: %w", errNotThreaded, r.err)
		}
		if id != secCode {
			out = appendSection(out, id, body)
			continue
		}
		code, n, err := threadCode(body)
		if err != nil {
			return nil, 0, err
		}
		threaded += n
		out = appendSection(out, id, code)
	}
	return out, threaded, nil
}

// threadCode rewrites every function body of a code section.
func threadCode(body []byte) ([]byte, int, error) {
	threaded := 0
	out, err := rewriteFunctions(body, 0, errNotThreaded, func(out, code []byte) ([]byte, error) {
		fn, k, err := threadFunction(out, code)
		threaded += k
		return fn, err
	})
	return out, threaded, err
}

// Opcodes the rewrite looks at.
const (
	opBlock    = 0x02
	opLoop     = 0x03
	opIf       = 0x04
	opEnd      = 0x0b
	opBr       = 0x0c
	opBrTable  = 0x0e
	opLocalGet = 0x20
	opLocalSet = 0x21
	opI32Const = 0x41
	blockEmpty = 0x40
)

// threadFunction copies one function body, making its dispatch loop's forward jumps direct,
// and returns how many it made direct.
func threadFunction(out, code []byte) ([]byte, int, error) {
	r := &reader{b: code}
	if r.skipLocals(); r.err != nil {
		return nil, 0, r.err
	}
	threaded := 0
	// open holds, for every open construct (the function body first), the dispatch block index
	// it is, or -1.
	open := []int32{-1}
	entry := -1        // index in open of the dispatch loop, once found
	var table []uint32 // the dispatch's br_table targets, the default last
	// The last instruction was i32.const k when kAt is where it ended; a local.set 0 right
	// after it sets PC_B to k, and then setAt is where that ended.
	var k, pcb int64
	kAt, setAt := -1, -1
	copied := 0
	for len(open) > 0 {
		start := r.pos
		op := r.byte()
		if r.err != nil {
			return nil, 0, r.err
		}
		switch op {
		case opBlock, opIf:
			r.blockType()
			open = append(open, -1)
		case opLoop:
			typ := r.pos
			r.blockType()
			open = append(open, -1)
			if entry < 0 && len(open) <= 3 && r.pos == typ+1 && code[typ] == blockEmpty {
				if n, t, ok := dispatchAt(code, r.pos); ok {
					entry, table = len(open)-1, t
					for i := range n {
						open = append(open, int32(n-1-i))
					}
					r.pos += 2 * n // the blocks, read here
				}
			}
		case opEnd:
			open = open[:len(open)-1]
		case opBr:
			depth := r.u32()
			target := len(open) - 1 - int(depth)
			if entry >= 0 && target == entry && setAt == start && r.err == nil {
				t := table[len(table)-1]
				if pcb >= 0 && pcb < int64(len(table)-1) {
					t = table[pcb]
				}
				for j := len(open) - 1; j > entry; j-- {
					if open[j] == int32(t) {
						out = append(out, code[copied:start+1]...)
						out = binary.AppendUvarint(out, uint64(len(open)-1-j))
						copied = r.pos
						threaded++
						break
					}
				}
			}
		case opI32Const:
			k = r.sleb(32)
			kAt = r.pos
			continue
		case opLocalSet:
			if idx := r.u32(); idx == 0 && kAt == start {
				pcb, setAt = k, r.pos
			}
			kAt = -1
			continue
		default:
			if err := r.skipImmediates(op); err != nil {
				return nil, 0, err
			}
		}
		if r.err != nil {
			return nil, 0, r.err
		}
		kAt = -1
	}
	if r.pos != len(code) {
		return nil, 0, errors.New("bytes after the function's end")
	}
	return append(out, code[copied:]...), threaded, nil
}

// dispatchAt reports whether code at pos holds a Go dispatch: n empty blocks, local.get 0 and
// a br_table whose targets are all among those blocks. It returns n and the targets.
func dispatchAt(code []byte, pos int) (n int, table []uint32, ok bool) {
	for pos+1 < len(code) && code[pos] == opBlock && code[pos+1] == blockEmpty {
		n++
		pos += 2
	}
	if n == 0 || pos+2 >= len(code) || code[pos] != opLocalGet || code[pos+1] != 0 || code[pos+2] != opBrTable {
		return 0, nil, false
	}
	r := &reader{b: code, pos: pos + 3}
	count := r.u32()
	if r.err != nil || count > uint32(len(code)) {
		return 0, nil, false
	}
	table = make([]uint32, 0, count+1)
	for i := uint32(0); i <= count; i++ {
		t := r.u32()
		if r.err != nil || t >= uint32(n) {
			return 0, nil, false
		}
		table = append(table, t)
	}
	return n, table, true
}
