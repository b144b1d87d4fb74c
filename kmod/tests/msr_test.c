// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: guest RDMSR/WRMSR (msr.c).  EDX:EAX is the value (Intel SDM vol.
 * 2 RDMSR/WRMSR; bits 63:32 of RAX and RDX are ignored on input and cleared
 * on output), a refused access is #GP(0) and does not retire, IA32_PAT
 * holds memory types (SDM vol. 3 13.12.2), the MSR list fits VIREO_GET_CAPS,
 * and anything else goes to userland (uapi vireo.h, VIREO_EXIT_MSR).
 */
#include <linux/kernel.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "vireo_test.h"

#define NEXT_RIP	0x1002

/* SDM 13.12.2 table 13-10: 0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC-; 2, 3, 8+ reserved. */
static void msr_pat_memory_types(struct kunit *test)
{
	static const u8 valid[] = { 0, 1, 4, 5, 6, 7 };
	static const u8 invalid[] = { 2, 3, 8, 0x10, 0xff };
	const u64 def = 0x0007040600070406ULL;	/* the power-up value */
	int byte, i;

	KUNIT_EXPECT_TRUE(test, vireo_pat_valid(def));
	KUNIT_EXPECT_TRUE(test, vireo_pat_valid(0x0606060606060606ULL));
	KUNIT_EXPECT_TRUE(test, vireo_pat_valid(0));
	for (byte = 0; byte < 8; byte++) {
		for (i = 0; i < ARRAY_SIZE(valid); i++)
			KUNIT_EXPECT_TRUE_MSG(test, vireo_pat_valid((u64)valid[i] << (byte * 8)),
					      "type %u in PA%d", valid[i], byte);
		for (i = 0; i < ARRAY_SIZE(invalid); i++) {
			u64 pat = (def & ~(0xffULL << (byte * 8))) | (u64)invalid[i] << (byte * 8);

			KUNIT_EXPECT_FALSE_MSG(test, vireo_pat_valid(pat), "type 0x%x in PA%d",
					       invalid[i], byte);
		}
	}
}

/*
 * The kernel keeps the syscall, segment-base, SYSENTER, PAT and TSC MSRs;
 * the list fits vireo_caps.msr_list, has no duplicates, and leaves the
 * APIC's MSRs to the APIC.
 */
static void msr_list(struct kunit *test)
{
	static const u32 kept[] = {
		MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
		MSR_FS_BASE, MSR_GS_BASE, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
		MSR_IA32_SYSENTER_EIP, MSR_IA32_CR_PAT, MSR_IA32_TSC,
	};
	struct vireo_caps caps;
	unsigned int i, j;

	KUNIT_EXPECT_LE(test, vireo_msr_list_len, (unsigned int)ARRAY_SIZE(caps.msr_list));
	for (i = 0; i < ARRAY_SIZE(kept); i++)
		KUNIT_EXPECT_TRUE_MSG(test, vireo_msr_is_listed(kept[i]), "MSR 0x%x", kept[i]);
	for (i = 0; i < vireo_msr_list_len; i++) {
		KUNIT_EXPECT_TRUE(test, vireo_msr_is_listed(vireo_msr_list[i]));
		for (j = i + 1; j < vireo_msr_list_len; j++)
			KUNIT_EXPECT_NE(test, vireo_msr_list[i], vireo_msr_list[j]);
	}
	KUNIT_EXPECT_FALSE(test, vireo_msr_is_listed(MSR_IA32_APICBASE));
	KUNIT_EXPECT_FALSE(test, vireo_msr_is_listed(MSR_IA32_TSC_DEADLINE));
	KUNIT_EXPECT_FALSE(test, vireo_msr_is_listed(0x808));
	KUNIT_EXPECT_FALSE(test, vireo_msr_is_listed(0));
	KUNIT_EXPECT_FALSE(test, vireo_msr_is_listed(0xffffffff));
}

static struct vireo_vcpu *msr_vcpu(struct kunit *test, bool lapic)
{
	struct vt_env *env = vt_env_new(test, 1, lapic);

	env->vcpu[0]->regs[VIREO_REG_RIP] = 0x1000;
	return env->vcpu[0];
}

