// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: guest state checked at the ioctl boundary (state_check.c): what
 * VMRUN (AMD APM vol. 2 15.5.1) or VM entry (Intel SDM vol. 3 27.3.1)
 * would refuse, and CR4 bits reserved relative to the vCPU's CPUID.
 */
#include <linux/kernel.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "vireo_test.h"
#include "../state_check.h"

static struct vireo_vcpu *sc_vcpu(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);

	test->priv = env;
	return env->vcpu[0];
}

/* A valid 64-bit state: flat ring-0 code and data, a busy TSS, no LDT. */
static struct vireo_sregs sc_long(void)
{
	struct vireo_segment data = { .selector = 0x10, .limit = 0xffffffff, .g = 1, .db = 1,
				      .present = 1, .s = 1, .type = 3 };

	return (struct vireo_sregs){
		.cs = { .selector = 8, .limit = 0xffffffff, .g = 1, .l = 1, .present = 1, .s = 1,
			.type = 0xb },
		.ss = data, .ds = data, .es = data, .fs = data, .gs = data,
		.ldt = { .unusable = 1 },
		.tr = { .selector = 0x18, .present = 1, .type = 11, .limit = 0x67 },
		.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG,
		.cr3 = 0x20000,
		.cr4 = X86_CR4_PAE,
		.efer = EFER_LME | EFER_LMA,
	};
}

static void sc_cr0(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, vireo_cr0_valid(0x60000010));	/* reset */
	KUNIT_EXPECT_TRUE(test, vireo_cr0_valid(X86_CR0_PE | X86_CR0_PG));
	KUNIT_EXPECT_FALSE(test, vireo_cr0_valid(X86_CR0_PG));
	KUNIT_EXPECT_FALSE(test, vireo_cr0_valid(X86_CR0_NW));
	KUNIT_EXPECT_FALSE(test, vireo_cr0_valid(1ULL << 32));
}

static void sc_canonical(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, vireo_canonical(0x00007fffffffffffULL, 0));
	KUNIT_EXPECT_TRUE(test, vireo_canonical(0xffff800000000000ULL, 0));
	KUNIT_EXPECT_FALSE(test, vireo_canonical(0x0000800000000000ULL, 0));
	KUNIT_EXPECT_TRUE(test, vireo_canonical(0x0000800000000000ULL, X86_CR4_LA57));
	KUNIT_EXPECT_FALSE(test, vireo_canonical(0x0100000000000000ULL, X86_CR4_LA57));
}

/* OSXSAVE needs XSAVE in the host and in the vCPU's CPUID table. */
static void sc_cr4_follows_cpuid(struct kunit *test)
{
	struct vireo_vcpu *vcpu = sc_vcpu(test);
	struct vireo_cpuid_entry leaf1 = { .function = 1, .ecx = 1U << 26 };
	u64 res;

	res = vireo_cr4_reserved_bits(vcpu);
	KUNIT_EXPECT_TRUE(test, res & X86_CR4_OSXSAVE);
	KUNIT_EXPECT_TRUE(test, res & X86_CR4_VMXE);
	KUNIT_EXPECT_TRUE(test, res & (1ULL << 15));
	KUNIT_EXPECT_TRUE(test, res & (1ULL << 63));
	KUNIT_EXPECT_FALSE(test, res & (X86_CR4_PAE | X86_CR4_PGE | X86_CR4_OSFXSR));

	vcpu->cpuid = &leaf1;
	vcpu->cpuid_nent = 1;
	KUNIT_EXPECT_FALSE(test, vireo_cr4_reserved_bits(vcpu) & X86_CR4_OSXSAVE);
	/* A CPUID bit the host lacks (PCID here) does not make it legal. */
	leaf1.ecx |= 1U << 17;
	KUNIT_EXPECT_TRUE(test, vireo_cr4_reserved_bits(vcpu) & X86_CR4_PCIDE);
	vcpu->cpuid = NULL;
	vcpu->cpuid_nent = 0;
}

