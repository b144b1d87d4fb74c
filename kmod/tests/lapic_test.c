// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the in-kernel local APIC (lapic.c) in xAPIC mode, against the
 * Intel SDM vol. 3 chapter 11: reset state, software enable, interrupt
 * acceptance and priority (IRR, ISR, TPR, PPR), EOI, MSIs and IPIs.
 */
#include "vireo_test.h"

/* A vector's priority class (SDM 11.8.3). */
#define PRIO_CLASS(v)	((v) & 0xf0)

static const u32 lvts[] = {
	VT_APIC_LVT_TIMER, VT_APIC_LVT_THERMAL, VT_APIC_LVT_PERF,
	VT_APIC_LVT_LINT0, VT_APIC_LVT_LINT1, VT_APIC_LVT_ERROR,
};

static struct vireo_vcpu *one_enabled(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, true);

	vt_apic_enable(test, env->vcpu[0]);
	return env->vcpu[0];
}

/* SDM 11.4.4 (IA32_APIC_BASE) and 11.4.7.1 (state after power-up/reset). */
static void lapic_reset_state(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 2, true);
	struct vireo_vcpu *bsp = env->vcpu[0], *ap = env->vcpu[1];
	u64 base;
	u32 ver;
	int i;

	KUNIT_EXPECT_EQ(test, vt_rdmsr(bsp, VT_APIC_BASE_MSR, &base), 0);
	KUNIT_EXPECT_EQ(test, base, VT_APIC_DEFAULT_BASE | VT_APIC_BASE_EN | VT_APIC_BASE_BSP);
	KUNIT_EXPECT_EQ(test, vt_rdmsr(ap, VT_APIC_BASE_MSR, &base), 0);
	KUNIT_EXPECT_EQ(test, base, VT_APIC_DEFAULT_BASE | VT_APIC_BASE_EN);

	/* xAPIC ID in bits 31:24 */
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, bsp, VT_APIC_ID), 0U);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, ap, VT_APIC_ID), 1U << 24);

	/* An integrated APIC (version 1xH) with at least the six LVT entries. */
	ver = vt_apic_get(test, ap, VT_APIC_VERSION);
	KUNIT_EXPECT_GE(test, ver & 0xff, 0x10U);
	KUNIT_EXPECT_LE(test, ver & 0xff, 0x15U);
	KUNIT_EXPECT_GE(test, (ver >> 16) & 0xff, 5U);

	KUNIT_EXPECT_EQ(test, vt_apic_get(test, ap, VT_APIC_TPR), 0U);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, ap, VT_APIC_PPR), 0U);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, ap, VT_APIC_LDR), 0U);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, ap, VT_APIC_DFR), 0xffffffffU);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, ap, VT_APIC_SVR), 0xffU);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, ap, VT_APIC_ICR_LOW), 0U);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, ap, VT_APIC_TIMER_ICR), 0U);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, ap, VT_APIC_TIMER_CCR), 0U);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, ap, VT_APIC_TIMER_DCR), 0U);
	for (i = 0; i < ARRAY_SIZE(lvts); i++)
		KUNIT_EXPECT_EQ_MSG(test, vt_apic_get(test, ap, lvts[i]), VT_LVT_MASKED,
				    "LVT at 0x%x", lvts[i]);
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_EQ(test, vt_apic_get(test, ap, VT_APIC_IRR + i * 0x10), 0U);
		KUNIT_EXPECT_EQ(test, vt_apic_get(test, ap, VT_APIC_ISR + i * 0x10), 0U);
		KUNIT_EXPECT_EQ(test, vt_apic_get(test, ap, VT_APIC_TMR + i * 0x10), 0U);
	}
}

/* SDM 11.4.7.2: software disable masks every LVT and keeps them masked. */
static void lapic_svr_disable_masks_lvts(struct kunit *test)
{
	struct vireo_vcpu *vcpu = one_enabled(test);
	int i;

	for (i = 0; i < ARRAY_SIZE(lvts); i++) {
		vt_apic_set(test, vcpu, lvts[i], 0x40 + i);
		KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, lvts[i]), 0x40U + i);
	}
	vt_apic_set(test, vcpu, VT_APIC_SVR, 0xff);
	for (i = 0; i < ARRAY_SIZE(lvts); i++) {
		KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, lvts[i]), VT_LVT_MASKED | (0x40 + i));
		/* "Attempts to reset these bits will be ignored." */
		vt_apic_set(test, vcpu, lvts[i], 0x50);
		KUNIT_EXPECT_TRUE(test, vt_apic_get(test, vcpu, lvts[i]) & VT_LVT_MASKED);
	}
}

