// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: lapic.c's x2APIC mode and IA32_APIC_BASE, against the Intel SDM
 * vol. 3 section 11.12: mode transitions, the MSR interface to the
 * registers, which accesses fault, 32-bit IDs, logical IDs, self IPIs.
 */
#include "vireo_test.h"

#define MSR(off)	VT_X2APIC_MSR(off)

static struct vireo_vcpu *x2_enabled(struct kunit *test, struct vt_env *env, int i)
{
	vt_x2apic_enable(test, env->vcpu[i]);
	vt_apic_enable(test, env->vcpu[i]);
	return env->vcpu[i];
}

/*
 * SDM 11.12.1, 11.12.5: EN=1 EXTD=1 is x2APIC mode; the xAPIC page is no
 * longer decoded, the MSRs are.  EXTD=1 with EN=0 is invalid (#GP), and
 * reserved bits of IA32_APIC_BASE #GP.
 */
static void x2apic_enable_through_apic_base(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, true);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	struct vireo_apic_access acc = { .offset = VT_APIC_VERSION, .size = 4 };
	u64 base, val;

	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_VERSION), &val), -EINVAL);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, MSR(VT_APIC_TPR), 0), -EINVAL);

	base = VT_APIC_DEFAULT_BASE | VT_APIC_BASE_BSP;
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, VT_APIC_BASE_MSR, base | VT_APIC_BASE_EXTD), -EINVAL);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, VT_APIC_BASE_MSR, base | VT_APIC_BASE_EN | 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, VT_APIC_BASE_MSR, base | VT_APIC_BASE_EN | 1ULL << 9),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, VT_APIC_BASE_MSR, base | VT_APIC_BASE_EN | 1ULL << 63),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, VT_APIC_BASE_MSR, &val), 0);
	KUNIT_EXPECT_EQ(test, val, base | VT_APIC_BASE_EN);

	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, VT_APIC_BASE_MSR,
				       base | VT_APIC_BASE_EN | VT_APIC_BASE_EXTD), 0);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, VT_APIC_BASE_MSR, &val), 0);
	KUNIT_EXPECT_EQ(test, val, base | VT_APIC_BASE_EN | VT_APIC_BASE_EXTD);
	KUNIT_EXPECT_EQ(test, vireo_lapic_mmio(vcpu, &acc), -ENXIO);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_VERSION), &val), 0);
}

/*
 * SDM 11.12.5.1: the x2APIC ID is 32 bits, read-only in the ID MSR;
 * SDM 11.12.10.2: the logical ID is derived, LDR = cluster (ID[19:4]) << 16
 * | 1 << ID[3:0].
 */
static void x2apic_id_and_logical_id(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 3, true);
	struct vireo_vcpu *v17 = vt_env_add_vcpu(test, env, 17);
	u64 val;

	x2_enabled(test, env, 2);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(env->vcpu[2], MSR(VT_APIC_ID), &val), 0);
	KUNIT_EXPECT_EQ(test, val, 2ULL);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(env->vcpu[2], MSR(VT_APIC_LDR), &val), 0);
	KUNIT_EXPECT_EQ(test, val, 1ULL << 2);

	vt_x2apic_enable(test, v17);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(v17, MSR(VT_APIC_ID), &val), 0);
	KUNIT_EXPECT_EQ(test, val, 17ULL);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(v17, MSR(VT_APIC_LDR), &val), 0);
	KUNIT_EXPECT_EQ(test, val, 1ULL << 16 | 1ULL << 1);
}

/*
 * SDM table 11-6: version, TPR, SVR and the LVT entries through their MSRs,
 * with the same contents as in xAPIC mode; a write with bits 63:32 set
 * #GPs (reserved).
 */