/*
 * PKE needs PKU in the vCPU's CPUID and the host's own CR4.PKE (OSPKE):
 * the guest's PKRU is switched with WRPKRU, which #UDs without it.
 */
static void sc_cr4_pke(struct kunit *test)
{
	struct vireo_vcpu *vcpu = sc_vcpu(test);
	struct vireo_cpuid_entry leaf7 = {
		.function = 7, .flags = VIREO_CPUID_FLAG_INDEXED, .ecx = 1U << 3,
	};

	vt_need_host(test, "a chosen host OSPKE");
	vcpu->cpuid = &leaf7;
	vcpu->cpuid_nent = 1;
#ifdef VIREO_KUNIT_HOST
	kshim_host_ospke = true;
	KUNIT_EXPECT_FALSE(test, vireo_cr4_reserved_bits(vcpu) & X86_CR4_PKE);
	kshim_host_ospke = false;
	KUNIT_EXPECT_TRUE(test, vireo_cr4_reserved_bits(vcpu) & X86_CR4_PKE);
	kshim_host_ospke = true;
#endif
	leaf7.ecx = 0;
	KUNIT_EXPECT_TRUE(test, vireo_cr4_reserved_bits(vcpu) & X86_CR4_PKE);
	vcpu->cpuid = NULL;
	vcpu->cpuid_nent = 0;
}

static void sc_sregs(struct kunit *test)
{
	struct vireo_vcpu *vcpu = sc_vcpu(test);
	struct vireo_sregs s = sc_long();

	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);
	/* LMA left out: set, as the CPU would. */
	s.efer = EFER_LME;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);
	KUNIT_EXPECT_EQ(test, s.efer, EFER_LME | EFER_LMA);
	/* LME without paging: no LMA, and LMA alone is refused. */
	s = sc_long();
	s.cr0 &= ~X86_CR0_PG;
	s.efer = EFER_LME;
	s.cs.l = 0;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);
	KUNIT_EXPECT_EQ(test, s.efer, EFER_LME);
	s.efer = EFER_LMA;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), -EINVAL);

	s = sc_long();
	s.cr4 = 0;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), -EINVAL);
	s = sc_long();
	s.cs.db = 1;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), -EINVAL);
	s = sc_long();
	s.cr3 = 1ULL << 46;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), -EINVAL);
	s = sc_long();
	s.cr4 |= 1ULL << 15;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), -EINVAL);
	s = sc_long();
	s.fs.base = 0x0000800000000000ULL;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), -EINVAL);
	s = sc_long();
	s.ldt.base = 0x0000800000000000ULL;
	s.ldt.unusable = 1;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);
	s = sc_long();
	s.ss.base = 1ULL << 32;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), -EINVAL);
	/* TR: a present busy TSS only. */
	s = sc_long();
	s.tr.type = 9;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), -EINVAL);
	s.tr.type = 11;
	s.tr.s = 1;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), -EINVAL);
	s = sc_long();
	s.tr.present = 0;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), -EINVAL);
}

/* The reset state (vcpu.c) in real mode. */
static struct vireo_sregs sc_real(void)
{
	struct vireo_segment data = { .limit = 0xffff, .type = 3, .s = 1, .present = 1 };

	return (struct vireo_sregs){
		.cs = { .selector = 0xf000, .base = 0xffff0000, .limit = 0xffff, .type = 0xb,
			.s = 1, .present = 1 },
		.ds = data, .es = data, .fs = data, .gs = data, .ss = data,
		.ldt = { .limit = 0xffff, .type = 2, .present = 1 },
		.tr = { .limit = 0xffff, .type = 3, .present = 1 },
		.cr0 = 0x60000010,
	};
}

#define SC_REFUSED(vcpu, s, ...)						\
	do {									\
		__VA_ARGS__;							\
		KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &(s)), -EINVAL);	\
	} while (0)