/*
 * SDM 11.4.7.2: a software-disabled APIC (the reset state) gives the
 * processor no fixed interrupt, but still takes NMI and INIT.
 */
static void lapic_sw_disabled_delivers_no_fixed(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, true);
	struct vireo_vcpu *vcpu = env->vcpu[0];

	vt_msi(env->vm, 0, false, VT_DM_FIXED, false, 0x40);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), -1);

	vt_msi(env->vm, 0, false, VT_DM_NMI, false, 0);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(vcpu->nmi_pending));
	vt_msi(env->vm, 0, false, VT_DM_INIT, false, 0);
	KUNIT_EXPECT_TRUE(test, test_bit(VIREO_REQ_INIT, &vcpu->requests));
}

/* SDM 11.8.3: of the requests in the IRR, the highest vector goes first. */
static void lapic_highest_irr_first(struct kunit *test)
{
	struct vireo_vcpu *vcpu = one_enabled(test);
	struct vireo_vm *vm = vcpu->vm;

	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), -1);
	KUNIT_EXPECT_EQ(test, vt_msi(vm, 0, false, VT_DM_FIXED, false, 0x31), 1);
	KUNIT_EXPECT_EQ(test, vt_msi(vm, 0, false, VT_DM_FIXED, false, 0x45), 1);
	KUNIT_EXPECT_EQ(test, vt_msi(vm, 0, false, VT_DM_FIXED, false, 0x44), 1);
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, vcpu, VT_APIC_IRR, 0x31));
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, vcpu, VT_APIC_IRR, 0x44));
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, vcpu, VT_APIC_IRR, 0x45));
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), 0x45);

	/* A second request for a vector already pending is the same request. */
	vt_msi(vm, 0, false, VT_DM_FIXED, false, 0x45);
	vireo_lapic_ack(vcpu, 0x45);
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_IRR, 0x45));
}

/*
 * SDM 11.8.3.1: an interrupt is delivered only if its priority class is
 * above the processor priority class, PPR[7:4] = max(TPR[7:4], ISRV[7:4]).
 */
static void lapic_ppr_blocks_same_or_lower_class(struct kunit *test)
{
	struct vireo_vcpu *vcpu = one_enabled(test);
	struct vireo_vm *vm = vcpu->vm;

	vt_msi(vm, 0, false, VT_DM_FIXED, false, 0x45);
	KUNIT_ASSERT_EQ(test, vireo_lapic_pending(vcpu), 0x45);
	vireo_lapic_ack(vcpu, 0x45);
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, vcpu, VT_APIC_ISR, 0x45));
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_IRR, 0x45));
	KUNIT_EXPECT_EQ(test, PRIO_CLASS(vt_apic_get(test, vcpu, VT_APIC_PPR)), 0x40U);

	vt_msi(vm, 0, false, VT_DM_FIXED, false, 0x4f);	/* same class */
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), -1);
	vt_msi(vm, 0, false, VT_DM_FIXED, false, 0x31);	/* lower class */
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), -1);
	vt_msi(vm, 0, false, VT_DM_FIXED, false, 0x50);	/* higher class */
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), 0x50);

	/* EOI of 0x45: PPR drops to TPR (0), then 0x50 goes, then 0x4f. */
	vt_apic_set(test, vcpu, VT_APIC_EOI, 0);
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_ISR, 0x45));
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_PPR), 0U);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), 0x50);
	vireo_lapic_ack(vcpu, 0x50);
	vt_apic_set(test, vcpu, VT_APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), 0x4f);
}

/*
 * SDM 11.8.3.1: PPR[7:0] is TPR[7:0] if TPR[7:4] >= ISRV[7:4], else
 * ISRV[7:4] with PPR[3:0] zero.
 */
