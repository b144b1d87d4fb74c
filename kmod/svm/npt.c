// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page table entries (APM vol. 2 15.25.5): ordinary long-mode
 * page-table entries.  Every level carries U/S=1 because the nested walk
 * is performed as a user access; NX stays clear (guest code may run
 * anywhere in its RAM).
 */
#include "svm.h"

#define NPT_PRESENT	(1ULL << 0)
#define NPT_WRITABLE	(1ULL << 1)
#define NPT_USER	(1ULL << 2)

const struct vireo_tdp_format vireo_npt_format = {
	.table_bits = NPT_PRESENT | NPT_WRITABLE | NPT_USER,
	.leaf_bits = NPT_PRESENT | NPT_USER,
	.write_bit = NPT_WRITABLE,
	.present_mask = NPT_PRESENT,
};
