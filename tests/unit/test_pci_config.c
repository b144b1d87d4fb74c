// SPDX-License-Identifier: GPL-2.0
/*
 * PCI host bridge and configuration space: the two configuration
 * mechanisms, header type 0 semantics, BAR sizing and decoding, INTx,
 * firmware-style assignment and reset.
 */
#include <errno.h>

#include "test.h"
#include "test_pci_util.h"

/* A device with one BAR of each kind, INTA# and 4 MSI-X vectors in BAR1. */
struct tdev {
	struct vireo_pci_dev pci;
	unsigned int reads, writes;
	unsigned int last_bar;
	uint64_t last_off, last_val;
	unsigned int last_size;
	unsigned int resets;
};

static void tdev_bar_read(struct vireo_pci_dev *dev, unsigned int bar, uint64_t off,
			  unsigned int size, uint64_t *val)
{
	struct tdev *d = dev->opaque;

	d->reads++;
	d->last_bar = bar;
	d->last_off = off;
	d->last_size = size;
	*val = 0x1000 * bar + off;
}

static void tdev_bar_write(struct vireo_pci_dev *dev, unsigned int bar, uint64_t off,
			   unsigned int size, uint64_t val)
{
	struct tdev *d = dev->opaque;

	d->writes++;
	d->last_bar = bar;
	d->last_off = off;
	d->last_size = size;
	d->last_val = val;
}

static void tdev_reset(struct vireo_pci_dev *dev)
{
	struct tdev *d = dev->opaque;

	d->resets++;
}

static const struct vireo_pci_dev_desc tdev_desc = {
	.name = "test",
	.vendor_id = 0x1234,
	.device_id = 0x5678,
	.subsystem_vendor_id = 0xabcd,
	.subsystem_id = 0xef01,
	.revision = 0x42,
	.class_code = 0x020000,
	.interrupt_pin = 1,
	.bars = {
		[0] = { VIREO_PCI_BAR_IO, false, 32 },
		[1] = { VIREO_PCI_BAR_MEM32, false, 4096 },
		[2] = { VIREO_PCI_BAR_MEM64, true, 16384 },
	},
	.msix_bar = 1,
	.msix_table_offset = 0,
	.msix_pba_offset = 0x800,
	.bar_read = tdev_bar_read,
	.bar_write = tdev_bar_write,
	.reset = tdev_reset,
};

static struct tp_bus tb;
static struct tdev td;

#define DEVFN(slot) ((slot) << 3)
#define TSLOT 3

static int setup(void)
{
	int err = tp_bus_init(&tb);

	if (err)
		return err;
	memset(&td, 0, sizeof(td));
	err = vireo_pci_dev_init(&td.pci, &tdev_desc, &td, 4);
	if (err)
		return err;
	return vireo_pci_bus_add(&tb.bus, &td.pci, TSLOT);
}

static void teardown(void)
{
	vireo_pci_dev_fini(&td.pci);
	vireo_pci_bus_fini(&tb.bus);
}

static void pci_identity(void)
{
	T_EQ(setup(), 0);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0, 4), 0x56781234);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 8, 4), 0x02000042);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x2c, 4), 0xef01abcd);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x0e, 1), 0);	/* header type 0 */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x3d, 1), 1);	/* INTA# */
	/* The host bridge at 00.0. */
	T_EQ(tp_cf8_read(&tb, 0, 0, 4), 0x00081b36);
	T_EQ(tp_cf8_read(&tb, 0, 8, 4) >> 8, VIREO_PCI_CLASS_HOST_BRIDGE);
	/* Absent: empty slot, function 1, bus 1. */
	T_EQ(tp_cf8_read(&tb, DEVFN(7), 0, 4), 0xffffffff);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT) | 1, 0, 2), 0xffff);
	{
		uint32_t addr = 0x80010000U | DEVFN(TSLOT) << 8, v;

		vireo_pci_pio(&tb.bus, 0xcf8, 4, true, &addr);
		vireo_pci_pio(&tb.bus, 0xcfc, 4, false, &v);
		T_EQ(v, 0xffffffff);
	}
	teardown();
}