static void lapic_ppr_value(struct kunit *test)
{
	struct vireo_vcpu *vcpu = one_enabled(test);

	vt_apic_set(test, vcpu, VT_APIC_TPR, 0x35);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_TPR), 0x35U);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_PPR), 0x35U);
	vt_apic_set(test, vcpu, VT_APIC_TPR, 0);

	/* 0x22 in service, then 0x61 nested on it */
	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x22);
	KUNIT_ASSERT_EQ(test, vireo_lapic_pending(vcpu), 0x22);
	vireo_lapic_ack(vcpu, 0x22);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_PPR), 0x20U);
	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x61);
	KUNIT_ASSERT_EQ(test, vireo_lapic_pending(vcpu), 0x61);
	vireo_lapic_ack(vcpu, 0x61);

	vt_apic_set(test, vcpu, VT_APIC_TPR, 0x35);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_PPR), 0x60U);
	vt_apic_set(test, vcpu, VT_APIC_EOI, 0);	/* ends 0x61: ISRV 0x22 */
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_PPR), 0x35U);
	vt_apic_set(test, vcpu, VT_APIC_TPR, 0x2a);	/* equal classes: TPR's value */
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_PPR), 0x2aU);
	vt_apic_set(test, vcpu, VT_APIC_TPR, 0x1f);	/* now ISRV's class wins */
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_PPR), 0x20U);
	vt_apic_set(test, vcpu, VT_APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_PPR), 0x1fU);
}

/*
 * SDM 11.8.3.1: TPR masks classes at or below its own.  SDM 10.8.6.1: a
 * MOV to CR8 sets TPR[7:4] = CR8[3:0] and TPR[3:0] = 0 (the backend keeps
 * the guest's CR8 in vcpu->cr8).
 */
static void lapic_tpr_masks(struct kunit *test)
{
	struct vireo_vcpu *vcpu = one_enabled(test);

	vt_apic_set(test, vcpu, VT_APIC_TPR, 0x50);
	KUNIT_EXPECT_EQ(test, vcpu->cr8, 5ULL);
	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x5f);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), -1);
	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x60);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), 0x60);

	vcpu->cr8 = 6;			/* the guest wrote CR8 */
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), -1);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_TPR), 0x60U);
	vcpu->cr8 = 4;
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), 0x60);
	vcpu->cr8 = 0;
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), 0x60);
}

/* SDM 11.8.5: EOI clears the highest-priority bit in the ISR. */
static void lapic_eoi_ends_highest_in_service(struct kunit *test)
{
	struct vireo_vcpu *vcpu = one_enabled(test);

	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x45);
	KUNIT_ASSERT_EQ(test, vireo_lapic_pending(vcpu), 0x45);
	vireo_lapic_ack(vcpu, 0x45);
	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x52);	/* nests */
	KUNIT_ASSERT_EQ(test, vireo_lapic_pending(vcpu), 0x52);
	vireo_lapic_ack(vcpu, 0x52);
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, vcpu, VT_APIC_ISR, 0x45));
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, vcpu, VT_APIC_ISR, 0x52));
	KUNIT_EXPECT_EQ(test, PRIO_CLASS(vt_apic_get(test, vcpu, VT_APIC_PPR)), 0x50U);

	vt_apic_set(test, vcpu, VT_APIC_EOI, 0);
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_ISR, 0x52));
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, vcpu, VT_APIC_ISR, 0x45));
	KUNIT_EXPECT_EQ(test, PRIO_CLASS(vt_apic_get(test, vcpu, VT_APIC_PPR)), 0x40U);

	vt_apic_set(test, vcpu, VT_APIC_EOI, 0);
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_ISR, 0x45));
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_PPR), 0U);

	vt_apic_set(test, vcpu, VT_APIC_EOI, 0);	/* nothing in service: harmless */
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_PPR), 0U);
}

/*
 * SDM 11.8.4, 11.8.5: a level-triggered interrupt sets its TMR bit, and its
 * EOI goes on to the I/O APIC (vireo: vcpu->level_eoi, VIREO_EXIT_IOAPIC_EOI);
 * an edge-triggered one's does not.
 */
static void lapic_level_triggered_eoi(struct kunit *test)
{
	struct vireo_vcpu *vcpu = one_enabled(test);

	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, true, 0x50);
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, vcpu, VT_APIC_TMR, 0x50));
	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x40);
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_TMR, 0x40));

	vireo_lapic_ack(vcpu, 0x50);
	vt_apic_set(test, vcpu, VT_APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, vcpu->level_eoi, 0x50U | VIREO_PIC_VECTOR_VALID);
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_TMR, 0x50));

	vcpu->level_eoi = 0;
	vireo_lapic_ack(vcpu, 0x40);
	vt_apic_set(test, vcpu, VT_APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, vcpu->level_eoi, 0U);
}

