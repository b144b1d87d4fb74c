// SPDX-License-Identifier: GPL-2.0
/*
 * Integer instructions with a memory operand: MOV family, ALU, shifts, bit
 * tests, exchanges, MUL/DIV and PUSH/POP of memory.  The memory operand is
 * the device at the exit's address; read-modify-write instructions read it
 * once and write it once, with the operand's width (the order and width
 * the CPU uses for a locked operation).
 */
#include <errno.h>

#include "emulate_internal.h"

static int read_operand(struct emu_op *op, uint64_t *v)
{
	*v = 0;
	return emu_operand_read(op, v, op->insn->access_size);
}

static int write_operand(struct emu_op *op, uint64_t v)
{
	return emu_operand_write(op, &v, op->insn->access_size);
}

static uint64_t reg_value(const struct emu_op *op)
{
	const struct vireo_insn *insn = op->insn;

	return vireo_gpr_read(&op->r, insn->reg, insn->reg_high8, insn->opsize);
}

static void set_reg_value(struct emu_op *op, uint64_t v)
{
	const struct vireo_insn *insn = op->insn;

	vireo_gpr_write(&op->r, insn->reg, insn->reg_high8, insn->opsize, v);
}

/* The linear address of the memory operand, for alignment checks. */
static uint64_t operand_linear(const struct emu_op *op, int64_t extra)
{
	return vireo_insn_linear(op->insn, op->emu->regs, op->emu->sregs) + (uint64_t)extra;
}

static int alu(struct emu_op *op)
{
	const struct vireo_insn *insn = op->insn;
	uint64_t m, other, res;
	int ret;

	ret = read_operand(op, &m);
	if (ret)
		return ret;
	other = insn->has_imm ? insn->imm : reg_value(op);
	if (insn->mem_is_dst) {
		res = vireo_alu(insn->alu, insn->opsize, m, other, &op->r.rflags);
		if (insn->alu == VIREO_ALU_CMP || insn->alu == VIREO_ALU_TEST)
			return 0;
		return write_operand(op, res);
	}
	res = vireo_alu(insn->alu, insn->opsize, other, m, &op->r.rflags);
	if (insn->alu != VIREO_ALU_CMP)
		set_reg_value(op, res);
	return 0;
}

/* INC DEC NOT NEG; and shifts/rotates, whose count is imm8, 1 or CL. */
static int modify(struct emu_op *op)
{
	const struct vireo_insn *insn = op->insn;
	uint64_t m, src = 0;
	int ret;

	ret = read_operand(op, &m);
	if (ret)
		return ret;
	if (insn->op == VIREO_OP_SHIFT)
		src = insn->count_cl ? op->r.rcx & 0xff : insn->imm;
	return write_operand(op, vireo_alu(insn->alu, insn->opsize, m, src, &op->r.rflags));
}

static int muldiv(struct emu_op *op)
{
	uint64_t m;
	int ret;

	ret = read_operand(op, &m);
	if (ret)
		return ret;
	if (vireo_alu_muldiv(op->insn->alu, op->insn->opsize, m, &op->r.rax, &op->r.rdx,
			     &op->r.rflags))
		return emu_raise(op, VIREO_VEC_DE, false, 0);
	return 0;
}

static int imul(struct emu_op *op)
{
	const struct vireo_insn *insn = op->insn;
	uint64_t m;
	int ret;

	ret = read_operand(op, &m);
	if (ret)
		return ret;
	set_reg_value(op, vireo_alu_imul2(insn->opsize, m, insn->has_imm ? insn->imm :
					  reg_value(op), &op->r.rflags));
	return 0;
}

/*
 * BT family.  An immediate offset is taken modulo the operand width; a
 * register offset is signed and may address beyond the operand: the CPU
 * then accesses the operand-sized word EA + width * (offset DIV width)
 * (SDM vol. 2 BT), which is the address the exit reports.
 */
static int bittest(struct emu_op *op)
{
	const struct vireo_insn *insn = op->insn;
	unsigned int bits = insn->opsize * 8;
	uint64_t m, res;
	unsigned int bit;
	int ret;

	if (insn->has_imm) {
		bit = insn->imm & (bits - 1);
	} else {
		int64_t off = (int64_t)(reg_value(op) << (64 - bits)) >> (64 - bits);

		bit = (unsigned int)(off & (bits - 1));
	}
	ret = read_operand(op, &m);
	if (ret)
		return ret;
	res = vireo_alu_bit(insn->alu, m, bit, &op->r.rflags);
	if (insn->alu == VIREO_ALU_BT)
		return 0;
	return write_operand(op, res);
}

