// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI PM block: reset state, the power button and the SCI level,
 * write-1-to-clear, S5 entry through PM1a_CNT (16-bit and byte writes),
 * S3 entry and its wake events (power button, RTC alarm with and without
 * RTC_EN; WAK_STS; no SCI until the woken guest's first access),
 * the PM timer from a fake clock (frequency, 24/32-bit wrap, TMR_STS),
 * bad accesses, and a press racing guest accesses from another thread.
 */
#include <errno.h>
#include <pthread.h>

#include "acpi/pm.h"
#include "hw/irq.h"
#include "test.h"

struct rec {
	uint64_t now;
	bool sci;
	unsigned int sci_calls;
	unsigned int poweroffs;
	struct vireo_pm *pm;	/* poweroff reads it back: no deadlock */
	uint32_t cnt_at_poweroff;
	unsigned int suspends, wakes;
};

static uint64_t fake_now(void *opaque)
{
	return ((struct rec *)opaque)->now;
}

static void fake_sci(void *opaque, bool level)
{
	struct rec *r = opaque;

	r->sci = level;
	r->sci_calls++;
}

static void fake_poweroff(void *opaque)
{
	struct rec *r = opaque;

	r->poweroffs++;
	vireo_pm_pio(r->pm, VIREO_PM1_CNT, 2, false, &r->cnt_at_poweroff);
}

static void fake_suspend(void *opaque)
{
	((struct rec *)opaque)->suspends++;
}

static void fake_wake(void *opaque)
{
	((struct rec *)opaque)->wakes++;
}

static void pm_setup(struct vireo_pm *pm, struct rec *r, bool timer32)
{
	struct vireo_pm_config cfg = {
		.timer_32bit = timer32, .now_ns = fake_now, .set_sci = fake_sci,
		.poweroff = fake_poweroff, .opaque = r,
	};

	memset(r, 0, sizeof(*r));
	r->now = 1000000;	/* the timer counts from init, not from 0 */
	r->pm = pm;
	vireo_pm_init(pm, &cfg);
}

static uint32_t rd(struct vireo_pm *pm, uint16_t off, unsigned int size)
{
	uint32_t v = 0xdeadbeef;

	vireo_pm_pio(pm, off, size, false, &v);
	return v;
}

static void wr(struct vireo_pm *pm, uint16_t off, unsigned int size, uint32_t v)
{
	vireo_pm_pio(pm, off, size, true, &v);
}

static void pm_reset_state(void)
{
	struct vireo_pm pm;
	struct rec r;

	pm_setup(&pm, &r, true);
	T_EQ(pm.cfg.base, VIREO_PM_BASE);
	T_EQ(rd(&pm, VIREO_PM1_STS, 2), 0);
	T_EQ(rd(&pm, VIREO_PM1_EN, 2), 0);
	T_EQ(rd(&pm, VIREO_PM1_CNT, 2), VIREO_PM1_SCI_EN);
	T_EQ(rd(&pm, VIREO_PM1_CNT + 2, 2), 0);
	T_EQ(rd(&pm, VIREO_PM_TMR, 4), 0);
	T_EQ(rd(&pm, 0x0c, 4), 0xffffffff);
	T_EQ(rd(&pm, 0x0f, 1), 0xff);
	T_EQ(rd(&pm, VIREO_PM1_CNT, 1), 1);
	T_EQ(r.sci_calls, 0);
	/* SCI_EN cannot be cleared: there is no legacy mode. */
	wr(&pm, VIREO_PM1_CNT, 2, 0);
	T_EQ(rd(&pm, VIREO_PM1_CNT, 2), VIREO_PM1_SCI_EN);
	vireo_pm_fini(&pm);
}

static void pm_power_button(void)
{
	struct vireo_pm pm;
	struct rec r;

	pm_setup(&pm, &r, true);
	vireo_pm_press_power_button(&pm);
	T_EQ(rd(&pm, VIREO_PM1_STS, 2), VIREO_PM1_PWRBTN);
	T_TRUE(!r.sci);			/* not enabled yet */
	wr(&pm, VIREO_PM1_EN, 2, VIREO_PM1_PWRBTN);
	T_TRUE(r.sci);
	T_EQ(r.sci_calls, 1);
	T_EQ(rd(&pm, VIREO_PM1_EN, 2), VIREO_PM1_PWRBTN);
	/* Writing 0 clears nothing; a second press changes nothing. */
	wr(&pm, VIREO_PM1_STS, 2, 0);
	vireo_pm_press_power_button(&pm);
	T_EQ(rd(&pm, VIREO_PM1_STS, 2), VIREO_PM1_PWRBTN);
	T_EQ(r.sci_calls, 1);
	/* Write 1 to clear drops the SCI. */
	wr(&pm, VIREO_PM1_STS, 2, VIREO_PM1_PWRBTN);
	T_EQ(rd(&pm, VIREO_PM1_STS, 2), 0);
	T_TRUE(!r.sci);
	T_EQ(r.sci_calls, 2);
	/* Disabling while pending lowers it too. */
	vireo_pm_press_power_button(&pm);
	T_TRUE(r.sci);
	wr(&pm, VIREO_PM1_EN, 2, 0);
	T_TRUE(!r.sci);
	/* One 32-bit write: clear STS (low half) and enable (high half). */
	wr(&pm, VIREO_PM1_STS, 4, VIREO_PM1_PWRBTN | (uint32_t)VIREO_PM1_PWRBTN << 16);
	T_EQ(rd(&pm, VIREO_PM1_STS, 4), (uint32_t)VIREO_PM1_PWRBTN << 16);
	T_TRUE(!r.sci);
	/* Byte access to the high byte of STS clears PWRBTN (bit 8). */
	vireo_pm_press_power_button(&pm);
	T_TRUE(r.sci);
	T_EQ(rd(&pm, VIREO_PM1_STS + 1, 1), 1);
	wr(&pm, VIREO_PM1_STS + 1, 1, 1);
	T_TRUE(!r.sci);
	/* Bits without meaning in EN stay 0. */
	wr(&pm, VIREO_PM1_EN, 2, 0xffff);
	T_EQ(rd(&pm, VIREO_PM1_EN, 2), VIREO_PM1_EN_MASK);
	vireo_pm_fini(&pm);
}

static void pm_s5(void)
{
	const uint32_t s5 = VIREO_PM_S5_SLP_TYP << VIREO_PM1_SLP_TYP_SHIFT;
	struct vireo_pm pm;
	struct rec r;

	pm_setup(&pm, &r, true);
	/* ACPICA writes SLP_TYP first, then SLP_TYP | SLP_EN. */
	wr(&pm, VIREO_PM1_CNT, 2, s5 | VIREO_PM1_SCI_EN);
	T_EQ(r.poweroffs, 0);
	T_EQ(rd(&pm, VIREO_PM1_CNT, 2), s5 | VIREO_PM1_SCI_EN);
	wr(&pm, VIREO_PM1_CNT, 2, s5 | VIREO_PM1_SLP_EN | VIREO_PM1_SCI_EN);
	T_EQ(r.poweroffs, 1);
	T_EQ(pm.poweroffs, 1);
	/* The callback ran unlocked (it read the register) and SLP_EN reads 0. */
	T_EQ(r.cnt_at_poweroff, s5 | VIREO_PM1_SCI_EN);
	/* Another sleep type does nothing. */
	wr(&pm, VIREO_PM1_CNT, 2, (3U << VIREO_PM1_SLP_TYP_SHIFT) | VIREO_PM1_SLP_EN);
	T_EQ(r.poweroffs, 1);
	/* A byte write of the high byte: SLP_EN is bit 13, SLP_TYP 12:10. */
	wr(&pm, VIREO_PM1_CNT + 1, 1, (s5 | VIREO_PM1_SLP_EN) >> 8);
	T_EQ(r.poweroffs, 2);
	/* A 32-bit write at the control block (reserved upper half). */
	wr(&pm, VIREO_PM1_CNT, 4, s5 | VIREO_PM1_SLP_EN | 0xffff0000U);
	T_EQ(r.poweroffs, 3);
	vireo_pm_fini(&pm);
}

/* Set up with the S3 callbacks (pm_setup's PM has none: S3 ignored). */
static void pm_setup_s3(struct vireo_pm *pm, struct rec *r)
{
	struct vireo_pm_config cfg = {
		.timer_32bit = true, .now_ns = fake_now, .set_sci = fake_sci,
		.poweroff = fake_poweroff, .suspend = fake_suspend, .wake = fake_wake,
		.opaque = r,
	};

	memset(r, 0, sizeof(*r));
	r->now = 1000000;
	r->pm = pm;
	vireo_pm_init(pm, &cfg);
}

static void enter_s3(struct vireo_pm *pm)
{
	const uint32_t s3 = VIREO_PM_S3_SLP_TYP << VIREO_PM1_SLP_TYP_SHIFT;

	wr(pm, VIREO_PM1_CNT, 2, s3 | VIREO_PM1_SCI_EN);
	wr(pm, VIREO_PM1_CNT, 2, s3 | VIREO_PM1_SLP_EN | VIREO_PM1_SCI_EN);
}

static void pm_s3_power_button(void)
{
	struct vireo_pm pm;
	struct rec r;

	/* Without a suspend callback, S3's SLP_TYP does nothing. */
	pm_setup(&pm, &r, true);
	enter_s3(&pm);
	T_TRUE(!vireo_pm_asleep(&pm));
	T_EQ(r.poweroffs, 0);
	vireo_pm_fini(&pm);

	pm_setup_s3(&pm, &r);
	wr(&pm, VIREO_PM1_EN, 2, VIREO_PM1_PWRBTN);
	enter_s3(&pm);
	T_EQ(r.suspends, 1);
	T_EQ(pm.suspends, 1);
	T_TRUE(vireo_pm_asleep(&pm));
	T_EQ(r.wakes, 0);
	/* The button wakes: PWRBTN_STS and WAK_STS, the wake once, no SCI yet. */
	vireo_pm_press_power_button(&pm);
	T_EQ(r.wakes, 1);
	T_TRUE(!vireo_pm_asleep(&pm));
	T_EQ(vireo_pm_status(&pm), VIREO_PM1_PWRBTN | VIREO_PM1_WAK_STS);
	T_TRUE(!r.sci);
	vireo_pm_press_power_button(&pm);
	T_EQ(r.wakes, 1);
	T_TRUE(!r.sci);
	/* The guest's first access after the wake lets the SCI through. */
	T_EQ(rd(&pm, VIREO_PM1_STS, 2), VIREO_PM1_PWRBTN | VIREO_PM1_WAK_STS);
	T_TRUE(r.sci);
	wr(&pm, VIREO_PM1_STS, 2, VIREO_PM1_PWRBTN | VIREO_PM1_WAK_STS);
	T_EQ(rd(&pm, VIREO_PM1_STS, 2), 0);
	T_TRUE(!r.sci);
	/* The button wakes with PWRBTN_EN clear too (ACPI 6.5 4.8.2.2.1). */
	wr(&pm, VIREO_PM1_EN, 2, 0);
	enter_s3(&pm);
	T_EQ(r.suspends, 2);
	vireo_pm_press_power_button(&pm);
	T_EQ(r.wakes, 2);
	T_EQ(rd(&pm, VIREO_PM1_STS, 2), VIREO_PM1_PWRBTN | VIREO_PM1_WAK_STS);
	T_TRUE(!r.sci);
	/* S5 still works after. */
	wr(&pm, VIREO_PM1_CNT, 2,
	   (VIREO_PM_S5_SLP_TYP << VIREO_PM1_SLP_TYP_SHIFT) | VIREO_PM1_SLP_EN);
	T_EQ(r.poweroffs, 1);
	vireo_pm_fini(&pm);
}

static void pm_s3_rtc_alarm(void)
{
	struct vireo_pm pm;
	struct rec r;

	pm_setup_s3(&pm, &r);
	/* Awake: RTC_STS latches; with RTC_EN it raises the SCI. */
	vireo_pm_rtc_alarm(&pm);
	T_EQ(rd(&pm, VIREO_PM1_STS, 2), VIREO_PM1_RTC);
	T_TRUE(!r.sci);
	wr(&pm, VIREO_PM1_EN, 2, VIREO_PM1_RTC);
	T_TRUE(r.sci);
	wr(&pm, VIREO_PM1_STS, 2, VIREO_PM1_RTC);
	T_TRUE(!r.sci);
	/* Asleep without RTC_EN: the status only, no wake. */
	wr(&pm, VIREO_PM1_EN, 2, 0);
	enter_s3(&pm);
	vireo_pm_rtc_alarm(&pm);
	T_EQ(r.wakes, 0);
	T_TRUE(vireo_pm_asleep(&pm));
	T_EQ(vireo_pm_status(&pm), VIREO_PM1_RTC);
	/* Asleep with RTC_EN (as the OS left it before SLP_EN): the wake. */
	vireo_pm_fini(&pm);
	pm_setup_s3(&pm, &r);
	wr(&pm, VIREO_PM1_EN, 2, VIREO_PM1_RTC);
	enter_s3(&pm);
	vireo_pm_rtc_alarm(&pm);
	T_EQ(r.wakes, 1);
	T_EQ(vireo_pm_status(&pm), VIREO_PM1_RTC | VIREO_PM1_WAK_STS);
	T_TRUE(!r.sci);
	T_EQ(rd(&pm, VIREO_PM1_EN, 2), VIREO_PM1_RTC);
	T_TRUE(r.sci);
	vireo_pm_fini(&pm);
}

static void pm_timer(void)
{
	struct vireo_pm pm;
	struct rec r;

	pm_setup(&pm, &r, true);
	r.now += 1000000000ULL;		/* one second */
	T_EQ(rd(&pm, VIREO_PM_TMR, 4), 3579545);
	T_EQ(vireo_pm_timer(&pm), 3579545);
	/* Partial reads slice the same value. */
	T_EQ(rd(&pm, VIREO_PM_TMR, 2), 3579545 & 0xffff);
	T_EQ(rd(&pm, VIREO_PM_TMR + 2, 1), (3579545 >> 16) & 0xff);
	/* Read-only. */
	wr(&pm, VIREO_PM_TMR, 4, 0);
	T_EQ(rd(&pm, VIREO_PM_TMR, 4), 3579545);
	/* 32 bits wrap after 2^32 ticks (about 20 minutes). */
	r.now = 1000000 + (uint64_t)((((unsigned __int128)1 << 32) + 7) * 1000000000ULL /
				     3579545) + 1;
	T_EQ(rd(&pm, VIREO_PM_TMR, 4), 7);
	/* Years of uptime: no overflow in the conversion. */
	r.now = 1000000 + 10ULL * 365 * 24 * 3600 * 1000000000ULL;
	T_EQ(rd(&pm, VIREO_PM_TMR, 4),
	     (uint32_t)((unsigned __int128)10ULL * 365 * 24 * 3600 * 3579545ULL));
	vireo_pm_fini(&pm);

	pm_setup(&pm, &r, false);
	r.now += 5000000000ULL;		/* 17.9 M ticks: wrapped once at 2^24 */
	T_EQ(rd(&pm, VIREO_PM_TMR, 4), (5 * 3579545) & 0xffffff);
	T_EQ(rd(&pm, VIREO_PM_TMR + 3, 1), 0);
	vireo_pm_fini(&pm);
}

static void pm_timer_status(void)
{
	struct vireo_pm pm;
	struct rec r;
	uint64_t start;

	pm_setup(&pm, &r, false);
	start = r.now;
	/* 24-bit: TMR_STS when bit 23 changes, every 2^23 ticks (2.34 s). */
	r.now = start + 2300000000ULL;
	T_EQ(rd(&pm, VIREO_PM1_STS, 2) & VIREO_PM1_TMR, 0);
	r.now = start + 2400000000ULL;
	T_EQ(rd(&pm, VIREO_PM1_STS, 2) & VIREO_PM1_TMR, VIREO_PM1_TMR);
	/* With TMR_EN, the next write raises the SCI. */
	wr(&pm, VIREO_PM1_EN, 2, VIREO_PM1_TMR);
	T_TRUE(r.sci);
	wr(&pm, VIREO_PM1_STS, 2, VIREO_PM1_TMR);
	T_EQ(rd(&pm, VIREO_PM1_STS, 2) & VIREO_PM1_TMR, 0);
	T_TRUE(!r.sci);
	r.now = start + 4600000000ULL;
	T_EQ(rd(&pm, VIREO_PM1_STS, 2) & VIREO_PM1_TMR, 0);
	r.now = start + 4700000000ULL;
	T_EQ(rd(&pm, VIREO_PM1_STS, 2) & VIREO_PM1_TMR, VIREO_PM1_TMR);
	vireo_pm_fini(&pm);
}

static void pm_bad_access(void)
{
	struct vireo_pm pm;
	struct rec r;
	uint32_t v = 0;

	pm_setup(&pm, &r, true);
	T_EQ(vireo_pm_pio(&pm, 0x10, 1, false, &v), -EINVAL);
	T_EQ(v, 0xffffffff);
	T_EQ(vireo_pm_pio(&pm, 0x0e, 4, false, &v), -EINVAL);
	T_EQ(vireo_pm_pio(&pm, 0, 3, false, &v), -EINVAL);
	v = 0xffffffff;
	T_EQ(vireo_pm_pio(&pm, 0, 8, true, &v), -EINVAL);
	T_EQ(rd(&pm, VIREO_PM1_EN, 2), 0);	/* the bad write did nothing */
	/* Reserved ports take writes silently. */
	T_EQ(vireo_pm_pio(&pm, 0x0c, 4, true, &v), 0);
	vireo_pm_fini(&pm);
}

static void *presser(void *arg)
{
	struct vireo_pm *pm = arg;
	unsigned int i;

	for (i = 0; i < 20000; i++)
		vireo_pm_press_power_button(pm);
	return NULL;
}

static void sci_counter(void *opaque, bool level)
{
	int *level_now = opaque;

	*level_now = level;	/* called under the device lock: no race */
}

/* The SCI level always matches STS & EN, whatever the interleaving. */
static void pm_concurrent_press(void)
{
	struct vireo_pm_config cfg = { .set_sci = sci_counter };
	struct vireo_pm pm;
	pthread_t th;
	int level = 0;
	unsigned int i;

	cfg.opaque = &level;
	T_EQ(vireo_pm_init(&pm, &cfg), 0);
	wr(&pm, VIREO_PM1_EN, 2, VIREO_PM1_PWRBTN);
	T_EQ(pthread_create(&th, NULL, presser, &pm), 0);
	for (i = 0; i < 20000; i++)
		wr(&pm, VIREO_PM1_STS, 2, VIREO_PM1_PWRBTN);
	pthread_join(th, NULL);
	T_EQ(level, !!(rd(&pm, VIREO_PM1_STS, 2) & VIREO_PM1_PWRBTN));
	wr(&pm, VIREO_PM1_STS, 2, VIREO_PM1_PWRBTN);
	T_EQ(level, 0);
	vireo_pm_fini(&pm);
}

/* Production wiring: the SCI is line 9 of the interrupt router. */
static void pm_router(void)
{
	struct vireo_irq_router router;
	struct vireo_pm_config cfg = { .irq = &router };
	struct vireo_pm pm;

	T_EQ(vireo_irq_router_init(&router, NULL, NULL), 0);
	T_EQ(vireo_pm_init(&pm, &cfg), 0);
	wr(&pm, VIREO_PM1_EN, 2, VIREO_PM1_PWRBTN);
	T_TRUE(!vireo_irq_level(&router, VIREO_IRQ_SCI));
	vireo_pm_press_power_button(&pm);
	T_TRUE(vireo_irq_level(&router, VIREO_IRQ_SCI));
	T_EQ(vireo_irq_raised(&router, VIREO_IRQ_SCI), 1);
	T_EQ(vireo_irq_gsi(VIREO_IRQ_SCI), VIREO_PM_SCI_IRQ);
	wr(&pm, VIREO_PM1_STS, 2, VIREO_PM1_PWRBTN);
	T_TRUE(!vireo_irq_level(&router, VIREO_IRQ_SCI));
	/* The descriptor the monitor registers. */
	T_EQ(vireo_pm_desc.nr_pio, 1);
	T_EQ(vireo_pm_desc.pio[0].base, 0x600);
	T_EQ(vireo_pm_desc.pio[0].len, 16);
	T_TRUE(vireo_pm_desc.pio[0].handler == vireo_pm_pio);
	T_EQ(vireo_pm_desc.line, 9);
	vireo_pm_fini(&pm);
	vireo_irq_router_fini(&router);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(pm_reset_state),
	VIREO_TEST(pm_power_button),
	VIREO_TEST(pm_s5),
	VIREO_TEST(pm_s3_power_button),
	VIREO_TEST(pm_s3_rtc_alarm),
	VIREO_TEST(pm_timer),
	VIREO_TEST(pm_timer_status),
	VIREO_TEST(pm_bad_access),
	VIREO_TEST(pm_concurrent_press),
	VIREO_TEST(pm_router),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(acpi_pm, tests);
