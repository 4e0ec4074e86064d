package x86

import "encoding/binary"

// The quick path decodes the shapes compiled code is mostly made of — no legacy prefix (but
// the F3 of movdqu and movss), at most a REX, a one-byte opcode with the simple operand
// layouts (ModR/M with or without SIB, a register in the opcode, an immediate or branch
// displacement) or a 0F opcode with the same layouts — in one function, and
// leaves everything else to decodeGeneral. Inside WASM, Go turns every taken branch into a
// jump back to the function's dispatch loop and every call into spills to linear memory, so
// it reads the bytes as two 64-bit words, derives sizes, registers and lengths with
// arithmetic and selects, and writes each field of Inst once (a reset of the whole 40-byte
// Inst first would be a memory.fill).

// quickEntry describes how the quick path decodes a one-byte opcode; 0 leaves the opcode to
// decodeGeneral. It is derived from oneByte, so both paths read the same table.
type quickEntry uint32

const (
	qOpMask quickEntry = 0xf // the Op
	// qByte: the operands are 8 bits wide.
	qByte quickEntry = 1 << 4
	// qDef64: 64-bit operands in 64-bit mode without REX.W.
	qDef64 quickEntry = 1 << 5
	// qModRM: a ModR/M byte follows the opcode, and its r/m is an operand.
	qModRM quickEntry = 1 << 6
	// qRegArg: ModR/M.reg names an operand, the other one than r/m.
	qRegArg quickEntry = 1 << 7
	// qRMSecond: r/m is Args[1] (reg, r/m); else Args[0].
	qRMSecond quickEntry = 1 << 8
	// qMemOnly: a register r/m is left to decodeGeneral (lea).
	qMemOnly quickEntry = 1 << 9
	// qReg0: ModR/M.reg other than 0 is left to decodeGeneral (C6, C7).
	qReg0 quickEntry = 1 << 10
	// qZReg: Args[0] is the register in the opcode's low three bits, or with qAcc the
	// accumulator.
	qZReg quickEntry = 1 << 11
	qAcc  quickEntry = 1 << 12
	// qMovDst: a memory Args[0] is a MOV's destination, whose size is MemBytes.
	qMovDst quickEntry = 1 << 13
	// qImm: an immediate or branch displacement follows, 4 bytes unless qImm1.
	qImm  quickEntry = 1 << 14
	qImm1 quickEntry = 1 << 15
	// qImmSigned: a 1-byte immediate is sign-extended (x86asm records the others unsigned).
	qImmSigned quickEntry = 1 << 16
	// qImm64: REX.W makes the immediate 8 bytes (B8+r).
	qImm64 quickEntry = 1 << 17
	// qRel: the immediate is a branch displacement.
	qRel quickEntry = 1 << 18
	// qImmSkip: the immediate is not recorded (a third operand).
	qImmSkip quickEntry = 1 << 19
	// qImmSecond: the immediate is Args[1]; else Args[0].
	qImmSecond quickEntry = 1 << 20
	// qXMM: the registers are XMM (or MMX) registers, which Inst records as RegOther.
	qXMM quickEntry = 1 << 21
)

// quickMinLen is the longest shape the quick path decodes (REX, opcode, ModR/M, SIB, disp32,
// imm32; the 0F and F3 0F shapes have no immediate and are shorter): with at least this many
// bytes, nothing it reads can be cut off.
const quickMinLen = 12

// quick is the quick path's table, from oneByte and twoByte, indexed by what precedes the
// opcode: [0] nothing (but a REX), [1] 0F, [2] F3 (always empty), [3] F3 0F.
var quick = func() (t [4][256]quickEntry) {
	t[0] = quickOneByte()
	// The 0F opcodes whose operands are laid out as one-byte ones are: near Jcc, cmovcc,
	// imul r, r/m, bt*, bsf/bsr, cmpxchg, xadd. None has an immediate after a ModR/M.
	for op, ent := range twoByte {
		if ent&(only32|only64) != 0 {
			continue
		}
		q := quickEntry(ent&opMask) >> opShift
		switch ent & formMask {
		case fEG:
			q |= qModRM | qRegArg
		case fGE:
			q |= qModRM | qRegArg | qRMSecond
		case fJ:
			q |= qImm | qRel
		default:
			continue
		}
		if ent&byteOp != 0 {
			q |= qByte
		}
		t[1][op] = q
	}
	// The SSE moves compilers copy memory with: movups, movaps (0F), movss, movdqu (F3 0F).
	vw := quickEntry(OpOther) | qModRM | qRegArg | qRMSecond | qXMM
	wv := quickEntry(OpOther) | qModRM | qRegArg | qXMM
	t[1][0x10], t[1][0x11], t[1][0x28], t[1][0x29] = vw, wv, vw, wv
	t[3][0x10], t[3][0x11], t[3][0x6f], t[3][0x7f] = vw, wv, vw, wv
	return t
}()

