// SPDX-License-Identifier: GPL-2.0
/*
 * IOAPIC model: registers as the 82093AA datasheet gives them, the
 * redirection entry to MSI translation, edge and level delivery, remote
 * IRR and EOI, masking, and random MMIO traffic.
 */
#include "hw/ioapic.h"
#include "test.h"
#include "test_hw_fakes.h"

static struct fake_msi msi;
static struct vireo_ioapic io;

static void setup(void)
{
	fake_msi_reset(&msi);
	vireo_ioapic_init(&io, fake_msi_fn, &msi);
}

static uint32_t reg_read(uint32_t index)
{
	uint64_t v = index;

	vireo_ioapic_mmio(&io, VIREO_IOAPIC_IOREGSEL, 4, true, &v);
	v = 0xdeadbeef;
	vireo_ioapic_mmio(&io, VIREO_IOAPIC_IOWIN, 4, false, &v);
	return (uint32_t)v;
}

static void reg_write(uint32_t index, uint32_t value)
{
	uint64_t v = index;

	vireo_ioapic_mmio(&io, VIREO_IOAPIC_IOREGSEL, 4, true, &v);
	v = value;
	vireo_ioapic_mmio(&io, VIREO_IOAPIC_IOWIN, 4, true, &v);
}

/* As Linux writes an entry: high dword first, then low. */
static void entry_write(unsigned int pin, uint64_t e)
{
	reg_write(0x11 + 2 * pin, (uint32_t)(e >> 32));
	reg_write(0x10 + 2 * pin, (uint32_t)e);
}

static uint64_t entry_read(unsigned int pin)
{
	return (uint64_t)reg_read(0x11 + 2 * pin) << 32 | reg_read(0x10 + 2 * pin);
}

static void ioapic_registers(void)
{
	unsigned int pin;

	setup();
	T_EQ(reg_read(VIREO_IOAPIC_REG_VER), 0x00170011);
	T_EQ(reg_read(VIREO_IOAPIC_REG_ID), 0);
	T_EQ(reg_read(VIREO_IOAPIC_REG_ARB), 0);
	/* A 4-bit ID at 27:24; the arbitration ID is loaded with it. */
	reg_write(VIREO_IOAPIC_REG_ID, 0xffffffff);
	T_EQ(reg_read(VIREO_IOAPIC_REG_ID), 0x0f000000);
	T_EQ(reg_read(VIREO_IOAPIC_REG_ARB), 0x0f000000);
	reg_write(VIREO_IOAPIC_REG_ID, 0x02000000);
	T_EQ(reg_read(VIREO_IOAPIC_REG_ID), 0x02000000);
	/* Version and arbitration are read-only. */
	reg_write(VIREO_IOAPIC_REG_VER, 0);
	reg_write(VIREO_IOAPIC_REG_ARB, 0);
	T_EQ(reg_read(VIREO_IOAPIC_REG_VER), 0x00170011);
	T_EQ(reg_read(VIREO_IOAPIC_REG_ARB), 0x02000000);
	/* Every entry comes up masked. */
	for (pin = 0; pin < 24; pin++)
		T_EQ(entry_read(pin), 0x10000);
	/* Holes and registers past entry 23 read 0 and take no writes. */
	T_EQ(reg_read(0x03), 0);
	T_EQ(reg_read(0x0f), 0);
	T_EQ(reg_read(0x40), 0);
	T_EQ(reg_read(0xff), 0);
	reg_write(0x40, 0x12345678);
	T_EQ(reg_read(0x40), 0);
	/* IOREGSEL keeps 8 bits. */
	{
		uint64_t v = 0x12345611;

		vireo_ioapic_mmio(&io, 0, 4, true, &v);
		vireo_ioapic_mmio(&io, 0, 4, false, &v);
		T_EQ(v, 0x11);
	}
	vireo_ioapic_fini(&io);
}

static void ioapic_entry_bits(void)
{
	setup();
	/* Delivery status (12), remote IRR (14) and bits 55:17 are not writable. */
	entry_write(5, 0xffffffffffffffffULL);
	T_EQ(entry_read(5), 0xff0000000001afffULL);
	entry_write(5, 0x0300000000000931ULL);
	T_EQ(entry_read(5), 0x0300000000000931ULL);
	T_EQ(vireo_ioapic_entry(&io, 5), 0x0300000000000931ULL);
	/* The high dword alone. */
	reg_write(0x11 + 2 * 5, 0x01000000);
	T_EQ(entry_read(5), 0x0100000000000931ULL);
	/* Nothing was sent: the pin's input is low. */
	T_EQ(msi.n, 0);
	vireo_ioapic_fini(&io);
}

