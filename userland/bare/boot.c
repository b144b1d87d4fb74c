// SPDX-License-Identifier: GPL-2.0
/*
 * Initial CPU state for the three boot modes (layout in boot.h).
 *
 * The segment registers are given in their unpacked, cached form and the
 * same descriptors are written to the GDT, so that a guest reloading a
 * selector gets what it already has.  Values follow SDM vol. 3 3.4.5 and
 * 7.2.3 (TSS descriptor); real mode follows the RESET state except that
 * CS is 0 rather than F000 so that RIP is the entry point.
 */
#include <errno.h>
#include <string.h>

#include <vireo/x86.h>

#include "boot.h"
#include "boot/entry.h"

/* GDT descriptors, packed: limit 0xfffff with G=1, base 0. */
#define GDT_CODE32 0x00cf9b000000ffffULL	/* P, S, type 0xb, D, G */
#define GDT_DATA   0x00cf93000000ffffULL	/* P, S, type 0x3, B, G */
#define GDT_CODE64 0x00af9b000000ffffULL	/* P, S, type 0xb, L, G */
#define TSS_LIMIT  0x67				/* 104-byte TSS, no I/O bitmap */
#define GDT_ENTRIES 6				/* TSS takes two slots */

uint64_t vireo_boot_min_mem(enum vireo_boot_mode mode)
{
	/* Real mode: the stack below 0x7000; else the stack at 0x7fff0. */
	return mode == VIREO_BOOT_REAL ? 0x10000ULL : 0x80000ULL;
}

static void seg_real(struct vireo_segment *s, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
}

static uint64_t tss_desc_low(uint64_t base)
{
	return TSS_LIMIT | ((base & 0xffffff) << 16) | ((uint64_t)VIREO_SEG_TYPE_TSS_BUSY << 40) |
	       (1ULL << 47) | (((base >> 24) & 0xff) << 56);
}

static void write_u64(uint8_t *ram, uint64_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, sizeof(v));
}

static void build_gdt(uint8_t *ram)
{
	memset(ram + VIREO_BOOT_GDT, 0, VIREO_BOOT_PML4 - VIREO_BOOT_GDT);
	write_u64(ram, VIREO_BOOT_GDT + VIREO_BOOT_SEL_CODE32, GDT_CODE32);
	write_u64(ram, VIREO_BOOT_GDT + VIREO_BOOT_SEL_DATA, GDT_DATA);
	write_u64(ram, VIREO_BOOT_GDT + VIREO_BOOT_SEL_CODE64, GDT_CODE64);
	write_u64(ram, VIREO_BOOT_GDT + VIREO_BOOT_SEL_TSS, tss_desc_low(VIREO_BOOT_TSS));
	write_u64(ram, VIREO_BOOT_GDT + VIREO_BOOT_SEL_TSS + 8, VIREO_BOOT_TSS >> 32);
	/* TSS: all zero but the I/O map base, past the limit: no bitmap. */
	ram[VIREO_BOOT_TSS + 0x66] = TSS_LIMIT + 1;
}

static void build_page_tables(uint8_t *ram)
{
	const uint64_t rw = VIREO_PTE_P | VIREO_PTE_RW;
	unsigned int i;

	memset(ram + VIREO_BOOT_PML4, 0, VIREO_BOOT_PD + 4 * 0x1000 - VIREO_BOOT_PML4);
	write_u64(ram, VIREO_BOOT_PML4, VIREO_BOOT_PDPT | rw);
	for (i = 0; i < 4; i++)
		write_u64(ram, VIREO_BOOT_PDPT + 8 * i, (VIREO_BOOT_PD + 0x1000 * i) | rw);
	for (i = 0; i < 4 * 512; i++)
		write_u64(ram, VIREO_BOOT_PD + 8 * i, ((uint64_t)i << 21) | rw | VIREO_PTE_PS);
}

static void setup_system_segments(struct vireo_sregs *sregs, bool real)
{
	memset(&sregs->tr, 0, sizeof(sregs->tr));
	sregs->tr.type = VIREO_SEG_TYPE_TSS_BUSY;
	sregs->tr.present = 1;
	if (real) {
		sregs->tr.limit = 0xffff;
	} else {
		sregs->tr.selector = VIREO_BOOT_SEL_TSS;
		sregs->tr.base = VIREO_BOOT_TSS;
		sregs->tr.limit = TSS_LIMIT;
	}

	memset(&sregs->ldt, 0, sizeof(sregs->ldt));
	sregs->ldt.type = VIREO_SEG_TYPE_LDT;
	sregs->ldt.unusable = 1;
}

int vireo_boot_setup(uint8_t *ram, uint64_t ram_size, enum vireo_boot_mode mode, uint64_t entry,
		     struct vireo_regs *regs, struct vireo_sregs *sregs)
{
	bool lm = mode == VIREO_BOOT_LONG;

	if (ram_size < vireo_boot_min_mem(mode))
		return -EINVAL;
	memset(regs, 0, sizeof(*regs));
	memset(sregs, 0, sizeof(*sregs));
	regs->rip = entry;
	regs->rflags = VIREO_RFLAGS_FIXED;

	if (mode == VIREO_BOOT_REAL) {
		regs->rsp = VIREO_BOOT_REAL_RSP;
		seg_real(&sregs->cs, VIREO_SEG_TYPE_CODE_RX_A);
		seg_real(&sregs->ds, VIREO_SEG_TYPE_DATA_RW_A);
		sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
		setup_system_segments(sregs, true);
		sregs->gdt.limit = 0xffff;
		sregs->idt.limit = 0x3ff;	/* the real-mode IVT at 0 */
		sregs->cr0 = VIREO_BOOT_REAL_CR0;
		return 0;
	}

	build_gdt(ram);
	regs->rsp = VIREO_BOOT_PROT_RSP;
	if (lm)
		vireo_boot_seg_flat(&sregs->cs, VIREO_BOOT_SEL_CODE64, VIREO_SEG_TYPE_CODE_RX_A, false, true);
	else
		vireo_boot_seg_flat(&sregs->cs, VIREO_BOOT_SEL_CODE32, VIREO_SEG_TYPE_CODE_RX_A, true, false);
	vireo_boot_seg_flat(&sregs->ds, VIREO_BOOT_SEL_DATA, VIREO_SEG_TYPE_DATA_RW_A, true, false);
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	setup_system_segments(sregs, false);
	sregs->gdt.base = VIREO_BOOT_GDT;
	sregs->gdt.limit = GDT_ENTRIES * 8 - 1;
	/* No IDT: the guest installs its own; until then a fault is fatal. */
	sregs->idt.base = 0;
	sregs->idt.limit = 0;
	sregs->cr0 = VIREO_CR0_PE | VIREO_CR0_ET | VIREO_CR0_NE;

	if (lm) {
		build_page_tables(ram);
		sregs->cr0 |= VIREO_CR0_PG;
		sregs->cr3 = VIREO_BOOT_PML4;
		sregs->cr4 = VIREO_CR4_PAE;
		sregs->efer = VIREO_EFER_LME | VIREO_EFER_LMA;
	}
	return 0;
}
