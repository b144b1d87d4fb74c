// SPDX-License-Identifier: GPL-2.0
/* MSI-X: capability, table, per-vector and function masks, PBA, INTx gating. */
#include <errno.h>

#include "test.h"
#include "test_pci_util.h"

static const struct vireo_pci_dev_desc mdev_desc = {
	.name = "msix-test",
	.vendor_id = 0x1234,
	.device_id = 0x0001,
	.class_code = 0xff0000,
	.interrupt_pin = 1,
	.bars = {
		[0] = { VIREO_PCI_BAR_MEM32, false, 4096 },
	},
	.msix_bar = 0,
	.msix_table_offset = 0x100,
	.msix_pba_offset = 0x800,
};

#define MSLOT 5
#define MDEVFN (MSLOT << 3)
#define BAR 0xc0000000ULL
#define TABLE (BAR + 0x100)
#define PBA (BAR + 0x800)
#define NVEC 6

static struct tp_bus tb;
static struct vireo_pci_dev md;
static unsigned int cap;

static int setup(void)
{
	int err = tp_bus_init(&tb);

	if (!err)
		err = vireo_pci_dev_init(&md, &mdev_desc, NULL, NVEC);
	if (!err)
		err = vireo_pci_bus_add(&tb.bus, &md, MSLOT);
	if (!err)
		err = vireo_pci_bus_assign(&tb.bus);
	cap = md.msix_cap;
	return err;
}

static void teardown(void)
{
	vireo_pci_dev_fini(&md);
	vireo_pci_bus_fini(&tb.bus);
}

static void ctl_write(uint16_t v)
{
	tp_cf8_write(&tb, MDEVFN, cap + 2, 2, v);
}

static void program(unsigned int vec, uint64_t addr, uint32_t data, bool masked)
{
	uint64_t e = TABLE + 16 * vec;

	tp_mmio_write(&tb, e, 4, (uint32_t)addr);
	tp_mmio_write(&tb, e + 4, 4, addr >> 32);
	tp_mmio_write(&tb, e + 8, 4, data);
	tp_mmio_write(&tb, e + 12, 4, masked);
}

/* notify under the device lock, as a device model would. */
static int notify(unsigned int vec)
{
	int r;

	pthread_mutex_lock(md.lock);
	r = vireo_pci_msix_notify(&md, vec);
	pthread_mutex_unlock(md.lock);
	return r;
}

static void msix_capability(void)
{
	T_EQ(setup(), 0);
	T_EQ(tp_cf8_read(&tb, MDEVFN, cap, 1), VIREO_PCI_CAP_ID_MSIX);
	T_EQ(tp_cf8_read(&tb, MDEVFN, cap + 2, 2), NVEC - 1);
	T_EQ(tp_cf8_read(&tb, MDEVFN, cap + 4, 4), 0x100);	/* offset | BIR 0 */
	T_EQ(tp_cf8_read(&tb, MDEVFN, cap + 8, 4), 0x800);
	/* Table size, offsets and BIR are read-only. */
	tp_cf8_write(&tb, MDEVFN, cap + 2, 2, 0x3fff);
	tp_cf8_write(&tb, MDEVFN, cap + 4, 4, 0xffffffff);
	T_EQ(tp_cf8_read(&tb, MDEVFN, cap + 2, 2), NVEC - 1);
	T_EQ(tp_cf8_read(&tb, MDEVFN, cap + 4, 4), 0x100);
	ctl_write(0xc000);
	T_EQ(tp_cf8_read(&tb, MDEVFN, cap + 2, 2), 0xc000 | (NVEC - 1));
	T_TRUE(vireo_pci_msix_enabled(&md));
	ctl_write(0);
	T_TRUE(!vireo_pci_msix_enabled(&md));
	teardown();
}

