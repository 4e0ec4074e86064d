package x86

import "strconv"

// AppendIntel appends the text x86asm.IntelSyntax gives the instruction at the start of code,
// at address pc, and reports whether it could. It covers what the fast path decodes with at
// most one of the prefixes 66, F0, 64, 65 (plus REX), except SSE instructions other than the
// whole-register moves and bitwise operations of sseNames (which may also take F3); for
// anything else it returns false and the caller asks x86asm. Inside WASM x86asm's decode and
// IntelSyntax cost about 12 µs per listed line, mostly in fmt and interface boxing; this
// costs a decode and a few appends. TestIntelRealCode, TestIntelExhaustive and FuzzIntel hold
// it to x86asm byte for byte.
func AppendIntel(dst []byte, code []byte, pc uint64, mode int) ([]byte, bool) {
	var in Inst
	if !decodeFast(&in, code, mode) {
		return dst, false
	}
	if len(code) > 15 {
		code = code[:15]
	}
	// The fast path accepted the bytes, so the prefixes, opcode and ModR/M are all there.
	pos := 0
	var pfx byte
	if legacyPrefix[code[0]] {
		pfx = code[0]
		pos++
		if legacyPrefix[code[pos]] || pfx != 0x66 && pfx != 0xf0 && pfx != 0x64 && pfx != 0x65 && pfx != 0xf3 {
			return dst, false // one prefix at most: x86asm's rules for repeats are its own
		}
	}
	var rex byte
	if mode == 64 && code[pos]&0xf0 == 0x40 {
		rex = code[pos]
		pos++
	}
	op := code[pos]
	pos++
	ent := oneByte[op]
	two := op == 0x0f
	if two {
		op = code[pos]
		pos++
		ent = twoByte[op]
	}
	form := ent & formMask
	if form == fSSE {
		return appendSSE(dst, &in, code[pos:], op, pfx, rex)
	}
	if pfx == 0xf3 {
		return dst, false // x86asm prints rep for most of these
	}
	size := 32
	if pfx == 0x66 {
		size = 16
	}
	if rex&8 != 0 {
		size = 64
	}
	if ent&byteOp != 0 {
		size = 8
	} else if ent&def64 != 0 && mode == 64 && size == 32 {
		size = 64
	}
	var modrm byte
	hasModRM := form != fNone && form != fAccI && form != fZ && form != fZI && form != fI && form != fJ && form != fIw
	if hasModRM {
		modrm = code[pos]
	}
	scale := 1
	if hasModRM && modrm>>6 != 3 && modrm&7 == 4 {
		scale = 1 << (code[pos+1] >> 6)
	}
	reg := modrm >> 3 & 7
	memBytes := size / 8
	var name string
	var third []byte // a third operand's text
	end := code[in.Len-1:]
	switch form {
	case fNone:
		if pfx == 0x66 {
			return dst, false // x86asm prints data16 for these
		}
		switch {
		case !two && op == 0x90:
			name = "nop"
		case !two && op == 0x98:
			name = [...]string{16: "cbw", 32: "cwde", 64: "cdqe"}[size]
		case !two && op == 0x99:
			name = [...]string{16: "cwd", 32: "cdq", 64: "cqo"}[size]
		case !two && op == 0xc3:
			name = "ret"
		case !two && op == 0xc9:
			name = "leave"
		case !two && op == 0xcc:
			name = "int3"
			in.Args[0] = Arg{}
		case !two && op == 0xf4:
			name = "hlt"
		case two && op == 0x05:
			name = "syscall"
		case two && op == 0x0b:
			name = "ud2"
		case two && op == 0x31:
			name = "rdtsc"
		case two && op == 0xa2:
			name = "cpuid"
		default:
			return dst, false
		}
	case fEG, fGE, fAccI:
		switch {
		case two:
			switch op {
			case 0xa3:
				name = "bt"
			case 0xab:
				name = "bts"
			case 0xb3:
				name = "btr"
			case 0xbb:
				name = "btc"
			case 0xaf:
				name = "imul"
			case 0xb0, 0xb1:
				name = "cmpxchg"
			case 0xc0, 0xc1:
				name = "xadd"
			case 0xbc:
				name = "bsf"
			case 0xbd:
				name = "bsr"
			default:
				if op&0xf0 == 0x40 {
					name = cmovNames[op&15]
				} else {
					return dst, false
				}
			}
		case op < 0x40:
			name = aluNames[op>>3]
		case op == 0x84 || op == 0x85 || op == 0xa8 || op == 0xa9:
			name = "test"
		case op == 0x86 || op == 0x87:
			name = "xchg"
		case op >= 0x88 && op <= 0x8b:
			name = "mov"
		default:
			return dst, false
		}
	case fGM:
		name, memBytes = "lea", 0 // IntelSyntax: "lea rax, ptr [...]"
	case fZ:
		name = [...]string{"inc", "dec", "push", "pop"}[op>>3&3]
	case fZI:
		name = "mov"
	case fI:
		if op == 0xcd {
			name = "int"
		} else {
			name = "push"
			in.Args[0].Val = int64(uint32(in.Args[0].Val)) // IntelSyntax shows a push's immediate as 32 bits
		}
	case fJ:
		switch {
		case two:
			name = jccNames[op&15]
		case op == 0xe8:
			name = "call"
		case op == 0xe9 || op == 0xeb:
			name = "jmp"
		default:
			name = jccNames[op&15]
		}
	case fGEI:
		name = "imul"
		if size == 8 { // 6B: the byteOp flag is about its immediate
			size = 32
			if pfx == 0x66 {
				size = 16
			}
			if rex&8 != 0 {
				size = 64
			}
			memBytes = size / 8
		}
		if op == 0x6b {
			third = appendImm(nil, int64(int8(end[0])), mode)
		} else if size == 16 {
			third = appendImm(nil, int64(int16(uint16(code[in.Len-2])|uint16(end[0])<<8)), mode)
		} else {
			third = appendImm(nil, int64(int32(le32(code[in.Len-4:]))), mode)
		}
	case fIw:
		name = "ret"
	case fGrp1:
		name = aluNames[reg]
	case fGrp2:
		name = [...]string{"rol", "ror", "rcl", "rcr", "shl", "shr", "", "sar"}[reg]
	case fGrp3:
		name = [...]string{"test", "", "not", "neg", "mul", "imul", "div", "idiv"}[reg]
	case fGrp45:
		name = [...]string{"inc", "dec", "call", "", "jmp", "", "push", ""}[reg]
		if reg >= 2 && mode == 64 {
			memBytes = 8
		}
	case fGrp11:
		name = "mov"
	case fGEb:
		name, memBytes = "movzx", 1
		if op == 0xbe {
			name = "movsx"
		}
	case fGEw:
		name, memBytes = "movzx", 2
		if op == 0xbf {
			name = "movsx"
		}
	case fGEd:
		name, memBytes = "movsxd", 4
	case fE:
		if op == 0x1f {
			name = "nop"
			third = []byte("eax") // IntelSyntax adds the register of 0F 1F /0
			if size == 16 {
				third = []byte("ax")
			}
		} else {
			name = setNames[op&15]
		}
	case fEGI, fEGCL:
		if op < 0xa8 { // A4, A5; AC, AD are shrd
			name = "shld"
		} else {
			name = "shrd"
		}
		if form == fEGI {
			third = appendImm(nil, int64(end[0]), mode)
		} else {
			third = append(third, "cl"...)
		}
	case fBT:
		name = [...]string{4: "bt", "bts", "btr", "btc"}[reg]
	default:
		return dst, false
	}
	if name == "" {
		return dst, false
	}
	if in.Args[0].Kind == KindReg && in.Args[0].Reg == RegOther || in.Args[1].Kind == KindReg && in.Args[1].Reg == RegOther {
		return dst, false
	}
	if pfx == 0xf0 {
		dst = append(dst, "lock "...)
	}
	dst = append(dst, name...)
	for i := range in.Args {
		a := &in.Args[i]
		if a.Kind == KindNone {
			break
		}
		if i == 0 {
			dst = append(dst, ' ')
		} else {
			dst = append(dst, ", "...)
		}
		switch a.Kind {
		case KindReg:
			dst = append(dst, regNames[a.Reg]...)
		case KindImm:
			dst = appendImm(dst, a.Val, mode)
		case KindRel:
			switch {
			case pc != 0:
				dst = strconv.AppendUint(append(dst, "0x"...), pc+uint64(in.Len)+uint64(a.Val), 16)
			case a.Val < 0: // IntelSyntax shows the displacement itself at pc 0
				dst = strconv.AppendUint(append(dst, ".-0x"...), uint64(-a.Val), 16)
			default:
				dst = strconv.AppendUint(append(dst, ".+0x"...), uint64(a.Val), 16)
			}
		case KindMem:
			dst = appendMem(dst, a, memBytes, scale, form == fGM)
		}
	}
	if third != nil {
		dst = append(append(dst, ", "...), third...)
	}
	return dst, true
}

