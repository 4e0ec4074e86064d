package x86

// The fast path decodes the one-byte and 0F opcodes compilers emit. It is written for Go's
// wasm backend: small functions, flat tables, no interfaces, nothing allocated. When it meets
// something it does not handle exactly as x86asm does (a LOCK, REP or 67 prefix, a VEX
// prefix, x87, string instructions, three-byte opcodes, an encoding x86asm rejects, an
// instruction cut off by the end of the input) it returns false and Decode asks x86asm.

// An opcode's table entry: how its operands are laid out (form), its class and flags.
type entry uint16

const (
	formMask entry = 0x1f
	opShift        = 5 // the Op, 4 bits
	opMask   entry = 0xf << opShift
	// byteOp: the operands are 8 bits wide (the opcode's low bit is clear).
	byteOp entry = 1 << 9
	// only64: valid in 64-bit mode only (else handed to x86asm).
	only64 entry = 1 << 10
	// no66: a 66 prefix is handed to x86asm.
	no66 entry = 1 << 11
	// def64: the operand size is 64 bits in 64-bit mode without REX.W (push, pop, near
	// branches through a register or memory).
	def64 entry = 1 << 12
	// lockOK: a LOCK prefix is decoded here (else handed to x86asm).
	lockOK entry = 1 << 13
	// only32: valid outside 64-bit mode only (where 40-4F are REX prefixes).
	only32 entry = 1 << 14
)

// The operand layouts.
const (
	fNone  entry = iota + 1
	fEG          // r/m, reg
	fGE          // reg, r/m
	fGM          // reg, m (lea)
	fAccI        // AL/AX/EAX/RAX, imm
	fZ           // register in the opcode's low bits
	fZI          // register in the opcode's low bits, imm (mov)
	fI           // imm (push, int)
	fJ           // rel8 or rel32
	fGEI         // reg, r/m, imm (imul)
	fIw          // imm16 (ret)
	fGrp1        // 80, 81, 83: r/m, imm
	fGrp2        // C0, C1, D0-D3: shifts and rotates
	fGrp3        // F6, F7: test r/m, imm; not, neg, mul, imul, div, idiv r/m
	fGrp45       // FE, FF: inc, dec, call, jmp, push
	fGrp11       // C6, C7: mov r/m, imm
	fGEb         // reg, r/m8 (movzx, movsx)
	fGEw         // reg, r/m16
	fE           // r/m (setcc, nop)
	fEGI         // r/m, reg, imm8 (shld, shrd)
	fEGCL        // r/m, reg, CL
	fBT          // 0F BA: r/m, imm8
	fSSE         // the SSE table decides
	fGEd         // reg, r/m32 (movsxd)
)

func e(form entry, op Op, flags entry) entry { return form | entry(op)<<opShift | flags }

