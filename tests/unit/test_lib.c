// SPDX-License-Identifier: GPL-2.0
/*
 * libvireo pieces that run without vireo.ko: opening a device that is not
 * /dev/vireo, guest RAM allocation, error and exit-reason names.
 */
#include <errno.h>

#include <libvireo.h>

#include "test.h"

static void open_errors(void)
{
	struct vireo_sys *sys = (void *)1;

	T_EQ(vireo_open("/nonexistent/vireo", &sys), -ENOENT);
	T_TRUE(sys == NULL);
	/* Not a vireo device: the version ioctl is refused. */
	T_EQ(vireo_open("/dev/null", &sys), -ENOTTY);
	T_TRUE(sys == NULL);
	vireo_close(NULL);
}

static void ram_alloc(void)
{
	uint8_t *p;
	void *v;

	T_EQ(vireo_ram_alloc(0, &v), -EINVAL);
	T_EQ(vireo_ram_alloc(4097, &v), -EINVAL);
	T_EQ(vireo_ram_alloc(16 << 20, &v), 0);
	p = v;
	T_TRUE(((uintptr_t)p & 4095) == 0);
	T_EQ(p[0] | p[(16 << 20) - 1], 0);
	p[12345] = 1;
	vireo_ram_free(v, 16 << 20);
	/* MAP_NORESERVE: 3 GiB costs nothing until touched. */
	T_EQ(vireo_ram_alloc(3ULL << 30, &v), 0);
	vireo_ram_free(v, 3ULL << 30);
	vireo_ram_free(NULL, 0);
}

static void names(void)
{
	T_STR_CONTAINS(vireo_strerror(-EPROTO), "API version");
	T_STR_CONTAINS(vireo_strerror(-ENOENT), "vireo.ko");
	T_STR_CONTAINS(vireo_strerror(-ENODATA), "truncated");
	T_STR_CONTAINS(vireo_strerror(EBUSY), "busy");
	T_STR_CONTAINS(vireo_exit_reason_name(VIREO_EXIT_MMIO), "MMIO");
	T_STR_CONTAINS(vireo_exit_reason_name(VIREO_EXIT_UNKNOWN), "UNKNOWN");
	T_STR_CONTAINS(vireo_exit_reason_name(VIREO_EXIT_IOAPIC_EOI), "IOAPIC_EOI");
	T_STR_CONTAINS(vireo_exit_reason_name(1000), "?");
}

const struct vireo_test vireo_tests_lib[] = {
	VIREO_TEST(open_errors),
	VIREO_TEST(ram_alloc),
	VIREO_TEST(names),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(lib, vireo_tests_lib);