/* An acknowledged interrupt the guest did not take goes back to the IRR. */
static void lapic_unack_returns_to_irr(struct kunit *test)
{
	struct vireo_vcpu *vcpu = one_enabled(test);

	vt_apic_set(test, vcpu, VT_APIC_TPR, 0x20);
	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x45);
	KUNIT_ASSERT_EQ(test, vireo_lapic_pending(vcpu), 0x45);
	vireo_lapic_ack(vcpu, 0x45);
	KUNIT_EXPECT_EQ(test, PRIO_CLASS(vt_apic_get(test, vcpu, VT_APIC_PPR)), 0x40U);

	vireo_lapic_unack(vcpu, 0x45);
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, vcpu, VT_APIC_IRR, 0x45));
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_ISR, 0x45));
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_PPR), 0x20U);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), 0x45);
}

/* SDM 11.5.2: vectors 0-15 are illegal for interrupts and are not accepted. */
static void lapic_illegal_vectors_dropped(struct kunit *test)
{
	struct vireo_vcpu *vcpu = one_enabled(test);
	int v;

	for (v = 0; v < 16; v++)
		vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, v);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_IRR) & 0xffff, 0U);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), -1);
}

/* SDM 11.11.1: an MSI address has 0FEEH in bits 31:20. */
static void lapic_msi_address_format(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, true);

	vt_apic_enable(test, env->vcpu[0]);
	KUNIT_EXPECT_EQ(test, vireo_lapic_deliver_msi(env->vm, 0xfed00000, 0x40), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_lapic_deliver_msi(env->vm, 0xfef00000, 0x40), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[0]), -1);
	/* bits 19:12 destination, 11:4 ignored here, 3 RH, 2 DM */
	KUNIT_EXPECT_EQ(test, vireo_lapic_deliver_msi(env->vm, 0xfee00008, 0x41), 1);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[0]), 0x41);
}

/*
 * SDM 11.11.1: the interrupt message address is 0FEEx_xxxxH; a 64-bit
 * write with any of bits 63:32 set goes to memory above 4 GiB, not to an
 * APIC, whatever its low half.
 */
static void lapic_msi_address_high_bits(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, true);
	static const u64 high[] = { 1ULL << 32, 1ULL << 63, 0xffffffffULL << 32 };
	int i;

	vt_apic_enable(test, env->vcpu[0]);
	for (i = 0; i < ARRAY_SIZE(high); i++)
		KUNIT_EXPECT_EQ_MSG(test, vireo_lapic_deliver_msi(env->vm, high[i] | 0xfee00000,
								  0x42), -EINVAL,
				    "address 0x%llx", high[i] | 0xfee00000);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[0]), -1);
}

static struct vt_env *three_enabled(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 3, true);
	int i;

	for (i = 0; i < 3; i++)
		vt_apic_enable(test, env->vcpu[i]);
	return env;
}

/* SDM 11.6.2.1: physical destination is the APIC ID; 0FFH is broadcast. */
static void lapic_msi_physical_destination(struct kunit *test)
{
	struct vt_env *env = three_enabled(test);

	KUNIT_EXPECT_EQ(test, vt_msi(env->vm, 1, false, VT_DM_FIXED, false, 0x40), 1);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[0]), -1);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[1]), 0x40);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[2]), -1);

	KUNIT_EXPECT_EQ(test, vt_msi(env->vm, 7, false, VT_DM_FIXED, false, 0x41), 0);

	KUNIT_EXPECT_EQ(test, vt_msi(env->vm, 0xff, false, VT_DM_FIXED, false, 0x42), 3);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[0]), 0x42);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[2]), 0x42);
}

/* SDM 11.6.2.2: flat model, a match is a common bit in MDA and LDR[31:24]. */
static void lapic_msi_logical_flat(struct kunit *test)
{
	struct vt_env *env = three_enabled(test);
	int i;

	for (i = 0; i < 3; i++)
		vt_apic_set(test, env->vcpu[i], VT_APIC_LDR, (1U << i) << 24);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, env->vcpu[2], VT_APIC_LDR), 4U << 24);

	KUNIT_EXPECT_EQ(test, vt_msi(env->vm, 0x05, true, VT_DM_FIXED, false, 0x40), 2);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[0]), 0x40);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[1]), -1);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[2]), 0x40);
	KUNIT_EXPECT_EQ(test, vt_msi(env->vm, 0x08, true, VT_DM_FIXED, false, 0x41), 0);
}