// sseNames are IntelSyntax's names of the SSE instructions AppendIntel formats, by 0F opcode
// and mandatory prefix (none, 66, F3), for the moves and bitwise operations of whole XMM
// registers (xmmword memory operands); "" leaves the instruction to x86asm.
var sseNames = [256][3]string{
	0x10: {"movups", "movupd"}, 0x11: {"movups", "movupd"},
	0x28: {"movaps", "movapd"}, 0x29: {"movaps", "movapd"},
	0x54: {"andps", "andpd"}, 0x55: {"andnps", "andnpd"}, 0x56: {"orps", "orpd"}, 0x57: {"xorps", "xorpd"},
	0x6f: {1: "movdqa", 2: "movdqu"}, 0x7f: {1: "movdqa", 2: "movdqu"},
	0x74: {1: "pcmpeqb"}, 0x75: {1: "pcmpeqw"}, 0x76: {1: "pcmpeqd"},
	0xdb: {1: "pand"}, 0xeb: {1: "por"}, 0xef: {1: "pxor"},
}

// appendSSE formats the fast path's SSE instruction whose ModR/M byte starts modrm, for
// the names in sseNames; it reports false for the others.
func appendSSE(dst []byte, in *Inst, modrm []byte, op, pfx, rex byte) ([]byte, bool) {
	var name string
	switch pfx {
	case 0:
		name = sseNames[op][0]
	case 0x66:
		name = sseNames[op][1]
	case 0xf3:
		name = sseNames[op][2]
	}
	if name == "" {
		return dst, false
	}
	m := modrm[0]
	reg := m>>3&7 | rex&4<<1
	scale := 1
	if m>>6 != 3 && m&7 == 4 {
		scale = 1 << (modrm[1] >> 6)
	}
	regFirst := op != 0x11 && op != 0x29 && op != 0x7f // xmm, xmm/m128; else xmm/m128, xmm
	dst = append(append(dst, name...), ' ')
	for i := range in.Args {
		if i == 1 {
			dst = append(dst, ", "...)
		}
		a := &in.Args[i]
		switch {
		case a.Kind == KindMem:
			dst = appendMem(dst, a, 16, scale, false)
		case (i == 0) == regFirst:
			dst = append(append(dst, "xmm"...), strconv.Itoa(int(reg))...)
		default:
			dst = append(append(dst, "xmm"...), strconv.Itoa(int(m&7|rex&1<<3))...)
		}
	}
	return dst, true
}

