/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bare monitor's CPUID table: vireo.ko's supported table, then the
 * user's --cpuid overrides (cpuid_table.c).
 */
#ifndef VIREO_RUN_CPUID_TABLE_H
#define VIREO_RUN_CPUID_TABLE_H

#include <stdint.h>

#include <vireo.h>

#define VIREO_CPUID_HV_LEAF	0x40000000U
#define VIREO_CPUID_HV_SIG	"VireoVireoVi"	/* EBX, ECX, EDX */

#define VIREO_CPUID_1_ECX_VMX		(1U << 5)
#define VIREO_CPUID_1_ECX_OSXSAVE	(1U << 27)
#define VIREO_CPUID_1_ECX_HYPERVISOR	(1U << 31)
#define VIREO_CPUID_80000001_ECX_SVM	(1U << 2)

struct vireo_cpuid_table {
	struct vireo_cpuid_entry e[VIREO_MAX_CPUID_ENTRIES];
	unsigned int n;
};

/*
 * Add e, replacing an entry for the same leaf (and sub-leaf, if e is
 * indexed).  -ENOSPC when the table is full.
 */
int vireo_cpuid_set(struct vireo_cpuid_table *t, const struct vireo_cpuid_entry *e);

/* The entry CPUID(leaf, subleaf) would return, or NULL (reads as 0). */
const struct vireo_cpuid_entry *vireo_cpuid_lookup(const struct vireo_cpuid_table *t,
						   uint32_t leaf, uint32_t subleaf);

#endif /* VIREO_RUN_CPUID_TABLE_H */