/* SDM 11.6.2.2: cluster model, MDA[7:4] is the cluster, MDA[3:0] the members. */
static void lapic_msi_logical_cluster(struct kunit *test)
{
	static const u32 ldr[] = { 0x11, 0x12, 0x21 };
	struct vt_env *env = three_enabled(test);
	int i;

	for (i = 0; i < 3; i++) {
		vt_apic_set(test, env->vcpu[i], VT_APIC_DFR, 0x0fffffff);
		vt_apic_set(test, env->vcpu[i], VT_APIC_LDR, ldr[i] << 24);
	}
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, env->vcpu[0], VT_APIC_DFR), 0x0fffffffU);

	KUNIT_EXPECT_EQ(test, vt_msi(env->vm, 0x13, true, VT_DM_FIXED, false, 0x40), 2);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[0]), 0x40);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[1]), 0x40);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[2]), -1);

	KUNIT_EXPECT_EQ(test, vt_msi(env->vm, 0x21, true, VT_DM_FIXED, false, 0x50), 1);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[2]), 0x50);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[0]), 0x40);
	/* cluster 2, member bit 1: nobody */
	KUNIT_EXPECT_EQ(test, vt_msi(env->vm, 0x22, true, VT_DM_FIXED, false, 0x51), 0);
}

/*
 * SDM 11.6.1 delivery modes of an MSI: NMI, INIT and ExtINT bypass the IRR
 * (ExtINT takes its vector from the 8259, not from the ISR's bookkeeping).
 */
static void lapic_msi_delivery_modes(struct kunit *test)
{
	struct vt_env *env = three_enabled(test);
	struct vireo_vcpu *v0 = env->vcpu[0], *v1 = env->vcpu[1];

	vt_msi(env->vm, 1, false, VT_DM_NMI, false, 0);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(v1->nmi_pending));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(v0->nmi_pending));

	vt_msi(env->vm, 1, false, VT_DM_INIT, false, 0);
	KUNIT_EXPECT_TRUE(test, test_bit(VIREO_REQ_INIT, &v1->requests));
	KUNIT_EXPECT_FALSE(test, test_bit(VIREO_REQ_INIT, &v0->requests));

	vt_msi(env->vm, 0, false, VT_DM_EXTINT, false, 0x20);
	KUNIT_EXPECT_EQ(test, READ_ONCE(v0->pic_vector), 0x20U | VIREO_PIC_VECTOR_VALID);
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, v0, VT_APIC_IRR, 0x20));

	vt_msi(env->vm, 0, false, VT_DM_SMI, false, 0x30);	/* not modelled: dropped */
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v0), -1);
}

/* SDM 11.6.1: an IPI to self by shorthand; the ICR reads back idle (bit 12). */
static void lapic_ipi_self(struct kunit *test)
{
	struct vt_env *env = three_enabled(test);
	struct vireo_vcpu *v0 = env->vcpu[0];

	vt_apic_set(test, v0, VT_APIC_ICR_LOW, VT_ICR_SELF | VT_DM_FIXED << 8 | 0x60);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v0), 0x60);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[1]), -1);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, v0, VT_APIC_ICR_LOW) & (1U << 12), 0U);

	/* and to self by its own APIC ID */
	vt_apic_set(test, v0, VT_APIC_ICR_HIGH, 0);
	vt_apic_set(test, v0, VT_APIC_ICR_LOW, VT_DM_FIXED << 8 | 0x70);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v0), 0x70);
}

