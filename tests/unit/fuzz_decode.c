// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the instruction decoder and the MMIO emulator (make
 * fuzz).  Guest code is hostile input: whatever the bytes, the decoder must
 * not read past them, must not accept more than 15 bytes, and must describe
 * a successful decode consistently; the emulator, run on them with
 * registers from the input, must end in success, an exception for the
 * guest or an error message, touching only guest RAM and the device.  The
 * first input byte picks the CPU mode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vireo/decode.h>
#include <vireo/emulate.h>
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
	      i->access_size == 8 || i->access_size == 16 || i->access_size == 32);
	check(i->vec.reg < 16 && i->vec.offset + i->access_size <= 32);
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

/* Guest RAM: 1 MiB at 0; the 64-bit tables map 0-4 GiB with 1 GiB pages. */
#define RAM_SIZE (1U << 20)
static uint8_t ram[RAM_SIZE];

static int ram_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	(void)opaque;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, ram + gpa, len);
	return 0;
}

static int ram_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	(void)opaque;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(ram + gpa, buf, len);
	return 0;
}

static unsigned int device_calls;

static int device(void *opaque, uint64_t gpa, unsigned int size, bool is_write, uint64_t *data)
{
	(void)opaque;
	check(size == 1 || size == 2 || size == 4 || size == 8);
	device_calls++;
	if (!is_write)
		*data = gpa * 0x9e3779b97f4a7c15ULL;
	return 0;
}

static void emulate(const uint8_t *data, size_t size, enum vireo_cpu_mode mode)
{
	static struct vireo_vregs vregs;
	struct vireo_mem mem = { ram_read, ram_write, NULL };
	struct vireo_exit_mmio exit = { .gpa = 0xfee00000 };
	struct vireo_sregs sregs;
	struct vireo_regs regs, before;
	struct vireo_emu emu;
	unsigned int i;
	uint64_t e;

	memset(ram, 0, 0x3000);
	e = 0x2000 | VIREO_PTE_P | VIREO_PTE_RW | VIREO_PTE_US;
	memcpy(ram + 0x1000, &e, 8);
	for (i = 0; i < 4; i++) {
		e = ((uint64_t)i << 30) | VIREO_PTE_P | VIREO_PTE_RW | VIREO_PTE_US | VIREO_PTE_PS;
		memcpy(ram + 0x2000 + 8 * i, &e, 8);
	}
	memset(&sregs, 0, sizeof(sregs));
	sregs.cr0 = VIREO_CR0_PE | VIREO_CR0_ET | VIREO_CR0_AM;
	sregs.cr4 = VIREO_CR4_OSFXSR | VIREO_CR4_OSXSAVE;
	if (mode == VIREO_MODE_64) {
		sregs.cr0 |= VIREO_CR0_PG;
		sregs.cr3 = 0x1000;
		sregs.cr4 |= VIREO_CR4_PAE;
		sregs.efer = VIREO_EFER_LME | VIREO_EFER_LMA;
		sregs.cs.l = 1;
	} else if (mode == VIREO_MODE_32) {
		sregs.cs.db = 1;
		sregs.ss.db = 1;
	}
	sregs.ss.dpl = size & 1 ? 3 : 0;
	/* Registers from the bytes after the instruction, so addresses vary. */
	memset(&regs, 0, sizeof(regs));
	for (i = 0; i < 16 && 16 + i * 4 + 4 <= size; i++)
		*vireo_gpr(&regs, i) = (uint64_t)data[16 + i * 4] << (8 * (data[17 + i * 4] & 7)) |
				       data[18 + i * 4] | (uint64_t)data[19 + i * 4] << 16;
	regs.rflags = VIREO_RFLAGS_FIXED | (size > 14 ? (data[14] & 0xd5) | (uint64_t)(data[14] & 0x40) << 12 : 0);
	regs.rip = 0x8000;
	before = regs;
	memset(&emu, 0, sizeof(emu));
	emu.regs = &regs;
	emu.sregs = &sregs;
	emu.mem = &mem;
	emu.phys_bits = 48;
	emu.vregs = size & 2 ? &vregs : NULL;
	exit.insn_len = (uint8_t)(size < 15 ? size : 15);
	memcpy(exit.insn_bytes, data, exit.insn_len);
	device_calls = 0;
	if (vireo_emu_mmio(&emu, &exit, device, NULL)) {
		check(emu.error[0] != 0 && memchr(emu.error, 0, sizeof(emu.error)));
		check(!memcmp(&regs, &before, sizeof(regs)));
		return;
	}
	/* A REP string instruction does at most one batch per exit. */
	check(device_calls <= 8 * VIREO_STRING_MEM_BATCH);
	if (emu.exception.pending)
		check(emu.exception.vector < 32);
	else
		check(regs.rip != before.rip || emu.insn.rep);
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

	if (vireo_decode(data, size, mode, &insn) == 0) {
		check_insn(&insn, size);
		emulate(data, size, mode);
	} else
		check(insn.error[0] != 0 && memchr(insn.error, 0, sizeof(insn.error)));

	if (vireo_decode_string_io(data, size, mode, &insn) == 0) {
		check(insn.op == VIREO_OP_INS || insn.op == VIREO_OP_OUTS);
		check_insn(&insn, size);
	}
	return 0;
}
