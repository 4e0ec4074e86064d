package analysisengine

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/athena-mesh/athena/internal/textruns"
	"github.com/athena-mesh/athena/wasm-modules/analysisengine/x86"
	analysisv1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/analysis/v1"
	"golang.org/x/arch/x86/x86asm"
)

// keptCallTargets is how many functions besides the entry point and the exports the details
// list (with their first instructions).
const keptCallTargets = 64

// walkLimits bound the disassembly.
type walkLimits struct {
	maxInstructions int // over the whole sample
	maxPerFunction  int
	maxFunctions    int
	listing         int // instructions kept as text per function
	// goLibrary walks a Go binary's runtime and standard library too (Limits.WalkGoLibrary).
	goLibrary bool
}

// walkResult is what the walker found.
type walkResult struct {
	walked       int // functions walked
	markers      []*analysisv1.CodeMarker
	stackStrings []string
	features     map[string]int // marker kind -> count
	decoded      int64
	truncated    bool
	// kept are the functions the details list: the entry point, the exports and the first
	// keptCallTargets of the rest.
	kept []*analysisv1.CodeFunction
}

// The walker keeps its per-instruction state in bitmaps and arrays, not maps: inside WASM a
// Go map operation costs microseconds, and the walk did several per decoded instruction
// (docs/benchmarks.md, analysis-engine).
type walker struct {
	im      *image
	mode    int
	limits  walkLimits
	res     *walkResult
	visited addrSet // instruction addresses already decoded
	queued  addrSet // function starts already queued
	blocks  addrSet // block starts queued in the current function; cleared per function
	queue   []symbol
	gotab   *goTable // a Go binary's function table, when its library is left alone
	strings map[string]bool
	regs    regFile
	regAPI  [256]string // register → API whose import slot it was loaded from
	// thunks holds the API of each call target found to be a jmp [import slot] stub, of the
	// targets in thunked: a map lookup per call costs microseconds inside WASM, a bitmap
	// lookup nanoseconds.
	thunks  map[uint64]string
	thunked addrSet
	inst    x86.Inst // the instruction being looked at
	thunk   x86.Inst // the instruction decodeThunk looks at
	hint    int      // section of the last instruction read (image.dataSection)
	cur     []byte   // its data, for sections with disjoint file data (read)
	curAddr uint64
	// Per-function state, kept between functions so that its memory is reused: inside WASM
	// allocation and garbage collection were a third of the walk.
	stack   []stackByte
	blockQ  []uint64
	rotates []uint64
	pushes  []uint64
	// regAPI[r] holds only when regGen[r] == gen, the current function's number, so that a
	// new function does not clear 256 strings.
	regGen [256]uint32
	gen    uint32
	decode func(*x86.Inst, []byte, int)
	format formatFunc
	text   []byte // the buffer a marker's syntax is built in
	// The current function's listing, built in one buffer and made one string at its end:
	// inside WASM an allocation costs about a microsecond, and a string per line was a
	// sixth of the walk's.
	listing  []byte
	lineEnds []int
	sym      symbol // the function being walked
	symName  string // its name, once something showed it
}

// walk disassembles from the entry point and the exports, following direct calls to further
// functions (breadth first) and jumps inside each function, until the budgets run out.
func walk(im *image, limits walkLimits) *walkResult {
	return walkWith(im, limits, nil, nil)
}

// formatFunc appends the Intel syntax of the instruction at the start of code, at pc, or
// reports that it cannot (x86.AppendIntel's signature).
type formatFunc func(dst, code []byte, pc uint64, mode int) ([]byte, bool)

// x86asmOnly formats nothing, so that all text comes from x86asm: the reference the tests
// hold x86.AppendIntel to.
func x86asmOnly(dst, _ []byte, _ uint64, _ int) ([]byte, bool) { return dst, false }