// quickOneByte is the quick path's table of one-byte opcodes, from oneByte.
func quickOneByte() (t [256]quickEntry) {
	for op, ent := range oneByte {
		if ent == 0 || ent&(only32|only64) != 0 || op == 0x90 || op == 0xcc {
			continue // 90 is xchg with REX.B; CC has an implicit operand
		}
		q := quickEntry(ent&opMask) >> opShift
		if ent&def64 != 0 {
			q |= qDef64
		}
		byteOps := ent&byteOp != 0 // for some forms it sizes only the immediate
		switch ent & formMask {
		case fNone:
		case fEG:
			q |= qModRM | qRegArg
		case fGE:
			q |= qModRM | qRegArg | qRMSecond
		case fGM:
			q |= qModRM | qRegArg | qRMSecond | qMemOnly
		case fGEI:
			q |= qModRM | qRegArg | qRMSecond | qImm | qImmSkip
			if byteOps {
				q |= qImm1
			}
			byteOps = false
		case fGrp1:
			q |= qModRM | qImm | qImmSecond
			switch op {
			case 0x80:
				q |= qImm1
			case 0x83:
				q |= qImm1 | qImmSigned
			}
		case fGrp11:
			q |= qModRM | qReg0 | qImm | qImmSecond
			if byteOps {
				q |= qImm1
			}
		case fAccI:
			q |= qZReg | qAcc | qImm | qImmSecond
			if byteOps {
				q |= qImm1
			}
		case fZ:
			q |= qZReg
		case fZI:
			q |= qZReg | qImm | qImmSecond
			if byteOps {
				q |= qImm1
			} else {
				q |= qImm64
			}
		case fI:
			q |= qImm
			switch op {
			case 0x6a:
				q |= qImm1 | qImmSigned
			case 0xcd:
				q |= qImm1
			}
			byteOps = false // the immediate's size is all it gives
		case fJ:
			q |= qImm | qRel
			if byteOps {
				q |= qImm1 | qImmSigned
			}
			byteOps = false
		default:
			continue
		}
		if byteOps {
			q |= qByte
		}
		if Op(q&qOpMask) == OpMOV && q&qModRM != 0 && q&qRMSecond == 0 {
			q |= qMovDst
		}
		t[op] = q
	}
	return t
}

// dispLen is the displacement's length for each ModR/M.mod, without the special cases.
var dispLen = [4]int{0, 1, 4, 0}

