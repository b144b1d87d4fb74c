// SPDX-License-Identifier: GPL-2.0
/*
 * The guest memory map: slots, windows and the e820 table for RAM below,
 * at and above the hole, the parameter checks, and the RAM accessor.
 */
#include <errno.h>

#include <vireo/error.h>

#include "boot/layout.h"
#include "test.h"
#include "test_boot_util.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

static void check_e820(const struct vireo_layout *l, unsigned int i, uint64_t addr, uint64_t size,
		       uint32_t type)
{
	T_TRUE(i < l->nr_e820);
	T_EQ(l->e820[i].addr, addr);
	T_EQ(l->e820[i].size, size);
	T_EQ(l->e820[i].type, type);
}

static int layout(struct vireo_layout *l, uint64_t ram, uint64_t hole, uint64_t mmio64, GError **err)
{
	struct vireo_layout_config cfg = { .ram_size = ram, .hole_start = hole,
					   .mmio64_size = mmio64 };

	return vireo_layout_init(l, &cfg, err);
}

static void layout_small(void)
{
	struct vireo_layout l;
	g_autoptr(GError) err = NULL;

	T_EQ(layout(&l, 512 * MIB, 0, 0, &err), 0);
	T_EQ(l.hole_start, 0xc0000000);
	T_EQ(l.low_end, 512 * MIB);
	T_EQ(l.high_size, 0);
	T_EQ(l.nr_ram, 1);
	T_EQ(l.ram[0].gpa, 0);
	T_EQ(l.ram[0].size, 512 * MIB);
	T_EQ(l.ram[0].offset, 0);
	T_EQ(l.mmio32_base, 0xc0000000);
	T_EQ(l.mmio32_size, 0x20000000);
	T_EQ(l.ecam_base, 0xe0000000);
	T_EQ(l.ecam_size, 0x10000000);
	T_EQ(l.mmio64_size, 0);
	T_EQ(l.nr_e820, 6);
	T_CALL(check_e820(&l, 0, 0, 0x9fc00, VIREO_E820_RAM));
	T_CALL(check_e820(&l, 1, 0x9fc00, 0x100000 - 0x9fc00, VIREO_E820_RESERVED));
	T_CALL(check_e820(&l, 2, 0x100000, 511 * MIB, VIREO_E820_RAM));
	T_CALL(check_e820(&l, 3, 0xe0000000, 0x10000000, VIREO_E820_RESERVED));
	T_CALL(check_e820(&l, 4, 0xfec00000, 0x1000, VIREO_E820_RESERVED));
	T_CALL(check_e820(&l, 5, 0xfee00000, 0x1000, VIREO_E820_RESERVED));
}

static void layout_above_4g(void)
{
	struct vireo_layout l;
	g_autoptr(GError) err = NULL;

	T_EQ(layout(&l, 4 * GIB, 0, 0, &err), 0);
	T_EQ(l.low_end, 3 * GIB);
	T_EQ(l.high_size, 1 * GIB);
	T_EQ(l.nr_ram, 2);
	T_EQ(l.ram[1].gpa, 4 * GIB);
	T_EQ(l.ram[1].size, 1 * GIB);
	T_EQ(l.ram[1].offset, 3 * GIB);
	T_EQ(l.nr_e820, 7);
	T_CALL(check_e820(&l, 2, 0x100000, 3 * GIB - MIB, VIREO_E820_RAM));
	T_CALL(check_e820(&l, 6, 4 * GIB, 1 * GIB, VIREO_E820_RAM));
}

static void layout_hole_parameter(void)
{
	struct vireo_layout l;
	g_autoptr(GError) err = NULL;

	T_EQ(layout(&l, 3 * GIB, 0x80000000, 0, &err), 0);
	T_EQ(l.low_end, 2 * GIB);
	T_EQ(l.high_size, 1 * GIB);
	T_EQ(l.mmio32_base, 0x80000000);
	T_EQ(l.mmio32_size, 0x60000000);
	/* RAM exactly up to the hole: no high region. */
	T_EQ(layout(&l, 0xb0000000, 0xb0000000, 0, &err), 0);
	T_EQ(l.nr_ram, 1);
	T_EQ(l.low_end, 0xb0000000);
	/* The highest hole keeps 256 MiB of window below the ECAM. */
	T_EQ(layout(&l, 1 * GIB, 0xd0000000, 0, &err), 0);
	T_EQ(l.mmio32_size, 0x10000000);
}

static void layout_mmio64(void)
{
	struct vireo_layout l;
	g_autoptr(GError) err = NULL;

	T_EQ(layout(&l, 5 * GIB + 4096, 0, 64 * GIB, &err), 0);
	/* RAM above 4 GiB ends at 6 GiB + 4 KiB: the window starts at 7 GiB. */
	T_EQ(l.mmio64_base, 7 * GIB);
	T_EQ(l.mmio64_size, 64 * GIB);
	T_EQ(layout(&l, 1 * GIB, 0, 1 * GIB, &err), 0);
	T_EQ(l.mmio64_base, 4 * GIB);
}

