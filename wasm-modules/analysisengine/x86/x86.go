// Package x86 decodes the facts about x86 and x86-64 instructions that the analysis engine's
// walk reads: the length, what kind of instruction it is (move, call, jump, conditional jump,
// return, push, interrupt, …) and its first two operands (register, memory operand,
// immediate, branch displacement).
//
// golang.org/x/arch/x86/x86asm decodes every instruction completely, with one large
// table-driven function and interface-boxed operands; inside WASM that costs about 9 µs per
// instruction, ten times the native cost (docs/benchmarks.md, analysis-engine). Decode
// handles the instructions compilers emit with small table lookups and no allocation, and
// hands everything else (rare prefixes, x87, string instructions, VEX, three-byte opcodes,
// anything it is not sure of) to x86asm, converting that result to the same facts. The tests
// hold the fast path to x86asm on every field, over real code and random bytes.
package x86

import "golang.org/x/arch/x86/x86asm"

// Op is the class of an instruction, as far as the walk distinguishes them.
type Op uint8

// The instruction classes.
const (
	// OpInvalid is what x86asm rejects with an error: the walk stops there.
	OpInvalid Op = iota
	// OpPrefix is a prefix byte that x86asm reports as a one-byte instruction of its own,
	// because what follows it is invalid or cut off.
	OpPrefix
	OpOther
	OpMOV
	OpCALL
	OpJMP
	// OpJcc is a conditional branch: Jcc, JCXZ/JECXZ/JRCXZ and LOOP/LOOPE/LOOPNE.
	OpJcc
	// OpRET ends the flow: RET, LRET, HLT, UD2, IRET/IRETD/IRETQ.
	OpRET
	OpPUSH
	OpINT
	OpRDTSC
	OpCPUID
	OpROL
	OpROR
)

// Kind is the kind of an operand.
type Kind uint8

// The operand kinds.
const (
	KindNone Kind = iota
	KindReg
	KindMem
	KindImm
	KindRel
)

// Reg is a register. The general-purpose registers and the instruction pointers have
// x86asm's numbers; the segment registers have their own; every other register (x87, MMX,
// XMM, control, debug) is RegOther, because nothing the walk records can flow through them.
type Reg uint8

// The registers, in x86asm's order.
const (
	_ Reg = iota
	AL
	CL
	DL
	BL
	AH
	CH
	DH
	BH
	SPB
	BPB
	SIB
	DIB
	R8B
	R9B
	R10B
	R11B
	R12B
	R13B
	R14B
	R15B
	AX
	CX
	DX
	BX
	SP
	BP
	SI
	DI
	R8W
	R9W
	R10W
	R11W
	R12W
	R13W
	R14W
	R15W
	EAX
	ECX
	EDX
	EBX
	ESP
	EBP
	ESI
	EDI
	R8L
	R9L
	R10L
	R11L
	R12L
	R13L
	R14L
	R15L
	RAX
	RCX
	RDX
	RBX
	RSP
	RBP
	RSI
	RDI
	R8
	R9
	R10
	R11
	R12
	R13
	R14
	R15
	IP
	EIP
	RIP
	ES
	CS
	SS
	DS
	FS
	GS
	// RegOther is any register not listed above.
	RegOther Reg = 255
)

// Arg is one operand.
type Arg struct {
	Kind Kind
	Reg  Reg // KindReg
	// Seg, Base and Index describe a memory operand (KindMem); 0 when absent.
	Seg, Base, Index Reg
	// Val is the immediate (KindImm), the branch displacement from the end of the instruction
	// (KindRel) or the memory displacement (KindMem).
	Val int64
}

// Inst is the decoded facts about one instruction.
type Inst struct {
	Len uint8
	Op  Op
	// MemBytes is the size of the memory written by a MOV to memory; 0 for everything else.
	MemBytes uint8
	// PEB is set when an operand is fs:[0x30] or gs:[0x60] without base or index: where the
	// process environment block's address is read from on x86 and x86-64 Windows.
	PEB bool
	// Args are the first two operands, in Intel order (destination first).
	Args [2]Arg
}

