// SPDX-License-Identifier: GPL-2.0
/*
 * SMBIOS for fw_cfg against DSP0134 3.0: the 24-byte "_SM3_" anchor as
 * SeaBIOS and OVMF check it (maximum size = the tables file's size,
 * checksum), the structures walked as a reader does (formatted area, then
 * strings up to a double NUL), their lengths, the UUID's byte order, the
 * strings dmidecode shows, and the memory structures for RAM split around
 * the PCI hole.
 */
#include <errno.h>
#include <stdlib.h>

#include "fw/smbios.h"
#include "test.h"

#define MAX_STRUCTS 64

struct walked {
	const uint8_t *s[MAX_STRUCTS];	/* each structure's start */
	unsigned int n;
};

/* Walk the table as DSP0134 6.1.3 describes it; false if it is malformed. */
static bool walk(const uint8_t *t, size_t len, struct walked *w)
{
	size_t at = 0;

	w->n = 0;
	while (at < len) {
		size_t p;

		if (len - at < 4 || t[at + 1] < 4 || t[at + 1] > len - at || w->n == MAX_STRUCTS)
			return false;
		w->s[w->n++] = t + at;
		p = at + t[at + 1];
		while (p + 1 < len && (t[p] || t[p + 1]))
			p++;
		if (p + 1 >= len)
			return false;
		at = p + 2;
		if (w->s[w->n - 1][0] == 127)
			return at == len;
	}
	return false;
}

static unsigned int count_type(const struct walked *w, uint8_t type)
{
	unsigned int i, n = 0;

	for (i = 0; i < w->n; i++)
		n += w->s[i][0] == type;
	return n;
}

static const uint8_t *find_type(const struct walked *w, uint8_t type, unsigned int nth)
{
	unsigned int i;

	for (i = 0; i < w->n; i++)
		if (w->s[i][0] == type && !nth--)
			return w->s[i];
	return NULL;
}

/* String number idx (1-based) of structure s, or NULL. */
static const char *str_of(const uint8_t *s, uint8_t idx)
{
	const char *p = (const char *)s + s[1];

	if (!idx)
		return NULL;
	while (--idx) {
		if (!*p)
			return NULL;
		p += strlen(p) + 1;
	}
	return *p ? p : NULL;
}

static uint16_t u16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t u32_at(const uint8_t *p)
{
	return u16_at(p) | (uint32_t)u16_at(p + 2) << 16;
}

static uint64_t u64_at(const uint8_t *p)
{
	return u32_at(p) | (uint64_t)u32_at(p + 4) << 32;
}

static struct vireo_smbios_config config(void)
{
	struct vireo_smbios_config c = {
		.manufacturer = "Vireo",
		.product = "Vireo PC",
		.version = "1.0",
		.serial = "VR-0042",
		.family = "Virtual Machine",
		.uuid = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
			  0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 },
		.nr_cpus = 3,
		.cpu_manufacturer = "AuthenticAMD",
		.cpu_version = "Vireo vCPU",
		.cpuid_1_eax = 0x00a00f11,
		.cpuid_1_edx = 0x178bfbff,
		.cpu_mhz = 2000,
	};
	return c;
}

static void layout_of(struct vireo_layout *l, uint64_t ram)
{
	struct vireo_layout_config lc = { .ram_size = ram };
	vireo_layout_init(l, &lc, NULL);
}

static void test_anchor(void)
{
	struct vireo_smbios_config c = config();
	struct vireo_layout l;
	uint8_t *t, a[24];
	size_t len;
	uint8_t sum = 0;
	unsigned int i;

	layout_of(&l, 512ULL << 20);
	T_EQ(vireo_smbios_build(&c, &l, &t, &len, a), 0);
	T_TRUE(!memcmp(a, "_SM3_", 5));
	T_EQ(a[6], 0x18);		/* entry point length */
	T_EQ(a[7], 3);			/* major */
	T_EQ(a[8], 0);			/* minor */
	T_EQ(a[10], 1);			/* entry point revision */
	T_EQ(u32_at(a + 12), len);	/* structure table maximum size */
	T_EQ(u64_at(a + 16), 0);	/* the firmware places the table */
	for (i = 0; i < 24; i++)
		sum += a[i];
	T_EQ(sum, 0);
	/* It ends with End-of-Table: type 127, length 4, handle 0x7f00, "\0\0". */
	T_TRUE(len > 6);
	T_TRUE(!memcmp(t + len - 6, "\x7f\x04\x00\x7f\x00\x00", 6));
	free(t);
}

