// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page table entries (APM vol. 2 15.25.5): ordinary long-mode
 * page-table entries.  Every level carries U/S=1 because the nested walk
 * is performed as a user access; NX stays clear (guest code may run
 * anywhere in its RAM).
 */
#include <linux/pgtable.h>

#include "svm.h"

#define NPT_PRESENT	(1ULL << 0)
#define NPT_WRITABLE	(1ULL << 1)
#define NPT_USER	(1ULL << 2)

/*
 * The nested walk has as many levels as the host's own paging at VMRUN
 * (APM 15.25.3): five when the host kernel runs with LA57.  Set by
 * vireo_npt_setup().
 */
struct vireo_tdp_format vireo_npt_format = {
	.levels = 4,
	.table_bits = NPT_PRESENT | NPT_WRITABLE | NPT_USER,
	.leaf_bits = NPT_PRESENT | NPT_USER,
	.write_bit = NPT_WRITABLE,
	.present_mask = NPT_PRESENT,
};

void vireo_npt_setup(void)
{
	vireo_npt_format.levels = pgtable_l5_enabled() ? 5 : 4;
}
