// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: task switches (task_switch.c) against SDM vol. 3 8.3 "Task
 * Switching" and table 8-1: what the old TSS keeps, the busy bits, NT and
 * the previous-task link (8.4), CR0.TS (2.5), 16-bit TSSes (8.6), the
 * checks before the commit point (the old task untouched, the fault at
 * the instruction) and after it (the fault in the new task), an error
 * code on the new stack, and the TSS reached through 32-bit paging
 * (paging.c, SDM 4.3).
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "vireo_test.h"
#include "../task_switch.h"

#define MEM_SIZE	0x100000
#define GDT		0x1000
#define TSS_A		0x3000		/* the running task, selector 0x18 */
#define TSS_B		0x3100		/* 0x20 */
#define TSS_16		0x3300		/* 0x30 */
#define SEL_A		0x18
#define SEL_B		0x20
#define SEL_SHORT	0x28
#define SEL_16		0x30
#define OLD_RIP		0x2000
#define NEW_EIP		0x5000
#define NEW_ESP		0x9000

#define VEC_TS		10
#define VEC_NP		11
#define VEC_GP		13
#define VEC_PF		14

/* A descriptor (SDM figure 3-8): access byte, flags nibble G/DB/L/AVL. */
static u64 ts_desc(u32 base, u32 limit, u8 access, u8 flags)
{
	return (limit & 0xffff) | (u64)(base & 0xffffff) << 16 | (u64)access << 40 |
	       (u64)((limit >> 16) & 0xf) << 48 | (u64)(flags & 0xf) << 52 |
	       (u64)(base >> 24) << 56;
}

static void put32(u64 gpa, u32 v)
{
	memcpy(vt_guest_mem + gpa, &v, 4);
}

static u32 get32(u64 gpa)
{
	u32 v;

	memcpy(&v, vt_guest_mem + gpa, 4);
	return v;
}

static u8 access_byte(u16 sel)
{
	return vt_guest_mem[GDT + (sel & ~7) + 5];
}

static void set_desc(u16 sel, u64 d)
{
	memcpy(vt_guest_mem + GDT + sel, &d, 8);
}

/* A 32-bit TSS entered at NEW_EIP with flat ring-0 selectors. */
static void ts_fill32(u64 base)
{
	memset(vt_guest_mem + base, 0, 0x68);
	put32(base + 0x20, NEW_EIP);
	put32(base + 0x24, X86_EFLAGS_FIXED | X86_EFLAGS_IF);
	put32(base + 0x28, 0xb0000001);		/* EAX */
	put32(base + 0x44, 0xb0000008);		/* EDI */
	put32(base + 0x38, NEW_ESP);
	put32(base + 0x48, 0x10);		/* ES */
	put32(base + 0x4c, 0x08);		/* CS */
	put32(base + 0x50, 0x10);		/* SS */
	put32(base + 0x54, 0x10);		/* DS */
	put32(base + 0x58, 0x10);		/* FS */
	put32(base + 0x5c, 0x10);		/* GS */
}

static void ts_flat(struct vireo_segment *s, u16 sel, u8 type)
{
	*s = (struct vireo_segment){ .selector = sel, .limit = 0xffffffff, .type = type,
				     .s = 1, .present = 1, .db = 1, .g = 1 };
}

