// SPDX-License-Identifier: GPL-2.0
/*
 * The low memory a BIOS leaves (boot/bda.h) and the boot CPU state's
 * footprint there: what firmware-less kernels read, and what a Multiboot
 * kernel loaded below 1 MiB keeps.
 */
#include <string.h>

#include "boot/bda.h"
#include "boot/entry.h"
#include "test.h"
#include "test_boot_util.h"

#define MIB (1ULL << 20)

static void bda_after_post(void)
{
	struct tguest g;
	uint64_t a;

	T_EQ(tguest_init(&g, 16 * MIB, 0), 0);
	memset(tguest_at(&g, 0), 0xee, 0x1000);
	T_EQ(vireo_bda_install(&g.mem), 0);
	T_EQ(tg16(&g, 0x400), 0x3f8);			/* COM1 */
	T_EQ(tg16(&g, 0x402), 0);			/* no COM2 */
	T_EQ(tg16(&g, 0x40e), 0x9fc0);			/* EBDA segment */
	T_EQ(tg16(&g, 0x410) >> 9 & 7, 1);		/* one serial port */
	T_EQ(tg16(&g, 0x410) >> 4 & 3, 2);		/* 80x25 colour */
	T_EQ(tg16(&g, 0x413), 639);			/* KiB below the EBDA */
	T_EQ(*tguest_at(&g, 0x449), 3);			/* text mode 3 */
	T_EQ(tg16(&g, 0x44a), 80);
	T_EQ(tg16(&g, 0x463), 0x3d4);
	T_EQ(*tguest_at(&g, 0x484), 24);
	T_EQ(*tguest_at(&g, 0x9fc00), 1);		/* EBDA: 1 KiB */
	/* The IVT stays as it was (zero in a new guest), past 0x4ff too. */
	T_EQ(*tguest_at(&g, 0x3ff), 0xee);
	T_EQ(*tguest_at(&g, 0x500), 0xee);
	/* Every byte of the BDA written: nothing left from before. */
	for (a = 0x400; a < 0x500; a++)
		T_TRUE(*tguest_at(&g, a) != 0xee);
	tguest_fini(&g);
}

/* 32-bit entry writes the GDT and TSS only; 64-bit entry the page tables too. */
static void entry_prot32_footprint(void)
{
	struct vireo_boot_entry e = { .mode = VIREO_ENTRY_PROT32, .rip = 0x8000 };
	struct vireo_regs regs;
	struct vireo_sregs sregs;
	struct tguest g;

	T_EQ(tguest_init(&g, 16 * MIB, 0), 0);
	memset(tguest_at(&g, 0x1000), 0xee, 0x7000);
	T_EQ(vireo_boot_entry_setup(&e, &g.mem, &regs, &sregs), 0);
	T_EQ(*tguest_at(&g, VIREO_ENTRY_PROT32_END - 1), 0);
	T_EQ(*tguest_at(&g, VIREO_ENTRY_PROT32_END), 0xee);
	T_EQ(*tguest_at(&g, 0x7fff), 0xee);
	T_EQ(sregs.tr.base + sregs.tr.limit < VIREO_ENTRY_PROT32_END, 1);
	T_EQ(sregs.gdt.base + sregs.gdt.limit < VIREO_ENTRY_PROT32_END, 1);
	e.mode = VIREO_ENTRY_LONG64;
	T_EQ(vireo_boot_entry_setup(&e, &g.mem, &regs, &sregs), 0);
	T_EQ(tg64(&g, VIREO_ENTRY_PML4) & ~0xfffULL, VIREO_ENTRY_PDPT);
	T_EQ(*tguest_at(&g, 0x7fff), 0);
	tguest_fini(&g);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(bda_after_post),
	VIREO_TEST(entry_prot32_footprint),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(boot_bda, tests);