// decodeFast decodes the common instructions; false means x86asm must decide.
//
// Most ifs below only pick between values computed before them: the compiler turns those
// into selects, so the common shapes take few branches. An if that stores, loads or joins
// more than that would be a jump inside WASM; && and || would be branches of their own,
// which is why some conditions are written with bit masks.
func decodeFast(in *Inst, code []byte, mode int) bool {
	if len(code) < quickMinLen || mode != 64 && mode != 32 {
		return decodeGeneral(in, code, mode)
	}
	// Values that a load's address depends on come from arithmetic, not ifs: the compiler
	// makes no select for them. mode is 32 or 64 here.
	is64 := byte(mode>>6&1) * 0xff
	ab, rip := EAX+Reg(is64&16), Reg(is64)&RIP // registers of the address size are ab+n; RIP-relative's base
	w0 := binary.LittleEndian.Uint64(code)
	w4 := binary.LittleEndian.Uint64(code[4:])
	// f is 1 with an F3 prefix, p with a REX, esc with a 0F escape: x-1 has bit 31 set only
	// for x == 0.
	f := int((uint32(w0^0xf3)&0xff - 1) >> 31)
	wf := w0 >> (f * 8)
	p := int((uint32(wf^0x40)&0xf0-1)>>31) & int(is64&1)
	rex := byte(wf) & byte(-p)
	w := wf >> (p * 8)
	esc := int((uint32(w^0x0f)&0xff - 1) >> 31)
	w >>= esc * 8 // the bytes from the opcode on
	pre := f + p + esc
	op := byte(w)
	q := quick[f*2+esc][op]
	m := byte(w >> 8) // the ModR/M byte, when there is one
	if q == 0 || q&qMemOnly != 0 && m >= 0xc0 || q&qReg0 != 0 && m&0x38 != 0 {
		return decodeGeneral(in, code, mode)
	}

	// Registers of the operand size are rb+n; byte registers 4-7 are SPL-DIL with a REX
	// (rb+n+4, which also holds for R8B-R15B) and AH-BH without.
	wide := rex&8 | byte(q/(qDef64/8))&8&is64 // 8 with REX.W, or qDef64 in 64-bit mode
	rb, memBytes := EAX+Reg(wide*2), 4+wide/2
	byteAdj := Reg(rex>>6*4) & -Reg(q/qByte&1) // 4 with a REX and qByte
	if q&qByte != 0 {
		rb, memBytes = AL, 1
	}
	immKind := KindImm
	if q&qRel != 0 {
		immKind = KindRel
	}

	if q&qModRM == 0 {
		// Args[0] is the register in the opcode or the immediate; Args[1] the immediate
		// after that register.
		v, n := quickImm(q, uint32(w>>8))                    // pre+1 <= 3
		v64 := int64(binary.LittleEndian.Uint64(code[p+1:])) // qImm64 is a one-byte opcode: pre == p
		if uint32(q/(qImm64/8))&uint32(rex)&8 != 0 {         // qImm64 and REX.W
			v, n = v64, 8
		}
		if q&qImm == 0 {
			n = 0
		}
		zr := gpr(rb, byteAdj, op&7|rex&1<<3)
		if q&qAcc != 0 {
			zr = rb
		}
		k0, r0, v0 := KindNone, Reg(0), int64(0)
		if q&qImm != 0 {
			k0, v0 = immKind, v
		}
		if q&qZReg != 0 {
			k0, r0, v0 = KindReg, zr, 0
		}
		k1, v1 := KindNone, int64(0)
		if q&qImmSecond != 0 {
			k1, v1 = KindImm, v
		}
		in.Args[0] = Arg{Kind: k0, Reg: r0, Val: v0}
		in.Args[1] = Arg{Kind: k1, Val: v1}
		in.Len, in.Op, in.MemBytes, in.PEB = uint8(pre+1+n), Op(q&qOpMask), 0, false
		return true
	}

	// The r/m operand: memory, with or without SIB and displacement, or a register.
	mod := m >> 6
	rmN := m&7 | rex&1<<3
	sib := byte(w >> 16)
	base, index := ab+Reg(rmN), Reg(0)
	sibBase := ab + Reg(sib&7|rex&1<<3)
	x := sib>>3&7 | rex&2<<2
	sibIndex := (ab + Reg(x)) & -Reg((x^4+15)>>4) // none for x == 4
	dl := dispLen[mod]
	sl := int((uint32(m&7^4) - 1) >> 31) // a SIB byte follows
	// The displacement starts at dpos <= 6: from w0 up to 4, else from w4 (w itself holds
	// too few bytes after a prefix and 0F).
	dpos := pre + 2 + sl
	disp, dispHigh := w0>>(dpos*8&63), w4>>((dpos-4)*8&63)
	if dpos > 4 {
		disp = dispHigh
	}
	if m&7 == 4 {
		base, index = sibBase, sibIndex
	}
	if m&0xc7 == 5 { // disp32 without a base: RIP-relative in 64-bit mode
		base, dl = rip, 4
	}
	if m&0xc7|sib&7<<3 == 4|5<<3 { // SIB with disp32 and no base
		base, dl = 0, 4
	}
	d8, d32 := int64(int8(disp)), int64(int32(uint32(disp)))
	dv := d8
	if dl == 4 {
		dv = d32
	}
	if dl == 0 {
		dv = 0
	}
	kind, reg, mb := KindMem, Reg(0), uint8(0)
	if q&qMovDst != 0 {
		mb = memBytes
	}
	rmReg := gpr(rb, byteAdj, rmN)
	regArg := gpr(rb, byteAdj, m>>3&7|rex&4<<1)
	if q&qXMM != 0 {
		rmReg, regArg = RegOther, RegOther
	}
	if mod == 3 {
		kind, reg, base, index, dv, dl, sl, mb = KindReg, rmReg, 0, 0, 0, 0, 0, 0
	}
	pos := pre + 2 + sl + dl

	// The other operand: ModR/M.reg, or the immediate after the r/m operand.
	// pos <= 8 when there is an immediate (a one-byte opcode: pre == p).
	raw, rawHigh := uint32(w0>>(pos*8&63)), uint32(w4>>((pos-4)*8&63))
	if pos > 4 {
		raw = rawHigh
	}
	v, n := quickImm(q, raw)
	if q&qImm == 0 {
		n = 0
	}
	ok, or, ov := KindReg, regArg, int64(0)
	if q&(qImm|qImmSkip) == qImm {
		ok, or, ov = KindImm, 0, v
	}
	rmi := int(q/qRMSecond) & 1
	in.Args[rmi] = Arg{Kind: kind, Reg: reg, Base: base, Index: index, Val: dv}
	in.Args[rmi^1] = Arg{Kind: ok, Reg: or, Val: ov}
	in.Len, in.Op, in.MemBytes, in.PEB = uint8(pos+n), Op(q&qOpMask), mb, false
	return true
}

// quickImm returns the value and length of the 1- or 4-byte immediate whose bytes raw holds.
func quickImm(q quickEntry, raw uint32) (int64, int) {
	v, n := int64(int32(raw)), 4
	if q&qImm1 != 0 {
		v, n = int64(raw&0xff), 1
	}
	if q&(qImm1|qImmSigned) == qImm1|qImmSigned {
		v = int64(int8(raw))
	}
	return v, n
}

// gpr returns general-purpose register n, where rb is the size's first register and byteAdj
// what registers 4-15 add (4 for byte registers after a REX).
func gpr(rb, byteAdj Reg, n byte) Reg {
	r := rb + Reg(n)
	if n >= 4 {
		r += byteAdj
	}
	return r
}
