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

/* A valid 64-bit state. */
static struct vireo_sregs sc_long(void)
{
	return (struct vireo_sregs){
		.cs = { .l = 1, .present = 1, .s = 1, .type = 0xb },
		.tr = { .present = 1, .type = 11, .limit = 0x67 },
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
	s.tr.type = 3;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), 0);
	s.tr.s = 1;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), -EINVAL);
	s = sc_long();
	s.tr.present = 0;
	KUNIT_EXPECT_EQ(test, vireo_check_sregs(vcpu, &s), -EINVAL);
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
	KUNIT_CASE(sc_sregs),
	KUNIT_CASE(sc_msrs),
	{}
};

static struct kunit_suite state_check_suite = {
	.name = "vireo_state_check",
	.exit = vt_suite_exit,
	.test_cases = state_check_cases,
};

kunit_test_suite(state_check_suite);