// oneByte is the one-byte opcode map; 0 sends the opcode to x86asm.
var oneByte = func() (t [256]entry) {
	for _, base := range []int{0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38} {
		t[base+0] = e(fEG, OpOther, byteOp|lockOK)
		t[base+1] = e(fEG, OpOther, lockOK)
		t[base+2] = e(fGE, OpOther, byteOp)
		t[base+3] = e(fGE, OpOther, 0)
		t[base+4] = e(fAccI, OpOther, byteOp)
		t[base+5] = e(fAccI, OpOther, 0)
	}
	for r := range 8 {
		t[0x40+r] = e(fZ, OpOther, only32) // inc r32
		t[0x48+r] = e(fZ, OpOther, only32) // dec r32
		t[0x50+r] = e(fZ, OpPUSH, def64)
		t[0x58+r] = e(fZ, OpOther, def64)
		t[0x70+r] = e(fJ, OpJcc, byteOp|no66)
		t[0x78+r] = e(fJ, OpJcc, byteOp|no66)
		t[0xb0+r] = e(fZI, OpMOV, byteOp)
		t[0xb8+r] = e(fZI, OpMOV, 0)
	}
	t[0x68] = e(fI, OpPUSH, def64)
	t[0x6a] = e(fI, OpPUSH, byteOp|def64)
	t[0x69] = e(fGEI, OpOther, 0)
	t[0x6b] = e(fGEI, OpOther, byteOp)
	t[0x63] = e(fGEd, OpOther, only64)
	t[0x80] = e(fGrp1, OpOther, byteOp|lockOK)
	t[0x81] = e(fGrp1, OpOther, lockOK)
	t[0x83] = e(fGrp1, OpOther, lockOK)
	t[0x84] = e(fEG, OpOther, byteOp)
	t[0x85] = e(fEG, OpOther, 0)
	t[0x86] = e(fEG, OpOther, byteOp|lockOK)
	t[0x87] = e(fEG, OpOther, lockOK)
	t[0x88] = e(fEG, OpMOV, byteOp)
	t[0x89] = e(fEG, OpMOV, 0)
	t[0x8a] = e(fGE, OpMOV, byteOp)
	t[0x8b] = e(fGE, OpMOV, 0)
	t[0x8d] = e(fGM, OpOther, 0)
	t[0x90] = e(fNone, OpOther, 0) // nop, unless REX.B makes it xchg r8, rax
	t[0x98] = e(fNone, OpOther, 0)
	t[0x99] = e(fNone, OpOther, 0)
	t[0xa8] = e(fAccI, OpOther, byteOp)
	t[0xa9] = e(fAccI, OpOther, 0)
	t[0xc0] = e(fGrp2, OpOther, byteOp)
	t[0xc1] = e(fGrp2, OpOther, 0)
	t[0xc2] = e(fIw, OpRET, no66)
	t[0xc3] = e(fNone, OpRET, no66)
	t[0xc6] = e(fGrp11, OpMOV, byteOp)
	t[0xc7] = e(fGrp11, OpMOV, 0)
	t[0xc9] = e(fNone, OpOther, no66)
	t[0xcc] = e(fNone, OpINT, 0)
	t[0xcd] = e(fI, OpINT, byteOp)
	t[0xd0] = e(fGrp2, OpOther, byteOp)
	t[0xd1] = e(fGrp2, OpOther, 0)
	t[0xd2] = e(fGrp2, OpOther, byteOp)
	t[0xd3] = e(fGrp2, OpOther, 0)
	t[0xe8] = e(fJ, OpCALL, no66)
	t[0xe9] = e(fJ, OpJMP, no66)
	t[0xeb] = e(fJ, OpJMP, byteOp|no66)
	t[0xf4] = e(fNone, OpRET, 0)
	t[0xf6] = e(fGrp3, OpOther, byteOp|lockOK)
	t[0xf7] = e(fGrp3, OpOther, lockOK)
	t[0xfe] = e(fGrp45, OpOther, byteOp|lockOK)
	t[0xff] = e(fGrp45, OpOther, lockOK)
	return t
}()