/* SDM 11.6.1: destination in ICR[63:56] (xAPIC), shorthands 10b and 11b. */
static void lapic_ipi_destinations(struct kunit *test)
{
	struct vt_env *env = three_enabled(test);
	struct vireo_vcpu *v0 = env->vcpu[0], *v1 = env->vcpu[1], *v2 = env->vcpu[2];

	vt_apic_set(test, v0, VT_APIC_ICR_HIGH, 2U << 24);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, v0, VT_APIC_ICR_HIGH), 2U << 24);
	vt_apic_set(test, v0, VT_APIC_ICR_LOW, VT_DM_FIXED << 8 | 0x61);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v2), 0x61);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v1), -1);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v0), -1);

	vt_apic_set(test, v1, VT_APIC_ICR_LOW, VT_ICR_OTHERS | VT_DM_FIXED << 8 | 0x62);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v0), 0x62);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v1), -1);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v2), 0x62);

	vt_apic_set(test, v2, VT_APIC_ICR_LOW, VT_ICR_ALL | VT_DM_FIXED << 8 | 0x63);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v0), 0x63);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v1), 0x63);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v2), 0x63);
}

/* SDM 9.4.4.1 and 11.6.1: INIT-SIPI-SIPI and NMI by IPI. */
static void lapic_ipi_init_sipi_nmi(struct kunit *test)
{
	struct vt_env *env = three_enabled(test);
	struct vireo_vcpu *bsp = env->vcpu[0], *ap = env->vcpu[1];

	vt_apic_set(test, bsp, VT_APIC_ICR_HIGH, 1U << 24);
	/* INIT level de-assert: no INIT */
	vt_apic_set(test, bsp, VT_APIC_ICR_LOW, VT_ICR_LEVEL_TRIG | VT_DM_INIT << 8);
	KUNIT_EXPECT_FALSE(test, test_bit(VIREO_REQ_INIT, &ap->requests));
	vt_apic_set(test, bsp, VT_APIC_ICR_LOW, VT_ICR_ASSERT | VT_DM_INIT << 8);
	KUNIT_EXPECT_TRUE(test, test_bit(VIREO_REQ_INIT, &ap->requests));

	vt_apic_set(test, bsp, VT_APIC_ICR_LOW, VT_ICR_ASSERT | VT_DM_STARTUP << 8 | 0x9a);
	KUNIT_EXPECT_TRUE(test, test_bit(VIREO_REQ_SIPI, &ap->requests));
	KUNIT_EXPECT_EQ(test, READ_ONCE(ap->sipi_vector), 0x9a);
	KUNIT_EXPECT_FALSE(test, test_bit(VIREO_REQ_SIPI, &bsp->requests));
	KUNIT_EXPECT_FALSE(test, test_bit(VIREO_REQ_SIPI, &env->vcpu[2]->requests));

	vt_apic_set(test, bsp, VT_APIC_ICR_LOW, VT_ICR_ASSERT | VT_DM_NMI << 8);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(ap->nmi_pending));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(bsp->nmi_pending));
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(ap), -1);
}

/*
 * SDM 11.4.7.3: INIT resets the APIC's registers (not IA32_APIC_BASE);
 * SDM 11.4.3: clearing IA32_APIC_BASE[11] disables it and loses its state.
 */
static void lapic_init_and_disable_reset(struct kunit *test)
{
	struct vireo_vcpu *vcpu = one_enabled(test);
	struct vireo_apic_access acc = { .offset = VT_APIC_TPR, .size = 4 };
	u64 base;

	vt_apic_set(test, vcpu, VT_APIC_TPR, 0x30);
	vt_apic_set(test, vcpu, VT_APIC_LDR, 0x01000000);
	vt_apic_set(test, vcpu, VT_APIC_LVT_LINT0, 0x700);
	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x80);
	vireo_lapic_init_signal(vcpu);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_TPR), 0U);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_LDR), 0U);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_SVR), 0xffU);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_LVT_LINT0), VT_LVT_MASKED);
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_IRR, 0x80));
	KUNIT_EXPECT_EQ(test, vt_rdmsr(vcpu, VT_APIC_BASE_MSR, &base), 0);
	KUNIT_EXPECT_EQ(test, base, VT_APIC_DEFAULT_BASE | VT_APIC_BASE_EN | VT_APIC_BASE_BSP);

	vt_apic_enable(test, vcpu);
	vt_apic_set(test, vcpu, VT_APIC_TPR, 0x30);
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, VT_APIC_BASE_MSR, VT_APIC_DEFAULT_BASE), 0);
	KUNIT_EXPECT_EQ(test, vireo_lapic_mmio(vcpu, &acc), -ENXIO);	/* not decoded */
	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x80);		/* not accepted */
	KUNIT_EXPECT_EQ(test, vt_wrmsr(vcpu, VT_APIC_BASE_MSR,
				       VT_APIC_DEFAULT_BASE | VT_APIC_BASE_EN), 0);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_TPR), 0U);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_SVR), 0xffU);
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_IRR, 0x80));
}