static void pci_cf8_latch(void)
{
	uint32_t v = 0xffffffff;

	T_EQ(setup(), 0);
	T_EQ(vireo_pci_pio(&tb.bus, 0xcf8, 4, true, &v), 0);
	v = 0;
	vireo_pci_pio(&tb.bus, 0xcf8, 4, false, &v);
	T_EQ(v, 0x80fffffc);
	/* Only dword accesses are the latch's: 0xcf9 is the reset register. */
	T_EQ(vireo_pci_pio(&tb.bus, 0xcf9, 1, true, &v), -ENOENT);
	T_EQ(vireo_pci_pio(&tb.bus, 0xcf8, 1, false, &v), -ENOENT);
	T_EQ(vireo_pci_pio(&tb.bus, 0xcf8, 2, false, &v), -ENOENT);
	/* Enable bit clear: the data window reads all ones, writes vanish. */
	v = (uint32_t)DEVFN(TSLOT) << 8;
	vireo_pci_pio(&tb.bus, 0xcf8, 4, true, &v);
	vireo_pci_pio(&tb.bus, 0xcfc, 4, false, &v);
	T_EQ(v, 0xffffffff);
	v = 0xff;
	vireo_pci_pio(&tb.bus, 0xcfc, 1, true, &v);	/* vendor byte: read-only anyway */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0, 2), 0x1234);
	/* Unrelated ports are not the bus's. */
	T_EQ(vireo_pci_pio(&tb.bus, 0x3f8, 1, false, &v), -ENOENT);
	teardown();
}

/* Every size at every offset within the dword agrees with the dword. */
static void pci_cf8_sizes(void)
{
	T_EQ(setup(), 0);
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x3c, 1, 0x5a);
	for (unsigned int reg = 0; reg < 0x40; reg += 4) {
		uint32_t d = tp_cf8_read(&tb, DEVFN(TSLOT), reg, 4);

		for (unsigned int b = 0; b < 4; b++)
			T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), reg + b, 1), (d >> (8 * b)) & 0xff);
		T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), reg, 2), d & 0xffff);
		T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), reg + 2, 2), d >> 16);
		/* Misaligned: all ones, not a mix of registers. */
		T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), reg + 1, 2), 0xffff);
		T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), reg + 3, 2), 0xffff);
	}
	/* Byte and word writes land where they should. */
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x0c, 1, 0x10);
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x0d, 1, 0x20);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x0c, 2), 0x2010);
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x0c, 2, 0x4030);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x0c, 4), 0x00004030);
	/* A misaligned write changes nothing. */
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x3d, 2, 0xffff);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x3c, 4), 0x0000015a);
	teardown();
}

static void pci_ecam_equals_cf8(void)
{
	static const unsigned int sizes[] = { 1, 2, 4 };

	T_EQ(setup(), 0);
	for (unsigned int devfn = 0; devfn < 64; devfn++) {
		for (unsigned int off = 0; off < 256; off++) {
			for (unsigned int s = 0; s < 3; s++) {
				unsigned int size = sizes[s];

				if ((off & 3) + size > 4)
					continue;
				T_EQ(tp_ecam_read(&tb, devfn, off, size),
				     tp_cf8_read(&tb, devfn, off, size));
			}
		}
	}
	/* A write through one is seen through the other. */
	tp_ecam_write(&tb, DEVFN(TSLOT), 0x3c, 1, 0x77);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x3c, 1), 0x77);
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x0c, 1, 0x08);
	T_EQ(tp_ecam_read(&tb, DEVFN(TSLOT), 0x0c, 1), 0x08);
	/* Extended space of a conventional function reads 0; absent: ones. */
	T_EQ(tp_ecam_read(&tb, DEVFN(TSLOT), 0x100, 4), 0);
	T_EQ(tp_ecam_read(&tb, DEVFN(9), 0x100, 4), 0xffffffff);
	/* Other buses of the window: nothing there; past the window: not ours. */
	{
		uint64_t v = 0;

		T_EQ(vireo_pci_mmio(&tb.bus, VIREO_PCI_ECAM_BASE + (1 << 20), 4, false, &v), 0);
		T_EQ(v, 0xffffffff);
		T_EQ(vireo_pci_mmio(&tb.bus, VIREO_PCI_ECAM_BASE + (255ULL << 20) + 0xffffc, 4,
				    false, &v), 0);
		T_EQ(v, 0xffffffff);
		T_EQ(vireo_pci_mmio(&tb.bus, VIREO_PCI_ECAM_BASE + (256ULL << 20), 4, false, &v),
		     -ENOENT);
		T_EQ(vireo_pci_mmio(&tb.bus, VIREO_PCI_ECAM_BASE - 4, 4, false, &v), -ENOENT);
	}
	teardown();
}