// twoByte is the 0F opcode map; 0 sends the opcode to x86asm.
var twoByte = func() (t [256]entry) {
	for c := range 16 {
		t[0x40+c] = e(fGE, OpOther, 0)
		t[0x80+c] = e(fJ, OpJcc, no66)
		t[0x90+c] = e(fE, OpOther, byteOp)
	}
	t[0x05] = e(fNone, OpOther, only64) // syscall
	t[0x0b] = e(fNone, OpRET, 0)        // ud2
	t[0x1f] = e(fE, OpOther, 0)         // nop r/m
	t[0x31] = e(fNone, OpRDTSC, 0)
	t[0xa2] = e(fNone, OpCPUID, 0)
	t[0xa3] = e(fEG, OpOther, 0)
	t[0xab] = e(fEG, OpOther, 0)
	t[0xb3] = e(fEG, OpOther, 0)
	t[0xbb] = e(fEG, OpOther, 0)
	t[0xa4] = e(fEGI, OpOther, 0)
	t[0xac] = e(fEGI, OpOther, 0)
	t[0xa5] = e(fEGCL, OpOther, 0)
	t[0xad] = e(fEGCL, OpOther, 0)
	t[0xaf] = e(fGE, OpOther, 0)
	t[0xb0] = e(fEG, OpOther, byteOp|lockOK)
	t[0xb1] = e(fEG, OpOther, lockOK)
	t[0xc0] = e(fEG, OpOther, byteOp|lockOK)
	t[0xc1] = e(fEG, OpOther, lockOK)
	t[0xb6] = e(fGEb, OpOther, 0)
	t[0xbe] = e(fGEb, OpOther, 0)
	t[0xb7] = e(fGEw, OpOther, 0)
	t[0xbf] = e(fGEw, OpOther, 0)
	t[0xba] = e(fBT, OpOther, 0)
	t[0xbc] = e(fGE, OpOther, 0)
	t[0xbd] = e(fGE, OpOther, 0)
	for _, op := range []int{0x10, 0x11, 0x28, 0x29, 0x2a, 0x2c, 0x2d, 0x2e, 0x2f, 0x51, 0x54, 0x55, 0x56, 0x57,
		0x58, 0x59, 0x5c, 0x5d, 0x5e, 0x5f, 0x6e, 0x6f, 0x7e, 0x7f, 0xd6, 0xef, 0x74, 0x75, 0x76, 0xdb, 0xeb, 0xd7} {
		t[op] = e(fSSE, OpOther, 0)
	}
	return t
}()

// Operand layouts of the SSE instructions, per mandatory prefix.
const (
	sseNone uint8 = iota // handed to x86asm
	sseVW                // xmm, xmm/m
	sseWV                // xmm/m, xmm
	sseVE                // xmm, r/m32 or r/m64
	sseEV                // r/m32 or r/m64, xmm
	sseGW                // r32 or r64, xmm/m
	sseGU                // r32, xmm (register only)
)

// sseForm returns the layout of 0F op with mandatory prefix p (0, 0x66, 0xF3, 0xF2).
func sseForm(op, p byte) uint8 {
	switch op {
	case 0x10, 0x51, 0x58, 0x59, 0x5c, 0x5d, 0x5e, 0x5f:
		return sseVW
	case 0x11:
		return sseWV
	case 0x28, 0x2e, 0x2f, 0x54, 0x55, 0x56, 0x57, 0xef, 0x74, 0x75, 0x76, 0xdb, 0xeb:
		if p == 0 || p == 0x66 {
			return sseVW
		}
	case 0x29:
		if p == 0 || p == 0x66 {
			return sseWV
		}
	case 0x2a:
		if p == 0xf2 || p == 0xf3 {
			return sseVE
		}
	case 0x2c, 0x2d:
		if p == 0xf2 || p == 0xf3 {
			return sseGW
		}
	case 0x6e:
		if p == 0 || p == 0x66 {
			return sseVE
		}
	case 0x7e:
		switch p {
		case 0, 0x66:
			return sseEV
		case 0xf3:
			return sseVW
		}
	case 0x6f:
		if p != 0xf2 {
			return sseVW
		}
	case 0x7f:
		if p != 0xf2 {
			return sseWV
		}
	case 0xd6:
		if p == 0x66 {
			return sseWV
		}
	case 0xd7:
		if p == 0 || p == 0x66 {
			return sseGU
		}
	}
	return sseNone
}

// decoder is the state of one decode.
type decoder struct {
	code    []byte
	pos     int
	mode    int
	size    int  // operand size: 16, 32 or 64
	rex     byte // the REX prefix, 0 when absent
	seg     Reg  // the segment override, 0 when absent
	modrm   byte
	in      *Inst
	mandPfx byte // 0x66, 0xF2 or 0xF3 when present (at most one)
	lock    bool
}

