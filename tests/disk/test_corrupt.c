// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-corrupted and truncated images: each is refused (or its bad read
 * fails) with a message that names the file and the problem.  Starts from
 * a good image with data, patches one field, expects one message.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

#define CS 65536ull

static char good[512], bad[512];
static uint64_t l1_off, l2_off, data_off;

static uint64_t get_be64(const char *path, uint64_t off)
{
	size_t len;
	uint8_t *f = read_file(path, &len);
	uint64_t v = 0;

	if (f && off + 8 <= len)
		memcpy(&v, f + off, 8);
	free(f);
	return be64toh(v);
}

/* A good 8 MiB image with data at 0 and 5 MiB, and a fresh copy "bad.qcow2". */
static void setup(void)
{
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2, .size = 8 << 20 };
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	uint8_t buf[4096];

	memset(buf, 0xa5, sizeof(buf));
	snprintf(good, sizeof(good), "%s", tpath("good.qcow2"));
	snprintf(bad, sizeof(bad), "%s", tpath("bad.qcow2"));
	T_EQ(vireo_disk_create(good, &o, &err), 0);
	T_EQ(vireo_disk_open(good, VIREO_DISK_AUTO, 0, &d, &err), 0);
	T_EQ(vireo_disk_pwrite(d, buf, sizeof(buf), 0), 0);
	T_EQ(vireo_disk_pwrite(d, buf, sizeof(buf), 5 << 20), 0);
	vireo_disk_close(d);
	l1_off = get_be64(good, 40);
	l2_off = get_be64(good, l1_off) & 0x00fffffffffffe00ull;
	data_off = get_be64(good, l2_off) & 0x00fffffffffffe00ull;
	T_TRUE(l1_off && l2_off && data_off);
	T_EQ(copy_file(good, bad), 0);
}

static void p32(uint64_t off, uint32_t v)
{
	v = htobe32(v);
	patch_file(bad, off, &v, 4);
}

static void p64(uint64_t off, uint64_t v)
{
	v = htobe64(v);
	patch_file(bad, off, &v, 8);
}

/* Open @bad (format forced to qcow2) and expect failure with "<bad>: <want>". */
static void refused(unsigned int flags, const char *want)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	char full[1200];

	if (vireo_disk_open(bad, VIREO_DISK_QCOW2, flags, &d, &err) == 0) {
		vireo_disk_close(d);
		vireo_test_fail(__FILE__, __LINE__, "opened; wanted \"%s\"", want);
		return;
	}
	snprintf(full, sizeof(full), "%s: %s", bad, want);
	T_STR_CONTAINS(ERRMSG(err), full);
}

#define CASE(name, patch, flags, want)            \
	static void name(void)                    \
	{                                         \
		T_CALL(setup());                  \
		patch;                            \
		T_CALL(refused(flags, want));     \
	}

CASE(bad_magic, p32(0, 0x12345678), 0, "not a qcow2 image (bad magic 0x12345678)")
CASE(bad_version, p32(4, 4), 0, "qcow2 version 4 is not supported")
CASE(cluster_bits_small, p32(20, 8), 0, "cluster_bits 8 out of range (9..21)")
CASE(cluster_bits_large, p32(20, 22), 0, "cluster_bits 22 out of range (9..21)")
CASE(l1_beyond_eof, p64(40, 0x100000000ull), 0,
     "L1 table at 0x100000000 (8 bytes) extends beyond the end of the file (size ")
CASE(l1_too_small, p32(36, 0), 0, "L1 table has 0 entries, too few for the virtual size 8388608")
CASE(l1_too_large, p32(36, 0x10000000), 0, "L1 table of 268435456 entries is too large")
CASE(l1_unaligned, p64(40, l1_off + 8), 0, "L1 table offset 0x30008 is not cluster aligned")
CASE(l1_over_header, p64(40, 0), 0, "L1 table at offset 0 overlaps the header")
CASE(reftable_beyond_eof, p64(48, 0x7000000ull), 0,
     "refcount table at 0x7000000 (65536 bytes) extends beyond the end of the file")