static void ioapic_msi_encoding(void)
{
	static const struct {
		uint64_t entry;
		bool sent;
		uint64_t address;
		uint32_t data;
	} cases[] = {
		/* fixed, physical, APIC 0, edge */
		{ 0x0000000000000030ULL, true, 0xfee00000, 0x4030 },
		/* fixed, physical, APIC 3, edge, active low (polarity is not in MSI) */
		{ 0x0300000000002031ULL, true, 0xfee03000, 0x4031 },
		/* lowest priority, logical 0x0f, level: RH and DM set */
		{ 0x0f0000000000c941ULL, true, 0xfee0f00c, 0xc141 },
		/* fixed, logical 0x01, level */
		{ 0x010000000000a851ULL, true, 0xfee01004, 0xc051 },
		/* SMI, NMI, INIT */
		{ 0x0000000000000200ULL, true, 0xfee00000, 0x4200 },
		{ 0x0200000000000402ULL, true, 0xfee02000, 0x4402 },
		{ 0x0000000000000500ULL, true, 0xfee00000, 0x4500 },
		/* physical broadcast */
		{ 0xff00000000000061ULL, true, 0xfeeff000, 0x4061 },
		/* ExtINT is the PIC's business; 3 and 6 are reserved */
		{ 0x0000000000000700ULL, false, 0, 0 },
		{ 0x0000000000000300ULL, false, 0, 0 },
		{ 0x0000000000000600ULL, false, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t address = 0;
		uint32_t data = 0;
		bool sent = vireo_ioapic_entry_msi(cases[i].entry, &address, &data);

		T_EQ(sent, cases[i].sent);
		if (!sent)
			continue;
		T_EQ(address, cases[i].address);
		T_EQ(data, cases[i].data);
	}
}

static void ioapic_edge(void)
{
	setup();
	entry_write(4, 0x0000000000000034ULL);	/* edge, vector 0x34, APIC 0 */
	vireo_ioapic_set_irq(&io, 4, true);
	T_EQ(msi.n, 1);
	T_EQ(msi.address[0], 0xfee00000);
	T_EQ(msi.data[0], 0x4034);
	/* Still high: no new edge. */
	vireo_ioapic_set_irq(&io, 4, true);
	T_EQ(msi.n, 1);
	vireo_ioapic_set_irq(&io, 4, false);
	T_EQ(msi.n, 1);
	vireo_ioapic_set_irq(&io, 4, true);
	T_EQ(msi.n, 2);
	vireo_ioapic_set_irq(&io, 4, false);
	/* Edge entries never get remote IRR. */
	T_EQ(entry_read(4) & VIREO_IOAPIC_REMOTE_IRR, 0);
	/* A masked edge is ignored, not held: unmasking sends nothing. */
	entry_write(4, 0x0000000000010034ULL);
	vireo_ioapic_set_irq(&io, 4, true);
	T_EQ(msi.n, 2);
	entry_write(4, 0x0000000000000034ULL);
	T_EQ(msi.n, 2);
	vireo_ioapic_set_irq(&io, 4, false);
	/* Pins out of range are ignored. */
	vireo_ioapic_set_irq(&io, 24, true);
	vireo_ioapic_set_irq(&io, 1000, true);
	T_EQ(msi.n, 2);
	vireo_ioapic_fini(&io);
}

static void ioapic_level_remote_irr(void)
{
	setup();
	entry_write(9, 0x0000000000008039ULL);	/* level, vector 0x39 */
	vireo_ioapic_set_irq(&io, 9, true);
	T_EQ(msi.n, 1);
	T_EQ(msi.data[0], 0xc039);
	T_EQ(entry_read(9) & VIREO_IOAPIC_REMOTE_IRR, VIREO_IOAPIC_REMOTE_IRR);
	/* Remote IRR holds the pin: nothing more while the LAPIC has it. */
	vireo_ioapic_set_irq(&io, 9, false);
	vireo_ioapic_set_irq(&io, 9, true);
	T_EQ(msi.n, 1);
	/* An EOI for another vector changes nothing. */
	vireo_ioapic_eoi(&io, 0x38);
	T_EQ(msi.n, 1);
	T_EQ(entry_read(9) & VIREO_IOAPIC_REMOTE_IRR, VIREO_IOAPIC_REMOTE_IRR);
	/* EOI with the line still up: delivered again at once. */
	vireo_ioapic_eoi(&io, 0x39);
	T_EQ(msi.n, 2);
	T_EQ(msi.data[1], 0xc039);
	T_EQ(entry_read(9) & VIREO_IOAPIC_REMOTE_IRR, VIREO_IOAPIC_REMOTE_IRR);
	/* The device lowers the line, then the EOI: quiet, remote IRR clear. */
	vireo_ioapic_set_irq(&io, 9, false);
	vireo_ioapic_eoi(&io, 0x39);
	T_EQ(msi.n, 2);
	T_EQ(entry_read(9) & VIREO_IOAPIC_REMOTE_IRR, 0);
	/* Two pins sharing a vector both get the EOI. */
	entry_write(10, 0x0000000000008039ULL);
	vireo_ioapic_set_irq(&io, 9, true);
	vireo_ioapic_set_irq(&io, 10, true);
	T_EQ(msi.n, 4);
	vireo_ioapic_set_irq(&io, 9, false);
	vireo_ioapic_set_irq(&io, 10, false);
	vireo_ioapic_eoi(&io, 0x39);
	T_EQ(entry_read(9) & VIREO_IOAPIC_REMOTE_IRR, 0);
	T_EQ(entry_read(10) & VIREO_IOAPIC_REMOTE_IRR, 0);
	T_EQ(io.sent, 4);
	vireo_ioapic_fini(&io);
}

static void ioapic_level_mask(void)
{
	setup();
	/* A masked level pin asserted: nothing, then the unmask delivers. */
	entry_write(11, 0x000000000001804bULL);
	vireo_ioapic_set_irq(&io, 11, true);
	T_EQ(msi.n, 0);
	entry_write(11, 0x000000000000804bULL);
	T_EQ(msi.n, 1);
	T_EQ(msi.data[0], 0xc04b);
	/* Rewriting the unmasked entry while remote IRR is set sends nothing. */
	entry_write(11, 0x000000000000804bULL);
	T_EQ(msi.n, 1);
	/* Changes on a masked pin have no side effect. */
	vireo_ioapic_set_irq(&io, 11, false);
	vireo_ioapic_eoi(&io, 0x4b);
	entry_write(11, 0x000000000001804bULL);
	vireo_ioapic_set_irq(&io, 11, true);
	vireo_ioapic_set_irq(&io, 11, false);
	entry_write(11, 0x000000000000804bULL);
	T_EQ(msi.n, 1);
	vireo_ioapic_fini(&io);
}

/*
 * Linux's EOI for IOAPICs older than 0x20 when the LAPIC did not take the
 * vector as level: mask and switch to edge, then restore the entry.
 */
static void ioapic_linux_edge_toggle_eoi(void)
{
	const uint64_t entry = 0x0000000000008061ULL;

	setup();
	entry_write(16, entry);
	vireo_ioapic_set_irq(&io, 16, true);
	T_EQ(msi.n, 1);
	T_EQ(entry_read(16) & VIREO_IOAPIC_REMOTE_IRR, VIREO_IOAPIC_REMOTE_IRR);
	entry_write(16, (entry | VIREO_IOAPIC_MASKED) & ~VIREO_IOAPIC_LEVEL);
	T_EQ(entry_read(16) & VIREO_IOAPIC_REMOTE_IRR, 0);
	/* Restored with the line still up: delivered again. */
	entry_write(16, entry);
	T_EQ(msi.n, 2);
	/* Same dance with the line down: quiet. */
	vireo_ioapic_set_irq(&io, 16, false);
	entry_write(16, (entry | VIREO_IOAPIC_MASKED) & ~VIREO_IOAPIC_LEVEL);
	entry_write(16, entry);
	T_EQ(msi.n, 2);
	T_EQ(entry_read(16) & VIREO_IOAPIC_REMOTE_IRR, 0);
	vireo_ioapic_fini(&io);
}

static void ioapic_refused(void)
{
	setup();
	msi.accept = 0;
	entry_write(20, 0x0000000000008070ULL);
	vireo_ioapic_set_irq(&io, 20, true);
	T_EQ(msi.n, 1);
	/* No LAPIC took it: remote IRR stays clear, the next EOI can retry. */
	T_EQ(entry_read(20) & VIREO_IOAPIC_REMOTE_IRR, 0);
	T_EQ(io.refused, 1);
	T_EQ(io.sent, 0);
	msi.accept = -5;	/* -EIO from the ioctl: same */
	vireo_ioapic_eoi(&io, 0x70);
	T_EQ(msi.n, 1);	/* no remote IRR to clear, nothing retried */
	msi.accept = 1;
	entry_write(20, 0x0000000000008070ULL);
	T_EQ(msi.n, 2);
	T_EQ(io.sent, 1);
	vireo_ioapic_fini(&io);
}

static void ioapic_mmio_widths(void)
{
	uint64_t v;

	setup();
	/* A byte write to IOREGSEL, then IOWIN in bytes and words. */
	v = 0x01;
	vireo_ioapic_mmio(&io, 0, 1, true, &v);
	v = 0;
	vireo_ioapic_mmio(&io, 0x10, 1, false, &v);
	T_EQ(v, 0x11);
	vireo_ioapic_mmio(&io, 0x12, 1, false, &v);
	T_EQ(v, 0x17);
	vireo_ioapic_mmio(&io, 0x12, 2, false, &v);
	T_EQ(v, 0x0017);
	/* A byte write into IOWIN changes only that byte of the register. */
	v = 0x12;
	vireo_ioapic_mmio(&io, 0, 1, true, &v);
	v = 0x44;
	vireo_ioapic_mmio(&io, 0x10, 1, true, &v);
	T_EQ(entry_read(1), 0x0000000000010044ULL);
	/* entry_read() left IOREGSEL at 0x12, the low dword. */
	v = 0x80;
	vireo_ioapic_mmio(&io, 0x11, 1, true, &v);	/* bits 15:8: level */
	T_EQ(entry_read(1), 0x0000000000018044ULL);
	/* An 8-byte read of 0x00 covers IOREGSEL and the hole after it. */
	v = 0x12;
	vireo_ioapic_mmio(&io, 0, 4, true, &v);
	vireo_ioapic_mmio(&io, 0, 8, false, &v);
	T_EQ(v, 0x12);
	/* Elsewhere in the page: 0, writes dropped; outside: -EINVAL. */
	v = 0xffffffff;
	T_EQ(vireo_ioapic_mmio(&io, 0x20, 4, true, &v), 0);
	vireo_ioapic_mmio(&io, 0x20, 4, false, &v);
	T_EQ(v, 0);
	v = 1;
	T_EQ(vireo_ioapic_mmio(&io, 0x1000, 4, false, &v), -22);
	T_EQ(v, 0);
	T_EQ(vireo_ioapic_mmio(&io, 0, 3, false, &v), -22);
	T_EQ(vireo_ioapic_desc.mmio_base, 0xfec00000);
	vireo_ioapic_fini(&io);
}

static void ioapic_random(void)
{
	uint64_t state = 0x1234567887654321ULL;
	unsigned int i;

	setup();
	for (i = 0; i < 200000; i++) {
		uint64_t r = fake_rand(&state);
		uint64_t v = fake_rand(&state);
		static const unsigned int sizes[] = { 1, 2, 4, 8, 3, 0, 16, 4 };

		switch (r & 7) {
		case 0:
			vireo_ioapic_set_irq(&io, (r >> 8) % 30, (r >> 16) & 1);
			break;
		case 1:
			vireo_ioapic_eoi(&io, (uint8_t)(r >> 8));
			break;
		case 2:
			msi.accept = (int)((r >> 8) % 3) - 1;
			break;
		case 3: /* IOREGSEL towards the table */
			v = 0x10 + ((r >> 8) % 0x40);
			vireo_ioapic_mmio(&io, 0, 4, true, &v);
			break;
		default: {
			unsigned int size = sizes[(r >> 24) & 7];

			vireo_ioapic_mmio(&io, (r >> 8) % 0x1010, size, (r >> 4) & 1, &v);
			break;
		}
		}
	}
	/* Still coherent: the version register reads right. */
	T_EQ(reg_read(VIREO_IOAPIC_REG_VER), 0x00170011);
	vireo_ioapic_fini(&io);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(ioapic_registers),
	VIREO_TEST(ioapic_entry_bits),
	VIREO_TEST(ioapic_msi_encoding),
	VIREO_TEST(ioapic_edge),
	VIREO_TEST(ioapic_level_remote_irr),
	VIREO_TEST(ioapic_level_mask),
	VIREO_TEST(ioapic_linux_edge_toggle_eoi),
	VIREO_TEST(ioapic_refused),
	VIREO_TEST(ioapic_mmio_widths),
	VIREO_TEST(ioapic_random),
	{ NULL, NULL },
};

VIREO_TEST_SUITE(hw_ioapic, tests);