// walkWith walks with the given decoder and formatter, nil for x86.Decode and
// x86.AppendIntel: the tests compare them with x86asm alone.
func walkWith(im *image, limits walkLimits, decode func(*x86.Inst, []byte, int), format formatFunc) *walkResult {
	w := &walker{
		im: im, mode: im.bits, limits: limits,
		res:     &walkResult{features: map[string]int{}},
		visited: newAddrSet(im), queued: newAddrSet(im), blocks: newAddrSet(im), thunked: newAddrSet(im),
		strings: map[string]bool{}, thunks: map[uint64]string{}, decode: decode, format: format,
	}
	if w.format == nil {
		w.format = x86.AppendIntel
	}
	if !limits.goLibrary {
		w.gotab = im.gotab
	}
	// The entry point and the exports are walked even when a Go function table calls them the
	// runtime's (a Go executable enters at a one-jump runtime stub): a table is only believed
	// for what the walk reaches from them.
	if im.entry != 0 && im.entry != im.base {
		w.enqueue(symbol{name: "entry", addr: im.entry, keep: true})
	}
	for _, e := range im.exports {
		e.keep = true
		w.enqueue(e)
	}
	if t := w.gotab; t != nil {
		// The program's own functions, package main's first (so the details list them among
		// the first keptCallTargets); one more than the walk can take tells it that the budget
		// cut the list.
		for _, main := range []bool{true, false} {
			for i, f := range t.funcs {
				if len(w.queue) > limits.maxFunctions {
					break
				}
				if !f.library && main == bytes.HasPrefix(t.nameBytes(f.name), []byte("main.")) {
					w.enqueue(symbol{gofn: int32(i) + 1, addr: f.addr})
				}
			}
		}
	}
	for i := 0; i < len(w.queue) && w.res.walked < limits.maxFunctions; i++ {
		if int(w.res.decoded) >= limits.maxInstructions {
			w.res.truncated = true
			break
		}
		w.function(w.queue[i])
	}
	if len(w.queue) > limits.maxFunctions {
		w.res.truncated = true
	}
	return w.res
}

func (w *walker) enqueue(s symbol) {
	if w.queued.has(s.addr) {
		return
	}
	if sec := w.im.sectionAt(s.addr); sec == nil {
		return
	}
	w.queued.add(s.addr)
	w.queue = append(w.queue, s)
}

// setRegAPI records that register r holds the address of api's import slot ("": of none).
// Forgetting only unstamps the register: a string store costs a write barrier.
func (w *walker) setRegAPI(r x86.Reg, api string) {
	if api == "" {
		w.regGen[r] = 0 // gen starts at 1
		return
	}
	w.regAPI[r], w.regGen[r] = api, w.gen
}

// regAPIOf returns the API whose import slot address register r holds, or "".
func (w *walker) regAPIOf(r x86.Reg) string {
	if w.regGen[r] != w.gen {
		return ""
	}
	return w.regAPI[r]
}

// enqueueCall queues the target of a direct call: a function of the Go table by its name
// there, any other as sub_<hex address>.
func (w *walker) enqueueCall(target uint64) {
	if w.queued.has(target) {
		return
	}
	if t := w.gotab; t != nil {
		if i := t.at(target); i >= 0 {
			if !t.funcs[i].library {
				w.enqueue(symbol{gofn: int32(i) + 1, addr: target})
			}
			return
		}
	}
	w.enqueue(symbol{unnamed: true, addr: target})
}

// nameOf is the name of s (see symbol).
func (w *walker) nameOf(s symbol) string {
	switch {
	case s.gofn > 0:
		return w.im.gotab.name(int(s.gofn - 1))
	case s.unnamed:
		return "sub_" + strconv.FormatUint(s.addr, 16)
	}
	return s.name
}

// fnName is the name of the function being walked, made once.
func (w *walker) fnName() string {
	if w.symName == "" {
		w.symName = w.nameOf(w.sym)
	}
	return w.symName
}

// stackSlot identifies a byte of a stack frame by base register and displacement.
type stackSlot struct {
	base x86.Reg
	disp int64
}

// stackByte is one byte stored into a stack slot. A function's stores are kept in order of
// execution and sorted once at its end: inside WASM a map insert per stored byte cost more
// than the decoding of the instruction.
type stackByte struct {
	slot stackSlot
	val  byte
}

