// SPDX-License-Identifier: GPL-2.0
/*
 * The bare monitor's CPUID table (--cpuid overrides over vireo.ko's
 * supported table) and --cpu models (cpu_model.c), on a made-up supported
 * table so that results are exact.
 */
#include <errno.h>

#include <vireo/error.h>

#include "cpu_model.h"
#include "cpuid_table.h"
#include "test.h"

#define IDX	VIREO_CPUID_FLAG_INDEXED

/*
 * A supported table with everything up to x86-64-v4 and some beyond: SSE3
 * ... SSE4.2, POPCNT, CX16, XSAVE, AVX, FMA, F16C, MOVBE, AES, x2APIC;
 * BMI1/2, AVX2, AVX-512 F/DQ/CD/BW/VL/IFMA, SHA, PKU; LAHF, LZCNT; XSAVE
 * components x87, SSE, AVX, the three of AVX-512 and PKRU.
 */
static unsigned int full_table(struct vireo_cpuid_entry *e)
{
	const struct vireo_cpuid_entry t[] = {
		{ .function = 0, .eax = 0xd },
		{ .function = 1, .ecx = 0x80000000 | (1U << 0) | (1U << 9) | (1U << 12) |
		  (1U << 13) | (1U << 19) | (1U << 20) | (1U << 21) | (1U << 22) | (1U << 23) |
		  (1U << 25) | (1U << 26) | (1U << 28) | (1U << 29),
		  .edx = (1U << 0) | (1U << 8) | (1U << 15) | (1U << 23) | (1U << 24) |
		  (1U << 25) | (1U << 26) },
		{ .function = 7, .flags = IDX, .ebx = (1U << 3) | (1U << 5) | (1U << 8) |
		  (1U << 16) | (1U << 17) | (1U << 21) | (1U << 28) | (1U << 29) | (1U << 30) |
		  (1U << 31), .ecx = 1U << 3 },
		{ .function = 0xd, .index = 0, .flags = IDX, .eax = 0x2e7, .ecx = 2696 },
		{ .function = 0xd, .index = 1, .flags = IDX, .eax = 0x7 },
		{ .function = 0xd, .index = 2, .flags = IDX, .eax = 256, .ebx = 576 },
		{ .function = 0xd, .index = 5, .flags = IDX, .eax = 64, .ebx = 1088 },
		{ .function = 0xd, .index = 6, .flags = IDX, .eax = 512, .ebx = 1152 },
		{ .function = 0xd, .index = 7, .flags = IDX, .eax = 1024, .ebx = 1664 },
		{ .function = 0xd, .index = 9, .flags = IDX, .eax = 8, .ebx = 2688 },
		{ .function = 0x80000001, .ecx = (1U << 0) | (1U << 5),
		  .edx = (1U << 11) | (1U << 29) },
		{ .function = 0x40000000, .eax = 0x40000001 },
	};

	memcpy(e, t, sizeof(t));
	return sizeof(t) / sizeof(t[0]);
}

static const struct vireo_cpuid_entry *leaf(const struct vireo_cpuid_entry *e, unsigned int n,
					    uint32_t fn, uint32_t idx)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (e[i].function == fn && (!(e[i].flags & IDX) || e[i].index == idx))
			return &e[i];
	return NULL;
}

static void cpuid_overrides(void)
{
	static struct vireo_cpuid_table t;
	struct vireo_cpuid_entry e1 = { .function = 1, .eax = 0x11 };
	struct vireo_cpuid_entry e7a = { .function = 7, .index = 0, .flags = 1, .ebx = 0xa };
	struct vireo_cpuid_entry e7b = { .function = 7, .index = 1, .flags = 1, .ebx = 0xb };
	unsigned int n;

	memset(&t, 0, sizeof(t));
	t.n = full_table(t.e);
	n = t.n;
	T_EQ(vireo_cpuid_set(&t, &e1), 0);	/* replaces leaf 1 */
	T_EQ(t.n, n);
	T_EQ(vireo_cpuid_lookup(&t, 1, 0)->eax, 0x11);
	T_EQ(vireo_cpuid_lookup(&t, 1, 0)->ecx, 0);	/* the whole entry */
	T_EQ(vireo_cpuid_set(&t, &e7a), 0);		/* replaces leaf 7.0 */
	T_EQ(vireo_cpuid_set(&t, &e7b), 0);
	T_EQ(t.n, n + 1);
	T_EQ(vireo_cpuid_lookup(&t, 7, 1)->ebx, 0xb);
	T_EQ(vireo_cpuid_lookup(&t, 7, 0)->ebx, 0xa);
	T_TRUE(vireo_cpuid_lookup(&t, 7, 2) == NULL);
	e7b.ebx = 0xc;
	T_EQ(vireo_cpuid_set(&t, &e7b), 0);
	T_EQ(t.n, n + 1);
	T_EQ(vireo_cpuid_lookup(&t, 7, 1)->ebx, 0xc);
}

