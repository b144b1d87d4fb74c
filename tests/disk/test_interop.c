// SPDX-License-Identifier: GPL-2.0
/*
 * Interoperability with QEMU's tools (package qemu-utils): images made and
 * written by qemu-img/qemu-io read identically through us (every cluster
 * size, v2 and v3, zero clusters, compressed clusters, other refcount
 * widths, backing chains), our writes into them stay clean for qemu-img
 * check, and qemu-img info reads our images.  Skipped without qemu-img.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static char out[8192];

/* Compare our guest view of @img with `qemu-img convert -O raw`. */
static void same_as_qemu(const char *img)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	uint8_t *ref;
	size_t len;
	int64_t diff;

	T_EQ(run(out, sizeof(out), "qemu-img convert -O raw '%s' '%s'", img, tpath("ref.raw")), 0);
	ref = read_file(tpath("ref.raw"), &len);
	T_TRUE(ref);
	if (vireo_disk_open(img, VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err)) {
		free(ref);
		vireo_test_fail(__FILE__, __LINE__, "open: %s", ERRMSG(err));
		return;
	}
	T_EQ(vireo_disk_size(d), len);
	diff = compare_disk(d, ref, len);
	vireo_disk_close(d);
	free(ref);
	if (diff >= 0)
		vireo_test_fail(__FILE__, __LINE__, "%s differs from qemu's view at 0x%llx", img,
				(unsigned long long)diff);
}

/* Fill a qemu-made image with qemu-io: data, zero clusters, discards, unaligned bits. */
static void qemu_io_fill(const char *img)
{
	static const char *const cmds[] = {
		"write -P 0x11 0 1M",	   "write -P 0x22 3M 64k",   "write -P 0x33 5000 3000",
		"write -z 512k 128k",	   "write -P 0x44 20M 2M",   "discard 20M 1M",
		"write -P 0x55 31M 4096",  "write -z -u 8M 1M",
	};
	char cmd[2048];
	size_t n = snprintf(cmd, sizeof(cmd), "qemu-io -f qcow2");

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		n += snprintf(cmd + n, sizeof(cmd) - n, " -c '%s'", cmds[i]);
	snprintf(cmd + n, sizeof(cmd) - n, " '%s'", img);
	T_EQ(run(out, sizeof(out), "%s", cmd), 0);
}

static void qemu_made(const char *opts)
{
	const char *img = tpath("q.qcow2");

	T_EQ(run(out, sizeof(out), "qemu-img create -f qcow2 -o %s '%s' 32M", opts, img), 0);
	if (have_qemu_io()) {
		T_CALL(qemu_io_fill(img));
	} else {	/* no qemu-io: let qemu-img convert write the data */
		uint8_t *raw = calloc(1, 32 << 20);
		uint64_t s = 5;

		rng_fill(&s, raw + (1 << 20), 3 << 20);
		T_EQ(write_file(tpath("src.raw"), raw, 32 << 20), 0);
		free(raw);
		T_EQ(run(out, sizeof(out), "qemu-img convert -O qcow2 -o %s '%s' '%s'", opts,
			 tpath("src.raw"), img),
		     0);
	}
	T_CALL(same_as_qemu(img));
}

static void qemu_made_64k(void)
{
	T_NEED_QEMU();
	qemu_made("cluster_size=65536");
}

static void qemu_made_512(void)
{
	T_NEED_QEMU();
	qemu_made("cluster_size=512");
}

static void qemu_made_2m(void)
{
	T_NEED_QEMU();
	qemu_made("cluster_size=2M");
}

static void qemu_made_v2(void)
{
	T_NEED_QEMU();
	qemu_made("compat=0.10");
}