/* Flat protected mode, no paging, TR = TSS A (busy), B available. */
static struct vireo_vcpu *ts_setup(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	struct vireo_sregs *sr = &vt_backend.sregs;

	vt_guest_mem = kunit_kzalloc(test, MEM_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vt_guest_mem);
	vt_guest_mem_size = MEM_SIZE;
	vt_guest_ro_below = 0;

	set_desc(0x08, ts_desc(0, 0xfffff, 0x9a, 0xc));	/* code, not yet accessed */
	set_desc(0x10, ts_desc(0, 0xfffff, 0x93, 0xc));	/* data */
	set_desc(SEL_A, ts_desc(TSS_A, 0x67, 0x8b, 0));
	set_desc(SEL_B, ts_desc(TSS_B, 0x67, 0x89, 0));
	set_desc(SEL_SHORT, ts_desc(0x3200, 0x60, 0x89, 0));
	set_desc(SEL_16, ts_desc(TSS_16, 0x2b, 0x81, 0));
	ts_fill32(TSS_B);

	ts_flat(&sr->cs, 0x08, 0xb);
	ts_flat(&sr->ds, 0x10, 0x3);
	sr->es = sr->fs = sr->gs = sr->ss = sr->ds;
	sr->tr = (struct vireo_segment){ .selector = SEL_A, .base = TSS_A, .limit = 0x67,
					 .type = 11, .present = 1 };
	sr->ldt = (struct vireo_segment){ .unusable = 1 };
	sr->gdt.base = GDT;
	sr->gdt.limit = 0x47;
	sr->cr0 = X86_CR0_PE | X86_CR0_ET;

	vcpu->regs[VIREO_REG_RIP] = OLD_RIP;
	vcpu->regs[VIREO_REG_RSP] = 0x8000;
	vcpu->regs[VIREO_REG_RAX] = 0xa0000001;
	vcpu->regs[VIREO_REG_RDI] = 0xa0000008;
	vcpu->regs[VIREO_REG_RFLAGS] = X86_EFLAGS_FIXED | X86_EFLAGS_DF;
	return vcpu;
}

static void ts_exit(struct kunit *test)
{
	vt_guest_mem = NULL;
	vt_guest_mem_size = 0;
	vt_guest_ro_below = 0;
	vt_suite_exit(test);
}

static void ts_expect_exception(struct kunit *test, struct vireo_vcpu *vcpu, u8 vector,
				u32 error_code)
{
	KUNIT_EXPECT_TRUE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->exception.vector, vector);
	KUNIT_EXPECT_TRUE(test, vcpu->exception.has_error_code);
	KUNIT_EXPECT_EQ(test, vcpu->exception.error_code, error_code);
}

/* JMP: the new task's state in, the old task's out, busy bits moved. */
static void ts_jmp_32bit(struct kunit *test)
{
	struct vireo_vcpu *vcpu = ts_setup(test);
	struct vireo_sregs *sr = &vt_backend.sregs;

	vcpu->dr7 = 0x7ff;
	KUNIT_ASSERT_EQ(test, vireo_task_switch(vcpu, SEL_B, VIREO_TS_JMP, 7, false, 0), 0);
	KUNIT_EXPECT_FALSE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->dr7, 0x7aa);	/* L0-L3 cleared (SDM 17.2.4) */
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], NEW_EIP);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RSP], NEW_ESP);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RAX], 0xb0000001);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RDI], 0xb0000008);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RFLAGS], X86_EFLAGS_FIXED | X86_EFLAGS_IF);
	KUNIT_EXPECT_EQ(test, sr->tr.selector, SEL_B);
	KUNIT_EXPECT_EQ(test, sr->tr.base, TSS_B);
	KUNIT_EXPECT_EQ(test, sr->tr.type, 11);
	KUNIT_EXPECT_TRUE(test, sr->cr0 & X86_CR0_TS);
	KUNIT_EXPECT_EQ(test, sr->cs.selector, 0x08);
	KUNIT_EXPECT_EQ(test, sr->cs.limit, 0xffffffff);
	KUNIT_EXPECT_EQ(test, sr->cs.type, 0xb);		/* accessed now */
	KUNIT_EXPECT_EQ(test, access_byte(0x08), 0x9b);
	KUNIT_EXPECT_TRUE(test, sr->ldt.unusable);
	/* The old TSS: EIP after the JMP, EFLAGS, registers, selectors. */
	KUNIT_EXPECT_EQ(test, get32(TSS_A + 0x20), OLD_RIP + 7);
	KUNIT_EXPECT_EQ(test, get32(TSS_A + 0x24), X86_EFLAGS_FIXED | X86_EFLAGS_DF);
	KUNIT_EXPECT_EQ(test, get32(TSS_A + 0x28), 0xa0000001);
	KUNIT_EXPECT_EQ(test, get32(TSS_A + 0x38), 0x8000);
	KUNIT_EXPECT_EQ(test, get32(TSS_A + 0x4c), 0x08);
	KUNIT_EXPECT_EQ(test, get32(TSS_A + 0x50), 0x10);
	KUNIT_EXPECT_EQ(test, access_byte(SEL_A), 0x89);	/* JMP frees the old task */
	KUNIT_EXPECT_EQ(test, access_byte(SEL_B), 0x8b);
	KUNIT_EXPECT_EQ(test, get32(TSS_B), 0);			/* no link */
}