static void pci_readonly_fields(void)
{
	T_EQ(setup(), 0);
	for (unsigned int off = 0; off < 0x40; off += 4) {
		if (off >= 0x10 && off < 0x28)
			continue;	/* BARs: below */
		tp_cf8_write(&tb, DEVFN(TSLOT), off, 4, 0xffffffff);
	}
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0, 4), 0x56781234);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 8, 4), 0x02000042);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x0c, 4), 0x0000ffff);	/* CLS, latency */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x2c, 4), 0xef01abcd);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x30, 4), 0);	/* no expansion ROM */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x3c, 4), 0x000001ff);	/* line RW, pin RO */
	/* Command: only the implemented bits stick. */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 4, 2), 0x0547);
	/* Status: capability list bit set; error bits not settable. */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 6, 2), VIREO_PCI_STATUS_CAP_LIST);
	teardown();
}

static void pci_status_w1c(void)
{
	T_EQ(setup(), 0);
	/* A master abort the device recorded (bit 13) and a parity error (15). */
	td.pci.cfg[7] |= 0xa0;
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 6, 2), 0xa010);
	tp_cf8_write(&tb, DEVFN(TSLOT), 6, 2, 0x2000);	/* clear one */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 6, 2), 0x8010);
	tp_cf8_write(&tb, DEVFN(TSLOT), 4, 4, 0xffff0000);	/* the other, via a dword */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 6, 2), 0x0010);
	teardown();
}

static void pci_bar_sizing(void)
{
	T_EQ(setup(), 0);
	/* Type bits before sizing. */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x10, 4), 0x1);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x14, 4), 0x0);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x18, 4), 0xc);
	for (unsigned int off = 0x10; off < 0x28; off += 4)
		tp_cf8_write(&tb, DEVFN(TSLOT), off, 4, 0xffffffff);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x10, 4), 0x0000ffe1);	/* 32 ports */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x14, 4), 0xfffff000);	/* 4 KiB */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x18, 4), 0xffffc00c);	/* 16 KiB, 64, pref */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x1c, 4), 0xffffffff);	/* upper half */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x20, 4), 0);	/* unimplemented */
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x24, 4), 0);
	/* Programming: low bits ignored. */
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x10, 4, 0xc0ff);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x10, 4), 0xc0e1);
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x18, 4, 0xd0001234);
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x1c, 4, 0x1);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x18, 4), 0xd000000c);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x1c, 4), 1);
	/* Sizing with a word write to the upper half of a BAR. */
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x14, 4, 0);
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x16, 2, 0xffff);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x14, 4), 0xffff0000);
	/* Nothing decoded all along: the command register is still 0. */
	T_EQ(tb.nbar, 0);
	teardown();
}