static void x2apic_register_msrs(struct kunit *test)
{
	static const u32 lvt[] = {
		VT_APIC_LVT_THERMAL, VT_APIC_LVT_PERF, VT_APIC_LVT_LINT0,
		VT_APIC_LVT_LINT1, VT_APIC_LVT_ERROR,
	};
	struct vt_env *env = vt_env_new(test, 1, true);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	u32 xapic_version = vt_apic_get(test, vcpu, VT_APIC_VERSION);
	u64 val;
	int i;

	vt_x2apic_enable(test, vcpu);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_VERSION), &val), 0);
	KUNIT_EXPECT_EQ(test, val, (u64)xapic_version);

	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_SVR), &val), 0);
	KUNIT_EXPECT_EQ(test, val, 0xffULL);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, MSR(VT_APIC_SVR), 0x1ff), 0);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_SVR), &val), 0);
	KUNIT_EXPECT_EQ(test, val, 0x1ffULL);

	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, MSR(VT_APIC_TPR), 0x40), 0);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_TPR), &val), 0);
	KUNIT_EXPECT_EQ(test, val, 0x40ULL);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_PPR), &val), 0);
	KUNIT_EXPECT_EQ(test, val, 0x40ULL);

	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, MSR(VT_APIC_LVT_TIMER), VT_LVT_PERIODIC | 0x30), 0);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_LVT_TIMER), &val), 0);
	KUNIT_EXPECT_EQ(test, val, (u64)(VT_LVT_PERIODIC | 0x30));
	for (i = 0; i < ARRAY_SIZE(lvt); i++) {
		KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, MSR(lvt[i]), 0x31 + i), 0);
		KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(lvt[i]), &val), 0);
		KUNIT_EXPECT_EQ_MSG(test, val, 0x31ULL + i, "LVT MSR 0x%x", MSR(lvt[i]));
	}

	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, MSR(VT_APIC_TPR), 1ULL << 32 | 0x20), -EINVAL);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, MSR(VT_APIC_SVR), 1ULL << 40 | 0x1ff), -EINVAL);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_TPR), &val), 0);
	KUNIT_EXPECT_EQ(test, val, 0x40ULL);
}

/*
 * SDM 11.12.1.2: MSRs of the x2APIC range that hold no register #GP: there
 * is no ICR high half (ICR is one 64-bit MSR), nothing at 0x801, 0x804 ...,
 * and the self-IPI register is write-only.
 */
static void x2apic_reserved_msrs_fault(struct kunit *test)
{
	static const u32 reserved[] = { 0x801, 0x804, 0x805, 0x806, 0x807, 0x8ff };
	struct vt_env *env = vt_env_new(test, 1, true);
	struct vireo_vcpu *vcpu = x2_enabled(test, env, 0);
	u64 val;
	int i;

	for (i = 0; i < ARRAY_SIZE(reserved); i++) {
		KUNIT_EXPECT_EQ_MSG(test, vt_rdmsr(vcpu, reserved[i], &val), -EINVAL,
				    "RDMSR 0x%x", reserved[i]);
		KUNIT_EXPECT_EQ_MSG(test, vt_wrmsr(vcpu, reserved[i], 0), -EINVAL,
				    "WRMSR 0x%x", reserved[i]);
	}
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, MSR(VT_APIC_ICR_HIGH), 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_SELF_IPI), &val), -EINVAL);

	/* MSRs outside the APIC's are not its business at all */
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, 0x900, &val), -ENOENT);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, 0x7ff, &val), -ENOENT);
}

/*
 * SDM 11.12.1.2 and table 11-6: RDMSR of a write-only register (EOI) and
 * WRMSR of a read-only one (ID, version, LDR, PPR, ISR/TMR/IRR, current
 * count) #GP, and the DFR, APR and ICR high half (0x831) do not exist in
 * x2APIC mode.
 */
static void x2apic_ro_and_wo_registers_fault(struct kunit *test)
{
	static const u32 ro[] = {
		VT_APIC_ID, VT_APIC_VERSION, VT_APIC_PPR, VT_APIC_LDR, VT_APIC_ISR,
		VT_APIC_TMR, VT_APIC_IRR, VT_APIC_TIMER_CCR,
	};
	struct vt_env *env = vt_env_new(test, 1, true);
	struct vireo_vcpu *vcpu = x2_enabled(test, env, 0);
	u64 val;
	int i;

	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_EOI), &val), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(ro); i++)
		KUNIT_EXPECT_EQ_MSG(test, vt_wrmsr(vcpu, MSR(ro[i]), 0), -EINVAL,
				    "WRMSR 0x%x", MSR(ro[i]));
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_DFR), &val), -EINVAL);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, MSR(VT_APIC_DFR), 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_APR), &val), -EINVAL);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, MSR(VT_APIC_ICR_HIGH), &val), -EINVAL);
}

/*
 * SDM 11.12.5 (figure 11-27): x2APIC -> xAPIC directly, and disabled ->
 * x2APIC directly, are invalid transitions (#GP); x2APIC -> disabled ->
 * xAPIC is the way back.
 */
static void x2apic_invalid_transitions_fault(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, true);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	u64 base = VT_APIC_DEFAULT_BASE | VT_APIC_BASE_BSP, val;

	vt_x2apic_enable(test, vcpu);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, VT_APIC_BASE_MSR, base), 0);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, VT_APIC_BASE_MSR, base | VT_APIC_BASE_EN), 0);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, VT_APIC_BASE_MSR, &val), 0);
	KUNIT_EXPECT_EQ(test, val, base | VT_APIC_BASE_EN);

	vt_x2apic_enable(test, vcpu);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, VT_APIC_BASE_MSR, base | VT_APIC_BASE_EN), -EINVAL);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, VT_APIC_BASE_MSR, base), 0);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, VT_APIC_BASE_MSR,
				       base | VT_APIC_BASE_EN | VT_APIC_BASE_EXTD), -EINVAL);
}