/* CALL links the tasks and sets NT; the IRET comes back and frees the callee. */
static void ts_call_then_iret(struct kunit *test)
{
	struct vireo_vcpu *vcpu = ts_setup(test);
	struct vireo_sregs *sr = &vt_backend.sregs;

	KUNIT_ASSERT_EQ(test, vireo_task_switch(vcpu, SEL_B, VIREO_TS_CALL, 7, false, 0), 0);
	KUNIT_EXPECT_FALSE(test, vcpu->exception.valid);
	KUNIT_EXPECT_TRUE(test, vcpu->regs[VIREO_REG_RFLAGS] & X86_EFLAGS_NT);
	KUNIT_EXPECT_EQ(test, get32(TSS_B) & 0xffff, SEL_A);
	KUNIT_EXPECT_EQ(test, access_byte(SEL_A), 0x8b);	/* the caller stays busy */
	KUNIT_EXPECT_EQ(test, access_byte(SEL_B), 0x8b);

	vcpu->regs[VIREO_REG_RIP] = NEW_EIP + 0x10;
	KUNIT_ASSERT_EQ(test, vireo_task_switch(vcpu, SEL_A, VIREO_TS_IRET, 1, false, 0), 0);
	KUNIT_EXPECT_FALSE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], OLD_RIP + 7);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RAX], 0xa0000001);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RFLAGS], X86_EFLAGS_FIXED | X86_EFLAGS_DF);
	KUNIT_EXPECT_EQ(test, sr->tr.selector, SEL_A);
	KUNIT_EXPECT_EQ(test, access_byte(SEL_B), 0x89);
	KUNIT_EXPECT_EQ(test, access_byte(SEL_A), 0x8b);
	/* The callee's saved EFLAGS has NT cleared, its EIP is after the IRET. */
	KUNIT_EXPECT_FALSE(test, get32(TSS_B + 0x24) & X86_EFLAGS_NT);
	KUNIT_EXPECT_EQ(test, get32(TSS_B + 0x20), NEW_EIP + 0x11);
}

/* An exception through a task gate: linked like CALL, its error code pushed. */
static void ts_gate_pushes_error_code(struct kunit *test)
{
	struct vireo_vcpu *vcpu = ts_setup(test);

	KUNIT_ASSERT_EQ(test, vireo_task_switch(vcpu, SEL_B, VIREO_TS_GATE, 0, true, 0x38), 0);
	KUNIT_EXPECT_FALSE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, get32(TSS_A + 0x20), OLD_RIP);	/* the faulting EIP */
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RSP], NEW_ESP - 4);
	KUNIT_EXPECT_EQ(test, get32(NEW_ESP - 4), 0x38);
	KUNIT_EXPECT_TRUE(test, vcpu->regs[VIREO_REG_RFLAGS] & X86_EFLAGS_NT);
	KUNIT_EXPECT_EQ(test, get32(TSS_B) & 0xffff, SEL_A);
}