static int guest_rdmsr(struct vireo_vcpu *vcpu, u32 index)
{
	vcpu->regs[VIREO_REG_RCX] = 0xffffffff00000000ULL | index;
	vcpu->regs[VIREO_REG_RAX] = 0xffffffffffffffffULL;
	vcpu->regs[VIREO_REG_RDX] = 0xffffffffffffffffULL;
	return vireo_handle_msr(vcpu, false, NEXT_RIP);
}

static int guest_wrmsr(struct vireo_vcpu *vcpu, u32 index, u64 rdx, u64 rax)
{
	vcpu->regs[VIREO_REG_RCX] = index;
	vcpu->regs[VIREO_REG_RAX] = rax;
	vcpu->regs[VIREO_REG_RDX] = rdx;
	return vireo_handle_msr(vcpu, true, NEXT_RIP);
}

/* RDMSR of a kept MSR: EDX:EAX, upper halves cleared, RIP past the insn. */
static void msr_read_kept(struct kunit *test)
{
	struct vireo_vcpu *vcpu = msr_vcpu(test, false);

	KUNIT_ASSERT_EQ(test, vt_fake_msr_set(MSR_STAR, 0x1122334455667788ULL), 0);
	KUNIT_EXPECT_EQ(test, guest_rdmsr(vcpu, MSR_STAR), 0);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RAX], 0x55667788ULL);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RDX], 0x11223344ULL);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], (u64)NEXT_RIP);
	KUNIT_EXPECT_FALSE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->run->exit_reason, (u32)VIREO_EXIT_NONE);
}

/* WRMSR takes EDX:EAX, ignoring bits 63:32 of both. */
static void msr_write_kept(struct kunit *test)
{
	struct vireo_vcpu *vcpu = msr_vcpu(test, false);

	KUNIT_EXPECT_EQ(test, guest_wrmsr(vcpu, MSR_LSTAR, 0xcafef00dffffffffULL,
				    0xdeadbeef80001234ULL), 0);
	KUNIT_EXPECT_EQ(test, vt_backend.last_set_msr, (u32)MSR_LSTAR);
	KUNIT_EXPECT_EQ(test, vt_backend.last_set_data, 0xffffffff80001234ULL);
	KUNIT_EXPECT_TRUE(test, vt_backend.last_set_from_guest);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], (u64)NEXT_RIP);
}

/* A refused access is #GP(0), and the instruction does not retire. */
static void msr_refused_is_gp(struct kunit *test)
{
	struct vireo_vcpu *vcpu = msr_vcpu(test, false);

	vt_backend.refuse_msr = MSR_EFER;
	KUNIT_EXPECT_EQ(test, guest_wrmsr(vcpu, MSR_EFER, 0, 0x500), 0);
	KUNIT_EXPECT_TRUE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->exception.vector, 13);
	KUNIT_EXPECT_TRUE(test, vcpu->exception.has_error_code);
	KUNIT_EXPECT_EQ(test, vcpu->exception.error_code, 0U);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x1000ULL);

	vcpu->exception.valid = false;
	KUNIT_EXPECT_EQ(test, guest_rdmsr(vcpu, MSR_EFER), 0);
	KUNIT_EXPECT_TRUE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x1000ULL);
}

/* Other MSRs exit to userland, which answers at the next VIREO_RUN. */
static void msr_other_exits_to_userland(struct kunit *test)
{
	struct vireo_vcpu *vcpu = msr_vcpu(test, false);
	struct vireo_run *run = vcpu->run;

	KUNIT_EXPECT_EQ(test, guest_rdmsr(vcpu, 0x8b), 1);	/* IA32_BIOS_SIGN_ID */
	KUNIT_EXPECT_EQ(test, run->exit_reason, (u32)VIREO_EXIT_MSR);
	KUNIT_EXPECT_EQ(test, run->msr.index, 0x8bU);
	KUNIT_EXPECT_EQ(test, run->msr.is_write, 0);
	KUNIT_EXPECT_EQ(test, run->msr.data, 0ULL);
	KUNIT_EXPECT_EQ(test, run->rip, 0x1000ULL);
	KUNIT_EXPECT_EQ(test, vcpu->completion, VIREO_COMPLETE_MSR);
	KUNIT_EXPECT_EQ(test, vcpu->completion_rip, (u64)NEXT_RIP);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x1000ULL);

	KUNIT_EXPECT_EQ(test, guest_wrmsr(vcpu, 0x1d9, 0xffffffff00000001ULL, 0x12345678), 1);
	KUNIT_EXPECT_EQ(test, run->msr.index, 0x1d9U);
	KUNIT_EXPECT_EQ(test, run->msr.is_write, 1);
	KUNIT_EXPECT_EQ(test, run->msr.data, 0x0000000112345678ULL);
	KUNIT_EXPECT_EQ(test, run->msr.error, 0);
}

