// SPDX-License-Identifier: GPL-2.0
/*
 * MC146818 RTC against a fake clock: time in BCD and binary, 12- and
 * 24-hour, the update-in-progress window, update-ended, periodic and alarm
 * flags and interrupts, setting the time the way Linux does, CMOS RAM and
 * the memory size bytes, and random port traffic.
 */
#include "hw/rtc.h"
#include "test.h"
#include "test_hw_fakes.h"

#define SEC 1000000000ULL
#define T0 (5000 * SEC)			/* the fake clock at init */
#define LEAP_DAY 1709214330LL		/* 2024-02-29 13:45:30 UTC, a Thursday */

static struct fake_clock clk;
static struct fake_timer tmr;
static struct vireo_irq_router router;
static struct vireo_rtc rtc;

/* The RTC starts at utc_s + 0.25 s: its next update is at T0 + 0.75 s. */
static void setup_at(int64_t utc_s)
{
	clk.now = T0;
	vireo_irq_router_init(&router, NULL, NULL);
	vireo_rtc_init(&rtc, &router, VIREO_IRQ_RTC, fake_clock_of(&clk), fake_timer_of(&tmr),
		       utc_s * (int64_t)SEC + 250000000);
}

static void teardown(void)
{
	vireo_rtc_fini(&rtc);
	vireo_irq_router_fini(&router);
}

static uint8_t cmos_read(uint8_t index)
{
	fake_out(vireo_rtc_pio, &rtc, 0, index);
	return fake_in(vireo_rtc_pio, &rtc, 1);
}

static void cmos_write(uint8_t index, uint8_t v)
{
	fake_out(vireo_rtc_pio, &rtc, 0, index);
	fake_out(vireo_rtc_pio, &rtc, 1, v);
}

static bool irq(void)
{
	return vireo_irq_level(&router, VIREO_IRQ_RTC);
}

static void rtc_registers_power_on(void)
{
	setup_at(LEAP_DAY);
	T_EQ(cmos_read(0x0a), 0x26);
	T_EQ(cmos_read(0x0b), 0x02);
	T_EQ(cmos_read(0x0c), 0x00);
	T_EQ(cmos_read(0x0d), 0x80);
	/* C and D are read-only; UIP cannot be written. */
	cmos_write(0x0c, 0xff);
	cmos_write(0x0d, 0x00);
	T_EQ(cmos_read(0x0c), 0x00);
	T_EQ(cmos_read(0x0d), 0x80);
	cmos_write(0x0a, 0xa6);
	T_EQ(cmos_read(0x0a), 0x26);
	/* The index port is write-only; its NMI bit is not part of the index. */
	T_EQ(fake_in(vireo_rtc_pio, &rtc, 0), 0xff);
	fake_out(vireo_rtc_pio, &rtc, 0, 0x80 | 0x0d);
	T_EQ(fake_in(vireo_rtc_pio, &rtc, 1), 0x80);
	T_EQ(rtc.nmi_masked, true);
	T_EQ(tmr.deadline, VIREO_TIMER_OFF);
	teardown();
}

static void rtc_bcd_24h(void)
{
	setup_at(LEAP_DAY);
	T_EQ(cmos_read(0x00), 0x30);
	T_EQ(cmos_read(0x02), 0x45);
	T_EQ(cmos_read(0x04), 0x13);
	T_EQ(cmos_read(0x06), 5);	/* Thursday */
	T_EQ(cmos_read(0x07), 0x29);
	T_EQ(cmos_read(0x08), 0x02);
	T_EQ(cmos_read(0x09), 0x24);
	T_EQ(cmos_read(0x32), 0x20);
	T_EQ(vireo_rtc_time(&rtc), LEAP_DAY);
	/* The second changes 0.75 s later, not before. */
	clk.now = T0 + 750000000 - 1;
	T_EQ(cmos_read(0x00), 0x30);
	clk.now = T0 + 750000000;
	T_EQ(cmos_read(0x00), 0x31);
	/* 10 h 15 min later: the next day, March 1st, a Friday. */
	clk.now += (10 * 3600 + 15 * 60) * SEC;
	T_EQ(cmos_read(0x04), 0x00);
	T_EQ(cmos_read(0x02), 0x00);
	T_EQ(cmos_read(0x00), 0x31);
	T_EQ(cmos_read(0x07), 0x01);
	T_EQ(cmos_read(0x08), 0x03);
	T_EQ(cmos_read(0x06), 6);
	teardown();
}

