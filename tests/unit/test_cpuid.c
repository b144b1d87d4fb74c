// SPDX-License-Identifier: GPL-2.0
/* CPUID table builder, on a fake host CPU so that results are exact. */
#include <errno.h>

#include "cpuid_table.h"
#include "test.h"

static uint32_t fake_max_ext = 0x80000008;

/* An AMD-looking host: vendor "AuthenticAMD", every feature bit set. */
static void fake_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	(void)subleaf;
	out[0] = out[1] = out[2] = out[3] = 0xffffffff;
	if (leaf == 0) {
		out[0] = 0x10;
		memcpy(&out[1], "Auth", 4);
		memcpy(&out[3], "enti", 4);
		memcpy(&out[2], "cAMD", 4);
	} else if (leaf == 0xd) {
		/* XSAVE: x87, SSE and AVX (256 bytes at 576); all of 0xD.1's bits. */
		out[0] = subleaf == 0 ? 0x7 : subleaf == 1 ? 0xf : subleaf == 2 ? 256 : 0;
		out[1] = subleaf == 2 ? 576 : subleaf == 0 ? 832 : 0;
		out[2] = out[3] = 0;
	} else if (leaf == 0x80000000) {
		out[0] = fake_max_ext;
	} else if (leaf > fake_max_ext && leaf >= 0x80000000) {
		out[0] = out[1] = out[2] = out[3] = 0;
	} else {
		out[0] = leaf;	/* identify the leaf */
	}
}

static void cpuid_defaults(void)
{
	static struct vireo_cpuid_table t;
	const struct vireo_cpuid_entry *e;

	fake_max_ext = 0x80000008;
	vireo_cpuid_defaults(&t, fake_cpuid);
	e = vireo_cpuid_lookup(&t, 0, 0);
	T_TRUE(e != NULL);
	T_EQ(e->eax, 0x10);
	T_TRUE(!memcmp(&e->ebx, "Auth", 4));

	e = vireo_cpuid_lookup(&t, 1, 0);
	T_TRUE(e != NULL);
	T_TRUE(e->ecx & VIREO_CPUID_1_ECX_HYPERVISOR);
	T_TRUE(!(e->ecx & VIREO_CPUID_1_ECX_VMX));
	T_TRUE(!(e->ecx & VIREO_CPUID_1_ECX_OSXSAVE));
	T_EQ(e->ebx >> 24, 0);	/* APIC ID of vCPU 0 */
	T_EQ(e->edx, 0xffffffff);

	e = vireo_cpuid_lookup(&t, 0x80000001, 0);
	T_TRUE(e != NULL);
	T_TRUE(!(e->ecx & VIREO_CPUID_80000001_ECX_SVM));
	T_EQ(e->ecx | VIREO_CPUID_80000001_ECX_SVM, 0xffffffff);

	T_TRUE(vireo_cpuid_lookup(&t, 0x80000008, 0) != NULL);
	T_TRUE(vireo_cpuid_lookup(&t, 0x80000009, 0) == NULL);
	T_TRUE(vireo_cpuid_lookup(&t, 2, 0) == NULL);	/* only 0, 1 and 0xD basic leaves */

	/* Leaf 0xD describes the XSAVE that leaf 1 offers: 0, 1, one per component. */
	e = vireo_cpuid_lookup(&t, 0xd, 0);
	T_TRUE(e != NULL && (e->flags & VIREO_CPUID_FLAG_INDEXED));
	T_EQ(e->eax, 0x7);
	e = vireo_cpuid_lookup(&t, 0xd, 1);
	T_TRUE(e != NULL);
	T_EQ(e->eax, 0x7);	/* XSAVES (bit 3) hidden: no IA32_XSS */
	e = vireo_cpuid_lookup(&t, 0xd, 2);
	T_TRUE(e != NULL);
	T_EQ(e->eax, 256);
	T_EQ(e->ebx, 576);
	T_TRUE(vireo_cpuid_lookup(&t, 0xd, 3) == NULL);
	T_EQ(t.n, 2 + 3 + 1 + 9);
}

