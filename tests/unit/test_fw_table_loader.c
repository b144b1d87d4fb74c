// SPDX-License-Identifier: GPL-2.0
/*
 * The table-loader script builder: the 128-byte command layouts byte by
 * byte (QEMU hw/acpi/bios-linker-loader.c, SeaBIOS romfile_loader.h), the
 * checks that refuse a bad script, and a run of a built script by a small
 * loader written here from the same description (allocate, add pointer,
 * add checksum) over an RSDP and an XSDT with one table: the pointers land
 * on the allocated addresses and every checksum comes out right.
 */
#include <errno.h>
#include <stdlib.h>

#include "fw/table_loader.h"
#include "test.h"

static struct vireo_loader ldr;

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void test_allocate_layout(void)
{
	const uint8_t *e;

	vireo_loader_init(&ldr);
	T_EQ(vireo_loader_allocate(&ldr, "etc/acpi/rsdp", 36, 16, VIREO_LOADER_ZONE_FSEG), 0);
	T_EQ(ldr.len, 128);
	e = ldr.script;
	T_EQ(le32(e), 1);
	T_TRUE(!memcmp(e + 4, "etc/acpi/rsdp", 14));	/* NUL included */
	T_TRUE(all_zero(e + 18, 60 - 18));
	T_EQ(le32(e + 60), 16);
	T_EQ(e[64], 2);
	T_TRUE(all_zero(e + 65, 128 - 65));
	vireo_loader_fini(&ldr);
}

static void test_pointer_checksum_layout(void)
{
	const uint8_t *e;

	vireo_loader_init(&ldr);
	T_EQ(vireo_loader_allocate(&ldr, "etc/acpi/tables", 0x1000, 64, VIREO_LOADER_ZONE_HIGH), 0);
	T_EQ(vireo_loader_allocate(&ldr, "etc/acpi/rsdp", 36, 16, VIREO_LOADER_ZONE_FSEG), 0);
	T_EQ(vireo_loader_add_pointer(&ldr, "etc/acpi/rsdp", 24, 8, "etc/acpi/tables"), 0);
	T_EQ(vireo_loader_add_checksum(&ldr, "etc/acpi/tables", 0x109, 0x100, 0x24), 0);
	T_EQ(vireo_loader_write_pointer(&ldr, "etc/vmgenid_addr", 8, 0, 8, "etc/acpi/tables",
					0x40), 0);
	T_EQ(ldr.len, 5 * 128);

	e = ldr.script + 2 * 128;		/* ADD_POINTER */
	T_EQ(le32(e), 2);
	T_TRUE(!memcmp(e + 4, "etc/acpi/rsdp", 14));
	T_TRUE(!memcmp(e + 60, "etc/acpi/tables", 16));
	T_EQ(le32(e + 116), 24);
	T_EQ(e[120], 8);
	T_TRUE(all_zero(e + 121, 7));

	e = ldr.script + 3 * 128;		/* ADD_CHECKSUM */
	T_EQ(le32(e), 3);
	T_TRUE(!memcmp(e + 4, "etc/acpi/tables", 16));
	T_EQ(le32(e + 60), 0x109);
	T_EQ(le32(e + 64), 0x100);
	T_EQ(le32(e + 68), 0x24);
	T_TRUE(all_zero(e + 72, 128 - 72));

	e = ldr.script + 4 * 128;		/* WRITE_POINTER */
	T_EQ(le32(e), 4);
	T_TRUE(!memcmp(e + 4, "etc/vmgenid_addr", 17));
	T_TRUE(!memcmp(e + 60, "etc/acpi/tables", 16));
	T_EQ(le32(e + 116), 0);
	T_EQ(le32(e + 120), 0x40);
	T_EQ(e[124], 8);
	vireo_loader_fini(&ldr);
}

