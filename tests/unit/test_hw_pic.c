// SPDX-License-Identifier: GPL-2.0
/*
 * 8259A pair: Linux's initialisation sequence, priorities and rotation,
 * EOIs, the cascade, edge and level sensing through ELCR, auto-EOI, poll
 * mode, special mask mode, ExtINT delivery, and random port traffic.
 */
#include "hw/pic.h"
#include "test.h"
#include "test_hw_fakes.h"

static struct fake_msi msi;
static struct vireo_pic pic;

static void out(uint16_t port, uint8_t v)
{
	if (port >= 0x4d0)
		fake_out(vireo_pic_pio_elcr, &pic, port - 0x4d0, v);
	else if (port >= 0xa0)
		fake_out(vireo_pic_pio_slave, &pic, port - 0xa0, v);
	else
		fake_out(vireo_pic_pio_master, &pic, port - 0x20, v);
}

static uint8_t in(uint16_t port)
{
	if (port >= 0x4d0)
		return fake_in(vireo_pic_pio_elcr, &pic, port - 0x4d0);
	if (port >= 0xa0)
		return fake_in(vireo_pic_pio_slave, &pic, port - 0xa0);
	return fake_in(vireo_pic_pio_master, &pic, port - 0x20);
}

static uint8_t read_isr(uint16_t cmd)
{
	uint8_t v;

	out(cmd, 0x0b);
	v = in(cmd);
	out(cmd, 0x0a);
	return v;
}

static uint8_t read_irr(uint16_t cmd)
{
	out(cmd, 0x0a);
	return in(cmd);
}

struct port_write {
	uint16_t port;
	uint8_t value;
};

/*
 * Linux's arch/x86/kernel/i8259.c as the PIC sees it: probe_8259A() writes
 * 0xff to the slave IMR and 0xa5 to the master IMR and reads it back, then
 * init_8259A(0) masks both, ICW1 0x11 (edge, cascade, ICW4), ICW2 0x30
 * (ISA_IRQ_VECTOR(0) on x86-64), ICW3 0x04 (slave on IR2), ICW4 0x01
 * (8086, normal EOI), the same for the slave with 0x38 and cascade ID 2,
 * then restores the cached masks (all masked but the cascade).
 */