// appendImm formats an immediate as IntelSyntax does: 32 bits in 32-bit mode, signed when it
// fits in 32 bits in 64-bit mode.
func appendImm(dst []byte, v int64, mode int) []byte {
	switch {
	case mode == 32:
		return strconv.AppendUint(append(dst, "0x"...), uint64(uint32(v)), 16)
	case int64(int32(v)) == v && v < 0:
		return strconv.AppendUint(append(dst, "-0x"...), uint64(-v), 16)
	}
	return strconv.AppendUint(append(dst, "0x"...), uint64(v), 16)
}

// appendMem formats a memory operand: size, segment (not for lea), base, scaled index and
// displacement.
func appendMem(dst []byte, a *Arg, memBytes, scale int, lea bool) []byte {
	dst = append(dst, memSizeNames[memBytes]...)
	dst = append(dst, "ptr "...)
	if !lea && (a.Seg == FS || a.Seg == GS) {
		dst = append(append(dst, regNames[a.Seg]...), ':')
	}
	dst = append(dst, '[')
	open := len(dst)
	if a.Base != 0 {
		dst = append(dst, regNames[a.Base]...)
	}
	if a.Index != 0 {
		if a.Base != 0 {
			dst = append(dst, '+')
		}
		if scale != 1 {
			dst = append(append(dst, byte('0'+scale)), '*')
		}
		dst = append(dst, regNames[a.Index]...)
	}
	if d := a.Val; d != 0 {
		switch {
		case len(dst) == open && (d >= 0 || int64(int32(d)) != d):
			dst = strconv.AppendUint(append(dst, "0x"...), uint64(d), 16)
		case d < 0:
			dst = strconv.AppendUint(append(dst, "-0x"...), uint64(-d), 16)
		default:
			dst = strconv.AppendUint(append(dst, "+0x"...), uint64(d), 16)
		}
	}
	return append(dst, ']')
}

