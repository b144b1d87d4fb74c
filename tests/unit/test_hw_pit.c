// SPDX-License-Identifier: GPL-2.0
/*
 * 8254 PIT against a fake clock: the modes' counts and OUT waveforms,
 * Linux's TSC calibration through port 0x61, counter 0's interrupts and
 * timer arming, latch and read-back, access modes, BCD, gates, and random
 * port traffic.
 */
#include "hw/pit.h"
#include "test.h"
#include "test_hw_fakes.h"

#define T0 1000000000000ULL	/* the fake clock's start: 1000 s */

static struct fake_clock clk;
static struct fake_timer tmr;
static struct vireo_irq_router router;
static struct vireo_pit pit;

/* The first clock time at which the counter has seen n input clocks. */
static uint64_t at_tick(uint64_t n)
{
	return T0 + (n * 1000000000ULL + VIREO_PIT_HZ - 1) / VIREO_PIT_HZ;
}

static void setup(void)
{
	clk.now = T0;
	vireo_irq_router_init(&router, NULL, NULL);
	vireo_pit_init(&pit, &router, VIREO_IRQ_PIT, fake_clock_of(&clk), fake_timer_of(&tmr));
}

static void teardown(void)
{
	vireo_pit_fini(&pit);
	vireo_irq_router_fini(&router);
}

static void out(uint16_t port, uint8_t v)
{
	if (port == 0x61)
		fake_out(vireo_pit_port_b, &pit, 0, v);
	else
		fake_out(vireo_pit_pio, &pit, port - 0x40, v);
}

static uint8_t in(uint16_t port)
{
	if (port == 0x61)
		return fake_in(vireo_pit_port_b, &pit, 0);
	return fake_in(vireo_pit_pio, &pit, port - 0x40);
}

/* Restart the counters' time base: reprogram at a known instant. */
static void program(unsigned int ctr, uint8_t control, uint16_t count)
{
	clk.now = T0;
	out(0x43, control);
	out(0x40 + ctr, (uint8_t)count);
	if (((control >> 4) & 3) == 3)
		out(0x40 + ctr, (uint8_t)(count >> 8));
}

static uint16_t read16(unsigned int ctr)
{
	uint16_t lo = in(0x40 + ctr);

	return lo | (uint16_t)in(0x40 + ctr) << 8;
}

static uint16_t latched16(unsigned int ctr)
{
	out(0x43, (uint8_t)(ctr << 6));
	return read16(ctr);
}

static void pit_power_on(void)
{
	setup();
	/* Counter 0 in mode 3 with 0x10000: the timer is armed for 18.2 Hz. */
	T_EQ(tmr.deadline, at_tick(65536));
	T_EQ(vireo_irq_raised(&router, 0), 0);
	clk.now = tmr.deadline;
	vireo_pit_timer(&pit);
	T_EQ(vireo_irq_raised(&router, 0), 1);
	T_EQ(vireo_irq_level(&router, 0), false);
	T_EQ(tmr.deadline, at_tick(2 * 65536));
	/* Early call: nothing. */
	clk.now = tmr.deadline - 1;
	vireo_pit_timer(&pit);
	T_EQ(vireo_irq_raised(&router, 0), 1);
	/* Counter 2's gate is low: OUT2 high (mode 3, not counting), gate bit clear. */
	T_EQ(in(0x61) & 0x21, 0x20);
	/* The control word register reads as nothing. */
	T_EQ(in(0x43), 0xff);
	teardown();
}

/*
 * Linux's pit_calibrate_tsc(): gate high, speaker off, counter 2 in mode 0
 * with a 10 ms count, then poll port 0x61 bit 5 until OUT2 goes high.
 */