/* Segment attributes as VM entry checks them (SDM vol. 3 27.3.1.2). */
static void sc_segments(struct kunit *test)
{
	struct vireo_vcpu *vcpu = sc_vcpu(test);
	struct vireo_sregs s;

	s = sc_real();
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);
	s = sc_long();
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);

	/* Fields the descriptor bits cannot hold. */
	SC_REFUSED(vcpu, s, s = sc_real(); s.cs.type = 0x1b);
	SC_REFUSED(vcpu, s, s = sc_real(); s.ds.dpl = 4);
	SC_REFUSED(vcpu, s, s = sc_real(); s.es.present = 2);
	SC_REFUSED(vcpu, s, s = sc_real(); s.gs.reserved = 1);
	/* Limit and G: G means 4 KiB units; without it, at most 1 MiB. */
	SC_REFUSED(vcpu, s, s = sc_long(); s.cs.g = 0);
	SC_REFUSED(vcpu, s, s = sc_long(); s.ds.limit = 0xfffff000);
	SC_REFUSED(vcpu, s, s = sc_real(); s.ss.limit = 0x100000);
	/* CS: code (or data in real mode at DPL 0), S and P set, never unusable. */
	SC_REFUSED(vcpu, s, s = sc_long(); s.cs.type = 0x3; s.cs.dpl = 3; s.ss.dpl = 3);
	SC_REFUSED(vcpu, s, s = sc_long(); s.cs.type = 0x1);
	SC_REFUSED(vcpu, s, s = sc_long(); s.cs.type = 0xa);
	SC_REFUSED(vcpu, s, s = sc_long(); s.cs.s = 0);
	SC_REFUSED(vcpu, s, s = sc_long(); s.cs.present = 0);
	SC_REFUSED(vcpu, s, s = sc_long(); s.cs.unusable = 1);
	s = sc_real();
	s.cs.type = 3;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);
	/* CPL: non-conforming CS.DPL = SS.DPL, conforming CS.DPL <= SS.DPL. */
	SC_REFUSED(vcpu, s, s = sc_long(); s.cs.dpl = 3);
	SC_REFUSED(vcpu, s, s = sc_long(); s.ss.dpl = 3);
	s = sc_long();
	s.cs.dpl = s.ss.dpl = 3;
	s.cs.selector |= 3;
	s.ss.selector |= 3;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);
	s = sc_long();
	s.cs.type = 0xf;
	s.ss.dpl = 2;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);
	s.cs.dpl = 3;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), -EINVAL);
	/* SS.DPL is 0 in real mode. */
	SC_REFUSED(vcpu, s, s = sc_real(); s.ss.dpl = 3; s.cs.type = 0xf);
	/* SS: read/write data; unusable (a null SS in 64-bit mode) is fine. */
	SC_REFUSED(vcpu, s, s = sc_long(); s.ss.type = 0xb);
	SC_REFUSED(vcpu, s, s = sc_long(); s.ss.type = 0x1);
	SC_REFUSED(vcpu, s, s = sc_long(); s.ss.present = 0);
	s = sc_long();
	s.ss = (struct vireo_segment){ .unusable = 1 };
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);
	/* DS..GS: accessed, readable if code, S and P set; unusable: anything. */
	SC_REFUSED(vcpu, s, s = sc_long(); s.ds.type = 0x2);
	SC_REFUSED(vcpu, s, s = sc_long(); s.es.type = 0x9);
	SC_REFUSED(vcpu, s, s = sc_long(); s.fs.s = 0);
	SC_REFUSED(vcpu, s, s = sc_long(); s.gs.present = 0);
	s = sc_long();
	s.ds.type = 0xb;
	s.fs = (struct vireo_segment){ .unusable = 1, .type = 0x2, .limit = 0xffffffff };
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);
	/* LDTR in use: an LDT from the GDT. */
	SC_REFUSED(vcpu, s, s = sc_real(); s.ldt.type = 3);
	SC_REFUSED(vcpu, s, s = sc_real(); s.ldt.s = 1);
	SC_REFUSED(vcpu, s, s = sc_real(); s.ldt.selector = 4);
	SC_REFUSED(vcpu, s, s = sc_real(); s.ldt.present = 0);
	/* TR: from the GDT; a 16-bit busy TSS only outside IA-32e mode. */
	SC_REFUSED(vcpu, s, s = sc_long(); s.tr.selector |= 4);
	SC_REFUSED(vcpu, s, s = sc_long(); s.tr.type = 3);
	SC_REFUSED(vcpu, s, s = sc_long(); s.tr.limit = 0x100000);
	/* What userland sets for long mode from the reset state (misuse). */
	s = sc_real();
	s.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
	s.cr4 = X86_CR4_PAE;
	s.cr3 = 0x20000;
	s.efer = EFER_LME | EFER_LMA;
	s.cs.l = 1;
	s.tr.type = 11;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);
}

