/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 instruction decoder for MMIO and string-I/O emulation.
 *
 * Scope: the instructions a guest uses to touch device memory, starting
 * with the MOV family:
 *   88/89/8A/8B   mov r/m,reg and mov reg,r/m
 *   C6 /0, C7 /0  mov r/m,imm
 *   A0-A3         mov al/eAX <-> moffs
 *   0F B6/B7      movzx reg, r/m8 / r/m16
 *   0F BE/BF      movsx reg, r/m8 / r/m16
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
};

enum vireo_insn_ext {
	VIREO_EXT_NONE = 0,
	VIREO_EXT_ZERO,		/* movzx */
	VIREO_EXT_SIGN,		/* movsx */
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
	uint8_t access_size;	/* bytes read or written in memory: 1, 2, 4, 8 */
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

/* Segment register by enum vireo_seg. */
const struct vireo_segment *vireo_sreg(const struct vireo_sregs *sregs, unsigned int seg);

#endif /* VIREO_DECODE_H */