/* With the in-kernel APIC, its MSRs are answered in the kernel too. */
static void msr_apic_msrs(struct kunit *test)
{
	struct vireo_vcpu *vcpu = msr_vcpu(test, true);

	KUNIT_EXPECT_EQ(test, guest_rdmsr(vcpu, MSR_IA32_APICBASE), 0);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RAX],
			VT_APIC_DEFAULT_BASE | VT_APIC_BASE_EN | VT_APIC_BASE_BSP);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RDX], 0ULL);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], (u64)NEXT_RIP);

	/* an x2APIC MSR in xAPIC mode is #GP (SDM 11.12.1.2) */
	vcpu->regs[VIREO_REG_RIP] = 0x1000;
	KUNIT_EXPECT_EQ(test, guest_rdmsr(vcpu, 0x808), 0);
	KUNIT_EXPECT_TRUE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->exception.vector, 13);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x1000ULL);
	vcpu->exception.valid = false;

	/* and after WRMSR to IA32_APIC_BASE (EXTD | EN), an x2APIC MSR works */
	KUNIT_EXPECT_EQ(test, guest_wrmsr(vcpu, MSR_IA32_APICBASE, 0, VT_APIC_DEFAULT_BASE |
				    VT_APIC_BASE_EN | VT_APIC_BASE_EXTD), 0);
	KUNIT_EXPECT_EQ(test, guest_rdmsr(vcpu, 0x802), 0);
	KUNIT_EXPECT_FALSE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RAX], 0ULL);	/* x2APIC ID 0 */
}

/* IA32_TSC_DEADLINE counts in the guest's TSC (the backend's IA32_TSC). */
static void msr_tsc_deadline_uses_guest_tsc(struct kunit *test)
{
	struct vireo_vcpu *vcpu;

	vt_need_host(test, "a clock the test moves");
	vcpu = msr_vcpu(test, true);
	vt_apic_enable(test, vcpu);
	vt_apic_set(test, vcpu, VT_APIC_LVT_TIMER, VT_LVT_TSC_DEADLINE | 0x50);
	KUNIT_ASSERT_EQ(test, vt_fake_msr_set(MSR_IA32_TSC, 1000000), 0);
#ifdef VIREO_KUNIT_HOST
	tsc_khz = 1000000;	/* 1 GHz */
#endif
	KUNIT_EXPECT_EQ(test, guest_wrmsr(vcpu, MSR_IA32_TSC_DEADLINE, 0, 1000000 + 5000), 0);
	vt_clock_advance(4999);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), -1);
	vt_clock_advance(1);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), 0x50);
}

static struct kunit_case msr_cases[] = {
	KUNIT_CASE(msr_pat_memory_types),
	KUNIT_CASE(msr_list),
	KUNIT_CASE(msr_read_kept),
	KUNIT_CASE(msr_write_kept),
	KUNIT_CASE(msr_refused_is_gp),
	KUNIT_CASE(msr_other_exits_to_userland),
	KUNIT_CASE(msr_apic_msrs),
	KUNIT_CASE(msr_tsc_deadline_uses_guest_tsc),
	{}
};

static struct kunit_suite msr_suite = {
	.name = "vireo_msr",
	.exit = vt_suite_exit,
	.test_cases = msr_cases,
};

kunit_test_suite(msr_suite);
