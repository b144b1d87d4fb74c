// SPDX-License-Identifier: GPL-2.0
/*
 * The bare monitor's CPUID table: vireo.ko's supported table
 * (VIREO_GET_SUPPORTED_CPUID, the one policy; cpu_model.c takes features
 * away from it), then the user's --cpuid entries, which replace an entry
 * for the same leaf and sub-leaf.  The kernel answers CPUID from this
 * table alone (a leaf not in it reads 0).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cpuid_table.h"

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

/* Removes every entry of leaf (all its sub-leaves). */
static void drop_leaf(struct vireo_cpuid_table *t, uint32_t leaf)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->n; i++)
		if (t->e[i].function != leaf)
			t->e[n++] = t->e[i];
	t->n = n;
}

/*
 * vireo.ko answers from the first entry that matches (kmod/cpuid.c), so a
 * whole-leaf entry replaces every sub-leaf entry of its leaf, and a
 * sub-leaf entry goes in before a whole-leaf one.
 */
int vireo_cpuid_set(struct vireo_cpuid_table *t, const struct vireo_cpuid_entry *e)
{
	bool indexed = e->flags & VIREO_CPUID_FLAG_INDEXED;
	struct vireo_cpuid_entry *slot = indexed ? find(t, e->function, true, e->index) : NULL;
	struct vireo_cpuid_entry *whole;

	if (!indexed)
		drop_leaf(t, e->function);
	if (!slot) {
		if (t->n == VIREO_MAX_CPUID_ENTRIES)
			return -ENOSPC;
		whole = indexed ? find(t, e->function, false, 0) : NULL;
		slot = &t->e[t->n++];
		if (whole) {
			memmove(whole + 1, whole, (size_t)(slot - whole) * sizeof(*whole));
			slot = whole;
		}
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
