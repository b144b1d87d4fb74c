/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's CPUID table: host values with virtualization-relevant bits
 * adjusted, a hypervisor leaf, then the user's --cpuid overrides.
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

/* Executes CPUID leaf/subleaf: the host's, or a fake one in the tests. */
typedef void (*vireo_cpuid_fn)(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* The real instruction on this host. */
void vireo_host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/*
 * Default table: leaves 0 and 1, 0x80000000-0x80000008 (as far as the
 * host has them) with the hypervisor bit set and VMX/SVM cleared, and the
 * Vireo leaf 0x40000000.
 */
void vireo_cpuid_defaults(struct vireo_cpuid_table *t, vireo_cpuid_fn cpuid);

/*
 * Add e, replacing an entry for the same leaf (and sub-leaf, if e is
 * indexed).  -ENOSPC when the table is full.
 */
int vireo_cpuid_set(struct vireo_cpuid_table *t, const struct vireo_cpuid_entry *e);

/* The entry CPUID(leaf, subleaf) would return, or NULL (reads as 0). */
const struct vireo_cpuid_entry *vireo_cpuid_lookup(const struct vireo_cpuid_table *t,
						   uint32_t leaf, uint32_t subleaf);

#endif /* VIREO_RUN_CPUID_TABLE_H */