static void rtc_binary_and_12h(void)
{
	setup_at(LEAP_DAY);
	cmos_write(0x0b, 0x06);	/* binary, 24 h */
	T_EQ(cmos_read(0x00), 30);
	T_EQ(cmos_read(0x02), 45);
	T_EQ(cmos_read(0x04), 13);
	T_EQ(cmos_read(0x07), 29);
	T_EQ(cmos_read(0x09), 24);
	T_EQ(cmos_read(0x32), 20);
	cmos_write(0x0b, 0x00);	/* BCD, 12 h: 1 PM */
	T_EQ(cmos_read(0x04), 0x81);
	cmos_write(0x0b, 0x04);	/* binary, 12 h */
	T_EQ(cmos_read(0x04), 0x81);
	teardown();
	/* Midnight is 12 AM, noon 12 PM. */
	setup_at(LEAP_DAY - 13 * 3600 - 45 * 60 - 30);
	cmos_write(0x0b, 0x00);
	T_EQ(cmos_read(0x04), 0x12);
	clk.now += 12 * 3600 * SEC;
	T_EQ(cmos_read(0x04), 0x92);
	clk.now += 3600 * SEC;
	T_EQ(cmos_read(0x04), 0x81);
	teardown();
}

static void rtc_century_rollover(void)
{
	setup_at(4102444799LL);	/* 2099-12-31 23:59:59, a Thursday */
	T_EQ(cmos_read(0x09), 0x99);
	T_EQ(cmos_read(0x32), 0x20);
	clk.now = T0 + 750000000;
	T_EQ(cmos_read(0x00), 0x00);
	T_EQ(cmos_read(0x04), 0x00);
	T_EQ(cmos_read(0x07), 0x01);
	T_EQ(cmos_read(0x08), 0x01);
	T_EQ(cmos_read(0x09), 0x00);
	T_EQ(cmos_read(0x32), 0x21);
	T_EQ(cmos_read(0x06), 6);	/* 2100-01-01: Friday */
	teardown();
}

static void rtc_update_in_progress(void)
{
	setup_at(LEAP_DAY);
	T_EQ(cmos_read(0x0a) & 0x80, 0);
	/* UIP during the 244 us before the update at T0 + 0.75 s. */
	clk.now = T0 + 750000000 - 244141 - 1;
	T_EQ(cmos_read(0x0a) & 0x80, 0);
	clk.now = T0 + 750000000 - 244141;
	T_EQ(cmos_read(0x0a) & 0x80, 0x80);
	T_EQ(cmos_read(0x00), 0x30);
	clk.now = T0 + 750000000;
	T_EQ(cmos_read(0x0a) & 0x80, 0);
	T_EQ(cmos_read(0x00), 0x31);
	/* SET stops updates and UIP with them. */
	clk.now = T0 + 1750000000 - 1000;
	cmos_write(0x0b, 0x82);
	T_EQ(cmos_read(0x0a) & 0x80, 0);
	teardown();
}

static void rtc_update_interrupt(void)
{
	setup_at(LEAP_DAY);
	/* PF is set at the periodic rate whether enabled or not ... */
	clk.now = T0 + 1000000;
	T_EQ(cmos_read(0x0c), 0x40);
	T_EQ(irq(), false);
	/* ... so rate 0 for the rest. */
	cmos_write(0x0a, 0x20);
	/* Flags are set without enables: UF after an update, polled. */
	clk.now = T0 + 800000000;
	T_EQ(cmos_read(0x0c), 0x10);
	T_EQ(cmos_read(0x0c), 0x00);
	T_EQ(irq(), false);
	T_EQ(tmr.deadline, VIREO_TIMER_OFF);
	/* UIE: the timer aims at the next update. */
	cmos_write(0x0b, 0x12);
	T_EQ(tmr.deadline, T0 + 1750000000);
	clk.now = tmr.deadline;
	vireo_rtc_timer(&rtc);
	T_EQ(irq(), true);
	T_EQ(tmr.deadline, VIREO_TIMER_OFF);	/* the line is up: nothing to wait for */
	/* Linux's handler reads C: IRQF | UF, the line drops, the timer re-arms. */
	T_EQ(cmos_read(0x0c), 0x90);
	T_EQ(irq(), false);
	T_EQ(tmr.deadline, T0 + 2750000000);
	T_EQ(vireo_irq_raised(&router, VIREO_IRQ_RTC), 1);
	/* Enabling UIE with UF already set raises IRQF at once. */
	cmos_write(0x0b, 0x02);
	clk.now = T0 + 3000000000;
	vireo_rtc_timer(&rtc);
	T_EQ(irq(), false);
	cmos_write(0x0b, 0x12);
	T_EQ(irq(), true);
	T_EQ(cmos_read(0x0c), 0x90);
	teardown();
}

