// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the two-dimensional paging tables of tdp.c.  Both AMD's nested
 * page tables (APM vol. 2 15.25, the long-mode page-table format) and
 * Intel's EPT (SDM vol. 3 29.3.2) are radix trees of 512 8-byte entries a
 * page, 9 GPA bits a level from bit 12 up, the next table's or the page's
 * physical address in bits 51:12.  The cases walk the tables themselves
 * with those rules, through fake NPT- and EPT-like entry formats.
 */
#include <linux/kernel.h>
#include <asm/io.h>

#include "vireo_test.h"

#define ADDR_MASK	0x000ffffffffff000ULL	/* bits 51:12 */

/* NPT: P(0) RW(1) US(2); guest pages are user pages. */
static const struct vireo_tdp_format npt4 = {
	.levels = 4, .table_bits = 0x7, .leaf_bits = 0x5, .write_bit = 0x2, .present_mask = 0x1,
};

static const struct vireo_tdp_format npt5 = {
	.levels = 5, .table_bits = 0x7, .leaf_bits = 0x5, .write_bit = 0x2, .present_mask = 0x1,
};

/* EPT: R(0) W(1) X(2), memory type WB (6) in 5:3 on leaves; present = any of RWX. */
static const struct vireo_tdp_format ept4 = {
	.levels = 4, .table_bits = 0x7, .leaf_bits = 0x5 | 6 << 3, .write_bit = 0x2,
	.present_mask = 0x7,
};

static unsigned int idx(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * (level - 1))) & 511;
}

static u64 *table_at(u64 pte)
{
	return phys_to_virt(pte & ADDR_MASK);
}

/* The leaf entry for gpa, or 0 if a table on the way is not present. */
static u64 walk(const struct vireo_tdp *tdp, u64 gpa)
{
	u64 *table = tdp->root;
	int level;

	for (level = tdp->fmt->levels; level > 1; level--) {
		u64 pte = table[idx(gpa, level)];

		if (!(pte & tdp->fmt->present_mask))
			return 0;
		if ((pte & ~ADDR_MASK) != tdp->fmt->table_bits)
			return 0;
		table = table_at(pte);
	}
	return table[idx(gpa, 1)];
}

/* Tables in the tree, root included. */
static int count_tables(const struct vireo_tdp *tdp, u64 *table, int level)
{
	int i, n = 1;

	if (level == 1)
		return 1;
	for (i = 0; i < 512; i++)
		if (table[i] & tdp->fmt->present_mask)
			n += count_tables(tdp, table_at(table[i]), level - 1);
	return n;
}

static int tables(const struct vireo_tdp *tdp)
{
	return count_tables(tdp, tdp->root, tdp->fmt->levels);
}

struct tdp_ctx {
	struct vireo_tdp tdp;
};

static int tdp_init(struct kunit *test)
{
	struct tdp_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	return 0;
}

static void tdp_exit(struct kunit *test)
{
	struct tdp_ctx *ctx = test->priv;

	if (ctx && ctx->tdp.root)
		vireo_tdp_destroy(&ctx->tdp);
}

static struct vireo_tdp *new_tdp(struct kunit *test, const struct vireo_tdp_format *fmt)
{
	struct tdp_ctx *ctx = test->priv;

	KUNIT_ASSERT_EQ(test, vireo_tdp_init(&ctx->tdp, fmt), 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->tdp.root);
	KUNIT_EXPECT_PTR_EQ(test, phys_to_virt(ctx->tdp.root_pa), (void *)ctx->tdp.root);
	KUNIT_EXPECT_EQ(test, ctx->tdp.root_pa & 0xfff, 0ULL);	/* page aligned */
	return &ctx->tdp;
}

/* A leaf holds the page's address, the leaf bits and, if writable, W. */
static void tdp_leaf_entries(struct kunit *test)
{
	struct vireo_tdp *tdp = new_tdp(test, &npt4);

	KUNIT_EXPECT_EQ(test, tables(tdp), 1);
	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 0x1000, 0xabcde000, true), 0);
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x1000), 0xabcde000ULL | 0x5 | 0x2);
	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 0x2000, 0x12345000, false), 0);
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x2000), 0x12345000ULL | 0x5);
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x3000), 0ULL);
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x0), 0ULL);
}