// decodeGeneral decodes every shape the fast path handles; false means x86asm must decide.
// decodeFast calls it for what its quick path leaves.
func decodeGeneral(in *Inst, code []byte, mode int) bool {
	if len(code) > 15 {
		code = code[:15] // x86asm's limit: a longer instruction is cut off
	}
	*in = Inst{}
	d := decoder{code: code, mode: mode, in: in, size: 32}
	if mode != 32 && mode != 64 {
		return false
	}
	// Most instructions have no legacy prefix: test for one with a table before the loop.
	if len(code) > 0 && legacyPrefix[code[0]] && !d.prefixes() {
		return false
	}
	if mode == 64 && d.pos < len(code) && code[d.pos]&0xf0 == 0x40 {
		d.rex = code[d.pos]
		d.pos++
		if d.rex&8 != 0 {
			d.size = 64
		}
	}
	if d.pos >= len(code) {
		return false
	}
	op := code[d.pos]
	d.pos++
	var ok bool
	if op == 0x0f {
		if d.pos >= len(code) {
			return false
		}
		op = code[d.pos]
		d.pos++
		ent := twoByte[op]
		if ent == 0 {
			return false
		}
		if ent&formMask == fSSE {
			ok = d.sse(op)
		} else {
			if d.mandPfx != 0 && d.mandPfx != 0x66 {
				return false
			}
			ok = d.operands(op, ent, true)
		}
	} else {
		ent := oneByte[op]
		if ent == 0 || d.mandPfx != 0 && d.mandPfx != 0x66 {
			return false
		}
		ok = d.operands(op, ent, false)
	}
	if !ok || d.pos > len(code) {
		return false
	}
	in.Len = uint8(d.pos)
	return true
}

// legacyPrefix marks the legacy prefix bytes.
var legacyPrefix = [256]bool{0x66: true, 0xf2: true, 0xf3: true, 0x64: true, 0x65: true, 0x26: true, 0x2e: true, 0x36: true, 0x3e: true, 0xf0: true, 0x67: true}

// prefixes reads the legacy prefixes the fast path handles; decodeGeneral reads a REX prefix.
func (d *decoder) prefixes() bool {
	for ; d.pos < len(d.code); d.pos++ {
		switch b := d.code[d.pos]; b {
		case 0x66, 0xf2, 0xf3:
			if d.mandPfx != 0 {
				return false
			}
			d.mandPfx = b
			if b == 0x66 {
				d.size = 16
			}
		case 0x64:
			d.seg = FS
		case 0x65:
			d.seg = GS
		case 0x26, 0x2e, 0x36, 0x3e:
			if d.mode == 32 {
				return false
			}
			// Ignored in 64-bit mode.
		case 0xf0:
			d.lock = true
		case 0x67:
			return false
		default:
			// Many prefixes: let x86asm apply its limits.
			return d.pos <= 4
		}
	}
	return false
}

