// SPDX-License-Identifier: GPL-2.0
/*
 * The VGA's PCI function on a bus: QEMU's stdvga identity and BAR layout,
 * the expansion ROM BAR (PCI 3.0 6.2.5.2: sizing, the enable bit gated by
 * memory space, bar_change reports, the image read back), accesses to the
 * framebuffer and MMIO BARs through the bus, and reset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "display/vga_pci.h"
#include "test.h"
#include "test_pci_util.h"

#define SLOT 2
#define DEVFN (SLOT << 3)

static struct tp_bus tb;
static struct vireo_vga_pci vp;
static char rom_path[64];

/* A small ROM image: the 0x55 0xaa signature, a length byte, a pattern. */
static void make_rom(size_t len)
{
	uint8_t buf[70000];
	FILE *f;
	int fd;

	snprintf(rom_path, sizeof(rom_path), "/tmp/vireo-vga-rom-XXXXXX");
	fd = mkstemp(rom_path);
	if (fd < 0)
		abort();
	for (size_t i = 0; i < len && i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	buf[0] = 0x55;
	buf[1] = 0xaa;
	buf[2] = (uint8_t)(len / 512);
	f = fdopen(fd, "w");
	if (!f || fwrite(buf, 1, len, f) != len)
		abort();
	fclose(f);
}

static void setup(bool with_rom)
{
	if (tp_bus_init(&tb) != 0)
		abort();
	if (with_rom)
		make_rom(40000);
	if (vireo_vga_pci_init(&vp, 0, with_rom ? rom_path : NULL) != 0)
		abort();
	if (vireo_pci_bus_add(&tb.bus, &vp.pci, SLOT) != 0)
		abort();
}

static void teardown(bool with_rom)
{
	vireo_vga_pci_fini(&vp);
	vireo_pci_bus_fini(&tb.bus);
	if (with_rom)
		unlink(rom_path);
}

static uint64_t mem_read(uint64_t gpa, unsigned int size, int *ret)
{
	uint64_t v = 0;

	*ret = vireo_pci_mmio(&tb.bus, gpa, size, false, &v);
	return v;
}

static void test_identity_and_bars(void)
{
	setup(false);
	T_EQ(tp_cf8_read(&tb, DEVFN, VIREO_PCI_VENDOR_ID, 2), 0x1234);
	T_EQ(tp_cf8_read(&tb, DEVFN, VIREO_PCI_DEVICE_ID, 2), 0x1111);
	T_EQ(tp_cf8_read(&tb, DEVFN, VIREO_PCI_REVISION_ID, 4), 0x03000002);
	T_EQ(tp_cf8_read(&tb, DEVFN, VIREO_PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	/* BAR 0: 16 MiB prefetchable memory; BAR 2: 4 KiB. */
	tp_cf8_write(&tb, DEVFN, VIREO_PCI_BAR0, 4, 0xffffffff);
	T_EQ(tp_cf8_read(&tb, DEVFN, VIREO_PCI_BAR0, 4), 0xff000008);
	tp_cf8_write(&tb, DEVFN, VIREO_PCI_BAR0 + 8, 4, 0xffffffff);
	T_EQ(tp_cf8_read(&tb, DEVFN, VIREO_PCI_BAR0 + 8, 4), 0xfffff000);
	/* No ROM asked for: register 0x30 is read-only zero. */
	tp_cf8_write(&tb, DEVFN, VIREO_PCI_ROM_ADDRESS, 4, 0xffffffff);
	T_EQ(tp_cf8_read(&tb, DEVFN, VIREO_PCI_ROM_ADDRESS, 4), 0);
	teardown(false);
}

static void test_rom_bar(void)
{
	uint64_t addr = 0xc1000000;
	int ret;

	setup(true);
	T_EQ(vp.rom_len, 40000);
	/* Sizing: 64 KiB, bit 0 the enable. */
	tp_cf8_write(&tb, DEVFN, VIREO_PCI_ROM_ADDRESS, 4, 0xfffff800);
	T_EQ(tp_cf8_read(&tb, DEVFN, VIREO_PCI_ROM_ADDRESS, 4), 0xffff0000);
	/* Address set, enable off: nothing decodes. */
	tp_cf8_write(&tb, DEVFN, VIREO_PCI_ROM_ADDRESS, 4, (uint32_t)addr);
	tp_cf8_write(&tb, DEVFN, VIREO_PCI_COMMAND, 2, VIREO_PCI_COMMAND_MEMORY);
	mem_read(addr, 2, &ret);
	T_EQ(ret, -ENOENT);
	/* Enabled: the image, zeros past its end, writes dropped. */
	tb.nbar = 0;
	tp_cf8_write(&tb, DEVFN, VIREO_PCI_ROM_ADDRESS, 4, (uint32_t)addr | 1);
	T_EQ(tb.nbar, 1);
	T_EQ(tb.bar[0].bar, VIREO_PCI_ROM_BAR);
	T_EQ(tb.bar[0].addr, addr);
	T_EQ(tb.bar[0].size, 0x10000);
	T_TRUE(tb.bar[0].mapped && !tb.bar[0].is_io);
	T_EQ(mem_read(addr, 2, &ret), 0xaa55);
	T_EQ(ret, 0);
	T_EQ(mem_read(addr + 1000, 1, &ret), (uint8_t)(1000 * 7));
	T_EQ(mem_read(addr + 40000, 4, &ret), 0);
	{
		uint64_t v = 0x1234;

		T_EQ(vireo_pci_mmio(&tb.bus, addr, 2, true, &v), 0);
	}
	T_EQ(mem_read(addr, 2, &ret), 0xaa55);
	/* Memory space off stops it (the enable bit alone is not enough). */
	tp_cf8_write(&tb, DEVFN, VIREO_PCI_COMMAND, 2, 0);
	T_EQ(tb.nbar, 2);
	T_TRUE(!tb.bar[1].mapped);
	mem_read(addr, 2, &ret);
	T_EQ(ret, -ENOENT);
	teardown(true);
}

static void test_rom_errors(void)
{
	T_EQ(tp_bus_init(&tb), 0);
	T_EQ(vireo_vga_pci_init(&vp, 0, "/nonexistent/vgabios.bin"), -ENOENT);
	make_rom(65537);
	T_EQ(vireo_vga_pci_init(&vp, 0, rom_path), -EFBIG);
	unlink(rom_path);
	vireo_pci_bus_fini(&tb.bus);
}

/* Debian's own VGA BIOS, when this machine has it: a PCI option ROM for 1234:1111. */
static void test_debian_vgabios(void)
{
	uint8_t *r;
	unsigned int pcir;

	if (access(VIREO_VGA_ROM_DEBIAN, R_OK)) {
		vireo_test_skip(VIREO_VGA_ROM_DEBIAN " is not installed");
		return;
	}
	T_EQ(tp_bus_init(&tb), 0);
	T_EQ(vireo_vga_pci_init(&vp, 0, VIREO_VGA_ROM_DEBIAN), 0);
	r = vp.rom;
	T_EQ(r[0], 0x55);
	T_EQ(r[1], 0xaa);
	T_TRUE(r[2] * 512U <= VIREO_VGA_PCI_ROM_SIZE);
	/* The PCI data structure (PCI firmware spec 3.0, 5.1.2) names our IDs. */
	pcir = r[0x18] | r[0x19] << 8;
	T_TRUE(pcir + 8 < vp.rom_len);
	T_TRUE(!memcmp(r + pcir, "PCIR", 4));
	T_EQ(r[pcir + 4] | r[pcir + 5] << 8, 0x1234);
	T_EQ(r[pcir + 6] | r[pcir + 7] << 8, 0x1111);
	vireo_vga_pci_fini(&vp);
	vireo_pci_bus_fini(&tb.bus);
}

static void test_bars_reach_the_device(void)
{
	uint64_t v;
	int ret;

	setup(false);
	T_EQ(vireo_pci_bus_assign(&tb.bus), 0);
	T_TRUE(vireo_pci_bar_mapped(&vp.pci, VIREO_VGA_PCI_LFB_BAR, &v));
	/* A framebuffer store through the bus lands in video memory. */
	{
		uint64_t lfb = v, d = 0x11223344;

		T_EQ(vireo_pci_mmio(&tb.bus, lfb + 0x100, 4, true, &d), 0);
		T_EQ(vp.vga.vram[0x100], 0x44);
		T_EQ(vp.vga.vram[0x103], 0x11);
		T_EQ(mem_read(lfb + 0x102, 2, &ret), 0x1122);
		/* The framebuffer's last byte: inside; a straddle reads all ones. */
		T_EQ(mem_read(lfb + vp.vga.vram_size - 1, 1, &ret), 0);
		T_EQ(mem_read(lfb + vp.vga.vram_size - 2, 4, &ret), 0xffffffff);
	}
	T_TRUE(vireo_pci_bar_mapped(&vp.pci, VIREO_VGA_PCI_MMIO_BAR, &v));
	T_EQ(mem_read(v + 0x500, 2, &ret), 0xb0c5);
	T_EQ(mem_read(v + 0x600, 4, &ret), 8);
	{
		uint64_t d = 0x20;

		vireo_pci_mmio(&tb.bus, v + 0x500 + 2 * VIREO_VBE_INDEX_ENABLE, 2, true, &d);
		T_EQ(vp.vga.vbe[VIREO_VBE_INDEX_ENABLE], 0x20);
	}
	/* The platform reset puts the registers back. */
	T_EQ(vireo_pci_bus_reset(&tb.bus), 0);
	T_EQ(vp.vga.vbe[VIREO_VBE_INDEX_ENABLE], 0);
	T_TRUE(vireo_vga_pci_from_pci(&vp.pci) == &vp);
	teardown(false);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(test_identity_and_bars),
	VIREO_TEST(test_rom_bar),
	VIREO_TEST(test_rom_errors),
	VIREO_TEST(test_debian_vgabios),
	VIREO_TEST(test_bars_reach_the_device),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(display_vga_pci, tests);