static void pci_bar_decoding(void)
{
	uint32_t v;

	T_EQ(setup(), 0);
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x10, 4, 0xc100);
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x14, 4, 0xc0001000);
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x18, 4, 0xc0004000);
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x1c, 4, 0);
	/* Decoding off: nobody answers. */
	T_EQ(vireo_pci_pio(&tb.bus, 0xc104, 4, false, &v), -ENOENT);
	T_EQ(tp_mmio_read(&tb, 0xc0004010, 4), 0xdead);

	/* Memory on: the memory BARs decode, the I/O BAR does not. */
	tp_cf8_write(&tb, DEVFN(TSLOT), 4, 2, VIREO_PCI_COMMAND_MEMORY);
	T_EQ(tb.nbar, 2);
	T_EQ(tb.bar[0].bar, 1);
	T_EQ(tb.bar[0].addr, 0xc0001000);
	T_EQ(tb.bar[0].size, 4096);
	T_TRUE(tb.bar[0].mapped && !tb.bar[0].is_io);
	T_EQ(tb.bar[1].bar, 2);
	T_EQ(tb.bar[1].addr, 0xc0004000);
	T_EQ(vireo_pci_pio(&tb.bus, 0xc104, 4, false, &v), -ENOENT);
	T_EQ(tp_mmio_read(&tb, 0xc0004010, 4), 0x2010);
	T_EQ(td.last_bar, 2);
	T_EQ(td.last_off, 0x10);
	T_EQ(td.last_size, 4);
	tp_mmio_write(&tb, 0xc0007ff8, 8, 0x1122334455667788ULL);
	T_EQ(td.last_off, 0x3ff8);
	T_EQ(td.last_val, 0x1122334455667788ULL);
	/* Straddling the end of a BAR: claimed, all ones, device not called. */
	td.reads = 0;
	T_EQ(tp_mmio_read(&tb, 0xc0007ffe, 4), 0xffffffff);
	T_EQ(td.reads, 0);

	/* I/O on as well. */
	tp_cf8_write(&tb, DEVFN(TSLOT), 4, 2, VIREO_PCI_COMMAND_MEMORY | VIREO_PCI_COMMAND_IO);
	T_EQ(tb.nbar, 3);
	T_TRUE(tb.bar[2].is_io && tb.bar[2].mapped);
	T_EQ(tb.bar[2].addr, 0xc100);
	T_EQ(tb.bar[2].size, 32);
	T_EQ(vireo_pci_pio(&tb.bus, 0xc104, 2, false, &v), 0);
	T_EQ(v, 0x0004);
	v = 0xabcd;
	T_EQ(vireo_pci_pio(&tb.bus, 0xc11e, 2, true, &v), 0);
	T_EQ(td.last_off, 0x1e);
	T_EQ(td.last_val, 0xabcd);
	T_EQ(vireo_pci_pio(&tb.bus, 0xc120, 1, false, &v), -ENOENT);

	/* Moving a BAR while decoding: unmap old, map new. */
	tb.nbar = 0;
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x14, 4, 0xc0002000);
	T_EQ(tb.nbar, 2);
	T_TRUE(!tb.bar[0].mapped && tb.bar[0].addr == 0xc0001000);
	T_TRUE(tb.bar[1].mapped && tb.bar[1].addr == 0xc0002000);
	T_EQ(tp_mmio_read(&tb, 0xc0001000, 4), 0xdead);

	/* Sizing with decoding on: the BAR follows (Linux turns decoding off first). */
	tb.nbar = 0;
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x10, 4, 0xffffffff);
	T_EQ(tb.nbar, 2);	/* unmapped at 0xc100, mapped at 0xffe0 */
	T_TRUE(tb.bar[1].mapped && tb.bar[1].addr == 0xffe0);
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x10, 4, 0);
	T_TRUE(!tb.bar[2].mapped);
	T_EQ(vireo_pci_pio(&tb.bus, 0xffe0, 1, false, &v), -ENOENT);

	/* A 64-bit BAR above 4 GiB. */
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x1c, 4, 0x8);
	T_EQ(tp_mmio_read(&tb, 0x8c0004000ULL, 4), 0x2000);
	T_EQ(tp_mmio_read(&tb, 0xc0004000ULL, 4), 0xdead);

	/* Decoding off again: everything unmapped. */
	tb.nbar = 0;
	tp_cf8_write(&tb, DEVFN(TSLOT), 4, 2, 0);
	T_EQ(tb.nbar, 2);
	T_TRUE(!tb.bar[0].mapped && !tb.bar[1].mapped);
	teardown();
}