// operands decodes the operands of a one-byte (or, when twoByteOp, 0F) opcode.
func (d *decoder) operands(op byte, ent entry, twoByteOp bool) bool {
	in := d.in
	if ent&only64 != 0 && d.mode != 64 || ent&only32 != 0 && d.mode == 64 || ent&no66 != 0 && d.mandPfx == 0x66 || d.lock && ent&lockOK == 0 {
		return false
	}
	in.Op = Op((ent & opMask) >> opShift)
	size := d.size
	if ent&byteOp != 0 {
		size = 8
	} else if ent&def64 != 0 && d.mode == 64 && size == 32 {
		size = 64
	}
	switch ent & formMask {
	case fNone:
		if op == 0x90 && d.rex&1 != 0 {
			return false
		}
		if op == 0xcc {
			in.Args[0] = Arg{Kind: KindImm, Val: 3}
		}
		return true
	case fEG:
		if !d.readModRM() || !d.rm(0, size) {
			return false
		}
		in.Args[1] = d.reg(size)
	case fGE:
		if !d.readModRM() || !d.rm(1, size) {
			return false
		}
		in.Args[0] = d.reg(size)
	case fGM:
		if !d.readModRM() || d.modrm>>6 == 3 || !d.rm(1, size) {
			return false
		}
		in.Args[0] = d.reg(size)
	case fAccI:
		in.Args[0] = Arg{Kind: KindReg, Reg: regOf(size, 0, false)}
		if size == 8 {
			return d.imm8u(1)
		}
		return d.imm(1, immSize(size))
	case fZ:
		in.Args[0] = Arg{Kind: KindReg, Reg: d.opReg(op, size)}
	case fZI:
		in.Args[0] = Arg{Kind: KindReg, Reg: d.opReg(op, size)}
		if size == 8 {
			return d.imm8u(1)
		}
		return d.imm(1, size)
	case fI:
		if op == 0xcd {
			return d.imm8u(0)
		}
		if op == 0x6a {
			return d.imm(0, 8)
		}
		return d.imm(0, immSize(size))
	case fJ:
		n := 4
		if ent&byteOp != 0 {
			n = 1
		}
		return d.rel(n)
	case fGEI:
		if !d.readModRM() || !d.rm(1, d.size) {
			return false
		}
		in.Args[0] = d.reg(d.size)
		if op == 0x6b {
			return d.skip(1)
		}
		return d.skip(immSize(d.size) / 8)
	case fIw:
		if !d.imm(0, 16) {
			return false
		}
		in.Args[0].Val &= 0xffff // x86asm records it unsigned
		return true
	case fGrp1:
		if !d.readModRM() || !d.rm(0, size) {
			return false
		}
		switch op {
		case 0x80:
			return d.imm8u(1)
		case 0x81:
			return d.imm(1, immSize(size))
		}
		return d.imm(1, 8)
	case fGrp2:
		return d.group2(op, size)
	case fGrp3:
		return d.group3(op, size)
	case fGrp45:
		return d.group45(op, size)
	case fGrp11:
		if !d.readModRM() || d.modrm>>3&7 != 0 || !d.rm(0, size) {
			return false
		}
		if size == 8 && !d.imm8u(1) || size != 8 && !d.imm(1, immSize(size)) {
			return false
		}
		if in.Args[0].Kind == KindMem {
			in.MemBytes = uint8(size / 8)
		}
		return true
	case fGEb, fGEw:
		n := 8
		if ent&formMask == fGEw {
			n = 16
		}
		if !d.readModRM() || !d.rm(1, n) {
			return false
		}
		in.Args[0] = d.reg(size)
	case fE:
		if !d.readModRM() {
			return false
		}
		if op == 0x1f && (size == 64 || d.modrm>>3&7 != 0) {
			return false // x86asm knows nop r/m16 and r/m32 only as 0F 1F /0
		}
		if !d.rm(0, size) {
			return false
		}
	case fEGI, fEGCL:
		if !d.readModRM() || !d.rm(0, size) {
			return false
		}
		in.Args[1] = d.reg(size)
		if ent&formMask == fEGI {
			return d.skip(1)
		}
	case fGEd:
		if d.rex&8 == 0 || !d.readModRM() || !d.rm(1, 32) {
			return false
		}
		in.Args[0] = d.reg(64)
	case fBT:
		if !d.readModRM() || d.modrm>>3&7 < 4 || !d.rm(0, size) {
			return false
		}
		return d.imm8u(1)
	default:
		return false
	}
	if in.Op == OpMOV && in.Args[0].Kind == KindMem {
		in.MemBytes = uint8(size / 8)
	}
	return true
}