static void pit_linux_calibration(void)
{
	const uint16_t latch = 1193182 / 100;

	setup();
	out(0x61, (in(0x61) & ~0x02) | 0x01);
	program(2, 0xb0, latch);
	T_EQ(in(0x61) & 0x20, 0);
	clk.now = at_tick(latch) - 1;
	T_EQ(in(0x61) & 0x20, 0);
	T_EQ(latched16(2), 1);
	clk.now = at_tick(latch);
	T_EQ(in(0x61) & 0x20, 0x20);
	T_EQ(latched16(2), 0);
	/* OUT stays high; the count wraps on. */
	clk.now = at_tick(latch + 10);
	T_EQ(in(0x61) & 0x20, 0x20);
	T_EQ(latched16(2), 0x10000 - 10);
	/* quick_pit_calibrate(): 0xffff and MSB-only polling of live reads. */
	program(2, 0xb0, 0xffff);
	clk.now = at_tick(256 * 3 + 5);
	T_EQ(in(0x42), 0xfa);	/* LSB of 0xfcfa */
	T_EQ(in(0x42), 0xfc);
	teardown();
}

static void pit_mode2_periodic(void)
{
	const uint16_t latch = (1193182 + 125) / 250;	/* Linux's LATCH for HZ=250 */
	unsigned int i;

	setup();
	program(0, 0x34, latch);
	T_EQ(tmr.deadline, at_tick(latch));
	T_EQ(vireo_irq_raised(&router, 0), 0);
	/* Counts N..1 then reloads. */
	clk.now = at_tick(1);
	T_EQ(latched16(0), latch - 1);
	clk.now = at_tick(latch - 1);
	T_EQ(latched16(0), 1);
	clk.now = at_tick(latch);
	T_EQ(latched16(0), latch);
	for (i = 1; i <= 5; i++) {
		clk.now = tmr.deadline;
		vireo_pit_timer(&pit);
		T_EQ(vireo_irq_raised(&router, 0), i);
		T_EQ(tmr.deadline, at_tick((uint64_t)(i + 1) * latch));
	}
	/* A timer 10 periods late gives one interrupt and aims at the next edge. */
	clk.now = at_tick(16ULL * latch) + 1000;
	vireo_pit_timer(&pit);
	T_EQ(vireo_irq_raised(&router, 0), 6);
	T_EQ(tmr.deadline, at_tick(17ULL * latch));
	/* Status: OUT high, mode 2, LSB+MSB, binary, count loaded. */
	out(0x43, 0xe2);	/* read-back status of counter 0 */
	T_EQ(in(0x40), 0xb4);
	teardown();
}

static void pit_mode3_square(void)
{
	setup();
	out(0x61, 0x01);
	program(2, 0xb6, 100);
	/* High for 50 clocks, low for 50; the count goes down by two. */
	clk.now = at_tick(10);
	T_EQ(in(0x61) & 0x20, 0x20);
	T_EQ(latched16(2), 80);
	clk.now = at_tick(49);
	T_EQ(in(0x61) & 0x20, 0x20);
	clk.now = at_tick(50);
	T_EQ(in(0x61) & 0x20, 0);
	T_EQ(latched16(2), 100);
	clk.now = at_tick(99);
	T_EQ(in(0x61) & 0x20, 0);
	clk.now = at_tick(100);
	T_EQ(in(0x61) & 0x20, 0x20);
	/* Odd counts: high one clock longer. */
	program(2, 0xb6, 5);
	clk.now = at_tick(2);
	T_EQ(in(0x61) & 0x20, 0x20);
	clk.now = at_tick(3);
	T_EQ(in(0x61) & 0x20, 0);
	/* Gate low forces OUT high and stops; the rising edge restarts. */
	program(2, 0xb6, 100);
	clk.now = at_tick(60);
	T_EQ(in(0x61) & 0x20, 0);
	out(0x61, 0x00);
	T_EQ(in(0x61) & 0x20, 0x20);
	clk.now = at_tick(500);
	out(0x61, 0x01);
	clk.now = at_tick(510);
	T_EQ(latched16(2), 80);
	teardown();
}