// function disassembles one function. Only the functions the details list (listed) get a
// CodeFunction, with their calls and listing; the others are counted.
func (w *walker) function(sym symbol) {
	w.sym, w.symName = sym, ""
	var instructions, basicBlocks int32
	var calls []uint64
	w.listing, w.lineEnds = w.listing[:0], w.lineEnds[:0]
	blocks := append(w.blockQ[:0], sym.addr) // a queue: blocks[head:] are still to do
	head := 0
	w.blocks.clear()
	w.blocks.add(sym.addr)
	seenBlock := func(va uint64) bool {
		if w.blocks.has(va) {
			return true
		}
		w.blocks.add(va)
		return false
	}
	w.stack = w.stack[:0]
	regs := &w.regs
	regs.reset()
	rotates := w.rotates[:0]
	var lastEAX uint64
	pushes := w.pushes[:0] // immediates pushed since the last call (x86 stack arguments)
	w.gen++
	// Formatting is a fifth of the walk's cost: only functions the details keep get a listing.
	listed := w.res.walked < keptCallTargets || sym.keep
	// A Go function's blocks stay inside it: jumps out of it are the runtime's tail calls.
	var lo, hi uint64 = 0, ^uint64(0)
	if w.gotab != nil {
		if start, end := w.gotab.bounds(sym.addr); start == sym.addr {
			lo, hi = start, end
		}
	}
	inside := func(va uint64) bool { return va >= lo && va < hi }
	for head < len(blocks) && int(instructions) < w.limits.maxPerFunction {
		pc := blocks[head]
		head++
		basicBlocks++
		for int(instructions) < w.limits.maxPerFunction {
			if int(w.res.decoded) >= w.limits.maxInstructions {
				w.res.truncated = true
				break
			}
			// The visited test and the read, inline for the current section: inside WASM every
			// call in this loop spills its live values to linear memory (Go's ABI saves no
			// registers across calls), so the common case makes none but the decoder's.
			var code []byte
			var word *uint64 // pc's word of the visited bitmap and its bit, when inline
			var bit uint64
			vis := &w.visited
			if off := pc - vis.curAddr; off < vis.curLen && off < uint64(len(w.cur)) && w.curAddr == vis.curAddr {
				word, bit = &vis.cur[off>>6], 1<<(off&63)
				if *word&bit != 0 {
					break
				}
				code = w.cur[off:min(off+16, uint64(len(w.cur)))]
			} else {
				if vis.has(pc) {
					break
				}
				code = w.read(pc)
				if len(code) == 0 {
					break
				}
				word = nil
			}
			inst := &w.inst
			if w.decode != nil {
				w.decode(inst, code, w.mode)
			} else if !x86.DecodeFast(inst, code, w.mode) {
				x86.DecodeX86asm(inst, code, w.mode)
			}
			if inst.Op == x86.OpInvalid {
				break
			}
			if word != nil {
				// visited is never cleared, so add's record of what to clear is not needed.
				*word |= bit
			} else {
				vis.add(pc)
			}
			w.res.decoded++
			instructions++
			if listed && len(w.lineEnds) < w.limits.listing {
				w.appendLine(pc)
			}
			next := pc + uint64(inst.Len)
			if inst.Op == x86.OpOther && !inst.PEB {
				// Most instructions only overwrite their destination: what the code below does
				// for them, without its tests. Inside WASM every branch Go takes is a jump
				// through the function's dispatch table.
				if dst := &inst.Args[0]; dst.Kind == x86.KindReg {
					r := full(dst.Reg)
					w.regGen[r] = 0 // setRegAPI(r, "")
					regs.known[r] = false
				}
				pc = next
				continue
			}
			if inst.Op == x86.OpMOV && !inst.PEB {
				// The next most common: the same for a mov, which the code below follows into
				// registers (lastEAX, setRegAPI) and stack slots (trackStack).
				dst, src := &inst.Args[0], &inst.Args[1]
				if dst.Kind != x86.KindReg {
					trackStack(inst, &w.stack, regs)
					pc = next
					continue
				}
				r := full(dst.Reg)
				switch src.Kind {
				case x86.KindImm:
					if r == x86.RAX {
						lastEAX = uint64(src.Val)
					}
					w.regGen[r] = 0
					regs.set(r, uint64(src.Val))
				case x86.KindMem:
					w.setRegAPI(r, w.importCalled(*src, next))
					regs.known[r] = false
				default:
					w.regGen[r] = 0
					regs.known[r] = false
				}
				pc = next
				continue
			}
			if inst.PEB || inst.Op >= x86.OpINT {
				w.markers(pc, inst, &lastEAX, &rotates)
			}
			dst := inst.Args[0]
			if inst.Op == x86.OpMOV && dst.Kind == x86.KindReg && (dst.Reg == x86.EAX || dst.Reg == x86.RAX) && inst.Args[1].Kind == x86.KindImm {
				lastEAX = uint64(inst.Args[1].Val) // for cpuid_hypervisor (markers)
			}
			// mov reg, [import slot]; call reg — how unoptimized code calls an API.
			if dst.Kind == x86.KindReg && inst.Op != x86.OpCALL && inst.Op != x86.OpPUSH {
				api := ""
				if inst.Op == x86.OpMOV && inst.Args[1].Kind == x86.KindMem {
					api = w.importCalled(inst.Args[1], next)
				}
				w.setRegAPI(full(dst.Reg), api)
			}
			if inst.Op == x86.OpMOV {
				trackStack(inst, &w.stack, regs)
			} else if dst.Kind == x86.KindReg {
				regs.forget(full(dst.Reg)) // what trackStack does for anything but a mov
			}

			target, direct := branchTarget(inst, next)
			switch inst.Op {
			case x86.OpCALL:
				if direct {
					if listed {
						calls = append(calls, target)
					}
					w.enqueueCall(target)
					if api := w.thunkTarget(target); api != "" {
						w.apiCall(pc, api, regs, pushes)
					}
				} else if api := w.importCalled(inst.Args[0], next); api != "" {
					w.apiCall(pc, api, regs, pushes)
				} else if a := inst.Args[0]; a.Kind == x86.KindReg && w.regAPIOf(full(a.Reg)) != "" {
					w.apiCall(pc, w.regAPIOf(full(a.Reg)), regs, pushes)
				}
				pushes = pushes[:0]
			case x86.OpPUSH:
				if a := inst.Args[0]; a.Kind == x86.KindImm && len(pushes) < 16 {
					pushes = append(pushes, uint64(a.Val))
				} else if len(pushes) < 16 {
					pushes = append(pushes, ^uint64(0))
				}
			case x86.OpJMP:
				if direct && inside(target) && !seenBlock(target) {
					blocks = append(blocks, target)
				}
				w.backwardJump(pc, target, direct, rotates)
				next = 0
			case x86.OpRET:
				next = 0
			case x86.OpJcc:
				if direct && inside(target) && !seenBlock(target) {
					blocks = append(blocks, target)
				}
				w.backwardJump(pc, target, direct, rotates)
				if !seenBlock(next) {
					blocks = append(blocks, next)
				}
				next = 0
			}
			if next == 0 {
				break
			}
			pc = next
		}
	}
	w.blockQ, w.rotates, w.pushes = blocks[:0], rotates[:0], pushes[:0]
	w.collectStackStrings(w.stack)
	w.res.walked++
	if listed {
		fn := &analysisv1.CodeFunction{
			Name: w.fnName(), Address: sym.addr, Instructions: instructions, BasicBlocks: basicBlocks, Calls: calls,
		}
		if len(w.lineEnds) > 0 {
			text, start := string(w.listing), 0
			fn.Disassembly = make([]string, len(w.lineEnds))
			for i, end := range w.lineEnds {
				fn.Disassembly[i], start = text[start:end], end
			}
		}
		w.res.kept = append(w.res.kept, fn)
	}
}