// group2 decodes the shifts and rotates: C0/C1 r/m, imm8; D0/D1 r/m, 1; D2/D3 r/m, CL.
func (d *decoder) group2(op byte, size int) bool {
	if !d.readModRM() {
		return false
	}
	switch d.modrm >> 3 & 7 {
	case 0:
		d.in.Op = OpROL
	case 1:
		d.in.Op = OpROR
	case 6:
		return false
	}
	if !d.rm(0, size) {
		return false
	}
	switch op {
	case 0xc0, 0xc1:
		return d.imm8u(1)
	case 0xd0, 0xd1:
		d.in.Args[1] = Arg{Kind: KindImm, Val: 1}
	default:
		d.in.Args[1] = Arg{Kind: KindReg, Reg: CL}
	}
	return true
}

// group3 decodes F6/F7: test r/m, imm; not, neg, mul, imul, div, idiv r/m.
func (d *decoder) group3(op byte, size int) bool {
	if !d.readModRM() {
		return false
	}
	r := d.modrm >> 3 & 7
	if r == 1 || !d.rm(0, size) {
		return false
	}
	if r == 0 && size == 8 {
		return d.imm8u(1)
	}
	if r == 0 {
		return d.imm(1, immSize(size))
	}
	return true
}

// group45 decodes FE/FF: inc, dec r/m; call, jmp, push r/m.
func (d *decoder) group45(op byte, size int) bool {
	if !d.readModRM() {
		return false
	}
	r := d.modrm >> 3 & 7
	switch {
	case r <= 1:
	case op == 0xfe:
		return false
	case r == 2 || r == 4 || r == 6:
		if d.mandPfx == 0x66 {
			return false
		}
		if d.mode == 64 {
			size = 64
		}
		d.in.Op = [8]Op{2: OpCALL, 4: OpJMP, 6: OpPUSH}[r]
	default:
		return false
	}
	return d.rm(0, size)
}

// sse decodes the SSE instructions of the 0F map.
func (d *decoder) sse(op byte) bool {
	form := sseForm(op, d.mandPfx)
	if form == sseNone || d.lock || !d.readModRM() {
		return false
	}
	d.in.Op = OpOther
	gsize := 32
	if d.rex&8 != 0 {
		gsize = 64
	}
	other := Arg{Kind: KindReg, Reg: RegOther}
	switch form {
	case sseVW:
		d.in.Args[0] = other
		return d.rm(1, -1)
	case sseWV:
		d.in.Args[1] = other
		return d.rm(0, -1)
	case sseVE:
		d.in.Args[0] = other
		return d.rm(1, gsize)
	case sseEV:
		d.in.Args[1] = other
		return d.rm(0, gsize)
	case sseGW:
		d.in.Args[0] = d.reg(gsize)
		return d.rm(1, -1)
	case sseGU:
		if d.modrm>>6 != 3 || d.rex&8 != 0 {
			return false
		}
		d.in.Args[0] = d.reg(32)
		d.in.Args[1] = other
		return true
	}
	return false
}

func (d *decoder) readModRM() bool {
	if d.pos >= len(d.code) {
		return false
	}
	d.modrm = d.code[d.pos]
	d.pos++
	return true
}

// reg returns the register operand named by ModR/M.reg.
func (d *decoder) reg(size int) Arg {
	n := d.modrm >> 3 & 7
	if d.rex&4 != 0 {
		n |= 8
	}
	return Arg{Kind: KindReg, Reg: regOf(size, n, d.rex != 0)}
}

// opReg returns the register named by the opcode's low three bits.
func (d *decoder) opReg(op byte, size int) Reg {
	n := op & 7
	if d.rex&1 != 0 {
		n |= 8
	}
	return regOf(size, n, d.rex != 0)
}

// regOf returns general-purpose register n of the given size; size -1 is an XMM or MMX
// register. With a REX prefix, byte registers 4-7 are SPL, BPL, SIL, DIL, not AH-BH.
func regOf(size int, n byte, rex bool) Reg {
	switch size {
	case 8:
		if rex && n >= 4 {
			return SPB + Reg(n-4)
		}
		return AL + Reg(n)
	case 16:
		return AX + Reg(n)
	case 32:
		return EAX + Reg(n)
	case 64:
		return RAX + Reg(n)
	}
	return RegOther
}