/* Checks before the commit point: the fault is at the instruction, nothing changed. */
static void ts_checks_before_commit(struct kunit *test)
{
	struct vireo_vcpu *vcpu = ts_setup(test);
	u8 tss_a[0x68];

	memcpy(tss_a, vt_guest_mem + TSS_A, sizeof(tss_a));
	vcpu->dr7 = 0x7ff;
	KUNIT_ASSERT_EQ(test, vireo_task_switch(vcpu, SEL_SHORT, VIREO_TS_JMP, 7, false, 0), 0);
	ts_expect_exception(test, vcpu, VEC_TS, SEL_SHORT);	/* limit 0x60 < 0x67 */
	KUNIT_EXPECT_EQ(test, vt_backend.set_sregs_calls, 0);
	KUNIT_EXPECT_EQ(test, vcpu->dr7, 0x7ff);	/* no switch, enables kept */
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], OLD_RIP);
	KUNIT_EXPECT_EQ(test, access_byte(SEL_A), 0x8b);
	KUNIT_EXPECT_EQ(test, access_byte(SEL_SHORT), 0x89);
	KUNIT_EXPECT_EQ(test, memcmp(tss_a, vt_guest_mem + TSS_A, sizeof(tss_a)), 0);

	vcpu->exception.valid = false;
	vireo_task_switch(vcpu, SEL_A, VIREO_TS_CALL, 7, false, 0);	/* busy */
	ts_expect_exception(test, vcpu, VEC_GP, SEL_A);
	vcpu->exception.valid = false;
	vireo_task_switch(vcpu, SEL_B, VIREO_TS_IRET, 1, false, 0);	/* IRET to an available TSS */
	ts_expect_exception(test, vcpu, VEC_TS, SEL_B);
	vcpu->exception.valid = false;
	vireo_task_switch(vcpu, 0x08, VIREO_TS_JMP, 7, false, 0);	/* not a TSS */
	ts_expect_exception(test, vcpu, VEC_GP, 0x08);
	vcpu->exception.valid = false;
	vireo_task_switch(vcpu, 0x48, VIREO_TS_JMP, 7, false, 0);	/* beyond the GDT limit */
	ts_expect_exception(test, vcpu, VEC_GP, 0x48);
	vcpu->exception.valid = false;
	set_desc(SEL_B, ts_desc(TSS_B, 0x67, 0x09, 0));			/* not present */
	vireo_task_switch(vcpu, SEL_B, VIREO_TS_JMP, 7, false, 0);
	ts_expect_exception(test, vcpu, VEC_NP, SEL_B);
	KUNIT_EXPECT_EQ(test, vt_backend.set_sregs_calls, 0);
	KUNIT_EXPECT_EQ(test, vt_backend.sregs.tr.selector, SEL_A);
}

/* A bad CS in the new TSS: switched, then #TS(CS) in the new task (SDM 8.3 step 14). */
static void ts_bad_cs_after_commit(struct kunit *test)
{
	struct vireo_vcpu *vcpu = ts_setup(test);

	put32(TSS_B + 0x4c, 0x10);		/* CS = a data segment */
	KUNIT_ASSERT_EQ(test, vireo_task_switch(vcpu, SEL_B, VIREO_TS_JMP, 7, false, 0), 0);
	ts_expect_exception(test, vcpu, VEC_TS, 0x10);
	KUNIT_EXPECT_EQ(test, vt_backend.set_sregs_calls, 1);
	KUNIT_EXPECT_EQ(test, vt_backend.sregs.tr.selector, SEL_B);
	KUNIT_EXPECT_EQ(test, vt_backend.sregs.cs.selector, 0x10);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], NEW_EIP);
}

/* A 16-bit TSS (SDM 8.6): words only; the registers' upper halves stay. */
static void ts_16bit_tss(struct kunit *test)
{
	struct vireo_vcpu *vcpu = ts_setup(test);
	struct vireo_sregs *sr = &vt_backend.sregs;
	u16 tss16[0x2c / 2] = { 0 };

	tss16[0x0e / 2] = 0x6000;		/* IP */
	tss16[0x10 / 2] = 0x0002;		/* FLAGS */
	tss16[0x12 / 2] = 0x1234;		/* AX */
	tss16[0x1a / 2] = 0x7000;		/* SP */
	tss16[0x22 / 2] = 0x10;			/* ES */
	tss16[0x24 / 2] = 0x08;			/* CS */
	tss16[0x26 / 2] = 0x10;			/* SS */
	tss16[0x28 / 2] = 0x10;			/* DS */
	memcpy(vt_guest_mem + TSS_16, tss16, sizeof(tss16));
	vcpu->regs[VIREO_REG_RAX] = 0xdead0000ffffULL;

	KUNIT_ASSERT_EQ(test, vireo_task_switch(vcpu, SEL_16, VIREO_TS_JMP, 7, false, 0), 0);
	KUNIT_EXPECT_FALSE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x6000);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RAX], 0xdead00001234ULL);
	KUNIT_EXPECT_EQ(test, sr->tr.type, 3);
	KUNIT_EXPECT_EQ(test, access_byte(SEL_16), 0x83);
	KUNIT_EXPECT_EQ(test, get32(TSS_A + 0x20), OLD_RIP + 7);	/* old one is 32-bit */
}