static void pit_mode4_oneshot(void)
{
	setup();
	/* Linux's i8253 one-shot: 0x38, then the delta. */
	program(0, 0x38, 1000);
	T_EQ(tmr.deadline, at_tick(1001));
	clk.now = at_tick(1000);
	out(0x43, 0xe2);
	T_EQ(in(0x40) & 0x80, 0);	/* OUT low for the clock at terminal count */
	vireo_pit_timer(&pit);
	T_EQ(vireo_irq_raised(&router, 0), 0);
	clk.now = at_tick(1001);
	vireo_pit_timer(&pit);
	T_EQ(vireo_irq_raised(&router, 0), 1);
	T_EQ(tmr.deadline, VIREO_TIMER_OFF);
	/* Nothing more: the counter wraps without another strobe. */
	clk.now = at_tick(70000);
	vireo_pit_timer(&pit);
	T_EQ(vireo_irq_raised(&router, 0), 1);
	/* A new count re-arms. */
	out(0x40, 0x10);
	out(0x40, 0x00);
	T_EQ(tmr.deadline, clk.now + (17 * 1000000000ULL + VIREO_PIT_HZ - 1) / VIREO_PIT_HZ);
	teardown();
}

static void pit_mode0_irq_and_shutdown(void)
{
	setup();
	program(0, 0x30, 100);
	T_EQ(tmr.deadline, at_tick(100));
	clk.now = at_tick(100);
	vireo_pit_timer(&pit);
	T_EQ(vireo_irq_raised(&router, 0), 1);
	T_EQ(tmr.deadline, VIREO_TIMER_OFF);
	/* Linux's clockevent shutdown: control word 0x30 alone stops it. */
	program(0, 0x34, 500);
	T_EQ(tmr.deadline, at_tick(500));
	out(0x43, 0x30);
	T_EQ(tmr.deadline, VIREO_TIMER_OFF);
	clk.now = at_tick(1000);
	vireo_pit_timer(&pit);
	T_EQ(vireo_irq_raised(&router, 0), 1);
	/* Mode 0, LSB+MSB: the first byte stops counting with OUT low. */
	program(0, 0x30, 100);
	clk.now = at_tick(30);
	out(0x40, 0x05);
	clk.now = at_tick(200);
	T_EQ(latched16(0), 70);
	T_EQ(tmr.deadline, VIREO_TIMER_OFF);
	out(0x40, 0x00);	/* count 5 from now */
	T_EQ(latched16(0), 5);
	teardown();
}

static void pit_latch_and_readback(void)
{
	setup();
	program(1, 0x74, 1000);
	clk.now = at_tick(100);
	out(0x43, 0x40);	/* latch counter 1 */
	clk.now = at_tick(200);
	out(0x43, 0x40);	/* ignored: the first latch is unread */
	T_EQ(read16(1), 900);
	/* Latch freed: live reads again. */
	T_EQ(read16(1), 800);
	/* Read-back of status and count of counters 1 and 2: status first. */
	out(0x43, 0xcc);
	T_EQ(in(0x41), 0xb4);	/* OUT high, LSB+MSB, mode 2, binary */
	T_EQ(read16(1), 800);
	/* Counter 2 (gate low since power-on): never clocked, NULL COUNT still set. */
	T_EQ(in(0x42), 0xf6);
	program(1, 0x74, 1000);
	out(0x43, 0xe4);	/* status of counter 1: NULL COUNT until a clock */
	T_EQ(in(0x41), 0xf4);
	clk.now = at_tick(1);
	out(0x43, 0xe4);
	T_EQ(in(0x41), 0xb4);
	/* After a control word without a count: mode 0's OUT low, NULL COUNT. */
	out(0x43, 0x70 | 0x00);	/* counter 1, LSB+MSB, mode 0 */
	out(0x43, 0xe4);
	T_EQ(in(0x41), 0x70);
	teardown();
}