/* Virtual-8086 segments and RFLAGS.VM (SDM vol. 3 27.3.1.2, 27.3.1.4). */
static void sc_vm86(struct kunit *test)
{
	struct vireo_vcpu *vcpu = sc_vcpu(test);
	struct vireo_segment v86 = { .selector = 0x1234, .base = 0x12340, .limit = 0xffff,
				     .type = 3, .s = 1, .dpl = 3, .present = 1 };
	struct vireo_sregs s = sc_real();
	u64 fl;

	s.cr0 |= X86_CR0_PE;
	s.cs = s.ss = s.ds = s.es = s.fs = s.gs = v86;
	s.tr.type = 11;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);
	/* The set brings RFLAGS.VM; SET_REGS must keep it. */
	vcpu->regs[VIREO_REG_RFLAGS] = X86_EFLAGS_FIXED;
	vireo_sregs_fix_regs(vcpu, &s);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RFLAGS],
			(u64)(X86_EFLAGS_VM | X86_EFLAGS_FIXED));
	vt_backend.sregs = s;
	fl = X86_EFLAGS_VM | X86_EFLAGS_FIXED;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0x100, &fl), 0);
	fl = X86_EFLAGS_FIXED;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0x100, &fl), -EINVAL);

	/* Not quite a virtual-8086 set: protected-mode rules, which refuse it. */
	SC_REFUSED(vcpu, s, s.ds.base = 0);
	s.ds = v86;
	SC_REFUSED(vcpu, s, s.gs.dpl = 0);
	s.gs = v86;
	SC_REFUSED(vcpu, s, s.cr0 &= ~X86_CR0_PE);
	s.cr0 |= X86_CR0_PE;
	SC_REFUSED(vcpu, s, s.cs.limit = 0xfffff);

	/* Any other set leaves virtual-8086 mode. */
	vireo_sregs_fix_regs(vcpu, &(struct vireo_sregs){ .cr0 = X86_CR0_PE });
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RFLAGS], (u64)X86_EFLAGS_FIXED);

	/* VM needs that set, in protected mode. */
	vt_backend.sregs = sc_real();
	fl = X86_EFLAGS_VM;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0x100, &fl), -EINVAL);
	vt_backend.sregs.cr0 |= X86_CR0_PE;
	vt_backend.sregs.tr.type = 11;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0x100, &fl), -EINVAL);
}

