// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the local APIC timer (lapic.c) against the Intel SDM vol. 3
 * section 11.5.4: one-shot, periodic and TSC-deadline modes, the divide
 * configuration, the current count, masking and stopping.
 *
 * Time is the host harness's fake clock (vt_clock_advance() runs the
 * hrtimers that expire on the way), so these cases skip in a kernel.
 */
#include <linux/kernel.h>
#include <asm/tsc.h>

#include "vireo_test.h"

#define DIV1		0xb	/* DCR: divide by 1 */

static struct vireo_vcpu *timer_vcpu(struct kunit *test, u32 lvt, u32 dcr)
{
	struct vt_env *env;
	struct vireo_vcpu *vcpu;

	vt_need_host(test, "a clock the test moves");
	env = vt_env_new(test, 1, true);
	vcpu = env->vcpu[0];
	vt_apic_enable(test, vcpu);
	vt_apic_set(test, vcpu, VT_APIC_TIMER_DCR, dcr);
	vt_apic_set(test, vcpu, VT_APIC_LVT_TIMER, lvt);
	return vcpu;
}

static bool fired(struct kunit *test, struct vireo_vcpu *vcpu, u8 vec)
{
	return vt_apic_vec(test, vcpu, VT_APIC_IRR, vec);
}

/* Takes the interrupt and ends it, as the guest's handler would. */
static void take(struct kunit *test, struct vireo_vcpu *vcpu, u8 vec)
{
	KUNIT_ASSERT_EQ(test, vireo_lapic_pending(vcpu), (int)vec);
	vireo_lapic_ack(vcpu, vec);
	vt_apic_set(test, vcpu, VT_APIC_EOI, 0);
}

static u32 ccr(struct kunit *test, struct vireo_vcpu *vcpu)
{
	return vt_apic_get(test, vcpu, VT_APIC_TIMER_CCR);
}

/*
 * One-shot: the count starts at the initial count, counts down, interrupts
 * at zero and stays at zero until the next initial-count write.
 */
static void timer_oneshot(struct kunit *test)
{
	struct vireo_vcpu *vcpu = timer_vcpu(test, VT_LVT_ONESHOT | 0x40, DIV1);

	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 0U);	/* not started */
	vt_apic_set(test, vcpu, VT_APIC_TIMER_ICR, 1000);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_TIMER_ICR), 1000U);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 1000U);
	vt_clock_advance(400 * VT_APIC_NS_PER_TICK);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 600U);
	vt_clock_advance(599 * VT_APIC_NS_PER_TICK);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 1U);
	KUNIT_EXPECT_FALSE(test, fired(test, vcpu, 0x40));
	vt_clock_advance(1 * VT_APIC_NS_PER_TICK);
	KUNIT_EXPECT_TRUE(test, fired(test, vcpu, 0x40));
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 0U);

	take(test, vcpu, 0x40);
	vt_clock_advance(100000 * VT_APIC_NS_PER_TICK);
	KUNIT_EXPECT_FALSE(test, fired(test, vcpu, 0x40));
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 0U);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_TIMER_ICR), 1000U);
}

struct dcr_case {
	u32 dcr;
	u32 divisor;
};

/* SDM figure 11-10: DCR bits 3, 1:0; bit 2 is reserved. */
static const struct dcr_case dcr_cases[] = {
	{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
	{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
};

static void dcr_desc(const struct dcr_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "dcr 0x%x: divide by %u", c->dcr, c->divisor);
}

KUNIT_ARRAY_PARAM(dcr, dcr_cases, dcr_desc);

static void timer_divide_configuration(struct kunit *test)
{
	const struct dcr_case *c = test->param_value;
	u64 tick = (u64)c->divisor * VT_APIC_NS_PER_TICK;
	struct vireo_vcpu *vcpu = timer_vcpu(test, VT_LVT_ONESHOT | 0x41, c->dcr);

	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_TIMER_DCR), c->dcr);
	vt_apic_set(test, vcpu, VT_APIC_TIMER_ICR, 100);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 100U);
	vt_clock_advance(10 * tick);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 90U);
	vt_clock_advance(89 * tick);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 1U);
	KUNIT_EXPECT_FALSE(test, fired(test, vcpu, 0x41));
	vt_clock_advance(tick);
	KUNIT_EXPECT_TRUE(test, fired(test, vcpu, 0x41));
}

/* Periodic: at zero the count reloads from the initial count and goes on. */
static void timer_periodic(struct kunit *test)
{
	const u32 count = 100000;
	struct vireo_vcpu *vcpu = timer_vcpu(test, VT_LVT_PERIODIC | 0x42, DIV1);
	int i;

	vt_apic_set(test, vcpu, VT_APIC_TIMER_ICR, count);
	for (i = 0; i < 5; i++) {
		vt_clock_advance((count - 1) * VT_APIC_NS_PER_TICK);
		KUNIT_EXPECT_FALSE_MSG(test, fired(test, vcpu, 0x42), "period %d", i);
		vt_clock_advance(1 * VT_APIC_NS_PER_TICK);
		KUNIT_EXPECT_TRUE_MSG(test, fired(test, vcpu, 0x42), "period %d", i);
		KUNIT_EXPECT_EQ(test, ccr(test, vcpu), count);
		take(test, vcpu, 0x42);
	}
	vt_clock_advance(30000 * VT_APIC_NS_PER_TICK);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), count - 30000);
}