static void pci_caps(void)
{
	unsigned int ptr;

	T_EQ(setup(), 0);
	T_TRUE(tp_cf8_read(&tb, DEVFN(TSLOT), 6, 2) & VIREO_PCI_STATUS_CAP_LIST);
	ptr = tp_cf8_read(&tb, DEVFN(TSLOT), 0x34, 1);
	T_EQ(ptr, 0x40);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), ptr, 1), VIREO_PCI_CAP_ID_MSIX);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), ptr + 1, 1), 0);
	/* The host bridge has none. */
	T_EQ(tp_cf8_read(&tb, 0, 0x34, 1), 0);
	T_EQ(tp_cf8_read(&tb, 0, 6, 2) & VIREO_PCI_STATUS_CAP_LIST, 0);
	teardown();
}

static void pci_add_caps_chain(void)
{
	static struct vireo_pci_dev d;
	static const struct vireo_pci_dev_desc desc = { .vendor_id = 1 };
	int a, b, c;

	T_EQ(vireo_pci_dev_init(&d, &desc, NULL, 0), 0);
	a = vireo_pci_add_cap(&d, 0x09, 5);
	b = vireo_pci_add_cap(&d, 0x09, 16);
	c = vireo_pci_add_cap(&d, 0x05, 10);
	T_EQ(a, 0x40);
	T_EQ(b, 0x48);	/* dword aligned */
	T_EQ(c, 0x58);
	T_EQ(d.cfg[0x34], 0x40);
	T_EQ(d.cfg[0x41], 0x48);
	T_EQ(d.cfg[0x49], 0x58);
	T_EQ(d.cfg[0x59], 0);
	T_EQ(vireo_pci_add_cap(&d, 0x09, 200), -ENOSPC);
	vireo_pci_dev_fini(&d);
}

static void pci_bad_descriptors(void)
{
	static struct vireo_pci_dev d;
	struct vireo_pci_dev_desc desc = { .vendor_id = 1 };

	desc.bars[0] = (struct vireo_pci_bar_desc){ VIREO_PCI_BAR_MEM32, false, 3000 };
	T_EQ(vireo_pci_dev_init(&d, &desc, NULL, 0), -EINVAL);
	desc.bars[0] = (struct vireo_pci_bar_desc){ VIREO_PCI_BAR_IO, false, 2 };
	T_EQ(vireo_pci_dev_init(&d, &desc, NULL, 0), -EINVAL);
	desc.bars[0] = (struct vireo_pci_bar_desc){ VIREO_PCI_BAR_NONE, false, 0 };
	desc.bars[5] = (struct vireo_pci_bar_desc){ VIREO_PCI_BAR_MEM64, false, 4096 };
	T_EQ(vireo_pci_dev_init(&d, &desc, NULL, 0), -EINVAL);
	desc.bars[5] = (struct vireo_pci_bar_desc){ VIREO_PCI_BAR_MEM32, false, 4096 };
	/* MSI-X in a BAR that does not exist, or a table that does not fit. */
	desc.msix_bar = 2;
	T_EQ(vireo_pci_dev_init(&d, &desc, NULL, 4), -EINVAL);
	desc.msix_bar = 5;
	desc.msix_table_offset = 4040;	/* 4 x 16 bytes do not fit */
	T_EQ(vireo_pci_dev_init(&d, &desc, NULL, 4), -EINVAL);
	desc.msix_table_offset = 0;
	desc.msix_pba_offset = 8;	/* overlaps the table */
	T_EQ(vireo_pci_dev_init(&d, &desc, NULL, 4), -EINVAL);
	desc.msix_pba_offset = 64;
	T_EQ(vireo_pci_dev_init(&d, &desc, NULL, 4), 0);
	T_EQ(vireo_pci_dev_init(&d, &desc, NULL, VIREO_PCI_MSIX_MAX + 1), -EINVAL);
	vireo_pci_dev_fini(&d);
}