static void msix_table_access(void)
{
	T_EQ(setup(), 0);
	/* Reset state: everything zero but the mask bits. */
	for (unsigned int v = 0; v < NVEC; v++) {
		T_EQ(tp_mmio_read(&tb, TABLE + 16 * v, 8), 0);
		T_EQ(tp_mmio_read(&tb, TABLE + 16 * v + 8, 4), 0);
		T_EQ(tp_mmio_read(&tb, TABLE + 16 * v + 12, 4), 1);
	}
	/* Dword and qword accesses. */
	tp_mmio_write(&tb, TABLE + 16, 8, 0x00000001fee01000ULL);
	T_EQ(tp_mmio_read(&tb, TABLE + 16, 4), 0xfee01000);
	T_EQ(tp_mmio_read(&tb, TABLE + 20, 4), 1);
	tp_mmio_write(&tb, TABLE + 24, 8, 0x0000000000004041ULL);	/* data + unmask */
	T_EQ(tp_mmio_read(&tb, TABLE + 24, 4), 0x4041);
	T_EQ(tp_mmio_read(&tb, TABLE + 28, 4), 0);
	/* Reserved vector-control bits read as zero. */
	tp_mmio_write(&tb, TABLE + 28, 4, 0xfffffffe);
	T_EQ(tp_mmio_read(&tb, TABLE + 28, 4), 0);
	/* Misaligned: all ones, nothing written. */
	T_EQ(tp_mmio_read(&tb, TABLE + 18, 4), 0xffffffff);
	tp_mmio_write(&tb, TABLE + 17, 4, 0);
	T_EQ(tp_mmio_read(&tb, TABLE + 16, 4), 0xfee01000);
	/* Past the table (vector 6) and outside MSI-X: the device's (no hook). */
	T_EQ(tp_mmio_read(&tb, TABLE + 16 * NVEC, 4), 0xffffffff);
	/* PBA reads zero and ignores writes. */
	T_EQ(tp_mmio_read(&tb, PBA, 8), 0);
	tp_mmio_write(&tb, PBA, 8, ~0ULL);
	T_EQ(tp_mmio_read(&tb, PBA, 8), 0);
	teardown();
}

static void msix_disabled(void)
{
	T_EQ(setup(), 0);
	program(0, 0xfee00000, 0x30, false);
	T_EQ(notify(0), -ENODEV);
	T_EQ(tb.nmsi, 0);
	ctl_write(VIREO_PCI_MSIX_FLAGS_ENABLE);
	T_EQ(notify(NVEC), -EINVAL);
	T_EQ(notify(0), 0);
	T_EQ(tb.nmsi, 1);
	T_EQ(tb.msi[0].address, 0xfee00000);
	T_EQ(tb.msi[0].data, 0x30);
	teardown();
}

static void msix_vector_mask(void)
{
	T_EQ(setup(), 0);
	ctl_write(VIREO_PCI_MSIX_FLAGS_ENABLE);
	program(2, 0xfee02000, 0x41, true);
	T_EQ(notify(2), 0);
	T_EQ(tb.nmsi, 0);
	T_TRUE(vireo_pci_msix_pending(&md, 2));
	T_EQ(tp_mmio_read(&tb, PBA, 8), 1 << 2);
	T_EQ(tp_mmio_read(&tb, PBA, 1), 1 << 2);
	/* Raising it again while pending sends nothing more. */
	T_EQ(notify(2), 0);
	T_EQ(tb.nmsi, 0);
	/* Unmasking delivers exactly one message and clears the bit. */
	tp_mmio_write(&tb, TABLE + 32 + 12, 4, 0);
	T_EQ(tb.nmsi, 1);
	T_EQ(tb.msi[0].address, 0xfee02000);
	T_EQ(tb.msi[0].data, 0x41);
	T_TRUE(!vireo_pci_msix_pending(&md, 2));
	T_EQ(tp_mmio_read(&tb, PBA, 8), 0);
	/* Unmasked: straight through, nothing pending. */
	T_EQ(notify(2), 0);
	T_EQ(tb.nmsi, 2);
	/* Masking with a pending-free vector delivers nothing. */
	tp_mmio_write(&tb, TABLE + 32 + 12, 4, 1);
	tp_mmio_write(&tb, TABLE + 32 + 12, 4, 0);
	T_EQ(tb.nmsi, 2);
	teardown();
}