// read returns the up to 16 bytes of code at va (image.read, with the section cache).
func (w *walker) read(va uint64) []byte {
	if off := va - w.curAddr; off < uint64(len(w.cur)) {
		return w.cur[off:min(off+16, uint64(len(w.cur)))]
	}
	return w.readSlow(va)
}

func (w *walker) readSlow(va uint64) []byte {
	i := w.im.dataSection(va, &w.hint)
	if i < 0 {
		return nil
	}
	s := &w.im.sections[i]
	if w.im.disjoint {
		w.cur, w.curAddr = s.data, s.addr
	}
	off := va - s.addr
	return s.data[off:min(off+16, uint64(len(s.data)))]
}

// appendLine adds the listing line of the instruction at pc, fmt.Sprintf("%#x: %s", pc,
// w.syntax(pc)), to the function's listing.
func (w *walker) appendLine(pc uint64) {
	b := strconv.AppendUint(append(w.listing, "0x"...), pc, 16)
	w.listing = w.appendSyntax(append(b, ": "...), pc)
	w.lineEnds = append(w.lineEnds, len(w.listing))
}

// syntax returns the instruction at pc in Intel syntax, as x86asm.IntelSyntax writes it.
func (w *walker) syntax(pc uint64) string {
	w.text = w.appendSyntax(w.text[:0], pc)
	return string(w.text)
}

