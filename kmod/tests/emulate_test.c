// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the control-register writes vireo.ko decodes itself (emulate.c):
 * MOV CRn, reg (0F 22 /r: the r/m field is a register whatever mod says,
 * REX.R or, on AMD, LOCK selects CR8-15; 32-bit outside 64-bit code),
 * LMSW reg (0F 01 /6), CLTS (0F 06), MOV to/from DRn (0F 23/21) - SDM
 * vol. 2 MOV CR, MOV DR, LMSW, CLTS; APM
 * vol. 3 "MOV CR" (LOCK prefix) - fetched at CS.base + RIP through the
 * guest's long-mode page tables (SDM vol. 3 4.5) when paging is on.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "vireo_test.h"

#define MEM_SIZE	0x100000

static struct vireo_vcpu *em_setup(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);

	test->priv = env;
	vt_guest_mem = kunit_kzalloc(test, MEM_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vt_guest_mem);
	vt_guest_mem_size = MEM_SIZE;
	return env->vcpu[0];
}

static void em_exit(struct kunit *test)
{
	vt_guest_mem = NULL;
	vt_guest_mem_size = 0;
	vt_suite_exit(test);
}

/* Protected mode, paging off, CS.base 0x1000, RIP 0x10. */
static struct vireo_sregs em_flat(struct vireo_vcpu *vcpu)
{
	vcpu->regs[VIREO_REG_RIP] = 0x10;
	return (struct vireo_sregs){
		.cs = { .base = 0x1000, .db = 1, .present = 1, .s = 1, .type = 0xb },
		.cr0 = X86_CR0_PE,
	};
}

static int em_decode(struct vireo_vcpu *vcpu, const struct vireo_sregs *sr, u64 gpa,
		     const char *bytes, size_t n, struct vireo_cr_write *w)
{
	memcpy(vt_guest_mem + gpa, bytes, n);
	return vireo_decode_cr_write(vcpu, sr, w);
}

static void em_mov_cr_32bit(struct kunit *test)
{
	struct vireo_vcpu *vcpu = em_setup(test);
	struct vireo_sregs sr = em_flat(vcpu);
	struct vireo_cr_write w;

	vcpu->regs[VIREO_REG_RAX] = 0x180000011ULL;
	KUNIT_ASSERT_EQ(test, em_decode(vcpu, &sr, 0x1010, "\x0f\x22\xc0", 3, &w), 0);
	KUNIT_EXPECT_EQ(test, w.kind, (u8)VIREO_CR_MOV);
	KUNIT_EXPECT_EQ(test, w.cr, (u8)0);
	KUNIT_EXPECT_EQ(test, w.value, 0x80000011ULL);	/* 32-bit operand */
	KUNIT_EXPECT_EQ(test, w.len, (u8)3);

	/* Prefixes count in the length; mod is ignored (0x18: mod 0, reg 3, rm 0). */
	vcpu->regs[VIREO_REG_RBX] = 0x20000;
	KUNIT_ASSERT_EQ(test, em_decode(vcpu, &sr, 0x1010, "\x2e\x66\x0f\x22\x1b", 5, &w), 0);
	KUNIT_EXPECT_EQ(test, w.cr, (u8)3);
	KUNIT_EXPECT_EQ(test, w.value, 0x20000ULL);
	KUNIT_EXPECT_EQ(test, w.len, (u8)5);

	/* LOCK MOV CR0 is CR8 on AMD; no REX outside 64-bit code (0x41 is INC ECX). */
	KUNIT_ASSERT_EQ(test, em_decode(vcpu, &sr, 0x1010, "\xf0\x0f\x22\xc0", 4, &w), 0);
	KUNIT_EXPECT_EQ(test, w.cr, (u8)8);
	KUNIT_EXPECT_EQ(test, em_decode(vcpu, &sr, 0x1010, "\x41\x0f\x22\xc0", 4, &w),
			-EOPNOTSUPP);
}