static void test_bad_scripts_refused(void)
{
	vireo_loader_init(&ldr);
	/* Alignment must be a power of two, the zone known, the name short. */
	T_EQ(vireo_loader_allocate(&ldr, "t", 64, 3, VIREO_LOADER_ZONE_HIGH), -EINVAL);
	T_EQ(vireo_loader_allocate(&ldr, "t", 64, 0, VIREO_LOADER_ZONE_HIGH), -EINVAL);
	T_EQ(vireo_loader_allocate(&ldr, "t", 64, 16, 3), -EINVAL);
	T_EQ(vireo_loader_allocate(&ldr,
				   "0123456789012345678901234567890123456789012345678901234",
				   64, 16, 1), 0);		/* 55 characters */
	T_EQ(vireo_loader_allocate(&ldr,
				   "01234567890123456789012345678901234567890123456789012345",
				   64, 16, 1), -EINVAL);	/* 56 */
	T_EQ(vireo_loader_allocate(&ldr, "t", 64, 16, VIREO_LOADER_ZONE_HIGH), 0);
	T_EQ(vireo_loader_allocate(&ldr, "t", 64, 16, VIREO_LOADER_ZONE_HIGH), -EEXIST);
	T_EQ(vireo_loader_allocate(&ldr, "r", 36, 16, VIREO_LOADER_ZONE_FSEG), 0);
	/* Pointers: both files allocated, size 1/2/4/8, inside dest. */
	T_EQ(vireo_loader_add_pointer(&ldr, "t", 0, 4, "nope"), -EINVAL);
	T_EQ(vireo_loader_add_pointer(&ldr, "nope", 0, 4, "t"), -EINVAL);
	T_EQ(vireo_loader_add_pointer(&ldr, "t", 0, 3, "r"), -EINVAL);
	T_EQ(vireo_loader_add_pointer(&ldr, "t", 61, 4, "r"), -EINVAL);
	T_EQ(vireo_loader_add_pointer(&ldr, "t", 60, 4, "r"), 0);
	T_EQ(vireo_loader_add_pointer(&ldr, "t", 0xfffffffe, 4, "r"), -EINVAL);
	/* Checksums: range inside the file, the checksum byte inside the range. */
	T_EQ(vireo_loader_add_checksum(&ldr, "t", 9, 0, 65), -EINVAL);
	T_EQ(vireo_loader_add_checksum(&ldr, "t", 40, 0, 36), -EINVAL);
	T_EQ(vireo_loader_add_checksum(&ldr, "t", 9, 10, 20), -EINVAL);
	T_EQ(vireo_loader_add_checksum(&ldr, "t", 9, 0xffffff00, 0x200), -EINVAL);
	T_EQ(vireo_loader_add_checksum(&ldr, "t", 9, 0, 36), 0);
	/* Write pointer: src offset inside src, dst range inside dest. */
	T_EQ(vireo_loader_write_pointer(&ldr, "w", 8, 4, 8, "t", 0), -EINVAL);
	T_EQ(vireo_loader_write_pointer(&ldr, "w", 8, 0, 8, "t", 64), -EINVAL);
	T_EQ(vireo_loader_write_pointer(&ldr, "w", 8, 0, 8, "t", 63), 0);
	/* Three allocations, one pointer, one checksum, one write pointer. */
	T_EQ(ldr.len, 6 * 128);
	vireo_loader_fini(&ldr);
}

/*
 * The firmware side, from the description: files are placed at fixed
 * "guest" buffers, pointers get the placed base added, checksum bytes get
 * the range's sum subtracted.
 */
struct placed {
	const char *name;
	uint8_t *data;
	uint32_t size;
	uint64_t base;
};

static struct placed *placed_find(struct placed *p, unsigned int n, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strncmp(p[i].name, name, VIREO_LOADER_NAME_SIZE))
			return &p[i];
	return NULL;
}

