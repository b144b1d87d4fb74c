/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 instruction decoder for MMIO and string-I/O emulation.
 *
 * Scope: every instruction with a memory operand that a guest can aim at
 * device memory (SDM vol. 2 opcode map, appendix A):
 *   MOV family      88-8B, C6/C7 /0, A0-A3, 0F B6/B7/BE/BF, 0F C3 (MOVNTI)
 *   ALU             00-3B (ADD OR ADC SBB AND SUB XOR CMP), 80-83, 84/85 TEST,
 *                   F6/F7 /0 TEST /2 NOT /3 NEG /4-7 MUL IMUL DIV IDIV,
 *                   FE/FF /0 INC /1 DEC, 69/6B/0F AF IMUL
 *   shifts          C0/C1, D0-D3 (ROL ROR RCL RCR SHL SHR SAR)
 *   bits            0F A3/AB/B3/BB, 0F BA /4-7 (BT BTS BTR BTC),
 *                   0F BC/BD (BSF BSR), 0F A4/A5/AC/AD (SHLD SHRD)
 *   conditions      0F 90-9F SETcc, 0F 40-4F CMOVcc
 *   exchange        86/87 XCHG, 0F B0/B1 CMPXCHG, 0F C0/C1 XADD,
 *                   0F C7 /1 CMPXCHG8B/CMPXCHG16B
 *   stack           FF /6 PUSH, 8F /0 POP
 *   strings         A4-A7, AA-AF (MOVS CMPS STOS LODS SCAS, REP/REPE/REPNE)
 *   vector moves    SSE and VEX.128/256 MOVUPS/MOVUPD/MOVAPS/MOVAPD,
 *                   MOVSS/MOVSD, MOVDQA/MOVDQU, MOVNTPS/MOVNTPD/MOVNTDQ,
 *                   MOVD/MOVQ, MOVLPS/MOVHPS/MOVLPD/MOVHPD (legacy SSE)
 * and, for string I/O, the length and prefixes of 6C-6F (INS/OUTS).
 * Anything else is rejected with a message in insn->error.  The decoder is
 * pure (no vCPU, no memory): bytes and a CPU mode in, a description out.
 */
#ifndef VIREO_DECODE_H
#define VIREO_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vireo.h>

/* Code-segment mode: the default operand and address size. */
enum vireo_cpu_mode {
	VIREO_MODE_16 = 2,	/* real mode, VM86, or 16-bit protected code */
	VIREO_MODE_32 = 4,	/* 32-bit protected or compatibility mode */
	VIREO_MODE_64 = 8,	/* 64-bit mode (EFER.LMA and CS.L) */
};

/* From CR0.PE, EFER.LMA, CS.L, CS.D and RFLAGS.VM. */
enum vireo_cpu_mode vireo_cpu_mode(const struct vireo_sregs *sregs, uint64_t rflags);

/* Segment registers, in the encoding order of the override prefixes. */
enum vireo_seg {
	VIREO_SEG_ES = 0,
	VIREO_SEG_CS,
	VIREO_SEG_SS,
	VIREO_SEG_DS,
	VIREO_SEG_FS,
	VIREO_SEG_GS,
};

/* General registers in x86 encoding order (ModRM.reg with REX.R, ...). */
enum vireo_gpr {
	VIREO_GPR_RAX = 0,
	VIREO_GPR_RCX,
	VIREO_GPR_RDX,
	VIREO_GPR_RBX,
	VIREO_GPR_RSP,
	VIREO_GPR_RBP,
	VIREO_GPR_RSI,
	VIREO_GPR_RDI,
	VIREO_GPR_R8,
	/* ... R9 - R15 are 9 - 15 */
	VIREO_GPR_NONE = 0xff,
};

/* Pointer to a register in struct vireo_regs by encoding number (0-15). */
__u64 *vireo_gpr(struct vireo_regs *regs, unsigned int gpr);