static void layout_rejects(void)
{
	struct vireo_layout l;
	g_autoptr(GError) err = NULL;

	T_EQ(layout(&l, 1 * MIB, 0, 0, &err), -EINVAL);
	T_STR_CONTAINS(ERRMSG(err), "memory size");
	T_EQ(layout(&l, 64 * MIB + 1, 0, 0, &err), -EINVAL);
	T_EQ(layout(&l, 1ULL << 50, 0, 0, &err), -EINVAL);
	T_STR_CONTAINS(ERRMSG(err), "too large");
	T_EQ(layout(&l, 64 * MIB, 0xc8000000, 0, &err), -EINVAL);
	T_STR_CONTAINS(ERRMSG(err), "PCI hole");
	T_EQ(layout(&l, 64 * MIB, 0xe0000000, 0, &err), -EINVAL);
	T_EQ(layout(&l, 64 * MIB, 0x00000000 + 0x8000000, 0, &err), -EINVAL);
	T_EQ(layout(&l, 64 * MIB, 0, 3 * MIB, &err), -EINVAL);
	T_STR_CONTAINS(ERRMSG(err), "64-bit PCI window");
}

/* For many sizes: the e820 is sorted, disjoint, and its RAM is the slots. */
static void layout_e820_consistent(void)
{
	static const uint64_t holes[] = { 0, 0x40000000, 0x80000000, 0xb0000000, 0xd0000000 };
	uint64_t ram;
	unsigned int h, i;

	for (h = 0; h < sizeof(holes) / sizeof(holes[0]); h++) {
		for (ram = 2 * MIB; ram <= 16 * GIB; ram = ram * 3 / 2 + 4096 * 3) {
			struct vireo_layout l;
			g_autoptr(GError) err = NULL;
			uint64_t ram_in_e820 = 0, slots = 0;

			ram &= ~0xfffULL;
			T_EQ(layout(&l, ram, holes[h], 0, &err), 0);
			for (i = 0; i < l.nr_e820; i++) {
				const struct vireo_e820_entry *e = &l.e820[i];

				T_TRUE(e->size > 0);
				if (i)
					T_TRUE(l.e820[i - 1].addr + l.e820[i - 1].size <= e->addr);
				if (e->type == VIREO_E820_RAM) {
					ram_in_e820 += e->size;
					T_TRUE(vireo_layout_is_ram(&l, e->addr, e->size));
				}
			}
			for (i = 0; i < l.nr_ram; i++)
				slots += l.ram[i].size;
			T_EQ(slots, ram);
			/* Only the EBDA-to-1 MiB span is RAM the e820 withholds. */
			T_EQ(ram_in_e820, ram - (0x100000 - 0x9fc00));
			T_TRUE(l.low_end <= l.mmio32_base);
			T_EQ(l.mmio32_base + l.mmio32_size, l.ecam_base);
		}
	}
}

static void layout_ram_offset(void)
{
	struct vireo_layout l;
	g_autoptr(GError) err = NULL;

	T_EQ(layout(&l, 4 * GIB, 0, 0, &err), 0);
	T_EQ(vireo_layout_ram_offset(&l, 0, 0), 0);
	T_EQ(vireo_layout_ram_offset(&l, 3 * GIB - 8, 8), 3 * GIB - 8);
	T_EQ(vireo_layout_ram_offset(&l, 3 * GIB - 8, 9), (uint64_t)-1);
	T_EQ(vireo_layout_ram_offset(&l, 3 * GIB, 1), (uint64_t)-1);
	T_EQ(vireo_layout_ram_offset(&l, 4 * GIB, 1), 3 * GIB);
	T_EQ(vireo_layout_ram_offset(&l, 5 * GIB - 1, 1), 4 * GIB - 1);
	T_EQ(vireo_layout_ram_offset(&l, 5 * GIB - 1, 2), (uint64_t)-1);
	T_EQ(vireo_layout_ram_offset(&l, ~0ULL, 2), (uint64_t)-1);
	T_EQ(vireo_layout_ram_offset(&l, 4096, ~0ULL), (uint64_t)-1);
	T_TRUE(!vireo_layout_is_ram(&l, 0xfee00000, 4));
}

static void layout_mem_accessor(void)
{
	struct tguest g;
	uint32_t v = 0x11223344, r = 0;

	T_EQ(tguest_init(&g, 5 * GIB, 0), 0);
	T_EQ(g.mem.write(g.mem.opaque, 4 * GIB + 16, &v, 4), 0);
	T_EQ(g.ram[3 * GIB + 16], 0x44);
	T_EQ(g.mem.read(g.mem.opaque, 4 * GIB + 16, &r, 4), 0);
	T_EQ(r, v);
	T_EQ(g.mem.write(g.mem.opaque, 3 * GIB - 2, &v, 4), -EFAULT);
	T_EQ(g.mem.read(g.mem.opaque, 0xe0000000, &r, 4), -EFAULT);
	tguest_fini(&g);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(layout_small),
	VIREO_TEST(layout_above_4g),
	VIREO_TEST(layout_hole_parameter),
	VIREO_TEST(layout_mmio64),
	VIREO_TEST(layout_rejects),
	VIREO_TEST(layout_e820_consistent),
	VIREO_TEST(layout_ram_offset),
	VIREO_TEST(layout_mem_accessor),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(boot_layout, tests);