static int xchg(struct emu_op *op)
{
	uint64_t m;
	int ret;

	ret = read_operand(op, &m);
	if (ret)
		return ret;
	ret = write_operand(op, reg_value(op));
	if (ret)
		return ret;
	set_reg_value(op, m);
	return 0;
}

/*
 * CMPXCHG: the destination is written either way (the old value when the
 * compare fails), and the accumulator only on failure (SDM vol. 2 CMPXCHG).
 */
static int cmpxchg(struct emu_op *op)
{
	const struct vireo_insn *insn = op->insn;
	uint64_t m, acc;
	int ret;

	ret = read_operand(op, &m);
	if (ret)
		return ret;
	acc = vireo_gpr_read(&op->r, VIREO_GPR_RAX, false, insn->opsize);
	vireo_alu(VIREO_ALU_CMP, insn->opsize, acc, m, &op->r.rflags);
	if (op->r.rflags & VIREO_RFLAGS_ZF)
		return write_operand(op, reg_value(op));
	ret = write_operand(op, m);
	if (ret)
		return ret;
	vireo_gpr_write(&op->r, VIREO_GPR_RAX, false, insn->opsize, m);
	return 0;
}

static int xadd(struct emu_op *op)
{
	uint64_t m, sum;
	int ret;

	ret = read_operand(op, &m);
	if (ret)
		return ret;
	sum = vireo_alu(VIREO_ALU_ADD, op->insn->opsize, m, reg_value(op), &op->r.rflags);
	ret = write_operand(op, sum);
	if (ret)
		return ret;
	set_reg_value(op, m);
	return 0;
}

/* SETcc: one byte, 1 or 0, written whatever the condition. */
static int setcc(struct emu_op *op)
{
	return write_operand(op, vireo_alu_cond(op->insn->cond, op->r.rflags));
}

/*
 * CMOVcc: the memory operand is read whatever the condition; a 32-bit
 * destination is zero-extended even when nothing moves (SDM vol. 2 CMOVcc).
 */
static int cmov(struct emu_op *op)
{
	uint64_t m;
	int ret;

	ret = read_operand(op, &m);
	if (ret)
		return ret;
	set_reg_value(op, vireo_alu_cond(op->insn->cond, op->r.rflags) ? m : reg_value(op));
	return 0;
}

static int shiftd(struct emu_op *op)
{
	const struct vireo_insn *insn = op->insn;
	unsigned int count = insn->count_cl ? op->r.rcx & 0xff : (unsigned int)insn->imm;
	uint64_t m;
	int ret;

	ret = read_operand(op, &m);
	if (ret)
		return ret;
	return write_operand(op, vireo_alu_shiftd(insn->alu, insn->opsize, m, reg_value(op), count,
						  &op->r.rflags));
}

/*
 * BSF/BSR: ZF says whether the source is 0; then the destination is
 * undefined (kept, as CPUs do) and CF, OF, SF, AF, PF are undefined (kept).
 */
static int bitscan(struct emu_op *op)
{
	const struct vireo_insn *insn = op->insn;
	uint64_t m;
	int ret;

	ret = read_operand(op, &m);
	if (ret)
		return ret;
	if (!m) {
		op->r.rflags |= VIREO_RFLAGS_ZF;
		return 0;
	}
	op->r.rflags &= ~VIREO_RFLAGS_ZF;
	set_reg_value(op, insn->alu == VIREO_ALU_BSF ? (uint64_t)__builtin_ctzll(m)
						       : (uint64_t)(63 - __builtin_clzll(m)));
	return 0;
}

/*
 * CMPXCHG8B/16B: rDX:rAX against the memory, rCX:rBX stored on a match;
 * otherwise rDX:rAX loaded and the old value written back.  Only ZF
 * changes.  CMPXCHG16B needs a 16-byte aligned operand (#GP(0)).
 */