/*
 * The kernel answers from the first match: "--cpuid 7=..." must replace the
 * supported table's sub-leaf entries of leaf 7, and "--cpuid 7.1=..." must
 * come before a whole-leaf 7 entry.
 */
static void cpuid_whole_leaf_overrides_subleaves(void)
{
	static struct vireo_cpuid_table t;
	struct vireo_cpuid_entry whole = { .function = 0xd, .eax = 0x1 };
	struct vireo_cpuid_entry sub = { .function = 0xd, .index = 2, .flags = IDX, .eax = 0x2 };
	unsigned int i, n;

	memset(&t, 0, sizeof(t));
	t.n = full_table(t.e);
	n = t.n;
	T_EQ(vireo_cpuid_set(&t, &whole), 0);
	T_EQ(t.n, n - 7 + 1);			/* the seven 0xD sub-leaves are gone */
	T_EQ(vireo_cpuid_lookup(&t, 0xd, 2)->eax, 0x1);
	T_EQ(vireo_cpuid_set(&t, &sub), 0);
	for (i = 0; i < t.n && t.e[i].function != 0xd; i++)
		;
	T_TRUE(i < t.n && (t.e[i].flags & IDX) && t.e[i].index == 2);	/* first */
	T_TRUE(i + 1 < t.n && t.e[i + 1].function == 0xd && !(t.e[i + 1].flags & IDX));
	T_EQ(vireo_cpuid_lookup(&t, 0xd, 2)->eax, 0x2);
	T_EQ(vireo_cpuid_lookup(&t, 0xd, 3)->eax, 0x1);
	T_EQ(vireo_cpuid_lookup(&t, 0x80000001, 0)->edx, (1U << 11) | (1U << 29));	/* untouched */
}

static void cpuid_table_full(void)
{
	static struct vireo_cpuid_table t;
	struct vireo_cpuid_entry e = { 0 };
	unsigned int i;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < VIREO_MAX_CPUID_ENTRIES; i++) {
		e.function = 0x1000 + i;
		T_EQ(vireo_cpuid_set(&t, &e), 0);
	}
	e.function = 0x2000;
	T_EQ(vireo_cpuid_set(&t, &e), -ENOSPC);
}

/* "host" changes nothing; bad spellings and '+' are refused before anything changes. */
static void cpu_model_host_and_spelling(void)
{
	struct vireo_cpuid_entry e[32], before[32];
	unsigned int n = full_table(e);
	g_autoptr(GError) err = NULL;

	memcpy(before, e, sizeof(e));
	T_EQ(vireo_cpu_model_apply("host", e, n, &err), 0);
	T_TRUE(!memcmp(e, before, n * sizeof(e[0])));
	T_EQ(vireo_cpu_model_apply("pentium", e, n, &err), -EINVAL);
	T_TRUE(strstr(ERRMSG(err), "unknown model 'pentium'") != NULL);
	T_EQ(vireo_cpu_model_apply("host,-avx,-nosuch", e, n, &err), -EINVAL);
	T_TRUE(strstr(ERRMSG(err), "unknown feature 'nosuch'") != NULL);
	T_TRUE(!memcmp(e, before, n * sizeof(e[0])));	/* -avx not applied either */
	T_EQ(vireo_cpu_model_apply("host,+avx512f", e, n, &err), -EINVAL);
	T_TRUE(strstr(ERRMSG(err), "can only be taken away") != NULL);
	T_EQ(vireo_cpu_model_apply("x86-64-v5", NULL, 0, &err), -EINVAL);
	T_EQ(vireo_cpu_model_apply("x86-64-v3,-aes", NULL, 0, &err), 0);
}

/* -avx takes AVX2, FMA, F16C and AVX-512 with it, and their XSAVE components. */
static void cpu_model_takes_dependents(void)
{
	struct vireo_cpuid_entry e[32];
	unsigned int n = full_table(e);
	g_autoptr(GError) err = NULL;

	T_EQ(vireo_cpu_model_apply("host,-avx", e, n, &err), 0);
	T_EQ(leaf(e, n, 1, 0)->ecx & ((1U << 28) | (1U << 12) | (1U << 29)), 0);
	T_EQ(leaf(e, n, 1, 0)->ecx & (1U << 26), 1U << 26);		/* XSAVE stays */
	T_EQ(leaf(e, n, 7, 0)->ebx & ((1U << 5) | (1U << 16) | (1U << 31)), 0);
	T_EQ(leaf(e, n, 7, 0)->ebx & ((1U << 3) | (1U << 8)), (1U << 3) | (1U << 8));
	T_EQ(leaf(e, n, 0xd, 0)->eax, 0x203);		/* PKRU stays */
	T_EQ(leaf(e, n, 0xd, 2)->eax, 0);
	T_EQ(leaf(e, n, 0xd, 7)->eax, 0);

	n = full_table(e);
	T_EQ(vireo_cpu_model_apply("host,-xsave", e, n, &err), 0);
	T_EQ(leaf(e, n, 1, 0)->ecx & ((1U << 26) | (1U << 28)), 0);
	T_EQ(leaf(e, n, 0xd, 0)->eax, 0);		/* leaf 0xD describes nothing */
	T_EQ(leaf(e, n, 0xd, 1)->eax, 0);
}