enum vireo_insn_op {
	VIREO_OP_LOAD = 1,	/* memory -> register */
	VIREO_OP_STORE,		/* register or immediate -> memory */
	VIREO_OP_INS,		/* port -> ES:rDI (6C/6D) */
	VIREO_OP_OUTS,		/* seg:rSI -> port (6E/6F) */
	VIREO_OP_ALU,		/* alu (ADD..CMP, TEST) between memory and reg/imm */
	VIREO_OP_UNARY,		/* alu INC DEC NOT NEG on memory */
	VIREO_OP_MULDIV,	/* alu MUL IMUL DIV IDIV: rDX:rAX with memory */
	VIREO_OP_IMUL,		/* reg = memory * (imm or reg): 69, 6B, 0F AF */
	VIREO_OP_SHIFT,		/* alu ROL..SAR, count imm or CL (count_cl) */
	VIREO_OP_BITTEST,	/* alu BT BTS BTR BTC, offset imm or reg */
	VIREO_OP_XCHG,
	VIREO_OP_CMPXCHG,
	VIREO_OP_XADD,
	VIREO_OP_PUSH,		/* FF /6: push memory */
	VIREO_OP_POP,		/* 8F /0: pop into memory */
	VIREO_OP_MOVS,
	VIREO_OP_CMPS,
	VIREO_OP_STOS,
	VIREO_OP_LODS,
	VIREO_OP_SCAS,
	VIREO_OP_VLOAD,		/* memory -> vector register (vec) */
	VIREO_OP_VSTORE,	/* vector register -> memory (vec) */
	VIREO_OP_SETCC,		/* 0F 90-9F: byte = condition (cond) */
	VIREO_OP_CMOV,		/* 0F 40-4F: reg = memory if condition (cond) */
	VIREO_OP_SHIFTD,	/* SHLD/SHRD (alu SHL/SHR): memory, reg, imm or CL */
	VIREO_OP_BITSCAN,	/* BSF/BSR (alu BSF/BSR): reg = index of a set bit */
	VIREO_OP_CMPXCHG2,	/* CMPXCHG8B/16B: rDX:rAX against memory */
};

/* The arithmetic of ALU, UNARY, MULDIV, SHIFT and BITTEST (emulate_alu.c). */
enum vireo_alu {
	/* 00-3F and 80-83 /digit order */
	VIREO_ALU_ADD = 0,
	VIREO_ALU_OR,
	VIREO_ALU_ADC,
	VIREO_ALU_SBB,
	VIREO_ALU_AND,
	VIREO_ALU_SUB,
	VIREO_ALU_XOR,
	VIREO_ALU_CMP,
	VIREO_ALU_TEST,
	VIREO_ALU_INC,
	VIREO_ALU_DEC,
	VIREO_ALU_NOT,
	VIREO_ALU_NEG,
	VIREO_ALU_MUL,
	VIREO_ALU_IMUL,
	VIREO_ALU_DIV,
	VIREO_ALU_IDIV,
	/* C0-D3 /digit order (/6 is an alias of SHL) */
	VIREO_ALU_ROL,
	VIREO_ALU_ROR,
	VIREO_ALU_RCL,
	VIREO_ALU_RCR,
	VIREO_ALU_SHL,
	VIREO_ALU_SHR,
	VIREO_ALU_SAL,
	VIREO_ALU_SAR,
	/* 0F BA /4-/7 order */
	VIREO_ALU_BT,
	VIREO_ALU_BTS,
	VIREO_ALU_BTR,
	VIREO_ALU_BTC,
	VIREO_ALU_BSF,
	VIREO_ALU_BSR,
};

enum vireo_insn_ext {
	VIREO_EXT_NONE = 0,
	VIREO_EXT_ZERO,		/* movzx */
	VIREO_EXT_SIGN,		/* movsx */
};

/* How a vector move treats the register (op VLOAD / VSTORE). */
struct vireo_insn_vec {
	uint8_t reg;		/* XMM/YMM number 0-15 */
	uint8_t offset;		/* byte offset in the register: 8 for MOVHPS */
	bool aligned;		/* #GP unless the address is access_size aligned */
	bool vex;		/* VEX-encoded (AVX): #UD rules differ */
	/* A load writes access_size bytes at offset, then zeroes: */
	uint8_t zero_to;	/* ...bytes [offset + access_size, zero_to) */
};

/* The memory operand, as written; vireo_insn_linear() evaluates it. */
struct vireo_insn_mem {
	uint8_t seg;		/* enum vireo_seg after overrides */
	uint8_t base;		/* enum vireo_gpr or VIREO_GPR_NONE */
	uint8_t index;		/* enum vireo_gpr or VIREO_GPR_NONE */
	uint8_t scale;		/* 1, 2, 4, 8 */
	bool rip_relative;	/* 64-bit mode, ModRM mod=0 rm=5 */
	bool moffs;		/* A0-A3: disp is the full offset */
	int64_t disp;		/* sign-extended displacement */
};