/* SET_REGS: RFLAGS reserved bits, RIP against the mode (SDM 27.3.1.4). */
static void sc_regs(struct kunit *test)
{
	struct vireo_vcpu *vcpu = sc_vcpu(test);
	u64 fl;

	vt_backend.sregs = sc_real();
	fl = 0;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0xfff0, &fl), 0);
	KUNIT_EXPECT_EQ(test, fl, (u64)X86_EFLAGS_FIXED);
	fl = X86_EFLAGS_FIXED | X86_EFLAGS_IF | X86_EFLAGS_ID | X86_EFLAGS_AC | X86_EFLAGS_NT;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0xfff0, &fl), 0);
	fl = 1ULL << 3;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0xfff0, &fl), -EINVAL);
	fl = 1ULL << 5;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0xfff0, &fl), -EINVAL);
	fl = 1ULL << 15;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0xfff0, &fl), -EINVAL);
	fl = 1ULL << 22;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0xfff0, &fl), -EINVAL);
	fl = 1ULL << 63;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0xfff0, &fl), -EINVAL);

	/* RIP: 32 bits outside 64-bit code, canonical in it. */
	fl = X86_EFLAGS_FIXED;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0xffffffffULL, &fl), 0);
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0x100000000ULL, &fl), -EINVAL);
	vt_backend.sregs = sc_long();
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0xffffffff81000000ULL, &fl), 0);
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0x0000800000000000ULL, &fl), -EINVAL);
	/* Compatibility mode (CS.L clear) is 32-bit. */
	vt_backend.sregs.cs.l = 0;
	vt_backend.sregs.cs.db = 1;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0x100000000ULL, &fl), -EINVAL);
	/* No virtual-8086 mode in IA-32e mode. */
	fl = X86_EFLAGS_FIXED | X86_EFLAGS_VM;
	KUNIT_EXPECT_EQ(test, vireo_check_regs(vcpu, 0x1000, &fl), -EINVAL);

	/* Leaving 64-bit code by SET_SREGS leaves EIP. */
	vcpu->regs[VIREO_REG_RIP] = 0xffffffff81000000ULL;
	vireo_sregs_fix_regs(vcpu, &vt_backend.sregs);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x81000000ULL);
	vcpu->regs[VIREO_REG_RIP] = 0xffffffff81000000ULL;
	vireo_sregs_fix_regs(vcpu, &(struct vireo_sregs){ .cs.l = 1, .efer = EFER_LMA });
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0xffffffff81000000ULL);
}

/*
 * An interrupt whose delivery an exit interrupted, once userland clears
 * RFLAGS.IF: VM entry refuses to inject it then (SDM 27.3.1.5; FINDINGS
 * F12), so it waits for IF like any pending interrupt.
 */
static void sc_interrupted_irq_waits_for_if(struct kunit *test)
{
	struct vireo_vcpu *vcpu = sc_vcpu(test);
	struct vireo_pending_event ev;

	vcpu->reinject = (struct vireo_pending_event){ .valid = true,
						       .type = VIREO_EVENT_EXTINT,
						       .vector = 0x30 };
	vcpu->regs[VIREO_REG_RFLAGS] = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	vireo_vcpu_hold_interrupted_irq(vcpu);
	KUNIT_EXPECT_TRUE(test, vcpu->reinject.valid);	/* IF set: delivered again as is */

	vcpu->regs[VIREO_REG_RFLAGS] = X86_EFLAGS_FIXED;
	vireo_vcpu_hold_interrupted_irq(vcpu);
	KUNIT_EXPECT_FALSE(test, vcpu->reinject.valid);
	KUNIT_EXPECT_TRUE(test, vcpu->extint.valid);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	KUNIT_EXPECT_TRUE(test, vireo_vcpu_wants_irq_window(vcpu));
	vcpu->regs[VIREO_REG_RFLAGS] |= X86_EFLAGS_IF;
	KUNIT_EXPECT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	KUNIT_EXPECT_EQ(test, ev.type, (u8)VIREO_EVENT_EXTINT);
	KUNIT_EXPECT_EQ(test, ev.vector, (u8)0x30);

	/* An interrupted exception is delivered whatever IF says. */
	vcpu->reinject = (struct vireo_pending_event){ .valid = true,
						       .type = VIREO_EVENT_EXCEPTION,
						       .vector = 14, .has_error_code = true };
	vcpu->regs[VIREO_REG_RFLAGS] = X86_EFLAGS_FIXED;
	vireo_vcpu_hold_interrupted_irq(vcpu);
	KUNIT_EXPECT_TRUE(test, vcpu->reinject.valid);
	vcpu->reinject.valid = false;
}

