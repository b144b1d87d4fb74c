// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupt router, and the platform wired the way the monitor will
 * wire it: PIT, UART, RTC and i8042 through the router into the IOAPIC
 * and the PIC, out as MSI messages; plus concurrent use from several
 * threads in the documented lock order.
 */
#include <pthread.h>

#include "hw/i8042.h"
#include "hw/ioapic.h"
#include "hw/pic.h"
#include "hw/pit.h"
#include "hw/rtc.h"
#include "hw/uart.h"
#include "test.h"
#include "test_hw_fakes.h"

static void irq_lines(void)
{
	struct vireo_irq_router r;
	unsigned int i;

	vireo_irq_router_init(&r, NULL, NULL);
	/* ISA IRQ 0 is GSI 2 (the MADT override); the rest are themselves. */
	T_EQ(vireo_irq_gsi(0), 2);
	for (i = 1; i < VIREO_IRQ_LINES; i++)
		T_EQ(vireo_irq_gsi(i), i);
	/* The cascade and lines past 23 are refused. */
	T_EQ(vireo_irq_set(&r, 2, true), -22);
	T_EQ(vireo_irq_pulse(&r, 2), -22);
	T_EQ(vireo_irq_set(&r, 24, true), -22);
	T_EQ(vireo_irq_set_source(&r, 5, 32, true), -22);
	T_EQ(vireo_irq_level(&r, 24), false);
	T_EQ(vireo_irq_raised(&r, 99), 0);
	T_EQ(vireo_irq_set(&r, 23, true), 0);
	T_EQ(vireo_irq_level(&r, 23), true);
	vireo_irq_router_fini(&r);
}

static void irq_shared_sources(void)
{
	struct vireo_irq_router r;

	vireo_irq_router_init(&r, NULL, NULL);
	/* Two sources on line 16: up while either is. */
	vireo_irq_set_source(&r, 16, 0, true);
	vireo_irq_set_source(&r, 16, 3, true);
	T_EQ(vireo_irq_raised(&r, 16), 1);
	vireo_irq_set_source(&r, 16, 0, false);
	T_EQ(vireo_irq_level(&r, 16), true);
	vireo_irq_set_source(&r, 16, 3, false);
	T_EQ(vireo_irq_level(&r, 16), false);
	/* Setting a level twice is one edge. */
	vireo_irq_set(&r, 9, true);
	vireo_irq_set(&r, 9, true);
	T_EQ(vireo_irq_raised(&r, 9), 1);
	/* A pulse is an edge, unless the line is held up by another source. */
	vireo_irq_pulse(&r, 4);
	T_EQ(vireo_irq_raised(&r, 4), 1);
	T_EQ(vireo_irq_level(&r, 4), false);
	vireo_irq_set_source(&r, 4, 1, true);
	vireo_irq_pulse(&r, 4);
	T_EQ(vireo_irq_raised(&r, 4), 2);
	T_EQ(vireo_irq_level(&r, 4), true);
	vireo_irq_router_fini(&r);
}

/* The platform as vireo-run will assemble it. */
struct platform {
	struct fake_msi msi;
	struct fake_clock clk;
	struct fake_timer pit_timer, rtc_timer;
	struct vireo_ioapic ioapic;
	struct vireo_pic pic;
	struct vireo_irq_router router;
	struct vireo_pit pit;
	struct vireo_uart uart;
	struct vireo_rtc rtc;
	struct vireo_i8042 kbc;
};

static struct platform pc;

static void sink(void *opaque, uint8_t byte)
{
	(void)opaque;
	(void)byte;
}

static const struct vireo_uart_ops uart_ops = { sink, NULL };

static void platform_init(void)
{
	fake_msi_reset(&pc.msi);
	pc.clk.now = 1000000000ULL;
	vireo_ioapic_init(&pc.ioapic, fake_msi_fn, &pc.msi);
	vireo_pic_init(&pc.pic, fake_msi_fn, &pc.msi);
	vireo_irq_router_init(&pc.router, &pc.ioapic, &pc.pic);
	vireo_pit_init(&pc.pit, &pc.router, VIREO_IRQ_PIT, fake_clock_of(&pc.clk),
		       fake_timer_of(&pc.pit_timer));
	vireo_uart_init(&pc.uart, &pc.router, VIREO_IRQ_COM1, &uart_ops, NULL);
	vireo_rtc_init(&pc.rtc, &pc.router, VIREO_IRQ_RTC, fake_clock_of(&pc.clk),
		       fake_timer_of(&pc.rtc_timer), 1700000000LL * 1000000000LL);
	vireo_i8042_init(&pc.kbc, &pc.router, VIREO_IRQ_KEYBOARD, VIREO_IRQ_MOUSE, NULL, NULL);
}