static void test_structures(void)
{
	static const uint8_t uuid_smbios[16] = { 0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
						 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	struct vireo_smbios_config c = config();
	struct vireo_layout l;
	struct walked w;
	const uint8_t *s;
	uint8_t *t, a[24];
	size_t len;

	layout_of(&l, 512ULL << 20);
	T_EQ(vireo_smbios_build(&c, &l, &t, &len, a), 0);
	T_TRUE(walk(t, len, &w));
	T_EQ(count_type(&w, 0), 0);	/* the firmware adds its own */
	T_EQ(count_type(&w, 1), 1);
	T_EQ(count_type(&w, 3), 1);
	T_EQ(count_type(&w, 4), 3);
	T_EQ(count_type(&w, 16), 1);
	T_EQ(count_type(&w, 17), 1);
	T_EQ(count_type(&w, 19), 1);
	T_EQ(count_type(&w, 32), 1);
	T_EQ(count_type(&w, 127), 1);

	s = find_type(&w, 1, 0);
	T_EQ(s[1], 0x1b);
	T_EQ(strcmp(str_of(s, s[4]), "Vireo"), 0);
	T_EQ(strcmp(str_of(s, s[5]), "Vireo PC"), 0);
	T_EQ(strcmp(str_of(s, s[6]), "1.0"), 0);
	T_EQ(strcmp(str_of(s, s[7]), "VR-0042"), 0);
	T_TRUE(!memcmp(s + 8, uuid_smbios, 16));
	T_EQ(s[0x18], 6);		/* power switch */
	T_EQ(s[0x19], 0);		/* no SKU: string 0 */
	T_EQ(strcmp(str_of(s, s[0x1a]), "Virtual Machine"), 0);

	s = find_type(&w, 3, 0);
	T_EQ(s[1], 0x16);
	T_EQ(strcmp(str_of(s, s[4]), "Vireo"), 0);

	s = find_type(&w, 4, 2);
	T_EQ(s[1], 0x30);
	T_EQ(u16_at(s + 2), 0x402);
	T_EQ(strcmp(str_of(s, s[4]), "CPU 2"), 0);
	T_EQ(s[5], 3);			/* central processor */
	T_EQ(strcmp(str_of(s, s[7]), "AuthenticAMD"), 0);
	T_EQ(u32_at(s + 8), 0x00a00f11);
	T_EQ(u32_at(s + 12), 0x178bfbff);
	T_EQ(u16_at(s + 0x16), 2000);
	T_EQ(s[0x18], 0x41);
	T_EQ(s[0x23], 1);
	T_EQ(s[0x25], 1);

	s = find_type(&w, 16, 0);
	T_EQ(s[1], 0x17);
	T_EQ(s[5], 3);			/* system memory */
	T_EQ(u32_at(s + 7), 512 * 1024);	/* KiB */
	T_EQ(u16_at(s + 0x0d), 1);

	s = find_type(&w, 17, 0);
	T_EQ(s[1], 0x28);
	T_EQ(u16_at(s + 4), u16_at(find_type(&w, 16, 0) + 2));	/* its array */
	T_EQ(u16_at(s + 0x0c), 512);	/* MiB */
	T_EQ(strcmp(str_of(s, s[0x10]), "DIMM 0"), 0);

	s = find_type(&w, 19, 0);
	T_EQ(s[1], 0x1f);
	T_EQ(u32_at(s + 4), 0);
	T_EQ(u32_at(s + 8), 512 * 1024 - 1);	/* inclusive, KiB */

	s = find_type(&w, 32, 0);
	T_EQ(s[1], 0x0b);
	T_EQ(s[0x0a], 0);		/* no errors */
	free(t);
}

static void test_type0_when_asked(void)
{
	struct vireo_smbios_config c = config();
	struct vireo_layout l;
	struct walked w;
	const uint8_t *s;
	uint8_t *t, a[24];
	size_t len;

	c.bios_vendor = "Vireo";
	c.bios_version = "0.1";
	c.bios_date = "12/07/2026";
	layout_of(&l, 512ULL << 20);
	T_EQ(vireo_smbios_build(&c, &l, &t, &len, a), 0);
	T_TRUE(walk(t, len, &w));
	s = find_type(&w, 0, 0);
	T_TRUE(s != NULL);
	T_EQ(s, t);			/* first */
	T_EQ(s[1], 0x18);
	T_EQ(strcmp(str_of(s, s[4]), "Vireo"), 0);
	T_EQ(strcmp(str_of(s, s[5]), "0.1"), 0);
	T_EQ(strcmp(str_of(s, s[8]), "12/07/2026"), 0);
	free(t);
}

static void test_memory_around_the_hole(void)
{
	struct vireo_smbios_config c = config();
	struct vireo_layout l;
	struct walked w;
	const uint8_t *s;
	uint8_t *t, a[24];
	size_t len;

	/* 20 GiB: 3 GiB below the hole, 17 GiB from 4 GiB; DIMMs of 16 + 4. */
	layout_of(&l, 20ULL << 30);
	T_EQ(vireo_smbios_build(&c, &l, &t, &len, a), 0);
	T_TRUE(walk(t, len, &w));
	T_EQ(count_type(&w, 17), 2);
	T_EQ(u16_at(find_type(&w, 17, 0) + 0x0c), 16384);
	T_EQ(u16_at(find_type(&w, 17, 1) + 0x0c), 4096);
	T_EQ(u16_at(find_type(&w, 16, 0) + 0x0d), 2);
	T_EQ(u32_at(find_type(&w, 16, 0) + 7), 20U << 20);	/* KiB */
	T_EQ(count_type(&w, 19), 2);
	s = find_type(&w, 19, 0);
	T_EQ(u32_at(s + 4), 0);
	T_EQ(u32_at(s + 8), 0x2fffff);		/* 3 GiB - 1 KiB, in KiB */
	s = find_type(&w, 19, 1);
	T_EQ(u32_at(s + 4), 0x400000);		/* 4 GiB */
	T_EQ(u32_at(s + 8), 0x14fffff);		/* 21 GiB - 1 KiB */
	free(t);
}

static void test_bad_config(void)
{
	struct vireo_smbios_config c = config();
	struct vireo_layout l;
	uint8_t *t, a[24];
	size_t len;
	char *huge;

	layout_of(&l, 512ULL << 20);
	c.nr_cpus = 0;
	T_EQ(vireo_smbios_build(&c, &l, &t, &len, a), -EINVAL);
	c = config();
	c.manufacturer = NULL;
	T_EQ(vireo_smbios_build(&c, &l, &t, &len, a), -EINVAL);
	c = config();
	huge = malloc(5000);
	T_TRUE(huge != NULL);
	memset(huge, 'x', 4999);
	huge[4999] = 0;
	c.serial = huge;		/* a string set over 4 KiB */
	T_EQ(vireo_smbios_build(&c, &l, &t, &len, a), -EINVAL);
	T_TRUE(t == NULL);
	free(huge);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(test_anchor),
	VIREO_TEST(test_structures),
	VIREO_TEST(test_type0_when_asked),
	VIREO_TEST(test_memory_around_the_hole),
	VIREO_TEST(test_bad_config),
	{ NULL, NULL },
};

VIREO_TEST_SUITE(fw_smbios, tests);