// Decode decodes the instruction at the start of code in mode 32 or 64 into in.
func Decode(in *Inst, code []byte, mode int) {
	if !decodeFast(in, code, mode) {
		DecodeX86asm(in, code, mode)
	}
}

// DecodeFast decodes the common instructions into in, as Decode does, or returns false when
// DecodeX86asm must decide. A hot loop calls it and DecodeX86asm itself, one call fewer than
// Decode (inside WASM a call costs about 10 ns and spills the caller's live values).
func DecodeFast(in *Inst, code []byte, mode int) bool {
	return decodeFast(in, code, mode)
}

// DecodeX86asm decodes with x86asm alone: the reference Decode is held to.
func DecodeX86asm(in *Inst, code []byte, mode int) {
	inst, err := x86asm.Decode(code, mode)
	FromX86asm(in, inst, err)
}

// FromX86asm converts what x86asm.Decode returned to the facts Decode reports.
func FromX86asm(in *Inst, inst x86asm.Inst, err error) {
	*in = Inst{}
	if err != nil || inst.Len == 0 {
		return
	}
	in.Len = uint8(inst.Len)
	in.Op = opClass(inst.Op)
	for i, a := range inst.Args {
		if a == nil {
			break
		}
		var arg Arg
		switch a := a.(type) {
		case x86asm.Reg:
			arg = Arg{Kind: KindReg, Reg: fromX86asmReg(a)}
		case x86asm.Mem:
			arg = Arg{Kind: KindMem, Seg: fromX86asmReg(a.Segment), Base: fromX86asmReg(a.Base), Index: fromX86asmReg(a.Index), Val: a.Disp}
			if arg.Base == 0 && arg.Index == 0 && (arg.Seg == FS && arg.Val == 0x30 || arg.Seg == GS && arg.Val == 0x60) {
				in.PEB = true
			}
		case x86asm.Imm:
			arg = Arg{Kind: KindImm, Val: int64(a)}
		case x86asm.Rel:
			arg = Arg{Kind: KindRel, Val: int64(a)}
		}
		if i < len(in.Args) {
			in.Args[i] = arg
		}
	}
	if in.Op == OpMOV && in.Args[0].Kind == KindMem {
		in.MemBytes = uint8(inst.MemBytes)
	}
}

func fromX86asmReg(r x86asm.Reg) Reg {
	switch {
	case r == 0:
		return 0
	case r <= x86asm.RIP:
		return Reg(r) // the same numbering
	case r >= x86asm.ES && r <= x86asm.GS:
		return ES + Reg(r-x86asm.ES)
	}
	return RegOther
}

func opClass(op x86asm.Op) Op {
	switch op {
	case 0:
		return OpPrefix
	case x86asm.MOV:
		return OpMOV
	case x86asm.CALL:
		return OpCALL
	case x86asm.JMP:
		return OpJMP
	case x86asm.JA, x86asm.JAE, x86asm.JB, x86asm.JBE, x86asm.JE, x86asm.JG, x86asm.JGE, x86asm.JL,
		x86asm.JLE, x86asm.JNE, x86asm.JNO, x86asm.JNP, x86asm.JNS, x86asm.JO, x86asm.JP, x86asm.JS,
		x86asm.JCXZ, x86asm.JECXZ, x86asm.JRCXZ, x86asm.LOOP, x86asm.LOOPE, x86asm.LOOPNE:
		return OpJcc
	case x86asm.RET, x86asm.LRET, x86asm.HLT, x86asm.UD2, x86asm.IRET, x86asm.IRETD, x86asm.IRETQ:
		return OpRET
	case x86asm.PUSH:
		return OpPUSH
	case x86asm.INT:
		return OpINT
	case x86asm.RDTSC:
		return OpRDTSC
	case x86asm.CPUID:
		return OpCPUID
	case x86asm.ROL:
		return OpROL
	case x86asm.ROR:
		return OpROR
	}
	return OpOther
}
