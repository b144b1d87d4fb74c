// SPDX-License-Identifier: GPL-2.0
/*
 * Slot-table tests: the kernel's validity rules, gpa -> host translation
 * only when wholly inside one slot, and the memory accessor built on it.
 */
#include <errno.h>

#include <libvireo.h>

#include "test.h"

static uint8_t ram_a[4 * 4096] __attribute__((aligned(4096)));
static uint8_t ram_b[2 * 4096] __attribute__((aligned(4096)));

static void slots_add_rules(void)
{
	struct vireo_slot_table t;

	vireo_slots_init(&t);
	T_EQ(vireo_slots_add(&t, 0, 0, 0, sizeof(ram_a), ram_a), 0);
	T_EQ(vireo_slots_add(&t, 0, 0, 0x100000, 4096, ram_b), -EEXIST);	/* slot used */
	T_EQ(vireo_slots_add(&t, 1, 0, 0x3000, 4096, ram_b), -EEXIST);	/* overlap */
	T_EQ(vireo_slots_add(&t, 1, 0, 0x4000, 4096 + 1, ram_b), -EINVAL);	/* size */
	T_EQ(vireo_slots_add(&t, 1, 0, 0x4001, 4096, ram_b), -EINVAL);	/* gpa */
	T_EQ(vireo_slots_add(&t, 1, 0, 0x4000, 4096, ram_b + 1), -EINVAL);	/* host */
	T_EQ(vireo_slots_add(&t, 1, 0, 0x4000, 0, ram_b), -EINVAL);	/* empty */
	T_EQ(vireo_slots_add(&t, VIREO_MAX_MEM_SLOTS, 0, 0x4000, 4096, ram_b), -EINVAL);
	T_EQ(vireo_slots_add(&t, 1, 0, 0xfffffffffffff000ULL, 0x2000, ram_b), -EINVAL);
	T_EQ(vireo_slots_add(&t, 1, 0, 0x4000, sizeof(ram_b), ram_b), 0);	/* adjacent */
	T_EQ(vireo_slots_del(&t, 1), 0);
	T_EQ(vireo_slots_del(&t, 1), -EINVAL);
	T_EQ(vireo_slots_add(&t, 1, 0, 0x3000, 4096, ram_b), -EEXIST);
}

static void slots_to_host(void)
{
	struct vireo_slot_table t;

	vireo_slots_init(&t);
	T_EQ(vireo_slots_add(&t, 0, 0, 0, sizeof(ram_a), ram_a), 0);
	T_EQ(vireo_slots_add(&t, 3, 0, 0x4000, sizeof(ram_b), ram_b), 0);
	T_TRUE(vireo_slots_to_host(&t, 0, 1) == ram_a);
	T_TRUE(vireo_slots_to_host(&t, 0x3ff8, 8) == ram_a + 0x3ff8);
	T_TRUE(vireo_slots_to_host(&t, 0x4000, 0) == ram_b);	/* len 0 counts as 1 */
	T_TRUE(vireo_slots_to_host(&t, 0x5fff, 1) == ram_b + 0x1fff);
	/* Straddling two slots, even adjacent ones, is not "inside one". */
	T_TRUE(vireo_slots_to_host(&t, 0x3ffc, 8) == NULL);
	T_TRUE(vireo_slots_to_host(&t, 0x5fff, 2) == NULL);
	T_TRUE(vireo_slots_to_host(&t, 0x6000, 1) == NULL);
	T_TRUE(vireo_slots_to_host(&t, 0xffffffffffffffffULL, 2) == NULL);	/* wraps */
	T_TRUE(vireo_slots_to_host(&t, 0, sizeof(ram_a) + 1) == NULL);
}

static void slots_mem_accessor(void)
{
	struct vireo_slot_table t;
	struct vireo_mem mem;
	uint32_t v = 0x11223344, r = 0;

	vireo_slots_init(&t);
	T_EQ(vireo_slots_add(&t, 0, 0, 0, sizeof(ram_a), ram_a), 0);
	T_EQ(vireo_slots_add(&t, 1, VIREO_MEM_READONLY, 0x8000, sizeof(ram_b), ram_b), 0);
	vireo_slots_mem(&t, &mem);
	T_EQ(mem.write(mem.opaque, 0x10, &v, 4), 0);
	T_EQ(mem.read(mem.opaque, 0x10, &r, 4), 0);
	T_EQ(r, 0x11223344);
	T_EQ(mem.read(mem.opaque, 0x8000, &r, 4), 0);
	T_EQ(mem.write(mem.opaque, 0x8000, &v, 4), -EFAULT);	/* read-only */
	T_EQ(mem.read(mem.opaque, 0x7000, &r, 4), -EFAULT);	/* hole */
}

const struct vireo_test vireo_tests_slots[] = {
	VIREO_TEST(slots_add_rules),
	VIREO_TEST(slots_to_host),
	VIREO_TEST(slots_mem_accessor),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(slots, vireo_tests_slots);