static void cpuid_hypervisor_leaf(void)
{
	static struct vireo_cpuid_table t;
	const struct vireo_cpuid_entry *e;
	char sig[13];

	vireo_cpuid_defaults(&t, fake_cpuid);
	e = vireo_cpuid_lookup(&t, 0x40000000, 0);
	T_TRUE(e != NULL);
	T_EQ(e->eax, 0x40000000);
	memcpy(sig, &e->ebx, 4);
	memcpy(sig + 4, &e->ecx, 4);
	memcpy(sig + 8, &e->edx, 4);
	sig[12] = 0;
	T_TRUE(!strcmp(sig, "VireoVireoVi"));
	T_EQ(e->ebx, 0x65726956);	/* "Vire" little-endian */
}

static void cpuid_fewer_extended_leaves(void)
{
	static struct vireo_cpuid_table t;

	fake_max_ext = 0x80000004;
	vireo_cpuid_defaults(&t, fake_cpuid);
	fake_max_ext = 0x80000008;
	T_TRUE(vireo_cpuid_lookup(&t, 0x80000004, 0) != NULL);
	T_TRUE(vireo_cpuid_lookup(&t, 0x80000005, 0) == NULL);
}

static void cpuid_overrides(void)
{
	static struct vireo_cpuid_table t;
	struct vireo_cpuid_entry e1 = { .function = 1, .eax = 0x11 };
	struct vireo_cpuid_entry e7a = { .function = 7, .index = 0, .flags = 1, .ebx = 0xa };
	struct vireo_cpuid_entry e7b = { .function = 7, .index = 1, .flags = 1, .ebx = 0xb };
	unsigned int n;

	vireo_cpuid_defaults(&t, fake_cpuid);
	n = t.n;
	T_EQ(vireo_cpuid_set(&t, &e1), 0);	/* replaces leaf 1 */
	T_EQ(t.n, n);
	T_EQ(vireo_cpuid_lookup(&t, 1, 0)->eax, 0x11);
	T_EQ(vireo_cpuid_lookup(&t, 1, 0)->ecx, 0);	/* the whole entry */
	T_EQ(vireo_cpuid_set(&t, &e7a), 0);
	T_EQ(vireo_cpuid_set(&t, &e7b), 0);
	T_EQ(t.n, n + 2);
	T_EQ(vireo_cpuid_lookup(&t, 7, 1)->ebx, 0xb);
	T_EQ(vireo_cpuid_lookup(&t, 7, 0)->ebx, 0xa);
	T_TRUE(vireo_cpuid_lookup(&t, 7, 2) == NULL);
	e7b.ebx = 0xc;
	T_EQ(vireo_cpuid_set(&t, &e7b), 0);
	T_EQ(t.n, n + 2);
	T_EQ(vireo_cpuid_lookup(&t, 7, 1)->ebx, 0xc);
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

static void cpuid_host(void)
{
	static struct vireo_cpuid_table t;
	const struct vireo_cpuid_entry *e;

	/* The real host: whatever it is, the adjustments must hold. */
	vireo_cpuid_defaults(&t, vireo_host_cpuid);
	e = vireo_cpuid_lookup(&t, 1, 0);
	T_TRUE(e != NULL);
	T_TRUE(e->ecx & VIREO_CPUID_1_ECX_HYPERVISOR);
	T_TRUE(!(e->ecx & VIREO_CPUID_1_ECX_VMX));
	T_TRUE(vireo_cpuid_lookup(&t, 0x40000000, 0) != NULL);
}

const struct vireo_test vireo_tests_cpuid[] = {
	VIREO_TEST(cpuid_defaults),
	VIREO_TEST(cpuid_hypervisor_leaf),
	VIREO_TEST(cpuid_fewer_extended_leaves),
	VIREO_TEST(cpuid_overrides),
	VIREO_TEST(cpuid_table_full),
	VIREO_TEST(cpuid_host),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(cpuid, vireo_tests_cpuid);
