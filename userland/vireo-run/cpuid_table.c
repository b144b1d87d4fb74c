// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID table builder.  The kernel answers CPUID from this table alone (a
 * leaf not in it reads 0), so what is here is the whole CPU the guest sees.
 *
 * Adjustments to the host's values, and why:
 *   leaf 1 ECX[31]   hypervisor present: guests look for leaf 0x40000000
 *   leaf 1 ECX[5]    VMX hidden, 0x80000001 ECX[2] SVM hidden: no nesting
 *   leaf 1 ECX[27]   OSXSAVE mirrors the guest's CR4.OSXSAVE, 0 at reset
 *   leaf 1 EBX[31:24] initial APIC ID of vCPU 0
 */
#include <cpuid.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cpuid_table.h"

void vireo_host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	__cpuid_count(leaf, subleaf, out[0], out[1], out[2], out[3]);
}

static struct vireo_cpuid_entry *find(struct vireo_cpuid_table *t, uint32_t leaf, bool indexed,
				      uint32_t index)
{
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		struct vireo_cpuid_entry *e = &t->e[i];
		bool e_indexed = e->flags & VIREO_CPUID_FLAG_INDEXED;

		if (e->function == leaf && e_indexed == indexed && (!indexed || e->index == index))
			return e;
	}
	return NULL;
}

int vireo_cpuid_set(struct vireo_cpuid_table *t, const struct vireo_cpuid_entry *e)
{
	bool indexed = e->flags & VIREO_CPUID_FLAG_INDEXED;
	struct vireo_cpuid_entry *slot = find(t, e->function, indexed, e->index);

	if (!slot) {
		if (t->n == VIREO_MAX_CPUID_ENTRIES)
			return -ENOSPC;
		slot = &t->e[t->n++];
	}
	*slot = *e;
	slot->reserved = 0;
	if (!indexed)
		slot->index = 0;
	return 0;
}

const struct vireo_cpuid_entry *vireo_cpuid_lookup(const struct vireo_cpuid_table *t,
						   uint32_t leaf, uint32_t subleaf)
{
	const struct vireo_cpuid_entry *any = NULL;
	unsigned int i;

	/* An indexed entry for the exact sub-leaf wins over a plain one. */
	for (i = 0; i < t->n; i++) {
		const struct vireo_cpuid_entry *e = &t->e[i];

		if (e->function != leaf)
			continue;
		if (!(e->flags & VIREO_CPUID_FLAG_INDEXED))
			any = e;
		else if (e->index == subleaf)
			return e;
	}
	return any;
}

static void add_host(struct vireo_cpuid_table *t, vireo_cpuid_fn cpuid, uint32_t leaf)
{
	struct vireo_cpuid_entry e = { .function = leaf };
	uint32_t r[4];

	cpuid(leaf, 0, r);
	e.eax = r[0];
	e.ebx = r[1];
	e.ecx = r[2];
	e.edx = r[3];

	if (leaf == 1) {
		e.ecx |= VIREO_CPUID_1_ECX_HYPERVISOR;
		e.ecx &= ~(VIREO_CPUID_1_ECX_VMX | VIREO_CPUID_1_ECX_OSXSAVE);
		e.ebx &= 0x00ffffff;
	} else if (leaf == 0x80000001) {
		e.ecx &= ~VIREO_CPUID_80000001_ECX_SVM;
	}
	vireo_cpuid_set(t, &e);
}

static void add_xsave_leaves(struct vireo_cpuid_table *t, vireo_cpuid_fn cpuid)
{
	uint32_t r[4], i;
	uint64_t components;

	cpuid(0xd, 0, r);
	components = ((uint64_t)r[3] << 32) | r[0];
	for (i = 0; i < 63; i++) {
		struct vireo_cpuid_entry e = {
			.function = 0xd, .index = i, .flags = VIREO_CPUID_FLAG_INDEXED,
		};

		if (i >= 2 && !(components & (1ULL << i)))
			continue;
		cpuid(0xd, i, r);
		e.eax = r[0];
		e.ebx = r[1];
		e.ecx = r[2];
		e.edx = r[3];
		if (i == 1)
			e.eax &= ~(1U << 3);	/* XSAVES: IA32_XSS is not offered */
		vireo_cpuid_set(t, &e);
	}
}

void vireo_cpuid_defaults(struct vireo_cpuid_table *t, vireo_cpuid_fn cpuid)
{
	struct vireo_cpuid_entry hv = { .function = VIREO_CPUID_HV_LEAF };
	uint32_t r[4], leaf, max_ext;

	memset(t, 0, sizeof(*t));
	add_host(t, cpuid, 0);
	cpuid(0, 0, r);
	if (r[0] >= 1)
		add_host(t, cpuid, 1);

	/*
	 * CPUID.1 offers XSAVE when the host has it, so leaf 0xD must describe
	 * it: sub-leaves 0 and 1, and one per component leaf 0 lists (SDM
	 * vol. 1 13.2).  vireo.ko answers 0xD.0 EBX for the guest's XCR0.
	 */
	if (r[0] >= 0xd)
		add_xsave_leaves(t, cpuid);

	hv.eax = VIREO_CPUID_HV_LEAF;	/* highest hypervisor leaf */
	memcpy(&hv.ebx, VIREO_CPUID_HV_SIG, 4);
	memcpy(&hv.ecx, VIREO_CPUID_HV_SIG + 4, 4);
	memcpy(&hv.edx, VIREO_CPUID_HV_SIG + 8, 4);
	vireo_cpuid_set(t, &hv);

	cpuid(0x80000000, 0, r);
	max_ext = r[0];
	if (max_ext < 0x80000000 || max_ext > 0x8000ffff)
		return;	/* no extended leaves at all */
	for (leaf = 0x80000000; leaf <= 0x80000008 && leaf <= max_ext; leaf++)
		add_host(t, cpuid, leaf);
}