// appendSyntax appends the instruction at pc in Intel syntax. The formatter covers what the
// fast decoder handles; x86asm's decode and IntelSyntax, about 12 µs inside WASM, are left
// for the rest.
func (w *walker) appendSyntax(dst []byte, pc uint64) []byte {
	code := w.read(pc)
	if b, ok := w.format(dst, code, pc, w.mode); ok {
		return b
	}
	inst, _ := x86asm.Decode(code, w.mode)
	return append(dst, x86asm.IntelSyntax(inst, pc, nil)...)
}

// mark records a marker of the given kind at pc.
func (w *walker) mark(pc uint64, kind string) {
	w.res.features[kind]++
	if len(w.res.markers) < 256 {
		w.res.markers = append(w.res.markers, &analysisv1.CodeMarker{
			Kind: kind, Address: pc, Instruction: w.syntax(pc), Function: w.fnName(),
		})
	}
}

// markers records suspicious single instructions: the PEB reads, and the classes from OpINT
// on (the walk follows mov eax, imm for cpuid itself).
func (w *walker) markers(pc uint64, inst *x86.Inst, lastEAX *uint64, rotates *[]uint64) {
	if inst.PEB {
		w.mark(pc, "peb_access")
	}
	switch inst.Op {
	case x86.OpINT:
		if a := inst.Args[0]; a.Kind == x86.KindImm && a.Val == 0x2d {
			w.mark(pc, "int_2d")
		}
	case x86.OpRDTSC:
		w.mark(pc, "rdtsc")
	case x86.OpCPUID:
		if *lastEAX == 0x40000000 || *lastEAX == 1 {
			w.mark(pc, "cpuid_hypervisor")
		} else {
			w.mark(pc, "cpuid")
		}
	case x86.OpROR, x86.OpROL:
		if a := inst.Args[1]; a.Kind == x86.KindImm && a.Val > 1 {
			*rotates = append(*rotates, pc)
		}
	}
}

// thunkTarget names the API reached by a direct call to a stub that is one jmp [import slot].
func (w *walker) thunkTarget(target uint64) string {
	if len(w.im.iat) == 0 {
		return "" // no import slot to jump through
	}
	if w.thunked.has(target) {
		return w.thunks[target]
	}
	api := w.decodeThunk(target)
	w.thunked.add(target)
	if api != "" {
		w.thunks[target] = api
	}
	return api
}

func (w *walker) decodeThunk(target uint64) string {
	code := w.read(target)
	if len(code) == 0 {
		return ""
	}
	inst := &w.thunk // a local would escape to the heap through w.decode: one allocation per call target
	if w.decode != nil {
		w.decode(inst, code, w.mode)
	} else {
		x86.Decode(inst, code, w.mode)
	}
	if inst.Op != x86.OpJMP {
		return ""
	}
	return w.importCalled(inst.Args[0], target+uint64(inst.Len))
}

// importCalled names the API an operand reading an import slot refers to.
func (w *walker) importCalled(m x86.Arg, next uint64) string {
	if m.Kind != x86.KindMem || m.Index != 0 || len(w.im.iat) == 0 {
		return ""
	}
	switch m.Base {
	case x86.RIP:
		return w.im.iat[uint64(int64(next)+m.Val)]
	case 0:
		return w.im.iat[uint64(m.Val)&0xffffffff]
	}
	return ""
}

// apiCall records calls whose arguments reveal intent: SetWindowsHookEx with a keyboard hook
// id (WH_KEYBOARD_LL = 13, WH_KEYBOARD = 2) in its first argument (rcx on x64, the last push
// on x86).
func (w *walker) apiCall(pc uint64, api string, regs *regFile, pushes []uint64) {
	if !strings.HasPrefix(api, "SetWindowsHookEx") {
		return
	}
	first, known := regs.get(x86.RCX)
	if w.mode != 64 {
		known = false
	}
	if w.mode != 64 && len(pushes) > 0 {
		first, known = pushes[len(pushes)-1], true
	}
	if known && (first == 13 || first == 2) {
		w.res.features["keyboard_hook"]++
		if len(w.res.markers) < 256 {
			w.res.markers = append(w.res.markers, &analysisv1.CodeMarker{
				Kind: "keyboard_hook", Address: pc, Instruction: fmt.Sprintf("%s ; %s(%d, …)", w.syntax(pc), api, first), Function: w.fnName(),
			})
		}
	}
}

