// SPDX-License-Identifier: GPL-2.0
/*
 * Entry state for the kernels the loaders load (layout in entry.h).
 *
 * Segment registers are given in their unpacked, cached form and the same
 * descriptors are written to the GDT, so that a kernel reloading a selector
 * gets what it already has (SDM vol. 3 3.4.5; the TSS descriptor 7.2.3).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vireo/paging.h>
#include <vireo/x86.h>

#include "boot/entry.h"

#define GDT_CODE32	0x00cf9b000000ffffULL	/* P, S, type 0xb, D, G */
#define GDT_DATA	0x00cf93000000ffffULL	/* P, S, type 0x3, B, G */
#define GDT_CODE64	0x00af9b000000ffffULL	/* P, S, type 0xb, L, G */
#define TSS_LIMIT	0x67			/* 104 bytes, no I/O bitmap */
#define GDT_ENTRIES	6			/* the TSS takes two slots */

/* The whole boot area, built in the monitor and written in one go. */
#define AREA_SIZE	(VIREO_ENTRY_END - VIREO_ENTRY_GDT)
#define AT(gpa)		((gpa) - VIREO_ENTRY_GDT)

static void put64(uint8_t *area, uint64_t gpa, uint64_t v)
{
	memcpy(area + AT(gpa), &v, sizeof(v));
}

void vireo_boot_seg_flat(struct vireo_segment *s, uint16_t sel, uint8_t type, bool db, bool l)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = db;
	s->l = l;
	s->g = 1;
}

static void build_gdt(uint8_t *area, bool lm)
{
	uint64_t base = VIREO_ENTRY_TSS;
	uint64_t tss = TSS_LIMIT | ((base & 0xffffff) << 16) |
		       ((uint64_t)VIREO_SEG_TYPE_TSS_BUSY << 40) | (1ULL << 47) |
		       (((base >> 24) & 0xff) << 56);

	put64(area, VIREO_ENTRY_GDT + VIREO_ENTRY_SEL_CODE32, GDT_CODE32);
	put64(area, VIREO_ENTRY_GDT + VIREO_ENTRY_SEL_CS, lm ? GDT_CODE64 : GDT_CODE32);
	put64(area, VIREO_ENTRY_GDT + VIREO_ENTRY_SEL_DS, GDT_DATA);
	put64(area, VIREO_ENTRY_GDT + VIREO_ENTRY_SEL_TSS, tss);
	put64(area, VIREO_ENTRY_GDT + VIREO_ENTRY_SEL_TSS + 8, base >> 32);
	/* I/O map base past the limit: no I/O permission bitmap. */
	area[AT(VIREO_ENTRY_TSS) + 0x66] = TSS_LIMIT + 1;
}

static void build_page_tables(uint8_t *area)
{
	const uint64_t rw = VIREO_PTE_P | VIREO_PTE_RW;
	unsigned int i;

	put64(area, VIREO_ENTRY_PML4, VIREO_ENTRY_PDPT | rw);
	for (i = 0; i < 4; i++)
		put64(area, VIREO_ENTRY_PDPT + 8 * i, (VIREO_ENTRY_PD + 0x1000ULL * i) | rw);
	for (i = 0; i < 4 * 512; i++)
		put64(area, VIREO_ENTRY_PD + 8 * i, ((uint64_t)i << 21) | rw | VIREO_PTE_PS);
}

int vireo_boot_entry_setup(const struct vireo_boot_entry *e, const struct vireo_mem *mem,
			   struct vireo_regs *regs, struct vireo_sregs *sregs)
{
	uint8_t *area;
	bool lm;
	int ret;

	if (e->mode != VIREO_ENTRY_PROT32 && e->mode != VIREO_ENTRY_LONG64)
		return -EINVAL;
	if (!mem->write)
		return -EFAULT;
	lm = e->mode == VIREO_ENTRY_LONG64;

	area = calloc(1, AREA_SIZE);
	if (!area)
		return -ENOMEM;
	build_gdt(area, lm);
	if (lm)
		build_page_tables(area);
	/*
	 * Without paging only the GDT and TSS are written: a Multiboot
	 * kernel may be loaded over the page tables' area.
	 */
	ret = mem->write(mem->opaque, VIREO_ENTRY_GDT, area,
			 lm ? AREA_SIZE : VIREO_ENTRY_PROT32_END - VIREO_ENTRY_GDT) ? -EFAULT : 0;
	free(area);
	if (ret)
		return ret;

	memset(regs, 0, sizeof(*regs));
	memset(sregs, 0, sizeof(*sregs));
	regs->rip = e->rip;
	regs->rax = e->rax;
	regs->rbx = e->rbx;
	regs->rsi = e->rsi;
	regs->rsp = VIREO_ENTRY_STACK;
	regs->rflags = VIREO_RFLAGS_FIXED;	/* IF = 0 */

	vireo_boot_seg_flat(&sregs->cs, VIREO_ENTRY_SEL_CS, VIREO_SEG_TYPE_CODE_RX_A, !lm, lm);
	vireo_boot_seg_flat(&sregs->ds, VIREO_ENTRY_SEL_DS, VIREO_SEG_TYPE_DATA_RW_A, true, false);
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;

	sregs->tr.selector = VIREO_ENTRY_SEL_TSS;
	sregs->tr.base = VIREO_ENTRY_TSS;
	sregs->tr.limit = TSS_LIMIT;
	sregs->tr.type = VIREO_SEG_TYPE_TSS_BUSY;
	sregs->tr.present = 1;
	sregs->ldt.type = VIREO_SEG_TYPE_LDT;
	sregs->ldt.unusable = 1;

	sregs->gdt.base = VIREO_ENTRY_GDT;
	sregs->gdt.limit = GDT_ENTRIES * 8 - 1;
	sregs->cr0 = VIREO_CR0_PE | VIREO_CR0_ET | VIREO_CR0_NE;
	if (lm) {
		sregs->cr0 |= VIREO_CR0_PG;
		sregs->cr3 = VIREO_ENTRY_PML4;
		sregs->cr4 = VIREO_CR4_PAE;
		sregs->efer = VIREO_EFER_LME | VIREO_EFER_LMA;
	}
	return 0;
}
