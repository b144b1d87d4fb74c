// SPDX-License-Identifier: GPL-2.0
/*
 * MOVS, CMPS, STOS, LODS, SCAS with and without REP (SDM vol. 2 "REP/REPE/
 * REPZ/REPNE/REPNZ").  Every element goes through the guest page tables:
 * either side may be the device, the other RAM (or both devices).  The
 * source is seg:rSI (DS unless overridden), the destination ES:rDI, both
 * wrapped at the address size; DF picks the direction.
 */
#include "emulate_internal.h"

static uint64_t acc(const struct emu_op *op)
{
	return vireo_gpr_read(&op->r, VIREO_GPR_RAX, false, op->insn->opsize);
}

/* One element; *stop set when REPE/REPNE's ZF condition ends the loop. */
static int element(struct emu_op *op, int64_t step, bool *stop)
{
	const struct vireo_insn *insn = op->insn;
	unsigned int size = insn->opsize, as = insn->addrsize, seg = insn->mem.seg;
	struct vireo_regs *r = &op->r;
	uint64_t a = 0, b = 0;
	int ret = 0;

	switch (insn->op) {
	case VIREO_OP_MOVS:
		ret = emu_virt_read(op, seg, r->rsi, as, &a, size);
		if (!ret)
			ret = emu_virt_write(op, VIREO_SEG_ES, r->rdi, as, &a, size);
		break;
	case VIREO_OP_STOS:
		a = acc(op);
		ret = emu_virt_write(op, VIREO_SEG_ES, r->rdi, as, &a, size);
		break;
	case VIREO_OP_LODS:
		ret = emu_virt_read(op, seg, r->rsi, as, &a, size);
		if (!ret)
			vireo_gpr_write(r, VIREO_GPR_RAX, false, size, a);
		break;
	case VIREO_OP_CMPS:
		ret = emu_virt_read(op, seg, r->rsi, as, &a, size);
		if (!ret)
			ret = emu_virt_read(op, VIREO_SEG_ES, r->rdi, as, &b, size);
		if (!ret)
			vireo_alu(VIREO_ALU_CMP, size, a, b, &r->rflags);
		break;
	default:	/* SCAS */
		ret = emu_virt_read(op, VIREO_SEG_ES, r->rdi, as, &b, size);
		if (!ret)
			vireo_alu(VIREO_ALU_CMP, size, acc(op), b, &r->rflags);
		break;
	}
	if (ret)
		return ret;
	if (insn->op != VIREO_OP_STOS && insn->op != VIREO_OP_SCAS)
		emu_addr_reg_add(&r->rsi, as, step);
	if (insn->op != VIREO_OP_LODS)
		emu_addr_reg_add(&r->rdi, as, step);
	/* F3 is REPE for CMPS/SCAS (stop on ZF=0), F2 REPNE (stop on ZF=1). */
	if (insn->rep && (insn->op == VIREO_OP_CMPS || insn->op == VIREO_OP_SCAS))
		*stop = !!(r->rflags & VIREO_RFLAGS_ZF) == (insn->rep == 0xf2);
	return 0;
}

int emu_exec_string(struct emu_op *op)
{
	const struct vireo_insn *insn = op->insn;
	uint64_t count, i;
	int64_t step = (op->r.rflags & VIREO_RFLAGS_DF) ? -(int64_t)insn->opsize : insn->opsize;
	bool stop = false;
	int ret;

	count = insn->rep ? op->r.rcx & emu_size_mask(insn->addrsize) : 1;
	/*
	 * With a 32-bit address size, a REP with ECX = 0 still writes ECX
	 * (zero-extending RCX), and REP MOVS/STOS/LODS the pointers they use,
	 * as Intel CPUs do (found by the differential test; the SDM is silent
	 * on whether a register is written by zero iterations).
	 */
	if (insn->rep && !count) {
		bool cmp = insn->op == VIREO_OP_CMPS || insn->op == VIREO_OP_SCAS;

		emu_addr_reg_add(&op->r.rcx, insn->addrsize, 0);
		if (!cmp && insn->op != VIREO_OP_STOS)
			emu_addr_reg_add(&op->r.rsi, insn->addrsize, 0);
		if (!cmp && insn->op != VIREO_OP_LODS)
			emu_addr_reg_add(&op->r.rdi, insn->addrsize, 0);
	}
	for (i = 0; i < count && i < VIREO_STRING_MEM_BATCH && !stop; i++) {
		ret = element(op, step, &stop);
		/* A fault leaves the completed elements' registers (SDM vol. 2 REP). */
		if (ret)
			return ret;
		if (insn->rep)
			emu_addr_reg_add(&op->r.rcx, insn->addrsize, -1);
	}
	/* More left: RIP stays and the guest runs the REP again. */
	op->done = i == count || stop;
	return 0;
}