/* GPA bits 47:39, 38:30, 29:21 and 20:12 index the four levels. */
static void tdp_index_per_level(struct kunit *test)
{
	struct vireo_tdp *tdp = new_tdp(test, &npt4);
	u64 gpa = 3ULL << 39 | 5ULL << 30 | 7ULL << 21 | 9ULL << 12;
	u64 *l4 = tdp->root, *l3, *l2, *l1;
	int i;

	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, gpa, 0x77777000, true), 0);
	for (i = 0; i < 512; i++)
		KUNIT_EXPECT_EQ_MSG(test, !!l4[i], i == 3, "PML4 entry %d", i);
	KUNIT_ASSERT_EQ(test, l4[3] & ~ADDR_MASK, npt4.table_bits);
	l3 = table_at(l4[3]);
	for (i = 0; i < 512; i++)
		KUNIT_EXPECT_EQ_MSG(test, !!l3[i], i == 5, "PDPT entry %d", i);
	l2 = table_at(l3[5]);
	for (i = 0; i < 512; i++)
		KUNIT_EXPECT_EQ_MSG(test, !!l2[i], i == 7, "PD entry %d", i);
	l1 = table_at(l2[7]);
	for (i = 0; i < 512; i++)
		KUNIT_EXPECT_EQ_MSG(test, !!l1[i], i == 9, "PT entry %d", i);
	KUNIT_EXPECT_EQ(test, l1[9], 0x77777000ULL | 0x7);
}

/* A table is shared by every GPA under its entry: one per 2 MiB, 1 GiB, 512 GiB. */
static void tdp_tables_are_shared(struct kunit *test)
{
	struct vireo_tdp *tdp = new_tdp(test, &npt4);
	long pages = vt_pages_outstanding();

	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 0x200000, 0x1000, true), 0);
	KUNIT_EXPECT_EQ(test, tables(tdp), 4);
	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 0x3ff000, 0x2000, true), 0);	/* same 2 MiB */
	KUNIT_EXPECT_EQ(test, tables(tdp), 4);
	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 0x400000, 0x3000, true), 0);	/* same 1 GiB */
	KUNIT_EXPECT_EQ(test, tables(tdp), 5);
	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 0x40000000, 0x4000, true), 0);	/* same 512 GiB */
	KUNIT_EXPECT_EQ(test, tables(tdp), 7);
	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 1ULL << 39, 0x5000, true), 0);
	KUNIT_EXPECT_EQ(test, tables(tdp), 10);
	if (VT_HOST)	/* every table allocated is in the tree */
		KUNIT_EXPECT_EQ(test, vt_pages_outstanding() - pages, 9L);

	KUNIT_EXPECT_EQ(test, walk(tdp, 0x200000), 0x1000ULL | 0x7);
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x3ff000), 0x2000ULL | 0x7);
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x400000), 0x3000ULL | 0x7);
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x40000000), 0x4000ULL | 0x7);
	KUNIT_EXPECT_EQ(test, walk(tdp, 1ULL << 39), 0x5000ULL | 0x7);
}

/* Mapping a mapped GPA again replaces its leaf. */
static void tdp_remap_replaces(struct kunit *test)
{
	struct vireo_tdp *tdp = new_tdp(test, &npt4);

	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 0x5000, 0x10000, true), 0);
	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 0x5000, 0x20000, false), 0);
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x5000), 0x20000ULL | 0x5);
	KUNIT_EXPECT_EQ(test, tables(tdp), 4);
}

/* Only bits 51:12 of the host address go into the entry. */
static void tdp_host_address_bits(struct kunit *test)
{
	struct vireo_tdp *tdp = new_tdp(test, &npt4);

	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 0x6000, 0xfff0000123456fffULL, false), 0);
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x6000), 0x0000000123456000ULL | 0x5);
}

/* Unmapping clears exactly the leaves in [gpa, gpa + size), across tables. */
static void tdp_unmap_range(struct kunit *test)
{
	struct vireo_tdp *tdp = new_tdp(test, &npt4);
	u64 gpa;

	for (gpa = 0x1fc000; gpa < 0x204000; gpa += 0x1000)
		KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, gpa, gpa + 0x10000000, true), 0);
	vireo_tdp_unmap_range(tdp, 0x1fe000, 0x4000);	/* straddles 2 MiB */
	for (gpa = 0x1fc000; gpa < 0x204000; gpa += 0x1000) {
		bool gone = gpa >= 0x1fe000 && gpa < 0x202000;

		KUNIT_EXPECT_EQ_MSG(test, walk(tdp, gpa), gone ? 0ULL : (gpa + 0x10000000) | 0x7,
				    "gpa 0x%llx", gpa);
	}
	/* the tables stay: they go with the VM */
	KUNIT_EXPECT_EQ(test, tables(tdp), 5);
}

/* Unmapping over unmapped space skips it and still finds what is mapped. */
static void tdp_unmap_sparse(struct kunit *test)
{
	struct vireo_tdp *tdp = new_tdp(test, &npt4);
	static const u64 gpas[] = { 0x1000, 0x7fe00000, 5ULL << 39 | 0x3000, 0xfffffffff000ULL };
	int i;

	vireo_tdp_unmap_range(tdp, 0, 1ULL << 48);	/* nothing mapped at all */
	for (i = 0; i < ARRAY_SIZE(gpas); i++)
		KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, gpas[i], 0x9000, true), 0);
	vireo_tdp_unmap_range(tdp, 0x2000, (1ULL << 48) - 0x2000);
	KUNIT_EXPECT_NE(test, walk(tdp, 0x1000), 0ULL);
	for (i = 1; i < ARRAY_SIZE(gpas); i++)
		KUNIT_EXPECT_EQ_MSG(test, walk(tdp, gpas[i]), 0ULL, "gpa 0x%llx", gpas[i]);
	vireo_tdp_unmap_range(tdp, 0, 0x2000);
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x1000), 0ULL);
}