/* The VIREO_APIC_ACCESS contract (uapi vireo.h): aligned 4-byte accesses. */
static void lapic_mmio_access_checks(struct kunit *test)
{
	struct vireo_vcpu *vcpu = one_enabled(test);
	struct vireo_apic_access acc = { .offset = VT_APIC_TPR, .size = 4 };

	acc.size = 2;
	KUNIT_EXPECT_EQ(test, vireo_lapic_mmio(vcpu, &acc), -EINVAL);
	acc = (struct vireo_apic_access){ .offset = VT_APIC_TPR + 1, .size = 4 };
	KUNIT_EXPECT_EQ(test, vireo_lapic_mmio(vcpu, &acc), -EINVAL);
	acc = (struct vireo_apic_access){ .offset = 0x1000, .size = 4 };
	KUNIT_EXPECT_EQ(test, vireo_lapic_mmio(vcpu, &acc), -EINVAL);
	acc = (struct vireo_apic_access){ .offset = VT_APIC_TPR, .size = 4, .reserved = 1 };
	KUNIT_EXPECT_EQ(test, vireo_lapic_mmio(vcpu, &acc), -EINVAL);
	acc = (struct vireo_apic_access){ .offset = VT_APIC_TPR, .size = 4, .is_write = 2 };
	KUNIT_EXPECT_EQ(test, vireo_lapic_mmio(vcpu, &acc), -EINVAL);

	/* A write to a reserved offset is dropped, the access still completes. */
	acc = (struct vireo_apic_access){ .offset = 0x3c0, .size = 4, .is_write = 1,
					  .data = 0xffffffff };
	KUNIT_EXPECT_EQ(test, vireo_lapic_mmio(vcpu, &acc), 0);
	acc = (struct vireo_apic_access){ .offset = 0x3c0, .size = 4 };
	KUNIT_EXPECT_EQ(test, vireo_lapic_mmio(vcpu, &acc), 0);

	/* Read-only registers ignore writes (SDM table 11-1). */
	vt_apic_set(test, vcpu, VT_APIC_VERSION, 0);
	KUNIT_EXPECT_NE(test, vt_apic_get(test, vcpu, VT_APIC_VERSION), 0U);
	vt_apic_set(test, vcpu, VT_APIC_IRR, 0xffffffff);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_IRR), 0U);
	vt_apic_set(test, vcpu, VT_APIC_PPR, 0xff);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_PPR), 0U);
}

static struct kunit_case lapic_cases[] = {
	KUNIT_CASE(lapic_reset_state),
	KUNIT_CASE(lapic_svr_disable_masks_lvts),
	KUNIT_CASE(lapic_sw_disabled_delivers_no_fixed),
	KUNIT_CASE(lapic_highest_irr_first),
	KUNIT_CASE(lapic_ppr_blocks_same_or_lower_class),
	KUNIT_CASE(lapic_ppr_value),
	KUNIT_CASE(lapic_tpr_masks),
	KUNIT_CASE(lapic_eoi_ends_highest_in_service),
	KUNIT_CASE(lapic_level_triggered_eoi),
	KUNIT_CASE(lapic_unack_returns_to_irr),
	KUNIT_CASE(lapic_illegal_vectors_dropped),
	KUNIT_CASE(lapic_msi_address_format),
	KUNIT_CASE(lapic_msi_address_high_bits),
	KUNIT_CASE(lapic_msi_physical_destination),
	KUNIT_CASE(lapic_msi_logical_flat),
	KUNIT_CASE(lapic_msi_logical_cluster),
	KUNIT_CASE(lapic_msi_delivery_modes),
	KUNIT_CASE(lapic_ipi_self),
	KUNIT_CASE(lapic_ipi_destinations),
	KUNIT_CASE(lapic_ipi_init_sipi_nmi),
	KUNIT_CASE(lapic_init_and_disable_reset),
	KUNIT_CASE(lapic_mmio_access_checks),
	{}
};

static struct kunit_suite lapic_suite = {
	.name = "vireo_lapic",
	.exit = vt_suite_exit,
	.test_cases = lapic_cases,
};

kunit_test_suite(lapic_suite);
