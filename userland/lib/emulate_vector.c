// SPDX-License-Identifier: GPL-2.0
/*
 * SSE and AVX moves between a vector register and device memory.  The
 * registers come from emu->vregs, which emulate_vcpu.c fills from the
 * guest's XSAVE state (VIREO_GET_XSAVE) and the tests fill themselves.
 */
#include <errno.h>
#include <string.h>

#include "emulate_internal.h"

/*
 * #UD/#NM before any access (SDM vol. 2 2.4, exception class 4 / 4.4, and
 * vol. 3 13.1.5): legacy SSE needs CR0.EM = 0 and CR4.OSFXSR = 1, VEX
 * needs CR4.OSXSAVE = 1 (XCR0 is not visible to userland); CR0.TS is #NM.
 */
static int check_enabled(struct emu_op *op)
{
	const struct vireo_sregs *s = op->emu->sregs;

	if (op->insn->vec.vex) {
		if (!(s->cr4 & VIREO_CR4_OSXSAVE))
			return emu_raise(op, VIREO_VEC_UD, false, 0);
	} else if ((s->cr0 & VIREO_CR0_EM) || !(s->cr4 & VIREO_CR4_OSFXSR)) {
		return emu_raise(op, VIREO_VEC_UD, false, 0);
	}
	if (s->cr0 & VIREO_CR0_TS)
		return emu_raise(op, VIREO_VEC_NM, false, 0);
	return 0;
}

int emu_exec_vector(struct emu_op *op)
{
	const struct vireo_insn *insn = op->insn;
	const struct vireo_insn_vec *v = &insn->vec;
	unsigned int size = insn->access_size;
	uint8_t buf[32], *reg;
	uint64_t linear;
	int ret;

	ret = check_enabled(op);
	if (ret)
		return ret;
	/* MOVAPS, MOVDQA, MOVNT*: #GP(0) unless aligned to the vector size. */
	linear = vireo_insn_linear(insn, op->emu->regs, op->emu->sregs);
	if (v->aligned && (linear & (size - 1)))
		return emu_raise(op, VIREO_VEC_GP, true, 0);
	if (!op->emu->vregs)
		return emu_fail(op->emu, -ENOTSUP,
				"vector move at rip=0x%llx: the guest's XMM/YMM registers are not available",
				(unsigned long long)op->r.rip);
	reg = op->emu->vregs->ymm[v->reg];
	if (insn->op == VIREO_OP_VSTORE)
		return emu_operand_write(op, reg + v->offset, size);
	ret = emu_operand_read(op, buf, size);
	if (ret)
		return ret;
	memcpy(reg + v->offset, buf, size);
	if (v->zero_to > v->offset + size)
		memset(reg + v->offset + size, 0, v->zero_to - v->offset - size);
	return 0;
}