static void msix_function_mask(void)
{
	T_EQ(setup(), 0);
	for (unsigned int v = 0; v < NVEC; v++)
		program(v, 0xfee00000, 0x50 + v, false);
	ctl_write(VIREO_PCI_MSIX_FLAGS_ENABLE | VIREO_PCI_MSIX_FLAGS_MASKALL);
	T_EQ(notify(1), 0);
	T_EQ(notify(4), 0);
	T_EQ(tb.nmsi, 0);
	T_EQ(tp_mmio_read(&tb, PBA, 4), (1 << 1) | (1 << 4));
	/* Vector 4 individually masked too: stays pending after the function unmask. */
	tp_mmio_write(&tb, TABLE + 4 * 16 + 12, 4, 1);
	ctl_write(VIREO_PCI_MSIX_FLAGS_ENABLE);
	T_EQ(tb.nmsi, 1);
	T_EQ(tb.msi[0].data, 0x51);
	T_EQ(tp_mmio_read(&tb, PBA, 4), 1 << 4);
	tp_mmio_write(&tb, TABLE + 4 * 16 + 12, 4, 0);
	T_EQ(tb.nmsi, 2);
	T_EQ(tb.msi[1].data, 0x54);
	T_EQ(tp_mmio_read(&tb, PBA, 4), 0);
	/* Pending with MSI-X disabled stays pending until enabled. */
	ctl_write(VIREO_PCI_MSIX_FLAGS_ENABLE | VIREO_PCI_MSIX_FLAGS_MASKALL);
	T_EQ(notify(3), 0);
	ctl_write(VIREO_PCI_MSIX_FLAGS_MASKALL);
	ctl_write(0);
	T_EQ(tb.nmsi, 2);
	ctl_write(VIREO_PCI_MSIX_FLAGS_ENABLE);
	T_EQ(tb.nmsi, 3);
	T_EQ(tb.msi[2].data, 0x53);
	teardown();
}

static void msix_gates_intx(void)
{
	T_EQ(setup(), 0);
	pthread_mutex_lock(md.lock);
	vireo_pci_set_intx(&md, true);
	pthread_mutex_unlock(md.lock);
	T_TRUE(tb.gsi[md.gsi]);
	ctl_write(VIREO_PCI_MSIX_FLAGS_ENABLE);
	T_TRUE(!tb.gsi[md.gsi]);
	ctl_write(0);
	T_TRUE(tb.gsi[md.gsi]);
	teardown();
}

static void msix_reset(void)
{
	T_EQ(setup(), 0);
	ctl_write(VIREO_PCI_MSIX_FLAGS_ENABLE | VIREO_PCI_MSIX_FLAGS_MASKALL);
	program(0, 0xfee00000, 0x60, false);
	T_EQ(notify(0), 0);
	T_EQ(vireo_pci_bus_reset(&tb.bus), 0);
	T_TRUE(!vireo_pci_msix_enabled(&md));
	T_TRUE(!vireo_pci_msix_pending(&md, 0));
	T_EQ(tp_cf8_read(&tb, MDEVFN, cap + 2, 2), NVEC - 1);
	T_EQ(tp_mmio_read(&tb, TABLE + 12, 4), 1);
	T_EQ(tp_mmio_read(&tb, TABLE + 8, 4), 0);
	teardown();
}

static const struct vireo_test vireo_tests_pci_msix[] = {
	VIREO_TEST(msix_capability),
	VIREO_TEST(msix_table_access),
	VIREO_TEST(msix_disabled),
	VIREO_TEST(msix_vector_mask),
	VIREO_TEST(msix_function_mask),
	VIREO_TEST(msix_gates_intx),
	VIREO_TEST(msix_reset),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(pci_msix, vireo_tests_pci_msix);