// backwardJump flags a loop that rotates by a constant: the shape of the ROR-13 style hash that
// shellcode and loaders compute over export names instead of importing functions.
func (w *walker) backwardJump(pc, target uint64, direct bool, rotates []uint64) {
	if !direct || target > pc {
		return
	}
	for _, r := range rotates {
		if r >= target && r < pc && pc-target < 256 {
			w.mark(pc, "api_hash_loop")
			return
		}
	}
}

func branchTarget(inst *x86.Inst, next uint64) (uint64, bool) {
	if a := inst.Args[0]; a.Kind == x86.KindRel {
		return uint64(int64(next) + a.Val), true
	}
	return 0, false
}

// trackStack follows immediate stores into the stack frame, directly or through a register
// loaded with an immediate: the way compilers and malware authors build a string on the stack
// so it never appears in the file's data.
func trackStack(inst *x86.Inst, stack *[]stackByte, regs *regFile) {
	dst, src := inst.Args[0], inst.Args[1]
	if inst.Op != x86.OpMOV {
		if dst.Kind == x86.KindReg {
			regs.forget(full(dst.Reg))
		}
		return
	}
	switch dst.Kind {
	case x86.KindReg:
		if src.Kind == x86.KindImm {
			regs.set(full(dst.Reg), uint64(src.Val))
		} else {
			regs.forget(full(dst.Reg))
		}
	case x86.KindMem:
		if dst.Index != 0 || dst.Seg != 0 {
			return
		}
		switch dst.Base {
		case x86.ESP, x86.EBP, x86.RSP, x86.RBP:
		default:
			return
		}
		var v uint64
		switch src.Kind {
		case x86.KindImm:
			v = uint64(src.Val)
		case x86.KindReg:
			known, ok := regs.get(full(src.Reg))
			if !ok {
				return
			}
			v = known
		default:
			return
		}
		base := dst.Base
		if base == x86.ESP {
			base = x86.RSP
		} else if base == x86.EBP {
			base = x86.RBP
		}
		for i := 0; i < int(inst.MemBytes) && i < 8; i++ {
			*stack = append(*stack, stackByte{stackSlot{base: base, disp: dst.Val + int64(i)}, byte(v >> (8 * i))})
		}
	}
}

// full maps a sub-register to the register that contains it, for the registers compilers use
// to carry string immediates.
func full(r x86.Reg) x86.Reg {
	switch {
	case r >= x86.EAX && r <= x86.R15L:
		return r - x86.EAX + x86.RAX
	}
	return r
}

// collectStackStrings joins the bytes stored at consecutive frame offsets and keeps the
// printable runs (ASCII, or UTF-16LE with zero high bytes).
func (w *walker) collectStackStrings(stack []stackByte) {
	if len(stack) < 4 {
		return
	}
	// By slot, and for each slot the last store only (a stable sort keeps the order of
	// execution among stores to the same slot).
	slices.SortStableFunc(stack, func(a, b stackByte) int {
		if c := cmp.Compare(a.slot.base, b.slot.base); c != 0 {
			return c
		}
		return cmp.Compare(a.slot.disp, b.slot.disp)
	})
	slots := stack[:0]
	for i, s := range stack {
		if i+1 < len(stack) && stack[i+1].slot == s.slot {
			continue
		}
		slots = append(slots, s)
	}
	if len(slots) < 4 {
		return
	}
	var run []byte
	flush := func() {
		for _, s := range printableRuns(run) {
			if !w.strings[s] && len(w.res.stackStrings) < 256 {
				w.strings[s] = true
				w.res.stackStrings = append(w.res.stackStrings, s)
			}
		}
		run = run[:0]
	}
	for i, s := range slots {
		if i > 0 && (s.slot.base != slots[i-1].slot.base || s.slot.disp != slots[i-1].slot.disp+1) {
			flush()
		}
		run = append(run, s.val)
	}
	flush()
}