static const struct port_write linux_init[] = {
	{ 0xa1, 0xff }, { 0x21, 0xa5 },	/* probe (0x21 read back here) */
	{ 0x21, 0xff }, { 0xa1, 0xff },
	{ 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 },
	{ 0xa0, 0x11 }, { 0xa1, 0x38 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
	{ 0x21, 0xfb }, { 0xa1, 0xff },
};

static void linux_boot(bool auto_eoi)
{
	unsigned int i;

	fake_msi_reset(&msi);
	vireo_pic_init(&pic, fake_msi_fn, &msi);
	for (i = 0; i < sizeof(linux_init) / sizeof(linux_init[0]); i++) {
		uint8_t v = linux_init[i].value;

		if (auto_eoi && linux_init[i].port == 0x21 && i == 7)
			v |= 0x02;	/* init_8259A(1): the master in AEOI */
		out(linux_init[i].port, v);
		if (i == 1)
			T_EQ(in(0x21), 0xa5);
	}
}

/* Linux's mask_and_ack_8259A() minus the masking: specific EOIs. */
static void linux_eoi(unsigned int irq)
{
	if (irq >= 8) {
		out(0xa0, 0x60 + (irq & 7));
		out(0x20, 0x60 + 2);
	} else {
		out(0x20, 0x60 + irq);
	}
}

static void set_irq(unsigned int irq, bool level)
{
	vireo_pic_set_irq(&pic, irq, level);
}

static void unmask(unsigned int irq)
{
	uint16_t port = irq >= 8 ? 0xa1 : 0x21;

	out(port, in(port) & ~(1U << (irq & 7)));
}

static void pic_power_on(void)
{
	fake_msi_reset(&msi);
	vireo_pic_init(&pic, fake_msi_fn, &msi);
	T_EQ(in(0x21), 0xfb);
	T_EQ(in(0xa1), 0xff);
	T_EQ(in(0x4d0), 0);
	T_EQ(in(0x4d1), 0);
	set_irq(4, true);
	set_irq(8, true);
	T_EQ(msi.n, 0);
	/* The request is latched in IRR, held by the mask. */
	T_EQ(read_irr(0x20), 0x10);
	T_EQ(read_irr(0xa0), 0x01);
	vireo_pic_fini(&pic);
}

static void pic_linux_init(void)
{
	T_CALL(linux_boot(false));
	T_EQ(msi.n, 0);
	T_EQ(in(0x21), 0xfb);
	T_EQ(in(0xa1), 0xff);
	T_EQ(read_irr(0x20), 0);
	T_EQ(read_isr(0x20), 0);
	/* IRQ0 unmasked: an ExtINT message to APIC 0 with vector 0x30. */
	unmask(0);
	set_irq(0, true);
	set_irq(0, false);
	T_EQ(msi.n, 1);
	T_EQ(msi.address[0], 0xfee00000);
	T_EQ(msi.data[0], 0x4730);	/* vector 0x30, ExtINT (7), assert */
	T_EQ(read_isr(0x20), 0x01);
	T_EQ(read_irr(0x20), 0);
	linux_eoi(0);
	T_EQ(read_isr(0x20), 0);
	T_EQ(pic.sent, 1);
	vireo_pic_fini(&pic);
}

static void pic_priority(void)
{
	T_CALL(linux_boot(false));
	/* Two requests arrive masked; unmasking gives the higher first. */
	out(0x21, 0xff);
	set_irq(3, true);
	set_irq(1, true);
	T_EQ(msi.n, 0);
	out(0x21, 0xf5);	/* unmask 1 and 3 */
	T_EQ(msi.n, 1);
	T_EQ(fake_msi_vector(&msi, 0), 0x31);
	/* IRQ3 waits for IRQ1's EOI (non-specific, as DOS does it). */
	set_irq(3, false);
	set_irq(1, false);
	T_EQ(msi.n, 1);
	T_EQ(read_irr(0x20), 0x08);
	out(0x20, 0x20);
	T_EQ(msi.n, 2);
	T_EQ(fake_msi_vector(&msi, 1), 0x33);
	/* A higher-priority request nests over IRQ3 in service. */
	unmask(0);
	set_irq(0, true);
	T_EQ(msi.n, 3);
	T_EQ(fake_msi_vector(&msi, 2), 0x30);
	T_EQ(read_isr(0x20), 0x09);
	/* A lower one does not. */
	unmask(5);
	set_irq(5, true);
	T_EQ(msi.n, 3);
	/* Non-specific EOI retires the highest in service (IRQ0) first. */
	out(0x20, 0x20);
	T_EQ(read_isr(0x20), 0x08);
	T_EQ(msi.n, 3);
	out(0x20, 0x20);
	T_EQ(msi.n, 4);
	T_EQ(fake_msi_vector(&msi, 3), 0x35);
	T_EQ(read_isr(0x20), 0x20);
	/* A specific EOI for a level not in service changes nothing. */
	out(0x20, 0x64);
	T_EQ(read_isr(0x20), 0x20);
	out(0x20, 0x65);
	T_EQ(read_isr(0x20), 0);
	/* After ICW1, IR7 has the lowest priority: IR6 beats it, IR0 beats IR6. */
	out(0x21, 0xff);
	set_irq(7, true);
	set_irq(6, true);
	out(0x21, 0x3f);
	T_EQ(msi.n, 5);
	T_EQ(fake_msi_vector(&msi, 4), 0x36);
	out(0x21, 0xff);
	set_irq(0, false);
	set_irq(0, true);
	out(0x20, 0x20);
	out(0x21, 0x3e);
	T_EQ(msi.n, 6);
	T_EQ(fake_msi_vector(&msi, 5), 0x30);
	vireo_pic_fini(&pic);
}

static void pic_rotation(void)
{
	T_CALL(linux_boot(false));
	out(0x21, 0xff);
	/* Set priority: IR3 lowest, so IR4 is highest and IR1 ranks below IR5. */
	out(0x20, 0xc3);
	set_irq(1, true);
	set_irq(5, true);
	out(0x21, 0xdd);	/* unmask 1 and 5 */
	T_EQ(msi.n, 1);
	T_EQ(fake_msi_vector(&msi, 0), 0x35);
	/* Rotate on non-specific EOI: IR5 becomes lowest, IR1 goes next. */
	out(0x20, 0xa0);
	T_EQ(msi.n, 2);
	T_EQ(fake_msi_vector(&msi, 1), 0x31);
	/* Non-specific EOI with IR5 lowest: the highest in service is IR1. */
	set_irq(5, false);
	set_irq(5, true);	/* IR5 again, but it is now lowest: waits */
	T_EQ(msi.n, 2);
	out(0x20, 0x20);
	T_EQ(msi.n, 3);
	T_EQ(fake_msi_vector(&msi, 2), 0x35);
	/* Rotate on specific EOI 5: IR5 lowest again, IR6 highest. */
	out(0x20, 0xe5);
	T_EQ(read_isr(0x20), 0);
	out(0x21, 0xff);
	set_irq(1, false);
	set_irq(1, true);
	set_irq(6, true);
	out(0x21, 0x00);
	T_EQ(msi.n, 4);
	T_EQ(fake_msi_vector(&msi, 3), 0x36);
	vireo_pic_fini(&pic);
}

static void pic_cascade(void)
{
	T_CALL(linux_boot(false));
	/* IRQ10 is the slave's IR2: vector 0x3a, in service on both chips. */
	unmask(10);
	set_irq(10, true);
	set_irq(10, false);
	T_EQ(msi.n, 1);
	T_EQ(msi.data[0], 0x473a);
	T_EQ(read_isr(0xa0), 0x04);
	T_EQ(read_isr(0x20), 0x04);
	/* While IR2 is in service on the master, another slave IRQ waits. */
	unmask(12);
	set_irq(12, true);
	set_irq(12, false);
	T_EQ(msi.n, 1);
	linux_eoi(10);
	T_EQ(msi.n, 2);
	T_EQ(fake_msi_vector(&msi, 1), 0x3c);
	linux_eoi(12);
	T_EQ(read_isr(0xa0), 0);
	T_EQ(read_isr(0x20), 0);
	/* Masking the cascade on the master holds every slave request. */
	out(0x21, 0xff);
	set_irq(15, true);
	unmask(15);
	T_EQ(msi.n, 2);
	out(0x21, 0xfb);
	T_EQ(msi.n, 3);
	T_EQ(fake_msi_vector(&msi, 2), 0x3f);
	/* A master IRQ of higher priority than IR2 nests over the slave's. */
	unmask(1);
	set_irq(1, true);
	T_EQ(msi.n, 4);
	T_EQ(fake_msi_vector(&msi, 3), 0x31);
	vireo_pic_fini(&pic);
}

static void pic_special_fully_nested(void)
{
	T_CALL(linux_boot(false));
	/* Reinitialise the master with SFNM (ICW4 0x11). */
	out(0x20, 0x11);
	out(0x21, 0x30);
	out(0x21, 0x04);
	out(0x21, 0x11);
	out(0x21, 0xfb);
	unmask(12);
	unmask(9);
	set_irq(12, true);
	T_EQ(msi.n, 1);
	T_EQ(fake_msi_vector(&msi, 0), 0x3c);
	/* A higher slave request gets through although IR2 is in service. */
	set_irq(9, true);
	T_EQ(msi.n, 2);
	T_EQ(fake_msi_vector(&msi, 1), 0x39);
	vireo_pic_fini(&pic);
}

static void pic_elcr_level(void)
{
	T_CALL(linux_boot(false));
	/* ELCR bits that do not exist read 0 (IRQ 0-2, 8, 13). */
	out(0x4d0, 0xff);
	out(0x4d1, 0xff);
	T_EQ(in(0x4d0), 0xf8);
	T_EQ(in(0x4d1), 0xde);
	out(0x4d0, 0x00);
	out(0x4d1, 0x02);	/* IRQ9 level, as Linux sets for the SCI */
	T_EQ(in(0x4d1), 0x02);
	unmask(9);
	set_irq(9, true);
	T_EQ(msi.n, 1);
	T_EQ(fake_msi_vector(&msi, 0), 0x39);
	/* EOI with the line still up: requested again. */
	linux_eoi(9);
	T_EQ(msi.n, 2);
	/* The line drops before the EOI: the request is gone. */
	set_irq(9, false);
	T_EQ(read_irr(0xa0), 0);
	linux_eoi(9);
	T_EQ(msi.n, 2);
	/* Edge (IRQ 11): a pulse is latched even while masked. */
	out(0xa1, 0xff);
	set_irq(11, true);
	set_irq(11, false);
	T_EQ(read_irr(0xa0), 0x08);
	/* Making a low edge input level-sensitive drops its latched request. */
	out(0x4d1, 0x0a);
	T_EQ(read_irr(0xa0), 0);
	vireo_pic_fini(&pic);
}

static void pic_auto_eoi(void)
{
	T_CALL(linux_boot(true));
	unmask(0);
	set_irq(0, true);
	set_irq(0, false);
	T_EQ(msi.n, 1);
	T_EQ(fake_msi_vector(&msi, 0), 0x30);
	/* Nothing in service: the next edge goes straight through. */
	T_EQ(read_isr(0x20), 0);
	set_irq(0, true);
	set_irq(0, false);
	T_EQ(msi.n, 2);
	/* A level input kept up in AEOI is sent once per change, not in a loop. */
	out(0x4d0, 0x08);	/* IRQ3 level */
	unmask(3);
	set_irq(3, true);
	T_EQ(msi.n, 3);
	T_EQ(fake_msi_vector(&msi, 2), 0x33);
	/* Rotate in AEOI: the serviced IR becomes the lowest. */
	set_irq(3, false);
	out(0x4d0, 0x00);
	out(0x20, 0x80);
	set_irq(0, true);
	T_EQ(msi.n, 4);
	out(0x21, 0xff);
	set_irq(0, false);
	set_irq(0, true);
	set_irq(3, true);
	out(0x21, 0xf6);	/* unmask 0 and 3: 3 wins, 0 was just serviced */
	T_EQ(msi.n, 5);
	T_EQ(fake_msi_vector(&msi, 4), 0x33);
	vireo_pic_fini(&pic);
}

static void pic_poll(void)
{
	T_CALL(linux_boot(false));
	/* Nothing requested: poll word without bit 7. */
	out(0x20, 0x0c);
	T_EQ(in(0x20), 0x00);
	/* The request is refused by the LAPIC, so the CPU polls for it. */
	msi.accept = 0;
	unmask(6);
	set_irq(6, true);
	T_EQ(msi.n, 1);
	T_EQ(read_isr(0x20), 0);
	out(0x20, 0x0c);
	T_EQ(in(0x20), 0x86);
	T_EQ(read_isr(0x20), 0x40);
	T_EQ(read_irr(0x20), 0x00);
	/* The poll is one read; the next read is IRR again. */
	T_EQ(in(0x20), 0x00);
	out(0x20, 0x20);
	T_EQ(read_isr(0x20), 0);
	vireo_pic_fini(&pic);
}

static void pic_refused_retry(void)
{
	T_CALL(linux_boot(false));
	msi.accept = 0;
	unmask(4);
	set_irq(4, true);
	T_EQ(msi.n, 1);
	/* Not acknowledged: still requested, not in service. */
	T_EQ(read_irr(0x20), 0x10);
	T_EQ(read_isr(0x20), 0);
	T_EQ(pic.refused, 1);
	msi.accept = 1;
	vireo_pic_update(&pic);
	T_EQ(msi.n, 2);
	T_EQ(fake_msi_vector(&msi, 1), 0x34);
	T_EQ(read_isr(0x20), 0x10);
	/* Nothing more to send. */
	vireo_pic_update(&pic);
	T_EQ(msi.n, 2);
	vireo_pic_fini(&pic);
}

static void pic_special_mask(void)
{
	T_CALL(linux_boot(false));
	unmask(3);
	set_irq(3, true);
	T_EQ(msi.n, 1);
	unmask(5);
	set_irq(5, true);
	T_EQ(msi.n, 1);	/* IRQ3 in service blocks the lower IRQ5 */
	/* The handler masks its own level and enters special mask mode. */
	out(0x21, in(0x21) | 0x08);
	out(0x20, 0x68);
	T_EQ(msi.n, 2);
	T_EQ(fake_msi_vector(&msi, 1), 0x35);
	/* Leaving special mask mode: IRQ3 in service blocks again. */
	out(0x20, 0x48);
	out(0x20, 0x65);
	set_irq(5, false);
	set_irq(5, true);
	T_EQ(msi.n, 2);
	vireo_pic_fini(&pic);
}

static void pic_icw1_resets(void)
{
	T_CALL(linux_boot(false));
	unmask(4);
	out(0x21, 0xff);
	set_irq(4, true);
	T_EQ(read_irr(0x20), 0x10);
	out(0x20, 0x0b);	/* read ISR selected, then ICW1 */
	out(0x20, 0x11);
	/* IMR cleared, the edge request forgotten, IRR selected for reading. */
	T_EQ(in(0x20), 0x00);
	/* Nothing is delivered while the ICWs are incomplete. */
	set_irq(4, false);
	set_irq(4, true);
	T_EQ(msi.n, 0);
	out(0x21, 0x50);
	out(0x21, 0x04);
	out(0x21, 0x01);
	T_EQ(in(0x21), 0x00);
	/* The input went up during initialisation: delivered when it ends. */
	T_EQ(msi.n, 1);
	T_EQ(fake_msi_vector(&msi, 0), 0x54);
	/* ICW1 without IC4: no ICW4, AEOI off; single mode skips ICW3. */
	out(0x20, 0x12);
	out(0x21, 0x60);
	out(0x21, 0xfe);	/* this is OCW1 already */
	T_EQ(in(0x21), 0xfe);
	vireo_pic_fini(&pic);
}

static void pic_wide_and_bad_access(void)
{
	uint32_t v;

	T_CALL(linux_boot(false));
	/* A 16-bit read of 0x20 reads IRR and IMR. */
	v = 0;
	T_EQ(vireo_pic_pio_master(&pic, 0, 2, false, &v), 0);
	T_EQ(v, 0xfb00);
	/* Past the range: 0xff, -EINVAL for the monitor's bug. */
	T_EQ(vireo_pic_pio_master(&pic, 1, 2, false, &v), 0);
	T_EQ(v, 0xfffb);
	T_EQ(vireo_pic_pio_master(&pic, 2, 1, false, &v), -22);
	T_EQ(v, 0xffffffff);
	T_EQ(vireo_pic_pio_elcr(&pic, 0, 8, false, &v), -22);
	/* Inputs out of range and the cascade input are ignored. */
	set_irq(2, true);
	set_irq(16, true);
	set_irq(1000, true);
	T_EQ(read_irr(0x20), 0);
	T_EQ(vireo_pic_desc.nr_pio, 3);
	vireo_pic_fini(&pic);
}

static void pic_random(void)
{
	static const vireo_pio_handler_fn fns[] = {
		vireo_pic_pio_master,
		vireo_pic_pio_slave,
		vireo_pic_pio_elcr,
	};
	uint64_t state = 0x8259a8259a8259aULL;
	unsigned int i;

	T_CALL(linux_boot(false));
	for (i = 0; i < 200000; i++) {
		uint64_t r = fake_rand(&state);

		switch (r & 7) {
		case 0:
		case 1:
			vireo_pic_set_irq(&pic, (r >> 8) % 18, (r >> 16) & 1);
			break;
		case 2:
			msi.accept = (int)((r >> 8) % 3) - 1;
			break;
		case 3:
			vireo_pic_update(&pic);
			break;
		default:
			fake_random_pio(fns[(r >> 8) % 3], &pic, 2, &state);
			break;
		}
	}
	vireo_pic_fini(&pic);
	/* A fresh Linux init still works. */
	T_CALL(linux_boot(false));
	vireo_pic_fini(&pic);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(pic_power_on),
	VIREO_TEST(pic_linux_init),
	VIREO_TEST(pic_priority),
	VIREO_TEST(pic_rotation),
	VIREO_TEST(pic_cascade),
	VIREO_TEST(pic_special_fully_nested),
	VIREO_TEST(pic_elcr_level),
	VIREO_TEST(pic_auto_eoi),
	VIREO_TEST(pic_poll),
	VIREO_TEST(pic_refused_retry),
	VIREO_TEST(pic_special_mask),
	VIREO_TEST(pic_icw1_resets),
	VIREO_TEST(pic_wide_and_bad_access),
	VIREO_TEST(pic_random),
	{ NULL, NULL },
};

VIREO_TEST_SUITE(hw_pic, tests);
