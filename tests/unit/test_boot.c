// SPDX-License-Identifier: GPL-2.0
/*
 * Boot-mode setup: register state per mode, the GDT/TSS in guest memory,
 * and the long-mode identity map checked through the page walker itself.
 */
#include <errno.h>

#include <libvireo.h>

#include "boot.h"
#include "fake_mem.h"
#include "test.h"

static uint64_t get64(const uint8_t *ram, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, ram + gpa, 8);
	return v;
}

static void boot_real(void)
{
	static struct fake_mem f;
	struct vireo_regs regs;
	struct vireo_sregs s;

	fake_mem_init(&f, 1 << 20);
	T_EQ(vireo_boot_setup(f.buf, f.size, VIREO_BOOT_REAL, 0x1000, &regs, &s), 0);
	T_EQ(regs.rip, 0x1000);
	T_EQ(regs.rsp, 0x7000);
	T_EQ(regs.rflags, 2);
	T_EQ(s.cr0, 0x60000010);
	T_EQ(s.cs.selector, 0);
	T_EQ(s.cs.base, 0);
	T_EQ(s.cs.limit, 0xffff);
	T_EQ(s.ds.limit, 0xffff);
	T_EQ(s.ss.base, 0);
	T_EQ(s.efer, 0);
	T_EQ(vireo_cpu_mode(&s, regs.rflags), VIREO_MODE_16);
	T_EQ(get64(f.buf, 0x8008), 0);	/* real mode writes no tables */
}

static void check_gdt(const uint8_t *ram)
{
	uint64_t tss = get64(ram, 0x8020);

	T_EQ(get64(ram, 0x8000), 0);
	T_EQ(get64(ram, 0x8008), 0x00cf9b000000ffffULL);
	T_EQ(get64(ram, 0x8010), 0x00cf93000000ffffULL);
	T_EQ(get64(ram, 0x8018), 0x00af9b000000ffffULL);
	T_EQ(tss & 0xffff, 0x67);			/* limit */
	T_EQ((tss >> 16) & 0xffffff, 0x8100);		/* base 23:0 */
	T_EQ((tss >> 40) & 0xf, 0xb);			/* busy 32/64-bit TSS */
	T_EQ((tss >> 47) & 1, 1);			/* present */
	T_EQ(get64(ram, 0x8028), 0);			/* base 63:32 */
	T_EQ(ram[0x8100 + 0x66], 0x68);			/* no I/O bitmap */
}

static void check_system_segments(const struct vireo_sregs *s)
{
	T_EQ(s->tr.selector, 0x20);
	T_EQ(s->tr.base, 0x8100);
	T_EQ(s->tr.limit, 0x67);
	T_EQ(s->tr.type, 11);
	T_EQ(s->tr.s, 0);
	T_EQ(s->tr.present, 1);
	T_EQ(s->ldt.unusable, 1);
	T_EQ(s->gdt.base, 0x8000);
	T_EQ(s->gdt.limit, 0x2f);
}

static void boot_protected(void)
{
	static struct fake_mem f;
	struct vireo_regs regs;
	struct vireo_sregs s;

	fake_mem_init(&f, 1 << 20);
	T_EQ(vireo_boot_setup(f.buf, f.size, VIREO_BOOT_PROTECTED, 0x100000, &regs, &s), 0);
	T_EQ(regs.rip, 0x100000);
	T_EQ(regs.rsp, 0x7fff0);
	T_EQ(regs.rflags, 2);
	T_EQ(s.cr0, VIREO_CR0_PE | VIREO_CR0_ET | VIREO_CR0_NE);
	T_EQ(s.cs.selector, 0x08);
	T_EQ(s.cs.db, 1);
	T_EQ(s.cs.g, 1);
	T_EQ(s.cs.limit, 0xffffffff);
	T_EQ(s.ds.selector, 0x10);
	T_EQ(s.ss.selector, 0x10);
	T_EQ(s.es.selector, 0x10);
	T_EQ(s.fs.selector, 0x10);
	T_EQ(s.gs.selector, 0x10);
	T_EQ(vireo_cpu_mode(&s, regs.rflags), VIREO_MODE_32);
	T_CALL(check_gdt(f.buf));
	T_CALL(check_system_segments(&s));
}

static void boot_long(void)
{
	static struct fake_mem f;
	struct vireo_regs regs;
	struct vireo_sregs s;
	struct vireo_paging pg;
	struct vireo_fault flt;
	uint64_t gpa, size;

	fake_mem_init(&f, 1 << 20);
	T_EQ(vireo_boot_setup(f.buf, f.size, VIREO_BOOT_LONG, 0x100000, &regs, &s), 0);
	T_EQ(s.cr0, VIREO_CR0_PG | VIREO_CR0_PE | VIREO_CR0_ET | VIREO_CR0_NE);
	T_EQ(s.cr3, 0x9000);
	T_EQ(s.cr4, VIREO_CR4_PAE);
	T_EQ(s.efer, VIREO_EFER_LME | VIREO_EFER_LMA);
	T_EQ(s.cs.selector, 0x18);
	T_EQ(s.cs.l, 1);
	T_EQ(s.cs.db, 0);
	T_EQ(s.ds.selector, 0x10);
	T_EQ(vireo_cpu_mode(&s, regs.rflags), VIREO_MODE_64);
	T_CALL(check_gdt(f.buf));
	T_CALL(check_system_segments(&s));

	/* The identity map, walked as the CPU would. */
	vireo_paging_from_sregs(&pg, &s, 48);
	T_EQ(vireo_gva_to_gpa(&pg, &f.mem, 0x100000, VIREO_ACCESS_FETCH, &gpa, &size, &flt), 0);
	T_EQ(gpa, 0x100000);
	T_EQ(size, 2 << 20);
	T_EQ(vireo_gva_to_gpa(&pg, &f.mem, 0xd0000010, VIREO_ACCESS_WRITE, &gpa, &size, &flt),
	     0);
	T_EQ(gpa, 0xd0000010);
	T_EQ(vireo_gva_to_gpa(&pg, &f.mem, 0xffffffff, 0, &gpa, &size, &flt), 0);
	T_EQ(gpa, 0xffffffff);
	T_EQ(vireo_gva_to_gpa(&pg, &f.mem, 0x100000000ULL, 0, &gpa, &size, &flt), -EFAULT);
	T_EQ(flt.kind, VIREO_FAULT_NOT_PRESENT);
	T_EQ(flt.level, 3);
}

static void boot_too_little_ram(void)
{
	static struct fake_mem f;
	struct vireo_regs regs;
	struct vireo_sregs s;

	fake_mem_init(&f, 1 << 20);
	T_EQ(vireo_boot_setup(f.buf, 0x7f000, VIREO_BOOT_LONG, 0x1000, &regs, &s), -EINVAL);
	T_EQ(vireo_boot_setup(f.buf, 0x8000, VIREO_BOOT_REAL, 0x1000, &regs, &s), -EINVAL);
	T_EQ(vireo_boot_setup(f.buf, 0x10000, VIREO_BOOT_REAL, 0x1000, &regs, &s), 0);
}

const struct vireo_test vireo_tests_boot[] = {
	VIREO_TEST(boot_real),
	VIREO_TEST(boot_protected),
	VIREO_TEST(boot_long),
	VIREO_TEST(boot_too_little_ram),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(boot, vireo_tests_boot);