/*
 * SDM 11.5.4: the current count runs from the initial count down to 0 and
 * reloads; whatever floor the host puts under short periodic timers (fewer
 * expirations than the guest asked for), the count the guest reads never
 * exceeds the initial count and keeps its architectural phase.
 */
static void timer_periodic_short_count(struct kunit *test)
{
	const u32 count = 10;
	struct vireo_vcpu *vcpu = timer_vcpu(test, VT_LVT_PERIODIC | 0x4a, DIV1);
	u32 t;

	vt_apic_set(test, vcpu, VT_APIC_TIMER_ICR, count);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), count);
	for (t = 1; t <= 3 * count; t++) {
		vt_clock_advance(VT_APIC_NS_PER_TICK);
		KUNIT_EXPECT_EQ_MSG(test, ccr(test, vcpu), count - t % count,
				    "after %u ticks", t);
	}
	vt_clock_advance(1000003 * VT_APIC_NS_PER_TICK);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), count - 3);
	KUNIT_EXPECT_TRUE(test, fired(test, vcpu, 0x4a));
}

/* A masked LVT entry stops the interrupt, not the count. */
static void timer_masked_counts_silently(struct kunit *test)
{
	struct vireo_vcpu *vcpu = timer_vcpu(test, VT_LVT_MASKED | VT_LVT_ONESHOT | 0x43, DIV1);

	vt_apic_set(test, vcpu, VT_APIC_TIMER_ICR, 1000);
	vt_clock_advance(500 * VT_APIC_NS_PER_TICK);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 500U);
	vt_clock_advance(500 * VT_APIC_NS_PER_TICK);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 0U);
	KUNIT_EXPECT_FALSE(test, fired(test, vcpu, 0x43));
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), -1);
}

/* Writing 0 to the initial count stops the timer, in either mode. */
static void timer_zero_count_stops(struct kunit *test)
{
	struct vireo_vcpu *vcpu = timer_vcpu(test, VT_LVT_PERIODIC | 0x44, DIV1);

	vt_apic_set(test, vcpu, VT_APIC_TIMER_ICR, 100000);
	vt_clock_advance(50000 * VT_APIC_NS_PER_TICK);
	vt_apic_set(test, vcpu, VT_APIC_TIMER_ICR, 0);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 0U);
	vt_clock_advance(1000000 * VT_APIC_NS_PER_TICK);
	KUNIT_EXPECT_FALSE(test, fired(test, vcpu, 0x44));
}

/* Writing the initial count again restarts the count from it. */
static void timer_count_write_restarts(struct kunit *test)
{
	struct vireo_vcpu *vcpu = timer_vcpu(test, VT_LVT_ONESHOT | 0x45, DIV1);

	vt_apic_set(test, vcpu, VT_APIC_TIMER_ICR, 1000);
	vt_clock_advance(600 * VT_APIC_NS_PER_TICK);
	vt_apic_set(test, vcpu, VT_APIC_TIMER_ICR, 1000);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 1000U);
	vt_clock_advance(999 * VT_APIC_NS_PER_TICK);
	KUNIT_EXPECT_FALSE(test, fired(test, vcpu, 0x45));
	vt_clock_advance(1 * VT_APIC_NS_PER_TICK);
	KUNIT_EXPECT_TRUE(test, fired(test, vcpu, 0x45));
}

static int deadline_write(struct vireo_vcpu *vcpu, u64 deadline, u64 guest_tsc)
{
	return vireo_lapic_msr(vcpu, VT_TSC_DEADLINE_MSR, true, &deadline, guest_tsc);
}

static u64 deadline_read(struct vireo_vcpu *vcpu)
{
	u64 val = ~0ULL;

	vireo_lapic_msr(vcpu, VT_TSC_DEADLINE_MSR, false, &val, 0);
	return val;
}

/*
 * SDM 11.5.4.1: TSC-deadline mode interrupts when the TSC reaches
 * IA32_TSC_DEADLINE, which then reads 0 (the timer disarms itself).
 */