static void rtc_periodic_interrupt(void)
{
	setup_at(LEAP_DAY);
	/*
	 * 1024 Hz (RS 6), phase locked to the updates: edges every 976562.5 ns
	 * from T0 - 0.25 s, so T0 is one and the next is 976563 ns later.
	 */
	cmos_write(0x0b, 0x42);
	T_EQ(tmr.deadline, T0 + 976563);
	clk.now = tmr.deadline;
	vireo_rtc_timer(&rtc);
	T_EQ(irq(), true);
	T_EQ(cmos_read(0x0c), 0xc0);
	T_EQ(irq(), false);
	/* 2 Hz (RS 15). */
	cmos_write(0x0a, 0x2f);
	clk.now = T0 + 750000000 + 1;
	T_EQ(cmos_read(0x0c), 0xd0);	/* PF and UF: both edges passed; PIE */
	T_EQ(tmr.deadline, T0 + 1250000000);
	/* 256 Hz (RS 1) and 128 Hz (RS 2), the chip's odd ones. */
	cmos_write(0x0a, 0x21);
	T_EQ(tmr.deadline, T0 + 750000000 + 3906250);
	cmos_write(0x0a, 0x22);
	T_EQ(tmr.deadline, T0 + 750000000 + 7812500);
	/* RS 0: no periodic interrupt. */
	cmos_write(0x0a, 0x20);
	T_EQ(tmr.deadline, VIREO_TIMER_OFF);
	teardown();
}

static unsigned int alarm_hooks;

static void count_alarm(void *opaque)
{
	(void)opaque;
	alarm_hooks++;
}

static void rtc_alarm(void)
{
	setup_at(LEAP_DAY);
	alarm_hooks = 0;
	vireo_rtc_set_alarm_hook(&rtc, count_alarm, NULL);
	cmos_write(0x0a, 0x20);	/* no periodic flag in the way */
	/* Alarm at 13:45:32. */
	cmos_write(0x01, 0x32);
	cmos_write(0x03, 0x45);
	cmos_write(0x05, 0x13);
	cmos_write(0x0b, 0x22);
	T_EQ(tmr.deadline, T0 + 750000000);
	clk.now = tmr.deadline;
	vireo_rtc_timer(&rtc);
	T_EQ(irq(), false);	/* 13:45:31 */
	T_EQ(cmos_read(0x0c), 0x10);
	T_EQ(alarm_hooks, 0);	/* an update is not the alarm */
	clk.now = tmr.deadline;
	vireo_rtc_timer(&rtc);
	T_EQ(irq(), true);	/* 13:45:32 */
	T_EQ(alarm_hooks, 1);	/* the PM block's RTC_STS */
	T_EQ(cmos_read(0x0c), 0xb0);
	T_EQ(alarm_hooks, 1);
	/* "Don't care" hours and minutes: every minute at :00. */
	cmos_write(0x01, 0x00);
	cmos_write(0x03, 0xc0);
	cmos_write(0x05, 0xff);
	clk.now = T0 + 750000000 + 28 * SEC;	/* 13:45:59 */
	T_EQ(cmos_read(0x0c) & 0x20, 0);
	clk.now += SEC;	/* 13:46:00 */
	T_EQ(cmos_read(0x0c), 0xb0);
	T_EQ(alarm_hooks, 2);
	/* AF without AIE asserts nothing: no hook. */
	cmos_write(0x0b, 0x02);
	clk.now += 60 * SEC;	/* 13:47:00 */
	T_EQ(cmos_read(0x0c) & 0x20, 0x20);
	T_EQ(alarm_hooks, 2);
	teardown();
}