/* A range that starts inside an unmapped region still reaches the next one's start. */
static void tdp_unmap_from_inside_a_hole(struct kunit *test)
{
	struct vireo_tdp *tdp = new_tdp(test, &npt4);

	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 0x200000, 0xa000, true), 0);	/* PD[1] */
	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 0x40000000, 0xb000, true), 0);	/* PDPT[1] */
	vireo_tdp_unmap_range(tdp, 0x1000, 0x200000);		/* from inside PD[0]'s hole */
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x200000), 0ULL);
	vireo_tdp_unmap_range(tdp, 0x3ff000, 0x40001000 - 0x3ff000);	/* from inside PD[1] */
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x40000000), 0ULL);
}

/* Five levels (AMD NPT under LA57): GPA bits 56:48 index the top table. */
static void tdp_five_levels(struct kunit *test)
{
	struct vireo_tdp *tdp = new_tdp(test, &npt5);
	u64 gpa = 1ULL << 48 | 2ULL << 39 | 0x1000;

	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, gpa, 0x42000, true), 0);
	KUNIT_EXPECT_EQ(test, tables(tdp), 5);
	KUNIT_EXPECT_NE(test, tdp->root[1], 0ULL);
	KUNIT_EXPECT_EQ(test, tdp->root[0], 0ULL);
	KUNIT_EXPECT_EQ(test, walk(tdp, gpa), 0x42000ULL | 0x7);
	KUNIT_EXPECT_EQ(test, walk(tdp, gpa & ~(1ULL << 48)), 0ULL);
	vireo_tdp_unmap_range(tdp, gpa, 0x1000);
	KUNIT_EXPECT_EQ(test, walk(tdp, gpa), 0ULL);
}

/* EPT: an entry is present if any of R, W, X is set; leaves carry the memory type. */
static void tdp_ept_format(struct kunit *test)
{
	struct vireo_tdp *tdp = new_tdp(test, &ept4);

	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 0x8000, 0x99000, false), 0);
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x8000), 0x99000ULL | 0x5 | 6 << 3);
	KUNIT_ASSERT_EQ(test, vireo_tdp_map(tdp, 0x9000, 0x9a000, true), 0);
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x9000), 0x9a000ULL | 0x7 | 6 << 3);
	vireo_tdp_unmap_range(tdp, 0x8000, 0x1000);
	KUNIT_EXPECT_EQ(test, walk(tdp, 0x8000), 0ULL);
	KUNIT_EXPECT_NE(test, walk(tdp, 0x9000), 0ULL);
}

/* Destroying the tree frees every table (the runner also checks for leaks). */
static void tdp_destroy_frees_tables(struct kunit *test)
{
	struct tdp_ctx *ctx = test->priv;
	struct vireo_tdp *tdp;
	long pages;

	vt_need_host(test, "a count of allocated pages");
	pages = vt_pages_outstanding();
	tdp = new_tdp(test, &npt4);
	vireo_tdp_map(tdp, 0x1000, 0x1000, true);
	vireo_tdp_map(tdp, 1ULL << 39, 0x1000, true);
	vireo_tdp_map(tdp, 0x40000000, 0x1000, true);
	KUNIT_EXPECT_EQ(test, vt_pages_outstanding() - pages, (long)tables(tdp));
	vireo_tdp_destroy(tdp);
	KUNIT_EXPECT_NULL(test, ctx->tdp.root);
	KUNIT_EXPECT_EQ(test, vt_pages_outstanding(), pages);
}

static struct kunit_case tdp_cases[] = {
	KUNIT_CASE(tdp_leaf_entries),
	KUNIT_CASE(tdp_index_per_level),
	KUNIT_CASE(tdp_tables_are_shared),
	KUNIT_CASE(tdp_remap_replaces),
	KUNIT_CASE(tdp_host_address_bits),
	KUNIT_CASE(tdp_unmap_range),
	KUNIT_CASE(tdp_unmap_sparse),
	KUNIT_CASE(tdp_unmap_from_inside_a_hole),
	KUNIT_CASE(tdp_five_levels),
	KUNIT_CASE(tdp_ept_format),
	KUNIT_CASE(tdp_destroy_frees_tables),
	{}
};

static struct kunit_suite tdp_suite = {
	.name = "vireo_tdp",
	.init = tdp_init,
	.exit = tdp_exit,
	.test_cases = tdp_cases,
};

kunit_test_suite(tdp_suite);