static void pit_access_modes(void)
{
	setup();
	/* LSB only. */
	program(1, 0x54, 0x80);	/* counter 1, LSB, mode 2 */
	clk.now = at_tick(0x10);
	T_EQ(in(0x41), 0x70);
	T_EQ(in(0x41), 0x70);
	/* MSB only: count 0x1200. */
	clk.now = T0;
	out(0x43, 0x64);
	out(0x41, 0x12);
	clk.now = at_tick(0x100);
	T_EQ(in(0x41), 0x11);
	/* A latched count in MSB mode is one byte. */
	out(0x43, 0x40);
	T_EQ(in(0x41), 0x11);
	clk.now = at_tick(0x300);
	T_EQ(in(0x41), 0x0f);
	/* Mode 6 and 7 are 2 and 3. */
	out(0x43, 0x7c);
	out(0x43, 0xe4);
	T_EQ(in(0x41) & 0x0e, 0x04);
	out(0x43, 0x7e);
	out(0x43, 0xe4);
	T_EQ(in(0x41) & 0x0e, 0x06);
	/* Count 0 is 0x10000 in binary. */
	program(1, 0x70, 0);
	clk.now = at_tick(1);
	T_EQ(latched16(1), 0xffff);
	teardown();
}

static void pit_bcd(void)
{
	setup();
	program(1, 0x71, 0x1000);	/* mode 0, BCD, count 1000 */
	clk.now = at_tick(1);
	T_EQ(latched16(1), 0x0999);
	clk.now = at_tick(999);
	T_EQ(latched16(1), 0x0001);
	clk.now = at_tick(1001);
	T_EQ(latched16(1), 0x9999);
	/* BCD count 0 is 10000. */
	program(1, 0x71, 0);
	clk.now = at_tick(1);
	T_EQ(latched16(1), 0x9999);
	/* Mode 2 in BCD with count 10. */
	program(1, 0x75, 0x0010);
	clk.now = at_tick(3);
	T_EQ(latched16(1), 0x0007);
	/* Digits that are not BCD do not break anything. */
	program(1, 0x71, 0xffff);
	clk.now = at_tick(5);
	T_EQ(latched16(1), 0x9995);
	teardown();
}

static void pit_gates(void)
{
	setup();
	/* Mode 0 with gate low: loaded but not counting; counting resumes. */
	out(0x61, 0x00);
	program(2, 0xb0, 100);
	clk.now = at_tick(50);
	T_EQ(latched16(2), 100);
	out(0x61, 0x01);
	clk.now = at_tick(80);
	T_EQ(latched16(2), 70);
	out(0x61, 0x00);
	clk.now = at_tick(500);
	T_EQ(latched16(2), 70);
	T_EQ(in(0x61) & 0x20, 0);
	/* Mode 1: the gate's rising edge triggers; OUT low for the count. */
	out(0x61, 0x00);
	program(2, 0xb2, 10);
	T_EQ(in(0x61) & 0x20, 0x20);
	clk.now = at_tick(100);
	T_EQ(in(0x61) & 0x20, 0x20);
	out(0x61, 0x01);
	T_EQ(in(0x61) & 0x20, 0);
	clk.now = at_tick(109);
	T_EQ(in(0x61) & 0x20, 0);
	clk.now = at_tick(110);
	T_EQ(in(0x61) & 0x20, 0x20);
	/* Retriggerable: the next rising edge starts it over. */
	out(0x61, 0x00);
	out(0x61, 0x01);
	T_EQ(in(0x61) & 0x20, 0);
	/* Mode 5: a strobe one clock long after the trigger's count. */
	out(0x61, 0x00);
	program(2, 0xba, 4);
	clk.now = at_tick(10);
	out(0x61, 0x01);
	clk.now = at_tick(13);
	T_EQ(in(0x61) & 0x20, 0x20);
	clk.now = at_tick(14);
	T_EQ(in(0x61) & 0x20, 0);
	clk.now = at_tick(15);
	T_EQ(in(0x61) & 0x20, 0x20);
	/* Port B keeps bits 0-3; bits 6-7 read 0. */
	out(0x61, 0xff);
	T_EQ(in(0x61) & 0xcf, 0x0f);
	teardown();
}