/*
 * Linux's mc146818_set_time(): divider reset with SET, the time written
 * in BCD, SET cleared, the divider released.
 */
static void rtc_linux_set_time(void)
{
	static const struct {
		uint8_t index, value;
	} seq[] = {
		{ 0x0b, 0x92 },	/* SET | UIE | 24H: SET clears UIE */
		{ 0x0a, 0x76 },	/* DV = 111: divider reset */
		{ 0x09, 0x99 }, { 0x08, 0x12 }, { 0x07, 0x31 },
		{ 0x04, 0x23 }, { 0x02, 0x59 }, { 0x00, 0x58 },
		{ 0x32, 0x19 },
		{ 0x0b, 0x02 },	/* SET off: still held by the divider */
		{ 0x0a, 0x26 },	/* released: first update 0.5 s later */
	};
	unsigned int i;

	setup_at(LEAP_DAY);
	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		cmos_write(seq[i].index, seq[i].value);
		if (i == 0)
			T_EQ(cmos_read(0x0b), 0x82);
		if (i == 1) {
			/* Halted: the registers keep what was there. */
			clk.now += 3 * SEC;
			T_EQ(cmos_read(0x00), 0x30);
		}
		if (i == 9) {
			clk.now += SEC;
			T_EQ(cmos_read(0x00), 0x58);
		}
	}
	T_EQ(vireo_rtc_time(&rtc), 946684798LL);	/* 1999-12-31 23:59:58 */
	clk.now += 500000000 - 1;
	T_EQ(cmos_read(0x00), 0x58);
	clk.now += 1;
	T_EQ(cmos_read(0x00), 0x59);
	clk.now += SEC;
	T_EQ(cmos_read(0x00), 0x00);
	T_EQ(cmos_read(0x09), 0x00);
	T_EQ(cmos_read(0x32), 0x20);
	T_EQ(cmos_read(0x06), 7);	/* 2000-01-01: Saturday */
	teardown();
}

static void rtc_write_while_running(void)
{
	setup_at(LEAP_DAY);
	/* Minutes only: the rest runs on; the update phase is kept. */
	cmos_write(0x02, 0x10);
	T_EQ(vireo_rtc_time(&rtc), LEAP_DAY - 35 * 60);
	clk.now = T0 + 750000000;
	T_EQ(cmos_read(0x00), 0x31);
	T_EQ(cmos_read(0x02), 0x10);
	/* SET alone (no divider reset): the update phase survives. */
	cmos_write(0x0b, 0x82);
	cmos_write(0x00, 0x00);
	clk.now += 5 * SEC + 100000000;
	cmos_write(0x0b, 0x02);
	T_EQ(cmos_read(0x00), 0x00);
	clk.now = T0 + 6750000000ULL;
	T_EQ(cmos_read(0x00), 0x01);
	teardown();
}

static void rtc_garbage_time(void)
{
	unsigned int i;

	setup_at(LEAP_DAY);
	cmos_write(0x0b, 0x82);
	for (i = 0; i <= 9; i++)
		cmos_write((uint8_t)i, 0xff);
	cmos_write(0x32, 0xff);
	cmos_write(0x0b, 0x02);
	/* Clamped to 9999-12-31 23:59:59 plus what ran since. */
	T_EQ(cmos_read(0x32), 0x99);
	T_EQ(cmos_read(0x09), 0x99);
	T_EQ(cmos_read(0x08), 0x12);
	/* 12-hour with a zero hour: clamped to 1 AM. */
	cmos_write(0x0b, 0x80);
	cmos_write(0x04, 0x00);
	cmos_write(0x0b, 0x00);
	T_EQ(cmos_read(0x04), 0x01);
	teardown();
}

static void rtc_cmos_ram(void)
{
	unsigned int i;

	setup_at(LEAP_DAY);
	for (i = 0x0e; i < 0x80; i++) {
		if (i == 0x32)
			continue;
		cmos_write((uint8_t)i, (uint8_t)(i ^ 0xa5));
	}
	for (i = 0x0e; i < 0x80; i++) {
		if (i == 0x32)
			continue;
		T_EQ(cmos_read((uint8_t)i), i ^ 0xa5);
	}
	T_EQ(vireo_rtc_cmos_get(&rtc, 0x40), 0x40 ^ 0xa5);
	vireo_rtc_cmos_set(&rtc, 0x5f, 1);
	T_EQ(cmos_read(0x5f), 1);
	/* The clock registers are not RAM for the monitor's setter. */
	vireo_rtc_cmos_set(&rtc, 0x00, 0x77);
	vireo_rtc_cmos_set(&rtc, 0x0b, 0x77);
	vireo_rtc_cmos_set(&rtc, 0x80, 0x77);
	T_EQ(cmos_read(0x0b), 0x02);
	T_EQ(vireo_rtc_cmos_get(&rtc, 0x200), 0);
	teardown();
}