static void tsc_deadline_fires(struct kunit *test)
{
	struct vireo_vcpu *vcpu = timer_vcpu(test, VT_LVT_TSC_DEADLINE | 0x46, DIV1);

#ifdef VIREO_KUNIT_HOST
	tsc_khz = 2000000;	/* 2 GHz: two TSC ticks a nanosecond */
#endif
	KUNIT_EXPECT_EQ(test, deadline_read(vcpu), 0ULL);
	KUNIT_EXPECT_EQ(test, deadline_write(vcpu, 10000 + 4000, 10000), 0);
	KUNIT_EXPECT_EQ(test, deadline_read(vcpu), 14000ULL);
	vt_clock_advance(1999);
	KUNIT_EXPECT_FALSE(test, fired(test, vcpu, 0x46));
	vt_clock_advance(1);
	KUNIT_EXPECT_TRUE(test, fired(test, vcpu, 0x46));
	KUNIT_EXPECT_EQ(test, deadline_read(vcpu), 0ULL);

	take(test, vcpu, 0x46);
	vt_clock_advance(1000000);
	KUNIT_EXPECT_FALSE(test, fired(test, vcpu, 0x46));
}

/* SDM 11.5.4.1: a deadline already past fires at once; writing 0 disarms. */
static void tsc_deadline_past_and_disarm(struct kunit *test)
{
	struct vireo_vcpu *vcpu = timer_vcpu(test, VT_LVT_TSC_DEADLINE | 0x47, DIV1);

	KUNIT_EXPECT_EQ(test, deadline_write(vcpu, 500, 10000), 0);
	vt_clock_advance(0);
	KUNIT_EXPECT_TRUE(test, fired(test, vcpu, 0x47));
	take(test, vcpu, 0x47);

	KUNIT_EXPECT_EQ(test, deadline_write(vcpu, 20000, 10000), 0);
	KUNIT_EXPECT_EQ(test, deadline_write(vcpu, 0, 10000), 0);
	KUNIT_EXPECT_EQ(test, deadline_read(vcpu), 0ULL);
	vt_clock_advance(1000000);
	KUNIT_EXPECT_FALSE(test, fired(test, vcpu, 0x47));
}

/*
 * SDM 11.5.4.1: in TSC-deadline mode initial-count writes are ignored and
 * the current count reads 0; changing the timer mode disarms the timer.
 */
static void tsc_deadline_mode_rules(struct kunit *test)
{
	struct vireo_vcpu *vcpu = timer_vcpu(test, VT_LVT_TSC_DEADLINE | 0x48, DIV1);

	vt_apic_set(test, vcpu, VT_APIC_TIMER_ICR, 1000);
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_TIMER_ICR), 0U);
	KUNIT_EXPECT_EQ(test, ccr(test, vcpu), 0U);
	vt_clock_advance(2000);
	KUNIT_EXPECT_FALSE(test, fired(test, vcpu, 0x48));

	KUNIT_EXPECT_EQ(test, deadline_write(vcpu, 1000, 0), 0);
	vt_apic_set(test, vcpu, VT_APIC_LVT_TIMER, VT_LVT_ONESHOT | 0x48);
	vt_clock_advance(100000);
	KUNIT_EXPECT_FALSE(test, fired(test, vcpu, 0x48));

	/* and a one-shot count going on is stopped by a switch to TSC-deadline */
	vt_apic_set(test, vcpu, VT_APIC_TIMER_ICR, 1000);
	vt_apic_set(test, vcpu, VT_APIC_LVT_TIMER, VT_LVT_TSC_DEADLINE | 0x48);
	vt_clock_advance(100000);
	KUNIT_EXPECT_FALSE(test, fired(test, vcpu, 0x48));
}

/* SDM 11.5.4.1: outside TSC-deadline mode IA32_TSC_DEADLINE reads 0, writes are ignored. */
static void tsc_deadline_msr_outside_mode(struct kunit *test)
{
	struct vireo_vcpu *vcpu = timer_vcpu(test, VT_LVT_ONESHOT | 0x49, DIV1);

	KUNIT_EXPECT_EQ(test, deadline_write(vcpu, 5000, 0), 0);
	KUNIT_EXPECT_EQ(test, deadline_read(vcpu), 0ULL);
}

static struct kunit_case lapic_timer_cases[] = {
	KUNIT_CASE(timer_oneshot),
	KUNIT_CASE_PARAM(timer_divide_configuration, dcr_gen_params),
	KUNIT_CASE(timer_periodic),
	KUNIT_CASE(timer_periodic_short_count),
	KUNIT_CASE(timer_masked_counts_silently),
	KUNIT_CASE(timer_zero_count_stops),
	KUNIT_CASE(timer_count_write_restarts),
	KUNIT_CASE(tsc_deadline_fires),
	KUNIT_CASE(tsc_deadline_past_and_disarm),
	KUNIT_CASE(tsc_deadline_mode_rules),
	KUNIT_CASE(tsc_deadline_msr_outside_mode),
	{}
};

static struct kunit_suite lapic_timer_suite = {
	.name = "vireo_lapic_timer",
	.exit = vt_suite_exit,
	.test_cases = lapic_timer_cases,
};

kunit_test_suite(lapic_timer_suite);