static void pit_refresh_bit(void)
{
	uint8_t a, b;

	setup();
	clk.now = 15085ULL * 1000;
	a = in(0x61) & 0x10;
	clk.now += 15085;
	b = in(0x61) & 0x10;
	T_TRUE(a != b);
	teardown();
}

static void pit_rate_limit(void)
{
	setup();
	/* Count 2 in mode 2 would be 600 kHz: interrupts are held to 10 kHz. */
	program(0, 0x34, 2);
	T_EQ(tmr.deadline, T0 + VIREO_PIT_MIN_PERIOD_NS);
	clk.now = tmr.deadline;
	vireo_pit_timer(&pit);
	T_EQ(vireo_irq_raised(&router, 0), 1);
	T_EQ(tmr.deadline, clk.now + VIREO_PIT_MIN_PERIOD_NS);
	/* Without a timer (arm NULL) nothing is armed and nothing breaks. */
	vireo_pit_fini(&pit);
	vireo_pit_init(&pit, &router, VIREO_IRQ_PIT, fake_clock_of(&clk),
		       (struct vireo_timer){ NULL, NULL });
	program(0, 0x34, 2);
	vireo_pit_timer(&pit);
	teardown();
}

static void pit_wide_access(void)
{
	uint32_t v = 0;

	setup();
	program(1, 0x70, 0x1234);
	/* A 16-bit IN from 0x41 reads 0x41 and 0x42: LSB of counter 1, then counter 2. */
	T_EQ(vireo_pit_pio(&pit, 1, 2, false, &v), 0);
	T_EQ(v & 0xff, 0x34);
	T_EQ(vireo_pit_pio(&pit, 3, 2, false, &v), 0);
	T_EQ(v, 0xffff);
	T_EQ(vireo_pit_pio(&pit, 4, 1, false, &v), -22);
	T_EQ(vireo_pit_port_b(&pit, 1, 1, false, &v), -22);
	teardown();
}

static void pit_random(void)
{
	uint64_t state = 0x82548254825482ULL;
	unsigned int i;

	setup();
	for (i = 0; i < 200000; i++) {
		uint64_t r = fake_rand(&state);

		switch (r & 7) {
		case 0:
			clk.now += (r >> 8) % 2000000;
			break;
		case 1:
			vireo_pit_timer(&pit);
			break;
		case 2:
			fake_random_pio(vireo_pit_port_b, &pit, 1, &state);
			break;
		default:
			fake_random_pio(vireo_pit_pio, &pit, VIREO_PIT_PORTS, &state);
			break;
		}
		/* The armed deadline never lies in the past by more than a step. */
		if (tmr.deadline != VIREO_TIMER_OFF && tmr.deadline + 2000000 < clk.now)
			vireo_pit_timer(&pit);
	}
	teardown();
}

static const struct vireo_test tests[] = {
	VIREO_TEST(pit_power_on),
	VIREO_TEST(pit_linux_calibration),
	VIREO_TEST(pit_mode2_periodic),
	VIREO_TEST(pit_mode3_square),
	VIREO_TEST(pit_mode4_oneshot),
	VIREO_TEST(pit_mode0_irq_and_shutdown),
	VIREO_TEST(pit_latch_and_readback),
	VIREO_TEST(pit_access_modes),
	VIREO_TEST(pit_bcd),
	VIREO_TEST(pit_gates),
	VIREO_TEST(pit_refresh_bit),
	VIREO_TEST(pit_rate_limit),
	VIREO_TEST(pit_wide_access),
	VIREO_TEST(pit_random),
	{ NULL, NULL },
};

VIREO_TEST_SUITE(hw_pit, tests);