/* A 32-bit page directory at 0x10000: the first MiB identity-mapped. */
static void ts_map_first_mib(void)
{
	int i;

	for (i = 0; i < 256; i++)
		put32(0x11000 + i * 4, (i << 12) | 3);
	put32(0x10000, 0x11000 | 3);
}

/*
 * 32-bit paging: the new TSS at linear 0x400100 is physical 0x3100; the
 * new task's CR3 (another page directory) is loaded.
 */
static void ts_paging_32bit(struct kunit *test)
{
	struct vireo_vcpu *vcpu = ts_setup(test);
	struct vireo_sregs *sr = &vt_backend.sregs;

	ts_map_first_mib();
	put32(0x12000, TSS_A | 3);			/* linear 0x400000 -> 0x3000 */
	put32(0x10004, 0x12000 | 3);
	memcpy(vt_guest_mem + 0x20000, vt_guest_mem + 0x10000, 0x1000);
	set_desc(SEL_B, ts_desc(0x400100, 0x67, 0x89, 0));
	put32(TSS_B + 0x1c, 0x20000);			/* the new task's CR3 */
	sr->cr0 |= X86_CR0_PG | X86_CR0_WP;
	sr->cr3 = 0x10000;

	KUNIT_ASSERT_EQ(test, vireo_task_switch(vcpu, SEL_B, VIREO_TS_JMP, 7, false, 0), 0);
	KUNIT_EXPECT_FALSE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], NEW_EIP);
	KUNIT_EXPECT_EQ(test, sr->cr3, 0x20000);
	KUNIT_EXPECT_EQ(test, sr->tr.base, 0x400100);
}

/*
 * PAE paging (SDM 4.4): the first 2 MiB one large page, the new TSS at
 * linear 0x200100 through a 4 KiB page table to physical 0x3100.
 */
static void ts_paging_pae(struct kunit *test)
{
	struct vireo_vcpu *vcpu = ts_setup(test);
	struct vireo_sregs *sr = &vt_backend.sregs;

	put32(0x10000, 0x11000 | 1);		/* PDPTE 0 */
	put32(0x11000, 0x83);			/* PDE 0: 2 MiB at 0, R/W */
	put32(0x11008, 0x12000 | 3);		/* PDE 1: a page table */
	put32(0x12000, TSS_A | 3);		/* linear 0x200000 -> 0x3000 */
	set_desc(SEL_B, ts_desc(0x200100, 0x67, 0x89, 0));
	put32(TSS_B + 0x1c, 0x10000);
	sr->cr0 |= X86_CR0_PG | X86_CR0_WP;
	sr->cr4 = X86_CR4_PAE;
	sr->cr3 = 0x10000;

	KUNIT_ASSERT_EQ(test, vireo_task_switch(vcpu, SEL_B, VIREO_TS_CALL, 7, false, 0), 0);
	KUNIT_EXPECT_FALSE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], NEW_EIP);
	KUNIT_EXPECT_EQ(test, get32(TSS_B) & 0xffff, SEL_A);	/* the link, through the PT */
	KUNIT_EXPECT_EQ(test, get32(TSS_A + 0x20), OLD_RIP + 7);
}