static void platform_fini(void)
{
	vireo_i8042_fini(&pc.kbc);
	vireo_rtc_fini(&pc.rtc);
	vireo_uart_fini(&pc.uart);
	vireo_pit_fini(&pc.pit);
	vireo_irq_router_fini(&pc.router);
	vireo_pic_fini(&pc.pic);
	vireo_ioapic_fini(&pc.ioapic);
}

static void ioapic_program(unsigned int pin, uint64_t entry)
{
	uint64_t v;

	v = 0x11 + 2 * pin;
	vireo_ioapic_mmio(&pc.ioapic, 0, 4, true, &v);
	v = entry >> 32;
	vireo_ioapic_mmio(&pc.ioapic, 0x10, 4, true, &v);
	v = 0x10 + 2 * pin;
	vireo_ioapic_mmio(&pc.ioapic, 0, 4, true, &v);
	v = (uint32_t)entry;
	vireo_ioapic_mmio(&pc.ioapic, 0x10, 4, true, &v);
}

static void platform_pit_through_ioapic(void)
{
	platform_init();
	/* Linux routes the timer: GSI 2, edge, vector 0x30, APIC 0. */
	ioapic_program(2, 0x30);
	fake_out(vireo_pit_pio, &pc.pit, 3, 0x34);
	fake_out(vireo_pit_pio, &pc.pit, 0, 0x9b);
	fake_out(vireo_pit_pio, &pc.pit, 0, 0x2e);	/* 11931: 100 Hz */
	T_EQ(pc.msi.n, 0);
	pc.clk.now = pc.pit_timer.deadline;
	vireo_pit_timer(&pc.pit);
	T_EQ(pc.msi.n, 1);
	T_EQ(pc.msi.address[0], 0xfee00000);
	T_EQ(pc.msi.data[0], 0x4030);
	pc.clk.now = pc.pit_timer.deadline;
	vireo_pit_timer(&pc.pit);
	T_EQ(pc.msi.n, 2);
	/* IOAPIC pin 0 is not the PIT: programming it changes nothing. */
	ioapic_program(2, 0x10030);
	ioapic_program(0, 0x31);
	pc.clk.now = pc.pit_timer.deadline;
	vireo_pit_timer(&pc.pit);
	T_EQ(pc.msi.n, 2);
	/* The PIC's IR0 gets it too once unmasked: ExtINT, vector 0x08. */
	fake_out(vireo_pic_pio_master, &pc.pic, 1, 0xfa);
	pc.clk.now = pc.pit_timer.deadline;
	vireo_pit_timer(&pc.pit);
	T_EQ(pc.msi.n, 3);
	T_EQ(pc.msi.data[2], 0x4708);
	platform_fini();
}

static void platform_uart_level_and_eoi(void)
{
	uint8_t b = 'k';

	platform_init();
	/* COM1 on GSI 4 as a level pin (stress the remote IRR path). */
	ioapic_program(4, 0x8024);
	fake_out(vireo_uart_pio, &pc.uart, 4, 0x08);	/* OUT2 */
	fake_out(vireo_uart_pio, &pc.uart, 1, 0x01);	/* RDI */
	T_EQ(vireo_uart_receive(&pc.uart, &b, 1), 1);
	T_EQ(pc.msi.n, 1);
	T_EQ(pc.msi.data[0], 0xc024);
	/* The guest reads the byte (line drops), then the LAPIC's EOI. */
	T_EQ(fake_in(vireo_uart_pio, &pc.uart, 0), 'k');
	vireo_ioapic_eoi(&pc.ioapic, 0x24);
	T_EQ(pc.msi.n, 1);
	/* EOI while the line is still up: sent again. */
	vireo_uart_receive(&pc.uart, &b, 1);
	T_EQ(pc.msi.n, 2);
	vireo_ioapic_eoi(&pc.ioapic, 0x24);
	T_EQ(pc.msi.n, 3);
	platform_fini();
}