static void qemu_made_refcount_bits_1_and_64(void)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk_check chk;
	struct vireo_disk *d;

	T_NEED_QEMU();
	T_CALL(qemu_made("refcount_bits=1"));
	/* Readable and checkable, but we only write 16-bit refcounts. */
	T_TRUE(vireo_disk_open(tpath("q.qcow2"), VIREO_DISK_AUTO, 0, &d, &err) < 0);
	T_STR_CONTAINS(ERRMSG(err), "1-bit refcounts");
	T_EQ(vireo_disk_open(tpath("q.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err), 0);
	T_EQ(vireo_disk_check(d, &chk, stderr), 0);
	vireo_disk_close(d);
	T_EQ(chk.corruptions + chk.leaks, 0);
	T_EQ(run(NULL, 0, "rm -f '%s'", tpath("q.qcow2")), 0);
	T_CALL(qemu_made("refcount_bits=64"));
	T_EQ(vireo_disk_open(tpath("q.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err), 0);
	T_EQ(vireo_disk_check(d, &chk, stderr), 0);
	vireo_disk_close(d);
	T_EQ(chk.corruptions + chk.leaks, 0);
}

static void qemu_made_lazy_refcounts(void)
{
	T_NEED_QEMU();
	qemu_made("lazy_refcounts=on");
}

static void qemu_extended_l2_refused(void)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;

	T_NEED_QEMU();
	T_EQ(run(out, sizeof(out), "qemu-img create -f qcow2 -o extended_l2=on '%s' 8M",
		 tpath("e.qcow2")),
	     0);
	T_TRUE(vireo_disk_open(tpath("e.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err) < 0);
	T_STR_CONTAINS(ERRMSG(err), "e.qcow2: unsupported incompatible feature: extended L2 entries");
}

/* Compressed clusters: read them, then overwrite parts (COW out of a compressed cluster). */
static void qemu_compressed(void)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk_check chk;
	struct vireo_disk *d;
	uint8_t *raw = malloc(8 << 20);
	uint8_t buf[3000];
	uint64_t s = 11;
	size_t len;

	T_NEED_QEMU();
	T_TRUE(raw);
	for (size_t i = 0; i < (8u << 20); i++)	/* compressible but not trivial */
		raw[i] = (uint8_t)((i / 7) ^ (i >> 13));
	rng_fill(&s, raw + (2 << 20), 100000);	/* and a stretch that is not */
	memset(raw + (5 << 20), 0, 1 << 20);
	T_EQ(write_file(tpath("c.raw"), raw, 8 << 20), 0);
	T_EQ(run(out, sizeof(out), "qemu-img convert -c -O qcow2 '%s' '%s'", tpath("c.raw"),
		 tpath("c.qcow2")),
	     0);
	T_CALL(same_as_qemu(tpath("c.qcow2")));
	T_EQ(vireo_disk_open(tpath("c.qcow2"), VIREO_DISK_AUTO, 0, &d, &err), 0);
	for (int i = 0; i < 40; i++) {
		uint64_t off = rng_next(&s) % ((8 << 20) - sizeof(buf));

		rng_fill(&s, buf, sizeof(buf));
		memcpy(raw + off, buf, sizeof(buf));
		T_EQ(vireo_disk_pwrite(d, buf, sizeof(buf), off), 0);
	}
	T_EQ(vireo_disk_discard(d, 1 << 20, 1 << 20), 0);
	memset(raw + (1 << 20), 0, 1 << 20);
	T_TRUE(compare_disk(d, raw, 8 << 20) < 0);
	T_EQ(vireo_disk_check(d, &chk, stderr), 0);
	T_EQ(chk.corruptions, 0);
	T_EQ(chk.leaks, 0);
	vireo_disk_close(d);
	T_EQ(qemu_check(tpath("c.qcow2"), out, sizeof(out)), 0);
	T_EQ(run(out, sizeof(out), "qemu-img convert -O raw '%s' '%s'", tpath("c.qcow2"),
		 tpath("ref.raw")),
	     0);
	uint8_t *ref = read_file(tpath("ref.raw"), &len);

	T_TRUE(ref && len == (8u << 20) && !memcmp(ref, raw, len));
	free(ref);
	free(raw);
}

/* We write random data into a qemu-made image; qemu must agree and find it clean. */
static void we_write_qemu_image(void)
{
	static const char *const variants[] = { "cluster_size=65536", "cluster_size=4096,compat=0.10",
						"cluster_size=512", "lazy_refcounts=on" };

	T_NEED_QEMU();
	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		const char *img = tpath("w.qcow2");
		g_autoptr(GError) err = NULL;
		struct vireo_disk *d;
		uint64_t s = 1000 + v;
		uint8_t *shadow, *buf = malloc(200000);
		size_t len;

		T_EQ(run(out, sizeof(out), "rm -f '%s'; qemu-img create -f qcow2 -o %s '%s' 32M", img,
			 variants[v], img),
		     0);
		if (have_qemu_io())
			T_CALL(qemu_io_fill(img));
		T_EQ(run(out, sizeof(out), "qemu-img convert -O raw '%s' '%s'", img,
			 tpath("ref.raw")),
		     0);
		shadow = read_file(tpath("ref.raw"), &len);
		T_TRUE(shadow && len == (32u << 20));
		T_EQ(vireo_disk_open(img, VIREO_DISK_AUTO, 0, &d, &err), 0);
		for (int i = 0; i < 600; i++) {
			uint64_t n = 1 + rng_next(&s) % 200000;
			uint64_t off = rng_next(&s) % (len - n);

			rng_fill(&s, buf, n);
			memcpy(shadow + off, buf, n);
			if (vireo_disk_pwrite(d, buf, n, off)) {
				vireo_test_fail(__FILE__, __LINE__, "%s: %s", variants[v],
						vireo_disk_errmsg(d));
				return;
			}
		}
		vireo_disk_close(d);
		int st = qemu_check(img, out, sizeof(out));

		if (st) {
			vireo_test_fail(__FILE__, __LINE__, "%s: qemu-img check %d: %.500s",
					variants[v], st, out);
			return;
		}
		free(buf);
		buf = shadow;
		T_EQ(run(out, sizeof(out), "qemu-img convert -O raw '%s' '%s'", img,
			 tpath("ref.raw")),
		     0);
		shadow = read_file(tpath("ref.raw"), &len);
		T_TRUE(shadow && !memcmp(shadow, buf, len));
		free(shadow);
		free(buf);
	}
}

/* A qemu-made backing chain: raw <- qcow2 <- qcow2 (relative names). */
static void qemu_backing_chain(void)
{
	T_NEED_QEMU();
	uint8_t *raw = malloc(4 << 20);
	uint64_t s = 3;

	rng_fill(&s, raw, 4 << 20);
	T_EQ(write_file(tpath("base.raw"), raw, 4 << 20), 0);
	free(raw);
	T_EQ(run(out, sizeof(out),
		 "cd '%s/..' && qemu-img create -f qcow2 -b base.raw -F raw '%s' && "
		 "qemu-img create -f qcow2 -b mid.qcow2 -F qcow2 -o cluster_size=4096 '%s' 6M",
		 tpath("base.raw"), tpath("mid.qcow2"), tpath("top.qcow2")),
	     0);
	if (have_qemu_io()) {
		T_EQ(run(out, sizeof(out), "qemu-io -c 'write -P 0x66 100000 70000' '%s'",
			 tpath("mid.qcow2")),
		     0);
		T_EQ(run(out, sizeof(out),
			 "qemu-io -c 'write -P 0x77 150000 1000' -c 'write -z 1M 64k' '%s'",
			 tpath("top.qcow2")),
		     0);
	}
	T_CALL(same_as_qemu(tpath("top.qcow2")));
}

/* qemu-img info reads ours: format, sizes, backing name and format. */
static void qemu_info_reads_ours(void)
{
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2, .size = 3ull << 30,
					    .cluster_size = 1 << 16 };
	g_autoptr(GError) err = NULL;

	T_NEED_QEMU();
	T_EQ(write_file(tpath("b.raw"), "x", 1), 0);
	T_EQ(vireo_disk_create(tpath("base.qcow2"), &o, &err), 0);
	o.size = 0;
	o.backing_file = "base.qcow2";
	o.cluster_size = 4096;
	T_EQ(vireo_disk_create(tpath("over.qcow2"), &o, &err), 0);
	T_EQ(run(out, sizeof(out), "qemu-img info --output=json '%s'", tpath("over.qcow2")), 0);
	T_STR_CONTAINS(out, "\"virtual-size\": 3221225472");
	T_STR_CONTAINS(out, "\"cluster-size\": 4096");
	T_STR_CONTAINS(out, "\"format\": \"qcow2\"");
	T_STR_CONTAINS(out, "\"backing-filename\": \"base.qcow2\"");
	T_STR_CONTAINS(out, "\"backing-filename-format\": \"qcow2\"");
	T_STR_CONTAINS(out, "\"compat\": \"1.1\"");
	T_EQ(qemu_check(tpath("over.qcow2"), out, sizeof(out)), 0);
	/* qemu grows it, we read it */
	T_EQ(run(out, sizeof(out), "qemu-img resize '%s' +1G", tpath("base.qcow2")), 0);
	struct vireo_disk *d;

	T_EQ(vireo_disk_open(tpath("base.qcow2"), VIREO_DISK_AUTO, 0, &d, &err), 0);
	T_EQ(vireo_disk_size(d), 4ull << 30);
	T_EQ(vireo_disk_pwrite(d, "hello", 5, (4ull << 30) - 5), 0);
	vireo_disk_close(d);
	T_EQ(qemu_check(tpath("base.qcow2"), out, sizeof(out)), 0);
	T_EQ(run(out, sizeof(out), "qemu-io -c 'read -P 0x6f %llu 1' '%s' | grep -q 'read 1/1'",
		 (4ull << 30) - 1, tpath("base.qcow2")),
	     0);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(qemu_made_64k),
	VIREO_TEST(qemu_made_512),
	VIREO_TEST(qemu_made_2m),
	VIREO_TEST(qemu_made_v2),
	VIREO_TEST(qemu_made_refcount_bits_1_and_64),
	VIREO_TEST(qemu_made_lazy_refcounts),
	VIREO_TEST(qemu_extended_l2_refused),
	VIREO_TEST(qemu_compressed),
	VIREO_TEST(we_write_qemu_image),
	VIREO_TEST(qemu_backing_chain),
	VIREO_TEST(qemu_info_reads_ours),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(interop, tests);