CASE(reftable_zero_clusters, p32(56, 0), 0, "refcount table of 0 clusters invalid")
CASE(reftable_overlaps_l1, p64(48, l1_off), 0, "L1 table at 0x30000 overlaps the refcount table at 0x30000")
CASE(unknown_incompat, p64(72, 1ull << 5), VIREO_DISK_RDONLY,
     "unsupported incompatible feature: unknown (bit 5 of 0x20)")
CASE(external_data_file, p64(72, 1ull << 2), VIREO_DISK_RDONLY,
     "unsupported incompatible feature: external data file (bit 2")
CASE(encrypted, p32(32, 1), 0, "encrypted images are not supported (crypt_method 1)")
CASE(header_length_bad, p32(100, 100), 0, "header_length 100 invalid")
CASE(refcount_order_bad, p32(96, 7), 0, "refcount_order 7 out of range (0..6)")
CASE(backing_name_too_long, (p64(8, 512), p32(16, 2000)), 0, "backing file name at 0x200 (2000 bytes) invalid")
CASE(l1_entry_beyond_eof, p64(l1_off, 0x8000000000ull | (1ull << 63)), 0,
     "L1 entry 0: L2 table at 0x8000000000 extends beyond the end of the file")
CASE(l1_entry_reserved, p64(l1_off, l2_off | 1), 0, "L1 entry 0 (0x")
CASE(dirty_rw, p64(72, 1), 0, "the dirty bit is set")
CASE(corrupt_rw, p64(72, 2), 0, "the image is marked corrupt")
CASE(extension_overflow, (p32(112, 0x12345678), p32(116, 70000)), 0,
     "header extension 0x12345678 at 0x70 (length 70000) extends beyond the first cluster")
CASE(snapshots_bogus, (p32(60, 3), p64(64, 0x7000000ull)), VIREO_DISK_RDONLY,
     "snapshot table (3 entries at 0x7000000) invalid or beyond the end of the file")
CASE(reftable_entry_beyond_eof, p64(CS, 0x9000000ull), 0,
     "refcount table entry 0: refcount block at 0x9000000 is unaligned or beyond the end of the file")
CASE(size_unaligned, p64(24, 1000), 0, "virtual size 1000 invalid")

static void truncated_in_l1(void)
{
	T_CALL(setup());
	T_EQ(truncate(bad, l1_off + 4), 0);
	char want[200];

	snprintf(want, sizeof(want),
		 "L1 table at 0x%llx (8 bytes) extends beyond the end of the file (size %llu)",
		 (unsigned long long)l1_off, (unsigned long long)l1_off + 4);
	T_CALL(refused(0, want));
}

static void truncated_header(void)
{
	T_CALL(setup());
	T_EQ(truncate(bad, 100), 0);
	T_CALL(refused(0, "file too small (100 bytes) for a version 3 header"));
	T_EQ(truncate(bad, 20), 0);
	T_CALL(refused(0, "file too small (20 bytes) to hold a qcow2 header"));
}

/* Opens fine; the read through the bad entry fails with a message, nothing crashes. */
static void l2_entry_beyond_eof(void)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	uint8_t buf[512];

	T_CALL(setup());
	p64(l2_off, 0x4000000000ull | (1ull << 63));
	T_EQ(vireo_disk_open(bad, VIREO_DISK_AUTO, 0, &d, &err), 0);
	T_EQ(vireo_disk_pread(d, buf, sizeof(buf), 0), -EINVAL);
	T_STR_CONTAINS(vireo_disk_errmsg(d), bad);
	T_STR_CONTAINS(vireo_disk_errmsg(d),
		       "L2 entry for guest offset 0x0: data cluster at 0x4000000000 is beyond the end of the file");
	T_EQ(vireo_disk_pwrite(d, buf, sizeof(buf), 0), -EINVAL);
	/* The other L2 table's data is still readable. */
	T_EQ(vireo_disk_pread(d, buf, sizeof(buf), 5 << 20), 0);
	T_EQ(buf[0], 0xa5);
	vireo_disk_close(d);
}