static void platform_rtc_and_kbd(void)
{
	platform_init();
	ioapic_program(8, 0x28);
	ioapic_program(1, 0x21);
	ioapic_program(12, 0x2c);
	/* RTC update interrupt on GSI 8. */
	fake_out(vireo_rtc_pio, &pc.rtc, 0, 0x0b);
	fake_out(vireo_rtc_pio, &pc.rtc, 1, 0x12);
	pc.clk.now = pc.rtc_timer.deadline;
	vireo_rtc_timer(&pc.rtc);
	T_EQ(pc.msi.n, 1);
	T_EQ(fake_msi_vector(&pc.msi, 0), 0x28);
	/* i8042 self-test reply on GSI 1. */
	fake_out(vireo_i8042_pio_cmd, &pc.kbc, 0, 0xaa);
	T_EQ(pc.msi.n, 2);
	T_EQ(fake_msi_vector(&pc.msi, 1), 0x21);
	/* Aux loop with AUXINT on GSI 12. */
	fake_out(vireo_i8042_pio_cmd, &pc.kbc, 0, 0x60);
	fake_out(vireo_i8042_pio_data, &pc.kbc, 0, 0x47);
	fake_in(vireo_i8042_pio_data, &pc.kbc, 0);
	fake_out(vireo_i8042_pio_cmd, &pc.kbc, 0, 0xd3);
	fake_out(vireo_i8042_pio_data, &pc.kbc, 0, 0x12);
	T_EQ(pc.msi.n, 3);
	T_EQ(fake_msi_vector(&pc.msi, 2), 0x2c);
	platform_fini();
}

/*
 * Threads doing at once what vCPUs, the timer thread and the stdin thread
 * do: nothing may deadlock, and the counts must add up.
 */
static bool stop_threads;

static void *vcpu_thread(void *arg)
{
	uint64_t state = (uintptr_t)arg;
	unsigned int i;

	for (i = 0; i < 20000; i++) {
		uint64_t r = fake_rand(&state);
		uint32_t v = (uint32_t)(r >> 32);

		switch (r & 7) {
		case 0:
			vireo_uart_pio(&pc.uart, (r >> 8) % 8, 1, (r >> 12) & 1, &v);
			break;
		case 1:
			vireo_pic_pio_master(&pc.pic, 0, 1, true, &v);
			break;
		case 2:
			vireo_ioapic_eoi(&pc.ioapic, (uint8_t)(r >> 8));
			break;
		case 3:
			vireo_pit_pio(&pc.pit, 0, 1, false, &v);
			break;
		case 4:
			vireo_rtc_pio(&pc.rtc, 1, 1, false, &v);
			break;
		case 5:
			vireo_i8042_pio_cmd(&pc.kbc, 0, 1, true, &v);
			break;
		default: {
			uint64_t d;

			vireo_ioapic_mmio(&pc.ioapic, 0x10, 4, false, &d);
			break;
		}
		}
	}
	return NULL;
}

static void *io_thread(void *arg)
{
	uint8_t b = 'x';

	(void)arg;
	while (!__atomic_load_n(&stop_threads, __ATOMIC_RELAXED)) {
		vireo_pit_timer(&pc.pit);
		vireo_rtc_timer(&pc.rtc);
		vireo_uart_receive(&pc.uart, &b, 1);
		vireo_irq_pulse(&pc.router, 16);
	}
	return NULL;
}

static void platform_threads(void)
{
	pthread_t vcpus[4], io;
	unsigned int i;

	platform_init();
	for (i = 0; i < 24; i++)
		ioapic_program(i, 0x8020 + i);
	fake_out(vireo_pic_pio_master, &pc.pic, 1, 0x00);
	fake_out(vireo_uart_pio, &pc.uart, 4, 0x08);
	fake_out(vireo_uart_pio, &pc.uart, 1, 0x0f);
	stop_threads = false;
	T_EQ(pthread_create(&io, NULL, io_thread, NULL), 0);
	for (i = 0; i < 4; i++)
		T_EQ(pthread_create(&vcpus[i], NULL, vcpu_thread, (void *)(uintptr_t)(i + 1)), 0);
	for (i = 0; i < 4; i++)
		pthread_join(vcpus[i], NULL);
	__atomic_store_n(&stop_threads, true, __ATOMIC_RELAXED);
	pthread_join(io, NULL);
	T_EQ(pc.msi.n, pc.ioapic.sent + pc.ioapic.refused + pc.pic.sent + pc.pic.refused);
	platform_fini();
}

static const struct vireo_test tests[] = {
	VIREO_TEST(irq_lines),
	VIREO_TEST(irq_shared_sources),
	VIREO_TEST(platform_pit_through_ioapic),
	VIREO_TEST(platform_uart_level_and_eoi),
	VIREO_TEST(platform_rtc_and_kbd),
	VIREO_TEST(platform_threads),
	{ NULL, NULL },
};

VIREO_TEST_SUITE(hw_irq, tests);