static int run_script(const uint8_t *script, size_t len, struct placed *files, unsigned int n)
{
	size_t at;

	for (at = 0; at < len; at += 128) {
		const uint8_t *e = script + at;
		struct placed *d, *s;
		uint64_t v = 0;
		uint8_t sum = 0;
		unsigned int i;

		switch (le32(e)) {
		case 1:
			if (!placed_find(files, n, (const char *)e + 4))
				return -1;
			break;
		case 2:
			d = placed_find(files, n, (const char *)e + 4);
			s = placed_find(files, n, (const char *)e + 60);
			if (!d || !s || le32(e + 116) + e[120] > d->size)
				return -1;
			for (i = 0; i < e[120]; i++)
				v |= (uint64_t)d->data[le32(e + 116) + i] << (8 * i);
			v += s->base;
			for (i = 0; i < e[120]; i++)
				d->data[le32(e + 116) + i] = (uint8_t)(v >> (8 * i));
			break;
		case 3:
			d = placed_find(files, n, (const char *)e + 4);
			if (!d)
				return -1;
			for (i = 0; i < le32(e + 68); i++)
				sum += d->data[le32(e + 64) + i];
			d->data[le32(e + 60)] -= sum;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static uint8_t sum_bytes(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

static void test_script_runs(void)
{
	uint8_t tables[128], rsdp[36];
	struct placed files[2] = {
		{ "etc/acpi/tables", tables, sizeof(tables), 0x7ffe0000 },
		{ "etc/acpi/rsdp", rsdp, sizeof(rsdp), 0xf0010 },
	};
	uint64_t xsdt_entry, rsdp_xsdt;

	memset(tables, 0, sizeof(tables));
	memset(rsdp, 0, sizeof(rsdp));
	/* A 40-byte table "TEST" at 0 with junk in its checksum byte. */
	memcpy(tables, "TEST", 4);
	tables[4] = 40;
	tables[9] = 0x77;
	tables[20] = 0x42;
	/* An XSDT at 64: 36-byte header, one entry = offset 0 in "tables". */
	memcpy(tables + 64, "XSDT", 4);
	tables[68] = 44;
	/* RSDP v2: XSDT address at 24 = offset 64 in "tables". */
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = 2;
	rsdp[20] = 36;
	rsdp[24] = 64;

	vireo_loader_init(&ldr);
	T_EQ(vireo_loader_allocate(&ldr, "etc/acpi/tables", sizeof(tables), 64,
				   VIREO_LOADER_ZONE_HIGH), 0);
	T_EQ(vireo_loader_add_checksum(&ldr, "etc/acpi/tables", 9, 0, 40), 0);
	T_EQ(vireo_loader_add_pointer(&ldr, "etc/acpi/tables", 64 + 36, 8, "etc/acpi/tables"), 0);
	T_EQ(vireo_loader_add_checksum(&ldr, "etc/acpi/tables", 64 + 9, 64, 44), 0);
	T_EQ(vireo_loader_allocate(&ldr, "etc/acpi/rsdp", sizeof(rsdp), 16,
				   VIREO_LOADER_ZONE_FSEG), 0);
	T_EQ(vireo_loader_add_pointer(&ldr, "etc/acpi/rsdp", 24, 8, "etc/acpi/tables"), 0);
	T_EQ(vireo_loader_add_checksum(&ldr, "etc/acpi/rsdp", 8, 0, 20), 0);
	T_EQ(vireo_loader_add_checksum(&ldr, "etc/acpi/rsdp", 32, 0, 36), 0);

	T_EQ(run_script(ldr.script, ldr.len, files, 2), 0);
	memcpy(&xsdt_entry, tables + 100, 8);
	memcpy(&rsdp_xsdt, rsdp + 24, 8);
	T_EQ(xsdt_entry, 0x7ffe0000ULL);
	T_EQ(rsdp_xsdt, 0x7ffe0040ULL);
	T_EQ(sum_bytes(tables, 40), 0);
	T_EQ(sum_bytes(tables + 64, 44), 0);
	T_EQ(sum_bytes(rsdp, 20), 0);
	T_EQ(sum_bytes(rsdp, 36), 0);
	vireo_loader_fini(&ldr);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(test_allocate_layout),
	VIREO_TEST(test_pointer_checksum_layout),
	VIREO_TEST(test_bad_scripts_refused),
	VIREO_TEST(test_script_runs),
	{ NULL, NULL },
};

VIREO_TEST_SUITE(fw_table_loader, tests);