static void rtc_memory_bytes(void)
{
	unsigned int i, sum = 0;

	setup_at(LEAP_DAY);
	vireo_rtc_set_memory(&rtc, 3ULL << 30, 1ULL << 30);
	T_EQ(cmos_read(0x15) | cmos_read(0x16) << 8, 640);
	T_EQ(cmos_read(0x17) | cmos_read(0x18) << 8, 0xffff);
	T_EQ(cmos_read(0x30) | cmos_read(0x31) << 8, 0xffff);
	T_EQ(cmos_read(0x34) | cmos_read(0x35) << 8, ((3ULL << 30) - (16 << 20)) >> 16);
	T_EQ(cmos_read(0x5b), 0x00);
	T_EQ(cmos_read(0x5c), 0x40);
	T_EQ(cmos_read(0x5d), 0x00);
	for (i = 0x10; i <= 0x2d; i++)
		sum += cmos_read((uint8_t)i);
	T_EQ(cmos_read(0x2e) << 8 | cmos_read(0x2f), sum);
	/* 32 MiB, nothing above 4 GiB. */
	vireo_rtc_set_memory(&rtc, 32 << 20, 0);
	T_EQ(cmos_read(0x17) | cmos_read(0x18) << 8, 31 * 1024);
	T_EQ(cmos_read(0x34) | cmos_read(0x35) << 8, 256);
	T_EQ(cmos_read(0x5b) | cmos_read(0x5c) | cmos_read(0x5d), 0);
	/* 512 KiB: no extended memory at all; a huge high part is capped. */
	vireo_rtc_set_memory(&rtc, 512 << 10, 1ULL << 50);
	T_EQ(cmos_read(0x17) | cmos_read(0x18) << 8, 0);
	T_EQ(cmos_read(0x34) | cmos_read(0x35) << 8, 0);
	T_EQ(cmos_read(0x5b) & cmos_read(0x5c) & cmos_read(0x5d), 0xff);
	teardown();
}

static void rtc_random(void)
{
	uint64_t state = 0x146818146818ULL;
	unsigned int i;

	setup_at(LEAP_DAY);
	for (i = 0; i < 200000; i++) {
		uint64_t r = fake_rand(&state);

		switch (r & 7) {
		case 0:
			clk.now += (r >> 8) % (3 * SEC);
			break;
		case 1:
			vireo_rtc_timer(&rtc);
			break;
		case 2: /* an index the data port accesses next */
			fake_out(vireo_rtc_pio, &rtc, 0, (uint8_t)(r >> 8));
			break;
		default:
			fake_random_pio(vireo_rtc_pio, &rtc, VIREO_RTC_PORTS, &state);
			break;
		}
	}
	/* Still a clock: register D reads right, time is in range. */
	T_EQ(cmos_read(0x0d), 0x80);
	T_TRUE(vireo_rtc_time(&rtc) < 253402300800LL);
	teardown();
}

static const struct vireo_test tests[] = {
	VIREO_TEST(rtc_registers_power_on),
	VIREO_TEST(rtc_bcd_24h),
	VIREO_TEST(rtc_binary_and_12h),
	VIREO_TEST(rtc_century_rollover),
	VIREO_TEST(rtc_update_in_progress),
	VIREO_TEST(rtc_update_interrupt),
	VIREO_TEST(rtc_periodic_interrupt),
	VIREO_TEST(rtc_alarm),
	VIREO_TEST(rtc_linux_set_time),
	VIREO_TEST(rtc_write_while_running),
	VIREO_TEST(rtc_garbage_time),
	VIREO_TEST(rtc_cmos_ram),
	VIREO_TEST(rtc_memory_bytes),
	VIREO_TEST(rtc_random),
	{ NULL, NULL },
};

VIREO_TEST_SUITE(hw_rtc, tests);
