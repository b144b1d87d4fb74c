// SPDX-License-Identifier: GPL-2.0
/*
 * The differential test (emu_diff.c) in make unit: a fixed seed, a few
 * thousand cases per instruction family, every mismatch reported.  make
 * fuzz runs millions with fresh seeds (fuzz_emulate_diff.c).
 */
#include <stdio.h>

#include "emu_diff.h"
#include "test.h"

#define CASES_PER_FAMILY 3000

static void run_family(unsigned int family)
{
	struct emu_diff_stats st;
	int r;

	r = emu_diff_run(0x5eed0000ULL + family, CASES_PER_FAMILY, 1U << family, 5, stderr, &st);
	if (r < 0) {
		vireo_test_skip("host without AVX or without the fixed harness mapping");
		return;
	}
	T_EQ(st.cases, CASES_PER_FAMILY);
	T_EQ(st.mismatches, 0);
}

static void diff_alu(void)
{
	run_family(DIFF_ALU);
}

static void diff_unary(void)
{
	run_family(DIFF_UNARY);
}

static void diff_muldiv(void)
{
	run_family(DIFF_MULDIV);
}

static void diff_shift(void)
{
	run_family(DIFF_SHIFT);
}

static void diff_bit(void)
{
	run_family(DIFF_BIT);
}

static void diff_xchg(void)
{
	run_family(DIFF_XCHG);
}

static void diff_mov(void)
{
	run_family(DIFF_MOV);
}

static void diff_stack(void)
{
	run_family(DIFF_STACK);
}

static void diff_string(void)
{
	run_family(DIFF_STRING);
}

static void diff_vector(void)
{
	run_family(DIFF_VECTOR);
}

static void diff_cond(void)
{
	run_family(DIFF_COND);
}

/* The host really faulted in some cases, so the #DE/#GP comparison ran. */
static void diff_native_faults_seen(void)
{
	struct emu_diff_stats st;

	if (emu_diff_run(0xde, 4000, (1U << DIFF_MULDIV) | (1U << DIFF_VECTOR), 5, stderr,
			 &st) < 0) {
		vireo_test_skip("host without AVX or without the fixed harness mapping");
		return;
	}
	T_EQ(st.mismatches, 0);
	T_TRUE(st.native_faults > 0);
}

const struct vireo_test vireo_tests_emulate_diff[] = {
	VIREO_TEST(diff_alu),
	VIREO_TEST(diff_unary),
	VIREO_TEST(diff_muldiv),
	VIREO_TEST(diff_shift),
	VIREO_TEST(diff_bit),
	VIREO_TEST(diff_xchg),
	VIREO_TEST(diff_mov),
	VIREO_TEST(diff_stack),
	VIREO_TEST(diff_string),
	VIREO_TEST(diff_vector),
	VIREO_TEST(diff_cond),
	VIREO_TEST(diff_native_faults_seen),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(emulate_diff, vireo_tests_emulate_diff);