// rm decodes the ModR/M r/m operand (with SIB and displacement) into Args[i].
func (d *decoder) rm(i int, size int) bool {
	in := d.in
	mod, rm := d.modrm>>6, d.modrm&7
	if mod == 3 {
		if d.rex&1 != 0 {
			rm |= 8
		}
		in.Args[i] = Arg{Kind: KindReg, Reg: regOf(size, rm, d.rex != 0)}
		return true
	}
	base := EAX // 32-bit addressing
	if d.mode == 64 {
		base = RAX
	}
	a := Arg{Kind: KindMem, Seg: d.seg}
	dispBase := false // disp32 without a base register
	if rm == 4 {
		if d.pos >= len(d.code) {
			return false
		}
		sib := d.code[d.pos]
		d.pos++
		b, x := sib&7, sib>>3&7
		if d.rex&1 != 0 {
			b |= 8
		}
		if d.rex&2 != 0 {
			x |= 8
		}
		if x != 4 {
			a.Index = base + Reg(x)
		}
		if b&7 == 5 && mod == 0 {
			dispBase = true
		} else {
			a.Base = base + Reg(b)
		}
	} else {
		if d.rex&1 != 0 {
			rm |= 8
		}
		if mod == 0 && rm&7 == 5 {
			dispBase = true
			if d.mode == 64 {
				a.Base = RIP
			}
		} else {
			a.Base = base + Reg(rm)
		}
	}
	switch {
	case mod == 1:
		if d.pos >= len(d.code) {
			return false
		}
		a.Val = int64(int8(d.code[d.pos]))
		d.pos++
	case mod == 2 || dispBase:
		if d.pos+4 > len(d.code) {
			return false
		}
		a.Val = int64(int32(le32(d.code[d.pos:])))
		d.pos += 4
	}
	if a.Base == 0 && a.Index == 0 && (a.Seg == FS && a.Val == 0x30 || a.Seg == GS && a.Val == 0x60) {
		in.PEB = true
	}
	in.Args[i] = a
	return true
}

// immSize is the size of an immediate for an operand of the given size: 64-bit operands take
// a sign-extended 32-bit immediate.
func immSize(size int) int {
	if size == 64 {
		return 32
	}
	return size
}

// imm reads an immediate of the given size in bits into Args[i], sign-extended.
func (d *decoder) imm(i int, size int) bool {
	return d.immediate(i, size, true)
}

// imm8u reads an 8-bit immediate into Args[i], zero-extended: x86asm records the immediate of
// a byte operation, a shift count or an interrupt number as unsigned.
func (d *decoder) imm8u(i int) bool {
	return d.immediate(i, 8, false)
}

func (d *decoder) immediate(i int, size int, signed bool) bool {
	n := size / 8
	if d.pos+n > len(d.code) {
		return false
	}
	b := d.code[d.pos:]
	var v int64
	switch n {
	case 1:
		v = int64(b[0])
		if signed {
			v = int64(int8(b[0]))
		}
	case 2:
		v = int64(int16(uint16(b[0]) | uint16(b[1])<<8))
	case 4:
		v = int64(int32(le32(b)))
	case 8:
		v = int64(uint64(le32(b)) | uint64(le32(b[4:]))<<32)
	}
	d.pos += n
	d.in.Args[i] = Arg{Kind: KindImm, Val: v}
	return true
}

// rel reads an n-byte branch displacement into Args[0].
func (d *decoder) rel(n int) bool {
	if !d.imm(0, n*8) {
		return false
	}
	d.in.Args[0].Kind = KindRel
	return true
}

// skip steps over n bytes the walk does not read (a third operand).
func (d *decoder) skip(n int) bool {
	d.pos += n
	return d.pos <= len(d.code)
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