static void pci_slots(void)
{
	static struct vireo_pci_dev a, b;

	T_EQ(setup(), 0);
	T_EQ(vireo_pci_dev_init(&a, &tdev_desc, NULL, 0), 0);
	T_EQ(vireo_pci_dev_init(&b, &tdev_desc, NULL, 0), 0);
	T_EQ(vireo_pci_bus_add(&tb.bus, &a, 0), -EINVAL);
	T_EQ(vireo_pci_bus_add(&tb.bus, &a, 32), -EINVAL);
	T_EQ(vireo_pci_bus_add(&tb.bus, &a, TSLOT), -EBUSY);
	T_EQ(vireo_pci_bus_add(&tb.bus, &a, -1), 0);
	T_EQ(a.slot, 1);
	T_EQ(vireo_pci_bus_add(&tb.bus, &b, -1), 0);
	T_EQ(b.slot, 2);
	T_EQ(a.gsi, 16 + 1);
	T_EQ(td.pci.gsi, 16 + 3);
	vireo_pci_dev_fini(&a);
	vireo_pci_dev_fini(&b);
	teardown();
}

static void pci_assign(void)
{
	static struct tdev more[3];
	uint64_t a[4][VIREO_PCI_NUM_BARS];
	struct vireo_pci_dev *devs[4] = { &td.pci, &more[0].pci, &more[1].pci, &more[2].pci };

	T_EQ(setup(), 0);
	for (unsigned int i = 0; i < 3; i++) {
		T_EQ(vireo_pci_dev_init(&more[i].pci, &tdev_desc, &more[i], 2), 0);
		T_EQ(vireo_pci_bus_add(&tb.bus, &more[i].pci, -1), 0);
	}
	T_EQ(vireo_pci_bus_assign(&tb.bus), 0);
	for (unsigned int i = 0; i < 4; i++) {
		struct vireo_pci_dev *d = devs[i];
		uint32_t cmd = tp_cf8_read(&tb, DEVFN(d->slot), 4, 2);

		T_EQ(cmd & 3, 3);
		T_EQ(cmd & VIREO_PCI_COMMAND_MASTER, 0);	/* the driver's to set */
		T_EQ(tp_cf8_read(&tb, DEVFN(d->slot), 0x3c, 1), d->gsi);
		for (unsigned int b = 0; b < 3; b++) {
			const struct vireo_pci_bar_desc *bd = &tdev_desc.bars[b];

			T_TRUE(vireo_pci_bar_mapped(d, b, &a[i][b]));
			T_EQ(a[i][b] & (bd->size - 1), 0);
			if (bd->type == VIREO_PCI_BAR_IO) {
				T_TRUE(a[i][b] >= 0xc000 && a[i][b] + bd->size <= 0x10000);
			} else {
				T_TRUE(a[i][b] >= VIREO_PCI_MEM_BASE);
				T_TRUE(a[i][b] + bd->size <= VIREO_PCI_MEM_END);
			}
		}
	}
	/* No two BARs of one space overlap. */
	for (unsigned int i = 0; i < 4; i++)
		for (unsigned int b = 0; b < 3; b++)
			for (unsigned int j = 0; j < 4; j++)
				for (unsigned int c = 0; c < 3; c++) {
					uint64_t sb = tdev_desc.bars[b].size;
					uint64_t sc = tdev_desc.bars[c].size;
					bool io_b = b == 0, io_c = c == 0;

					if ((i == j && b == c) || io_b != io_c)
						continue;
					T_TRUE(a[i][b] + sb <= a[j][c] || a[j][c] + sc <= a[i][b]);
				}
	/* Windows too small. */
	tb.bus.cfg.io_end = tb.bus.cfg.io_base + 64;
	T_EQ(vireo_pci_bus_assign(&tb.bus), -ENOSPC);
	for (unsigned int i = 0; i < 3; i++)
		vireo_pci_dev_fini(&more[i].pci);
	teardown();
}