/* SDM 11.12.11: the self-IPI MSR takes a vector and sets it in our IRR. */
static void x2apic_self_ipi(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 2, true);
	struct vireo_vcpu *vcpu = x2_enabled(test, env, 0);

	x2_enabled(test, env, 1);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, MSR(VT_APIC_SELF_IPI), 0x70), 0);
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, vcpu, VT_APIC_IRR, 0x70));
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), 0x70);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[1]), -1);
}

/*
 * SDM 11.12.9: the ICR is one 64-bit MSR with a 32-bit destination in bits
 * 63:32; it reads back whole.  SDM 11.12.10.2: logical destination by
 * cluster and member bits.  EOI through its MSR ends the highest in service.
 */
static void x2apic_icr_and_eoi(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 3, true);
	struct vireo_vcpu *v0 = x2_enabled(test, env, 0), *v1, *v2;
	u64 icr = 1ULL << 32 | VT_DM_FIXED << 8 | 0x71, val;

	v1 = x2_enabled(test, env, 1);
	v2 = x2_enabled(test, env, 2);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(v0, MSR(VT_APIC_ICR_LOW), icr), 0);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(v0, MSR(VT_APIC_ICR_LOW), &val), 0);
	KUNIT_EXPECT_EQ(test, val, icr);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v1), 0x71);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v0), -1);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v2), -1);

	/* cluster 0, members 0 and 2 */
	icr = (u64)(1U << 0 | 1U << 2) << 32 | VT_ICR_LOGICAL | VT_DM_FIXED << 8 | 0x72;
	KUNIT_EXPECT_EQ(test, vt_wrmsr(v1, MSR(VT_APIC_ICR_LOW), icr), 0);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v0), 0x72);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v2), 0x72);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v1), 0x71);
	/* cluster 1: nobody here */
	icr = (u64)(1U << 16 | 1U << 1) << 32 | VT_ICR_LOGICAL | VT_DM_FIXED << 8 | 0x73;
	KUNIT_EXPECT_EQ(test, vt_wrmsr(v0, MSR(VT_APIC_ICR_LOW), icr), 0);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v1), 0x71);

	vireo_lapic_ack(v1, 0x71);
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, v1, VT_APIC_ISR, 0x71));
	KUNIT_EXPECT_EQ(test, vt_wrmsr(v1, MSR(VT_APIC_EOI), 0), 0);
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, v1, VT_APIC_ISR, 0x71));
}

/*
 * SDM 11.11.1: the MSI destination ID is address bits 19:12, so APIC ID 17
 * is reachable.  lapic.c also takes bits 11:5 as destination bits 14:8 (the
 * extended destination ID that KVM, Xen and Hyper-V give x2APIC guests):
 * with one of them set the message is for APIC ID 0x111, which is nobody.
 */
static void x2apic_msi_reaches_id_above_15(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, true);
	struct vireo_vcpu *v17 = vt_env_add_vcpu(test, env, 17);

	vt_x2apic_enable(test, v17);
	vt_apic_enable(test, v17);
	KUNIT_EXPECT_EQ(test, vireo_lapic_deliver_msi(env->vm, VT_APIC_DEFAULT_BASE | 17 << 12,
						      0x44), 1);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v17), 0x44);
	KUNIT_EXPECT_EQ(test, vireo_lapic_deliver_msi(env->vm, VT_APIC_DEFAULT_BASE | 1 << 5 |
						      17 << 12, 0x45), 0);
}

static struct kunit_case x2apic_cases[] = {
	KUNIT_CASE(x2apic_enable_through_apic_base),
	KUNIT_CASE(x2apic_id_and_logical_id),
	KUNIT_CASE(x2apic_register_msrs),
	KUNIT_CASE(x2apic_reserved_msrs_fault),
	KUNIT_CASE(x2apic_ro_and_wo_registers_fault),
	KUNIT_CASE(x2apic_invalid_transitions_fault),
	KUNIT_CASE(x2apic_self_ipi),
	KUNIT_CASE(x2apic_icr_and_eoi),
	KUNIT_CASE(x2apic_msi_reaches_id_above_15),
	{}
};

static struct kunit_suite x2apic_suite = {
	.name = "vireo_x2apic",
	.exit = vt_suite_exit,
	.test_cases = x2apic_cases,
};

kunit_test_suite(x2apic_suite);