static int cmpxchg2(struct emu_op *op)
{
	unsigned int half = op->insn->opsize;
	uint64_t m[2] = { 0, 0 }, mask = half == 8 ? ~0ULL : 0xffffffffULL, v[2];
	int ret;

	if (half == 8 && (vireo_insn_linear(op->insn, op->emu->regs, op->emu->sregs) & 15))
		return emu_raise(op, VIREO_VEC_GP, true, 0);
	ret = emu_operand_read(op, m, half * 2);
	if (ret)
		return ret;
	if (half == 4) {
		m[1] = m[0] >> 32;
		m[0] &= mask;
	}
	if (m[0] == (op->r.rax & mask) && m[1] == (op->r.rdx & mask)) {
		op->r.rflags |= VIREO_RFLAGS_ZF;
		v[0] = op->r.rbx & mask;
		v[1] = op->r.rcx & mask;
	} else {
		op->r.rflags &= ~VIREO_RFLAGS_ZF;
		v[0] = m[0];
		v[1] = m[1];
		vireo_gpr_write(&op->r, VIREO_GPR_RAX, false, half, m[0]);
		vireo_gpr_write(&op->r, VIREO_GPR_RDX, false, half, m[1]);
	}
	if (half == 4)
		v[0] |= v[1] << 32;
	return emu_operand_write(op, v, half * 2);
}

/* Stack address size: 64-bit mode, else SS.B (SDM vol. 1 6.2.3). */
static unsigned int stack_size(const struct emu_op *op)
{
	if (op->insn->mode == VIREO_MODE_64)
		return 8;
	return op->emu->sregs->ss.db ? 4 : 2;
}

/* PUSH r/m: read the operand, store it at SS:rSP - size, then move rSP. */
static int push(struct emu_op *op)
{
	unsigned int size = op->insn->access_size, ss = stack_size(op);
	uint64_t m;
	int ret;

	ret = read_operand(op, &m);
	if (ret)
		return ret;
	ret = emu_virt_write(op, VIREO_SEG_SS, op->r.rsp - size, ss, &m, size);
	if (ret)
		return ret;
	emu_addr_reg_add(&op->r.rsp, ss, -(int64_t)size);
	return 0;
}

/* POP r/m: load SS:rSP, store into the operand, then move rSP. */
static int pop(struct emu_op *op)
{
	unsigned int size = op->insn->access_size, ss = stack_size(op);
	uint64_t v = 0;
	int ret;

	ret = emu_virt_read(op, VIREO_SEG_SS, op->r.rsp, ss, &v, size);
	if (ret)
		return ret;
	ret = write_operand(op, v);
	if (ret)
		return ret;
	emu_addr_reg_add(&op->r.rsp, ss, (int64_t)size);
	return 0;
}

int emu_exec_integer(struct emu_op *op)
{
	const struct vireo_insn *insn = op->insn;
	int64_t extra = 0;
	uint64_t v;
	int ret;

	if (insn->op == VIREO_OP_BITTEST && !insn->has_imm) {
		unsigned int bits = insn->opsize * 8;
		int64_t off = (int64_t)(reg_value(op) << (64 - bits)) >> (64 - bits);

		extra = (off >> __builtin_ctz(bits)) * insn->opsize;
	}
	ret = emu_check_alignment(op, operand_linear(op, extra), insn->access_size);
	if (ret)
		return ret;
	switch (insn->op) {
	case VIREO_OP_LOAD:
		ret = read_operand(op, &v);
		if (!ret)
			vireo_insn_writeback(insn, &op->r, v);
		return ret;
	case VIREO_OP_STORE:
		return write_operand(op, vireo_insn_store_value(insn, &op->r));
	case VIREO_OP_ALU:
		return alu(op);
	case VIREO_OP_UNARY:
	case VIREO_OP_SHIFT:
		return modify(op);
	case VIREO_OP_MULDIV:
		return muldiv(op);
	case VIREO_OP_IMUL:
		return imul(op);
	case VIREO_OP_BITTEST:
		return bittest(op);
	case VIREO_OP_XCHG:
		return xchg(op);
	case VIREO_OP_CMPXCHG:
		return cmpxchg(op);
	case VIREO_OP_XADD:
		return xadd(op);
	case VIREO_OP_PUSH:
		return push(op);
	case VIREO_OP_POP:
		return pop(op);
	case VIREO_OP_SETCC:
		return setcc(op);
	case VIREO_OP_CMOV:
		return cmov(op);
	case VIREO_OP_SHIFTD:
		return shiftd(op);
	case VIREO_OP_BITSCAN:
		return bitscan(op);
	case VIREO_OP_CMPXCHG2:
		return cmpxchg2(op);
	default:
		return emu_fail(op->emu, -ENOTSUP, "no emulation for decoded op %u", insn->op);
	}
}
