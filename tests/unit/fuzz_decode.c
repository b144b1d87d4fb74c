// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the instruction decoder (make fuzz).  Guest code is
 * hostile input: whatever the bytes, the decoder must not read past them,
 * must not accept more than 15 bytes, and must describe a successful
 * decode consistently.  The first input byte picks the CPU mode.
 */
#include <stdlib.h>
#include <string.h>

#include <vireo/decode.h>
#include <vireo/x86.h>

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_insn(const struct vireo_insn *i, size_t size)
{
	struct vireo_regs regs;
	struct vireo_sregs sregs;

	check(i->len >= 1 && i->len <= VIREO_X86_MAX_INSN_LEN && i->len <= size);
	check(i->access_size == 1 || i->access_size == 2 || i->access_size == 4 ||
	      i->access_size == 8);
	check(i->addrsize == 2 || i->addrsize == 4 || i->addrsize == 8);
	check(i->reg < 16 || i->reg == VIREO_GPR_NONE);
	check(!i->reg_high8 || i->reg < 4);
	check(i->mem.base < 16 || i->mem.base == VIREO_GPR_NONE);
	check(i->mem.index < 16 || i->mem.index == VIREO_GPR_NONE);
	check(i->mem.seg <= VIREO_SEG_GS);

	memset(&regs, 0xa5, sizeof(regs));
	memset(&sregs, 0, sizeof(sregs));
	(void)vireo_insn_linear(i, &regs, &sregs);
	if (i->op == VIREO_OP_STORE)
		(void)vireo_insn_store_value(i, &regs);
	if (i->op == VIREO_OP_LOAD)
		vireo_insn_writeback(i, &regs, 0x0123456789abcdefULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum vireo_cpu_mode modes[] = { VIREO_MODE_16, VIREO_MODE_32,
						     VIREO_MODE_64 };
	enum vireo_cpu_mode mode;
	struct vireo_insn insn;

	if (size < 1)
		return 0;
	mode = modes[data[0] % 3];
	data++;
	size--;

	if (vireo_decode(data, size, mode, &insn) == 0)
		check_insn(&insn, size);
	else
		check(insn.error[0] != 0 && memchr(insn.error, 0, sizeof(insn.error)));

	if (vireo_decode_string_io(data, size, mode, &insn) == 0) {
		check(insn.op == VIREO_OP_INS || insn.op == VIREO_OP_OUTS);
		check_insn(&insn, size);
	}
	return 0;
}