static void compressed_entry_bogus(void)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	uint8_t buf[512];

	T_CALL(setup());
	p64(l2_off, (1ull << 62) | 0x3fffffffffull);
	T_EQ(vireo_disk_open(bad, VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err), 0);
	T_TRUE(vireo_disk_pread(d, buf, sizeof(buf), 0) < 0);
	T_STR_CONTAINS(vireo_disk_errmsg(d), "compressed cluster");
	vireo_disk_close(d);
	/* Points inside the file but is not deflate data. */
	p64(l2_off, (1ull << 62) | data_off);
	T_EQ(vireo_disk_open(bad, VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err), 0);
	T_TRUE(vireo_disk_pread(d, buf, sizeof(buf), 0) < 0);
	T_STR_CONTAINS(vireo_disk_errmsg(d), "does not inflate to a cluster");
	vireo_disk_close(d);
}

/* Dirty and corrupt images still open read-only. */
static void dirty_readonly_ok(void)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk_info info;
	struct vireo_disk *d;

	T_CALL(setup());
	p64(72, 3);
	T_EQ(vireo_disk_open(bad, VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err), 0);
	vireo_disk_get_info(d, &info);
	T_TRUE(info.dirty && info.corrupt);
	vireo_disk_close(d);
}

/* Our check finds a lowered refcount (corruption) and a raised one (leak), like qemu-img. */
static void check_finds_refcount_errors(void)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk_check chk;
	struct vireo_disk *d;
	uint64_t rb;
	uint16_t v;
	char out[4096];

	T_CALL(setup());
	rb = get_be64(bad, CS);	/* refcount block 0 */
	v = htobe16(0);
	patch_file(bad, rb + (data_off / CS) * 2, &v, 2);	/* in use, refcount 0 */
	v = htobe16(1);
	patch_file(bad, rb + 100 * 2, &v, 2);	/* cluster 100: beyond the file, ignored */
	v = htobe16(2);
	patch_file(bad, rb + (l1_off / CS) * 2, &v, 2);	/* L1: refcount 2, one reference */
	T_EQ(vireo_disk_open(bad, VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err), 0);
	T_EQ(vireo_disk_check(d, &chk, NULL), 0);
	vireo_disk_close(d);
	T_EQ(chk.leaks, 1);
	T_EQ(chk.corruptions, 2);	/* refcount 0 < 1, and its COPIED flag with refcount 0 */
	if (have_qemu_img())
		T_EQ(qemu_check(bad, out, sizeof(out)), 2);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(bad_magic),
	VIREO_TEST(bad_version),
	VIREO_TEST(cluster_bits_small),
	VIREO_TEST(cluster_bits_large),
	VIREO_TEST(l1_beyond_eof),
	VIREO_TEST(l1_too_small),
	VIREO_TEST(l1_too_large),
	VIREO_TEST(l1_unaligned),
	VIREO_TEST(l1_over_header),
	VIREO_TEST(reftable_beyond_eof),
	VIREO_TEST(reftable_zero_clusters),
	VIREO_TEST(reftable_overlaps_l1),
	VIREO_TEST(unknown_incompat),
	VIREO_TEST(external_data_file),
	VIREO_TEST(encrypted),
	VIREO_TEST(header_length_bad),
	VIREO_TEST(refcount_order_bad),
	VIREO_TEST(backing_name_too_long),
	VIREO_TEST(l1_entry_beyond_eof),
	VIREO_TEST(l1_entry_reserved),
	VIREO_TEST(dirty_rw),
	VIREO_TEST(corrupt_rw),
	VIREO_TEST(extension_overflow),
	VIREO_TEST(snapshots_bogus),
	VIREO_TEST(reftable_entry_beyond_eof),
	VIREO_TEST(size_unaligned),
	VIREO_TEST(truncated_in_l1),
	VIREO_TEST(truncated_header),
	VIREO_TEST(l2_entry_beyond_eof),
	VIREO_TEST(compressed_entry_bogus),
	VIREO_TEST(dirty_readonly_ok),
	VIREO_TEST(check_finds_refcount_errors),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(corrupt, tests);