/*
 * PKU is no ISA level's: every model keeps it, "-pku" takes it away with
 * the PKRU state component (then CR4.PKE and XSETBV of XCR0[9] #GP).
 */
static void cpu_model_pku(void)
{
	struct vireo_cpuid_entry e[32];
	unsigned int n = full_table(e);
	g_autoptr(GError) err = NULL;

	T_EQ(vireo_cpu_model_apply("x86-64-v1", e, n, &err), 0);
	T_EQ(leaf(e, n, 7, 0)->ecx & (1U << 3), 1U << 3);

	n = full_table(e);
	T_EQ(vireo_cpu_model_apply("x86-64-v4,-pku", e, n, &err), 0);
	T_EQ(leaf(e, n, 7, 0)->ecx & (1U << 3), 0);
	T_EQ(leaf(e, n, 0xd, 0)->eax, 0xe7);
	T_EQ(leaf(e, n, 0xd, 9)->eax, 0);
	T_EQ(leaf(e, n, 0xd, 9)->ebx, 0);
	T_EQ(leaf(e, n, 7, 0)->ebx & (1U << 16), 1U << 16);	/* AVX-512 stays */
}

/* x86-64-v2: v2's ISA stays, v3, v4 and the rest go; system features stay. */
static void cpu_model_levels(void)
{
	struct vireo_cpuid_entry e[32];
	unsigned int n = full_table(e);
	g_autoptr(GError) err = NULL;

	T_EQ(vireo_cpu_model_apply("x86-64-v2", e, n, &err), 0);
	T_EQ(leaf(e, n, 1, 0)->ecx & ((1U << 0) | (1U << 9) | (1U << 13) | (1U << 19) |
				      (1U << 20) | (1U << 23)),
	     (1U << 0) | (1U << 9) | (1U << 13) | (1U << 19) | (1U << 20) | (1U << 23));
	T_EQ(leaf(e, n, 1, 0)->ecx & ((1U << 25) | (1U << 26) | (1U << 28) | (1U << 22)), 0);
	T_EQ(leaf(e, n, 1, 0)->ecx & (1U << 21), 1U << 21);	/* x2APIC is not ISA */
	T_EQ(leaf(e, n, 1, 0)->ecx & 0x80000000, 0x80000000);	/* hypervisor */
	T_EQ(leaf(e, n, 7, 0)->ebx, 0);
	T_EQ(leaf(e, n, 0x80000001, 0)->ecx, 1);		/* LAHF stays, LZCNT goes */
	T_EQ(leaf(e, n, 0xd, 0)->eax, 0);

	n = full_table(e);
	T_EQ(vireo_cpu_model_apply("x86-64-v3", e, n, &err), 0);
	T_EQ(leaf(e, n, 7, 0)->ebx, (1U << 3) | (1U << 5) | (1U << 8));
	T_EQ(leaf(e, n, 0xd, 0)->eax, 0x207);
	T_EQ(leaf(e, n, 1, 0)->ecx & (1U << 25), 0);		/* AES is beyond the levels */

	n = full_table(e);
	T_EQ(vireo_cpu_model_apply("x86-64-v4", e, n, &err), 0);
	T_EQ(leaf(e, n, 7, 0)->ebx & (1U << 21), 0);		/* IFMA is beyond v4 */
	T_EQ(leaf(e, n, 7, 0)->ebx & (1U << 16), 1U << 16);
	T_EQ(leaf(e, n, 0xd, 0)->eax, 0x2e7);

	/* A level the table cannot give is refused, naming what is missing. */
	n = full_table(e);
	((struct vireo_cpuid_entry *)leaf(e, n, 7, 0))->ebx &= ~(1U << 5);
	T_EQ(vireo_cpu_model_apply("x86-64-v3", e, n, &err), -EINVAL);
	T_TRUE(strstr(ERRMSG(err), "does not offer avx2") != NULL);
}

const struct vireo_test vireo_tests_cpuid[] = {
	VIREO_TEST(cpuid_overrides),
	VIREO_TEST(cpuid_table_full),
	VIREO_TEST(cpuid_whole_leaf_overrides_subleaves),
	VIREO_TEST(cpu_model_host_and_spelling),
	VIREO_TEST(cpu_model_takes_dependents),
	VIREO_TEST(cpu_model_levels),
	VIREO_TEST(cpu_model_pku),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(cpuid, vireo_tests_cpuid);