static void em_lmsw_clts(struct kunit *test)
{
	struct vireo_vcpu *vcpu = em_setup(test);
	struct vireo_sregs sr = em_flat(vcpu);
	struct vireo_cr_write w;

	vcpu->regs[VIREO_REG_RSI] = 0xfff3;
	KUNIT_ASSERT_EQ(test, em_decode(vcpu, &sr, 0x1010, "\x0f\x01\xf6", 3, &w), 0);
	KUNIT_EXPECT_EQ(test, w.kind, (u8)VIREO_CR_LMSW);
	KUNIT_EXPECT_EQ(test, w.value, 0xfff3ULL);
	KUNIT_EXPECT_EQ(test, w.len, (u8)3);
	/* LMSW from memory is not decoded. */
	KUNIT_EXPECT_EQ(test, em_decode(vcpu, &sr, 0x1010, "\x0f\x01\x36\x00\x20", 5, &w),
			-EOPNOTSUPP);
	KUNIT_ASSERT_EQ(test, em_decode(vcpu, &sr, 0x1010, "\x0f\x06", 2, &w), 0);
	KUNIT_EXPECT_EQ(test, w.kind, (u8)VIREO_CR_CLTS);
	KUNIT_EXPECT_EQ(test, w.len, (u8)2);
	KUNIT_EXPECT_EQ(test, em_decode(vcpu, &sr, 0x1010, "\x0f\x20\xc0", 3, &w), -EOPNOTSUPP);
	/* MOV DR7, EDX and MOV EBX, DR6. */
	vcpu->regs[VIREO_REG_RDX] = 0x100000401ULL;
	KUNIT_ASSERT_EQ(test, em_decode(vcpu, &sr, 0x1010, "\x0f\x23\xfa", 3, &w), 0);
	KUNIT_EXPECT_EQ(test, w.kind, (u8)VIREO_DR_WRITE);
	KUNIT_EXPECT_EQ(test, w.cr, (u8)7);
	KUNIT_EXPECT_EQ(test, w.value, 0x401ULL);
	KUNIT_ASSERT_EQ(test, em_decode(vcpu, &sr, 0x1010, "\x0f\x21\xf3", 3, &w), 0);
	KUNIT_EXPECT_EQ(test, w.kind, (u8)VIREO_DR_READ);
	KUNIT_EXPECT_EQ(test, w.cr, (u8)6);
	KUNIT_EXPECT_EQ(test, w.gpr, (u8)VIREO_REG_RBX);
	KUNIT_EXPECT_FALSE(test, w.wide);
	KUNIT_EXPECT_EQ(test, em_decode(vcpu, &sr, 0x1010, "\x90\x90", 2, &w), -EOPNOTSUPP);
}

/*
 * 64-bit code through 4-level tables at 0x10000: linear 0x5000 (4 KiB
 * page) -> 0x30000 and 0x6000 -> 0x50000 (the instruction straddles
 * them); linear 0x200000 (2 MiB page) -> 0.
 */
static void em_long_mode_walk(struct kunit *test)
{
	struct vireo_vcpu *vcpu = em_setup(test);
	struct vireo_sregs sr = {
		.cs = { .l = 1, .present = 1, .s = 1, .type = 0xb },
		.cr0 = X86_CR0_PE | X86_CR0_PG,
		.cr3 = 0x10000,
		.cr4 = X86_CR4_PAE,
		.efer = EFER_LME | EFER_LMA,
	};
	u64 *pml4 = (u64 *)(vt_guest_mem + 0x10000), *pdpt = (u64 *)(vt_guest_mem + 0x11000);
	u64 *pd = (u64 *)(vt_guest_mem + 0x12000), *pt = (u64 *)(vt_guest_mem + 0x13000);
	struct vireo_cr_write w;

	pml4[0] = 0x11000 | 3;
	pdpt[0] = 0x12000 | 3;
	pd[0] = 0x13000 | 3;
	pd[1] = 0x0 | 0x83;
	pt[5] = 0x30000 | 3;
	pt[6] = 0x50000 | 3;

	vcpu->regs[VIREO_REG_R8] = 0xffff0000deadULL;
	vcpu->regs[VIREO_REG_RIP] = 0x5ffe;	/* 41 0f | 22 e0: MOV CR4, R8 */
	memcpy(vt_guest_mem + 0x30ffe, "\x41\x0f", 2);
	memcpy(vt_guest_mem + 0x50000, "\x22\xe0", 2);
	KUNIT_ASSERT_EQ(test, vireo_decode_cr_write(vcpu, &sr, &w), 0);
	KUNIT_EXPECT_EQ(test, w.cr, (u8)4);
	KUNIT_EXPECT_EQ(test, w.value, 0xffff0000deadULL);	/* 64-bit operand */
	KUNIT_EXPECT_EQ(test, w.len, (u8)4);

	/* REX.R: CR8. */
	vcpu->regs[VIREO_REG_RIP] = 0x200100;
	KUNIT_ASSERT_EQ(test, em_decode(vcpu, &sr, 0x100, "\x44\x0f\x22\xc0", 4, &w), 0);
	KUNIT_EXPECT_EQ(test, w.cr, (u8)8);

	/* Compatibility mode (CS.L = 0): 32-bit operand, same tables. */
	sr.cs.l = 0;
	sr.cs.db = 1;
	vcpu->regs[VIREO_REG_RAX] = 0x100000001ULL;
	KUNIT_ASSERT_EQ(test, em_decode(vcpu, &sr, 0x100, "\x0f\x22\xc0", 3, &w), 0);
	KUNIT_EXPECT_EQ(test, w.value, 1ULL);

	/* Not mapped: nothing to fetch. */
	vcpu->regs[VIREO_REG_RIP] = 0x400000;
	KUNIT_EXPECT_EQ(test, vireo_decode_cr_write(vcpu, &sr, &w), -EFAULT);
}

static struct kunit_case emulate_cases[] = {
	KUNIT_CASE(em_mov_cr_32bit),
	KUNIT_CASE(em_lmsw_clts),
	KUNIT_CASE(em_long_mode_walk),
	{}
};

static struct kunit_suite emulate_suite = {
	.name = "vireo_emulate",
	.exit = em_exit,
	.test_cases = emulate_cases,
};

kunit_test_suite(emulate_suite);