// printableRuns returns the UTF-16LE runs of at least four characters in b (at even offsets)
// or, when there are none, its ASCII runs of at least four. b is a handful of stack bytes, so
// it is scanned here rather than by the host.
func printableRuns(b []byte) []string {
	var out []string
	textruns.Scan(textruns.UTF16LEEven, 4, b, func(start, end int) bool {
		v := make([]byte, 0, (end-start)/2)
		for i := start; i < end; i += 2 {
			v = append(v, b[i])
		}
		out = append(out, string(v))
		return true
	})
	if len(out) > 0 {
		return out
	}
	textruns.Scan(textruns.ASCII, 4, b, func(start, end int) bool {
		out = append(out, string(b[start:end]))
		return true
	})
	return out
}

// regFile holds the registers known to contain an immediate.
type regFile struct {
	val   [256]uint64
	known [256]bool
}

func (r *regFile) reset()                    { clear(r.known[:]) }
func (r *regFile) set(reg x86.Reg, v uint64) { r.val[reg], r.known[reg] = v, true }
func (r *regFile) forget(reg x86.Reg)        { r.known[reg] = false }
func (r *regFile) get(reg x86.Reg) (uint64, bool) {
	return r.val[reg], r.known[reg]
}

// addrSet is a set of virtual addresses: one bit per byte of each section's file data, and a
// map for addresses in a section's virtual tail, which has no file data (rare: nothing decodes
// there). Sizing by file data keeps a hostile virtual size from allocating gigabytes.
type addrSet struct {
	im   *image
	bits [][]uint64 // per section, allocated on first use
	hint int        // section of the last lookup (image.dataSection)
	// cur is the bitmap of section hint, for sections with disjoint file data: has and add
	// test it first, inline (curLen is 0 when there is none).
	cur     []uint64
	curAddr uint64
	curLen  uint64
	extra   map[uint64]bool
	added   []uint64 // what to wipe in clear, while it stays short
	many    bool     // added overflowed: clear wipes every bitmap
}

func newAddrSet(im *image) addrSet {
	return addrSet{im: im, bits: make([][]uint64, len(im.sections))}
}

// slot returns the word and bit of va, or a nil word when va has no file data (or, unless
// alloc, when its section's bitmap does not exist yet).
func (a *addrSet) slot(va uint64, alloc bool) (*uint64, uint64) {
	i := a.im.dataSection(va, &a.hint)
	if i < 0 {
		return nil, 0
	}
	s := &a.im.sections[i]
	if a.bits[i] == nil {
		if !alloc {
			return nil, 0
		}
		a.bits[i] = make([]uint64, (len(s.data)+63)/64)
	}
	if a.im.disjoint {
		a.cur, a.curAddr, a.curLen = a.bits[i], s.addr, uint64(len(s.data))
	}
	off := va - s.addr
	return &a.bits[i][off/64], 1 << (off % 64)
}

func (a *addrSet) has(va uint64) bool {
	if off := va - a.curAddr; off < a.curLen {
		return a.cur[off/64]&(1<<(off%64)) != 0
	}
	return a.hasSlow(va)
}

func (a *addrSet) hasSlow(va uint64) bool {
	if w, bit := a.slot(va, false); w != nil {
		return *w&bit != 0
	}
	return a.extra[va]
}

func (a *addrSet) add(va uint64) {
	if off := va - a.curAddr; off < a.curLen {
		if !a.many {
			if len(a.added) < 1024 {
				a.added = append(a.added, va)
			} else {
				a.many = true
			}
		}
		a.cur[off/64] |= 1 << (off % 64)
		return
	}
	a.addSlow(va)
}

func (a *addrSet) addSlow(va uint64) {
	if len(a.added) < 1024 {
		a.added = append(a.added, va)
	} else {
		a.many = true
	}
	if w, bit := a.slot(va, true); w != nil {
		*w |= bit
		return
	}
	if a.extra == nil {
		a.extra = map[uint64]bool{}
	}
	a.extra[va] = true
}

// clear empties the set, in time proportional to what was added when that was little.
func (a *addrSet) clear() {
	if a.many {
		for _, b := range a.bits {
			clear(b)
		}
	} else {
		for _, va := range a.added {
			if off := va - a.curAddr; off < a.curLen {
				a.cur[off/64] &^= 1 << (off % 64)
			} else if w, bit := a.slot(va, false); w != nil {
				*w &^= bit
			}
		}
	}
	a.extra = nil
	a.added, a.many = a.added[:0], false
}
