// SPDX-License-Identifier: GPL-2.0
/*
 * Two-dimensional paging tables (AMD NPT and Intel EPT share the radix
 * layout: 9 bits per level, 4 KiB leaves; APM vol. 2 15.25, SDM vol. 3
 * 29.3.2).  The backend supplies the entry bits and the number of levels.
 *
 * Callers hold vm->mmu_lock.  Only 4 KiB leaves are created for now.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/io.h>

#include "vireo.h"

#define TDP_ENTRIES		512
#define TDP_ADDR_MASK		0x000ffffffffff000ULL

static unsigned int tdp_index(u64 gpa, int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * (level - 1))) & (TDP_ENTRIES - 1);
}

static bool tdp_present(const struct vireo_tdp *tdp, u64 pte)
{
	return pte & tdp->fmt->present_mask;
}

static u64 *tdp_table_of(u64 pte)
{
	return phys_to_virt(pte & TDP_ADDR_MASK);
}

int vireo_tdp_init(struct vireo_tdp *tdp, const struct vireo_tdp_format *fmt)
{
	tdp->fmt = fmt;
	tdp->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!tdp->root)
		return -ENOMEM;
	tdp->root_pa = virt_to_phys(tdp->root);
	return 0;
}

static void tdp_free_table(const struct vireo_tdp *tdp, u64 *table, int level)
{
	int i;

	if (level > 1) {
		for (i = 0; i < TDP_ENTRIES; i++)
			if (tdp_present(tdp, table[i]))
				tdp_free_table(tdp, tdp_table_of(table[i]), level - 1);
	}
	free_page((unsigned long)table);
}

void vireo_tdp_destroy(struct vireo_tdp *tdp)
{
	if (tdp->root)
		tdp_free_table(tdp, tdp->root, tdp->fmt->levels);
	tdp->root = NULL;
}

int vireo_tdp_map(struct vireo_tdp *tdp, u64 gpa, phys_addr_t hpa, bool writable)
{
	u64 *table = tdp->root;
	int level;

	for (level = tdp->fmt->levels; level > 1; level--) {
		u64 *pte = &table[tdp_index(gpa, level)];

		if (!tdp_present(tdp, *pte)) {
			u64 *next = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

			if (!next)
				return -ENOMEM;
			WRITE_ONCE(*pte, virt_to_phys(next) | tdp->fmt->table_bits);
		}
		table = tdp_table_of(*pte);
	}
	WRITE_ONCE(table[tdp_index(gpa, 1)], (hpa & TDP_ADDR_MASK) | tdp->fmt->leaf_bits |
						     (writable ? tdp->fmt->write_bit : 0));
	return 0;
}

/*
 * Clears the leaves in [gpa, gpa + size).  Intermediate tables stay (they
 * are freed with the VM); the caller flushes the vCPUs' TLBs.
 */
void vireo_tdp_unmap_range(struct vireo_tdp *tdp, u64 gpa, u64 size)
{
	u64 end = gpa + size;

	while (gpa < end) {
		u64 *table = tdp->root;
		int level;

		for (level = tdp->fmt->levels; level > 1; level--) {
			u64 pte = table[tdp_index(gpa, level)];
			u64 span = 1ULL << (PAGE_SHIFT + 9 * (level - 1));

			if (!tdp_present(tdp, pte)) {
				/* Nothing mapped below: skip the whole span. */
				gpa = (gpa & ~(span - 1)) + span;
				goto next;
			}
			table = tdp_table_of(pte);
		}
		WRITE_ONCE(table[tdp_index(gpa, 1)], 0);
		gpa += PAGE_SIZE;
next:
		cond_resched();
	}
}