static void pci_intx(void)
{
	static struct tdev other;
	unsigned int gsi;

	T_EQ(setup(), 0);
	gsi = td.pci.gsi;
	vireo_pci_set_intx(&td.pci, true);
	T_TRUE(tb.gsi[gsi]);
	T_TRUE(tp_cf8_read(&tb, DEVFN(TSLOT), 6, 2) & VIREO_PCI_STATUS_INTERRUPT);
	/* INTx disable: the line drops, the status bit still tells. */
	tp_cf8_write(&tb, DEVFN(TSLOT), 4, 2, VIREO_PCI_COMMAND_INTX_DISABLE);
	T_TRUE(!tb.gsi[gsi]);
	T_TRUE(tp_cf8_read(&tb, DEVFN(TSLOT), 6, 2) & VIREO_PCI_STATUS_INTERRUPT);
	tp_cf8_write(&tb, DEVFN(TSLOT), 4, 2, 0);
	T_TRUE(tb.gsi[gsi]);
	vireo_pci_set_intx(&td.pci, false);
	T_TRUE(!tb.gsi[gsi]);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 6, 2) & VIREO_PCI_STATUS_INTERRUPT, 0);

	/* Two functions on one GSI (slots 3 and 11 with INTA#): wired OR. */
	T_EQ(vireo_pci_dev_init(&other.pci, &tdev_desc, &other, 0), 0);
	T_EQ(vireo_pci_bus_add(&tb.bus, &other.pci, TSLOT + 8), 0);
	T_EQ(other.pci.gsi, gsi);
	tb.gsi_changes = 0;
	vireo_pci_set_intx(&td.pci, true);
	vireo_pci_set_intx(&other.pci, true);
	T_EQ(tb.gsi_changes, 1);
	vireo_pci_set_intx(&td.pci, false);
	T_TRUE(tb.gsi[gsi]);
	vireo_pci_set_intx(&other.pci, false);
	T_TRUE(!tb.gsi[gsi]);
	T_EQ(tb.gsi_changes, 2);
	vireo_pci_dev_fini(&other.pci);
	teardown();
}

static void pci_reset(void)
{
	uint64_t before, after;

	T_EQ(setup(), 0);
	T_EQ(vireo_pci_bus_assign(&tb.bus), 0);
	T_TRUE(vireo_pci_bar_mapped(&td.pci, 2, &before));
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x18, 4, 0xd0000000);
	tp_cf8_write(&tb, DEVFN(TSLOT), 4, 2, 0x7);
	tp_cf8_write(&tb, DEVFN(TSLOT), 0x0c, 1, 0x10);
	vireo_pci_set_intx(&td.pci, true);
	T_EQ(vireo_pci_bus_reset(&tb.bus), 0);
	T_EQ(td.resets, 1);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 0x0c, 1), 0);
	T_EQ(tp_cf8_read(&tb, DEVFN(TSLOT), 4, 2), 3);	/* assigned again */
	T_TRUE(vireo_pci_bar_mapped(&td.pci, 2, &after));
	T_EQ(after, before);
	teardown();
}

static const struct vireo_test vireo_tests_pci_config[] = {
	VIREO_TEST(pci_identity),
	VIREO_TEST(pci_cf8_latch),
	VIREO_TEST(pci_cf8_sizes),
	VIREO_TEST(pci_ecam_equals_cf8),
	VIREO_TEST(pci_readonly_fields),
	VIREO_TEST(pci_status_w1c),
	VIREO_TEST(pci_bar_sizing),
	VIREO_TEST(pci_bar_decoding),
	VIREO_TEST(pci_caps),
	VIREO_TEST(pci_add_caps_chain),
	VIREO_TEST(pci_bad_descriptors),
	VIREO_TEST(pci_slots),
	VIREO_TEST(pci_assign),
	VIREO_TEST(pci_intx),
	VIREO_TEST(pci_reset),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(pci_config, vireo_tests_pci_config);