var (
	aluNames     = [8]string{"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"}
	jccNames     = [16]string{"jo", "jno", "jb", "jnb", "jz", "jnz", "jbe", "jnbe", "js", "jns", "jp", "jnp", "jl", "jnl", "jle", "jnle"}
	setNames     = [16]string{"seto", "setno", "setb", "setnb", "setz", "setnz", "setbe", "setnbe", "sets", "setns", "setp", "setnp", "setl", "setnl", "setle", "setnle"}
	cmovNames    = [16]string{"cmovo", "cmovno", "cmovb", "cmovnb", "cmovz", "cmovnz", "cmovbe", "cmovnbe", "cmovs", "cmovns", "cmovp", "cmovnp", "cmovl", "cmovnl", "cmovle", "cmovnle"}
	memSizeNames = [17]string{1: "byte ", 2: "word ", 4: "dword ", 8: "qword ", 16: "xmmword "}
)

// regNames are IntelSyntax's names of the registers.
var regNames = [256]string{
	AL: "al", CL: "cl", DL: "dl", BL: "bl", AH: "ah", CH: "ch", DH: "dh", BH: "bh",
	SPB: "spl", BPB: "bpl", SIB: "sil", DIB: "dil",
	R8B: "r8b", R9B: "r9b", R10B: "r10b", R11B: "r11b", R12B: "r12b", R13B: "r13b", R14B: "r14b", R15B: "r15b",
	AX: "ax", CX: "cx", DX: "dx", BX: "bx", SP: "sp", BP: "bp", SI: "si", DI: "di",
	R8W: "r8w", R9W: "r9w", R10W: "r10w", R11W: "r11w", R12W: "r12w", R13W: "r13w", R14W: "r14w", R15W: "r15w",
	EAX: "eax", ECX: "ecx", EDX: "edx", EBX: "ebx", ESP: "esp", EBP: "ebp", ESI: "esi", EDI: "edi",
	R8L: "r8d", R9L: "r9d", R10L: "r10d", R11L: "r11d", R12L: "r12d", R13L: "r13d", R14L: "r14d", R15L: "r15d",
	RAX: "rax", RCX: "rcx", RDX: "rdx", RBX: "rbx", RSP: "rsp", RBP: "rbp", RSI: "rsi", RDI: "rdi",
	R8: "r8", R9: "r9", R10: "r10", R11: "r11", R12: "r12", R13: "r13", R14: "r14", R15: "r15",
	IP: "ip", EIP: "eip", RIP: "rip",
	ES: "es", CS: "cs", SS: "ss", DS: "ds", FS: "fs", GS: "gs",
}