/* A read-only page under CR0.WP: the busy-bit write faults #PF(P|W). */
static void ts_write_protected_gdt(struct kunit *test)
{
	struct vireo_vcpu *vcpu = ts_setup(test);
	struct vireo_sregs *sr = &vt_backend.sregs;

	ts_map_first_mib();
	put32(0x11000 + (GDT >> 12) * 4, GDT | 1);	/* the GDT's page read-only */
	sr->cr0 |= X86_CR0_PG | X86_CR0_WP;
	sr->cr3 = 0x10000;
	KUNIT_ASSERT_EQ(test, vireo_task_switch(vcpu, SEL_B, VIREO_TS_JMP, 7, false, 0), 0);
	ts_expect_exception(test, vcpu, VEC_PF, 3);
	KUNIT_EXPECT_EQ(test, sr->cr2, GDT + SEL_A + 5);
	KUNIT_EXPECT_EQ(test, sr->tr.selector, SEL_A);
}

/* An unmapped TSS: #PF with CR2, before the commit point. */
static void ts_page_fault(struct kunit *test)
{
	struct vireo_vcpu *vcpu = ts_setup(test);
	struct vireo_sregs *sr = &vt_backend.sregs;

	ts_map_first_mib();			/* nothing at 8 MiB */
	sr->cr0 |= X86_CR0_PG;
	sr->cr3 = 0x10000;
	set_desc(SEL_B, ts_desc(0x800100, 0x67, 0x89, 0));
	KUNIT_ASSERT_EQ(test, vireo_task_switch(vcpu, SEL_B, VIREO_TS_JMP, 7, false, 0), 0);
	ts_expect_exception(test, vcpu, VEC_PF, 0);
	KUNIT_EXPECT_EQ(test, sr->cr2, 0x800100);
	KUNIT_EXPECT_EQ(test, sr->tr.selector, SEL_A);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], OLD_RIP);
}

/* A TSS outside guest RAM: an exit to userland, the vCPU unchanged. */
static void ts_tss_outside_ram(struct kunit *test)
{
	struct vireo_vcpu *vcpu = ts_setup(test);

	set_desc(SEL_B, ts_desc(0x200000, 0x67, 0x89, 0));
	KUNIT_EXPECT_EQ(test, vireo_task_switch(vcpu, SEL_B, VIREO_TS_JMP, 7, false, 0), 1);
	KUNIT_EXPECT_EQ(test, vcpu->run->exit_reason, VIREO_EXIT_INTERNAL_ERROR);
	KUNIT_EXPECT_EQ(test, vcpu->run->hw.suberror, VIREO_INTERNAL_EMULATION);
	KUNIT_EXPECT_EQ(test, vt_backend.set_sregs_calls, 0);
	KUNIT_EXPECT_FALSE(test, vcpu->exception.valid);
}

/* IA-32e mode has no task switches (SDM 8.7): #GP(0). */
static void ts_long_mode_gp(struct kunit *test)
{
	struct vireo_vcpu *vcpu = ts_setup(test);

	vt_backend.sregs.efer = EFER_LME | EFER_LMA;
	vireo_task_switch(vcpu, SEL_B, VIREO_TS_JMP, 7, false, 0);
	ts_expect_exception(test, vcpu, VEC_GP, 0);
	KUNIT_EXPECT_EQ(test, access_byte(SEL_B), 0x89);
}

static struct kunit_case task_switch_cases[] = {
	KUNIT_CASE(ts_jmp_32bit),
	KUNIT_CASE(ts_call_then_iret),
	KUNIT_CASE(ts_gate_pushes_error_code),
	KUNIT_CASE(ts_checks_before_commit),
	KUNIT_CASE(ts_bad_cs_after_commit),
	KUNIT_CASE(ts_16bit_tss),
	KUNIT_CASE(ts_paging_32bit),
	KUNIT_CASE(ts_page_fault),
	KUNIT_CASE(ts_paging_pae),
	KUNIT_CASE(ts_write_protected_gdt),
	KUNIT_CASE(ts_tss_outside_ram),
	KUNIT_CASE(ts_long_mode_gp),
	{}
};

static struct kunit_suite task_switch_suite = {
	.name = "vireo_task_switch",
	.exit = ts_exit,
	.test_cases = task_switch_cases,
};

kunit_test_suite(task_switch_suite);