/* Exceptions INJECT_EVENT may inject (SDM vol. 3 6.15, APM vol. 2 8.2, 15.20). */
static void sc_exception_vectors(struct kunit *test)
{
	static const u8 defined[] = { 0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17,
				      18, 19, 20, 21, 28, 29, 30 };
	static const u8 refused[] = { 2, 15, 22, 23, 24, 25, 26, 27, 31, 32, 255 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(defined); i++)
		KUNIT_EXPECT_TRUE(test, vireo_exception_vector_defined(defined[i]));
	for (i = 0; i < ARRAY_SIZE(refused); i++)
		KUNIT_EXPECT_FALSE(test, vireo_exception_vector_defined(refused[i]));
}

static void sc_msrs(struct kunit *test)
{
	struct vireo_vcpu *vcpu = sc_vcpu(test);
	u64 v;

	v = 0x0000800000000000ULL;
	KUNIT_EXPECT_EQ(test, vireo_check_msr(vcpu, MSR_LSTAR, &v, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_check_msr(vcpu, MSR_KERNEL_GS_BASE, &v, false), -EINVAL);
	v = 0xffff800000000000ULL;
	KUNIT_EXPECT_EQ(test, vireo_check_msr(vcpu, MSR_FS_BASE, &v, true), 0);
	v = 0x0000800000000000ULL;
	KUNIT_EXPECT_EQ(test, vireo_check_msr(vcpu, MSR_STAR, &v, true), 0);
	/* SFMASK: 32 bits (the VMX backend writes it into the CPU's MSR). */
	v = 1ULL << 32;
	KUNIT_EXPECT_EQ(test, vireo_check_msr(vcpu, MSR_SYSCALL_MASK, &v, false), -EINVAL);
	v = 0x47700;
	KUNIT_EXPECT_EQ(test, vireo_check_msr(vcpu, MSR_SYSCALL_MASK, &v, true), 0);

	/* EFER: LMA is never the writer's; LME is fixed while CR0.PG is set. */
	vt_backend.sregs = sc_long();
	v = EFER_LME;
	KUNIT_EXPECT_EQ(test, vireo_check_msr(vcpu, MSR_EFER, &v, true), 0);
	KUNIT_EXPECT_EQ(test, v, EFER_LME | EFER_LMA);
	v = 0;
	KUNIT_EXPECT_EQ(test, vireo_check_msr(vcpu, MSR_EFER, &v, true), -EINVAL);
	vt_backend.sregs.cr0 &= ~X86_CR0_PG;
	v = EFER_LMA;
	KUNIT_EXPECT_EQ(test, vireo_check_msr(vcpu, MSR_EFER, &v, true), 0);
	KUNIT_EXPECT_EQ(test, v, 0ULL);
}

static struct kunit_case state_check_cases[] = {
	KUNIT_CASE(sc_cr0),
	KUNIT_CASE(sc_canonical),
	KUNIT_CASE(sc_cr4_follows_cpuid),
	KUNIT_CASE(sc_cr4_pke),
	KUNIT_CASE(sc_sregs),
	KUNIT_CASE(sc_segments),
	KUNIT_CASE(sc_vm86),
	KUNIT_CASE(sc_regs),
	KUNIT_CASE(sc_exception_vectors),
	KUNIT_CASE(sc_interrupted_irq_waits_for_if),
	KUNIT_CASE(sc_msrs),
	{}
};

static struct kunit_suite state_check_suite = {
	.name = "vireo_state_check",
	.exit = vt_suite_exit,
	.test_cases = state_check_cases,
};

kunit_test_suite(state_check_suite);