struct vireo_insn {
	uint8_t len;		/* total bytes, prefixes included */
	uint8_t op;		/* enum vireo_insn_op */
	uint8_t mode;		/* enum vireo_cpu_mode it was decoded in */
	uint8_t opsize;		/* operand size: 2, 4, 8 (1 for byte forms) */
	uint8_t addrsize;	/* address size: 2, 4, 8 */
	uint8_t access_size;	/* bytes per memory access: 1, 2, 4, 8 (16, 32: vec) */
	uint8_t reg;		/* register operand (enum vireo_gpr), or NONE */
	bool reg_high8;		/* reg is AH/CH/DH/BH: bits 15:8 of reg & 3 */
	uint8_t ext;		/* enum vireo_insn_ext for loads */
	bool has_imm;		/* store of imm instead of reg */
	uint64_t imm;		/* immediate, already sign-extended to opsize */
	uint8_t rep;		/* 0, 0xf2 or 0xf3: last REP prefix seen */
	bool lock;
	uint8_t seg_override;	/* enum vireo_seg, or 0xff: none */
	uint8_t rex;		/* the REX byte, 0 if none */
	uint8_t opcode[2];	/* opcode bytes (second only after 0F) */
	uint8_t alu;		/* enum vireo_alu for ALU .. BITTEST */
	bool mem_is_dst;	/* ALU: memory is the destination, reg the source */
	bool count_cl;		/* SHIFT: the count is CL, not imm */
	bool opsize_pfx;	/* a 66 prefix was seen */
	uint8_t cond;		/* SETCC, CMOV: the condition code (opcode & 15) */
	struct vireo_insn_vec vec;
	struct vireo_insn_mem mem;
	char error[80];		/* why decoding failed */
};

/*
 * Decode one instruction from bytes[0 .. avail).  Returns 0, or:
 *   -ENODATA  the instruction continues past avail (fetch more bytes)
 *   -E2BIG    it would be longer than 15 bytes (the CPU raises #GP)
 *   -ENOTSUP  not an instruction this decoder handles (see insn->error)
 *   -EINVAL   a handled opcode in an invalid form, e.g. a register
 *             operand where only memory can have caused an exit
 */
int vireo_decode(const uint8_t *bytes, size_t avail, enum vireo_cpu_mode mode,
		 struct vireo_insn *insn);

/*
 * Decode an INS/OUTS (6C-6F) for string-I/O emulation: prefixes, length,
 * segment override, REP.  Same return values as vireo_decode().
 */
int vireo_decode_string_io(const uint8_t *bytes, size_t avail, enum vireo_cpu_mode mode,
			   struct vireo_insn *insn);

/*
 * Linear address of insn's memory operand: segment base (ignored in 64-bit
 * mode except FS/GS) plus the effective address truncated to the address
 * size.  RIP-relative operands are relative to the next instruction, so
 * regs->rip must still point at this one.
 */
uint64_t vireo_insn_linear(const struct vireo_insn *insn, const struct vireo_regs *regs,
			   const struct vireo_sregs *sregs);

/* The value a store writes: the register (right width) or the immediate. */
uint64_t vireo_insn_store_value(const struct vireo_insn *insn, const struct vireo_regs *regs);

/*
 * Complete a load: write value (access_size bytes read from memory) to the
 * destination register with the architectural rules: 8- and 16-bit
 * destinations merge into the register, 32-bit ones zero-extend to 64
 * bits, movzx/movsx extend to the operand size first.
 */
void vireo_insn_writeback(const struct vireo_insn *insn, struct vireo_regs *regs,
			  uint64_t value);

/*
 * Read or write general register gpr as size bytes (high8: AH..BH), with
 * the write rules of vireo_insn_writeback() (no extension).
 */
uint64_t vireo_gpr_read(const struct vireo_regs *regs, unsigned int gpr, bool high8,
			unsigned int size);
void vireo_gpr_write(struct vireo_regs *regs, unsigned int gpr, bool high8, unsigned int size,
		     uint64_t value);

/* Segment register by enum vireo_seg. */
const struct vireo_segment *vireo_sreg(const struct vireo_sregs *sregs, unsigned int seg);

#endif /* VIREO_DECODE_H */
