// SPDX-License-Identifier: GPL-2.0
/*
 * Random I/O against a raw shadow copy: thousands of reads, writes and
 * discards of random sizes and offsets on raw and qcow2 images (several
 * cluster sizes, raw and qcow2 backing files, reopen in between), compared
 * byte for byte; then our check, and qemu-img check/convert when present.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

struct io_cfg {
	enum vireo_disk_format fmt;
	uint32_t cluster;
	uint64_t size;
	int ops;
	int backing;		/* 0 none, 1 raw base, 2 raw base <- qcow2 mid (written) */
	bool discard;
};

static uint8_t *make_backing(const struct io_cfg *c, uint64_t *seed)
{
	uint64_t bsize = c->size * 3 / 4;	/* shorter: the tail reads as zeros */
	uint8_t *shadow = calloc(1, c->size);
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2 };
	g_autoptr(GError) err = NULL;
	struct vireo_disk *mid;

	rng_fill(seed, shadow, bsize);
	if (write_file(tpath("base.raw"), shadow, bsize))
		return NULL;
	if (c->backing == 1)
		return shadow;
	/* A middle qcow2 layer with some data of its own. */
	o.backing_file = "base.raw";
	o.size = c->size;
	o.cluster_size = 4096;
	if (vireo_disk_create(tpath("mid.qcow2"), &o, &err) ||
	    vireo_disk_open(tpath("mid.qcow2"), VIREO_DISK_AUTO, 0, &mid, &err)) {
		fprintf(stderr, "%s\n", ERRMSG(err));
		free(shadow);
		return NULL;
	}
	for (int i = 0; i < 50; i++) {
		uint64_t len = 1 + rng_next(seed) % 20000;
		uint64_t off = rng_next(seed) % (c->size - len);

		rng_fill(seed, shadow + off, len);
		if (vireo_disk_pwrite(mid, shadow + off, len, off)) {
			free(shadow);
			vireo_disk_close(mid);
			return NULL;
		}
	}
	vireo_disk_close(mid);
	return shadow;
}

static void random_io(const struct io_cfg *c)
{
	uint64_t seed = test_seed();
	struct vireo_disk_create_opts o = { .format = c->fmt, .size = c->size };
	g_autoptr(GError) err = NULL;
	struct vireo_disk_check chk;
	const char *img = tpath(c->fmt == VIREO_DISK_RAW ? "img.raw" : "img.qcow2");
	uint64_t maxlen = c->cluster ? 4 * c->cluster : 65536;
	struct vireo_disk *d;
	uint8_t *shadow, *buf;
	int64_t diff;
	char out[4096];

	if (maxlen > 300000)
		maxlen = 300000;
	o.cluster_size = c->cluster;
	if (c->backing) {
		shadow = make_backing(c, &seed);
		T_TRUE(shadow);
		o.backing_file = c->backing == 1 ? "base.raw" : "mid.qcow2";
	} else {
		shadow = calloc(1, c->size);
	}
	buf = malloc(maxlen + 4096);
	T_TRUE(buf);
	T_EQ(vireo_disk_create(img, &o, &err), 0);
	T_EQ(vireo_disk_open(img, VIREO_DISK_AUTO, 0, &d, &err), 0);
	T_EQ(vireo_disk_size(d), c->size);

	for (int i = 0; i < c->ops; i++) {
		uint64_t r = rng_next(&seed) % 100;
		uint64_t len = 1 + rng_next(&seed) % maxlen;
		uint64_t off;

		if (rng_next(&seed) % 2)	/* sector-shaped, as virtio-blk sends */
			len = (len + 511) & ~511ull;
		if (len > c->size)
			len = c->size;
		off = rng_next(&seed) % (c->size - len + 1);
		if (rng_next(&seed) % 2)
			off &= ~511ull;
		if (r < 45) {
			rng_fill(&seed, shadow + off, len);
			if (vireo_disk_pwrite(d, shadow + off, len, off)) {
				vireo_test_fail(__FILE__, __LINE__, "op %d write: %s", i,
						vireo_disk_errmsg(d));
				goto out;
			}
		} else if (r < 90 || !c->discard) {
			if (vireo_disk_pread(d, buf, len, off)) {
				vireo_test_fail(__FILE__, __LINE__, "op %d read: %s", i,
						vireo_disk_errmsg(d));
				goto out;
			}
			if (memcmp(buf, shadow + off, len)) {
				vireo_test_fail(__FILE__, __LINE__,
						"op %d: read of %llu bytes at 0x%llx differs", i,
						(unsigned long long)len, (unsigned long long)off);
				goto out;
			}
		} else {
			memset(shadow + off, 0, len);
			if (vireo_disk_discard(d, off, len)) {
				vireo_test_fail(__FILE__, __LINE__, "op %d discard: %s", i,
						vireo_disk_errmsg(d));
				goto out;
			}
		}
		if (i % 700 == 699) {	/* everything must survive a reopen */
			vireo_disk_close(d);
			if (vireo_disk_open(img, VIREO_DISK_AUTO, 0, &d, &err)) {
				vireo_test_fail(__FILE__, __LINE__, "reopen: %s", ERRMSG(err));
				d = NULL;
				goto out;
			}
		}
	}
	diff = compare_disk(d, shadow, c->size);
	if (diff >= 0) {
		vireo_test_fail(__FILE__, __LINE__, "final content differs at 0x%llx",
				(unsigned long long)diff);
		goto out;
	}
	if (c->fmt == VIREO_DISK_QCOW2) {
		if (vireo_disk_check(d, &chk, stderr) || chk.corruptions || chk.leaks) {
			vireo_test_fail(__FILE__, __LINE__, "our check: %llu corruptions, %llu leaks",
					(unsigned long long)chk.corruptions,
					(unsigned long long)chk.leaks);
			goto out;
		}
	}
	vireo_disk_close(d);
	d = NULL;
	if (have_qemu_img() && c->fmt == VIREO_DISK_QCOW2) {
		size_t len;
		uint8_t *conv;
		int st = qemu_check(img, out, sizeof(out));

		if (st != 0) {
			vireo_test_fail(__FILE__, __LINE__, "qemu-img check exit %d: %.600s", st, out);
			goto out;
		}
		st = run(out, sizeof(out), "qemu-img convert -O raw '%s' '%s'", img,
			 tpath("conv.raw"));
		if (st) {
			vireo_test_fail(__FILE__, __LINE__, "qemu-img convert: %.600s", out);
			goto out;
		}
		conv = read_file(tpath("conv.raw"), &len);
		if (!conv || len != c->size || memcmp(conv, shadow, len)) {
			vireo_test_fail(__FILE__, __LINE__, "qemu-img convert output differs");
			free(conv);
			goto out;
		}
		free(conv);
	}
out:
	if (d)
		vireo_disk_close(d);
	free(shadow);
	free(buf);
}

static void qcow2_64k_random(void)
{
	const struct io_cfg c = { VIREO_DISK_QCOW2, 65536, 64 << 20, 3000, 0, true };

	random_io(&c);
}

/* 512-byte clusters: many refcount blocks and refcount-table growth. */
static void qcow2_512_random(void)
{
	const struct io_cfg c = { VIREO_DISK_QCOW2, 512, 12 << 20, 3000, 0, true };

	random_io(&c);
}

static void qcow2_4k_raw_backing_random(void)
{
	const struct io_cfg c = { VIREO_DISK_QCOW2, 4096, 16 << 20, 3000, 1, true };

	random_io(&c);
}

static void qcow2_64k_qcow2_backing_random(void)
{
	const struct io_cfg c = { VIREO_DISK_QCOW2, 65536, 16 << 20, 2000, 2, true };

	random_io(&c);
}

static void qcow2_2m_random(void)
{
	const struct io_cfg c = { VIREO_DISK_QCOW2, 2 << 20, 32 << 20, 400, 1, false };

	random_io(&c);
}

static void raw_random(void)
{
	const struct io_cfg c = { VIREO_DISK_RAW, 0, 16 << 20, 3000, 0, true };

	random_io(&c);
}

/* Grow with 512-byte clusters: the L1 table moves; data stays. */
static void qcow2_resize_grow(void)
{
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2, .size = 1 << 20,
					    .cluster_size = 512 };
	g_autoptr(GError) err = NULL;
	struct vireo_disk_check chk;
	struct vireo_disk *d;
	uint8_t a[3000], b[3000];
	uint64_t seed = 7;
	char out[2048];

	rng_fill(&seed, a, sizeof(a));
	T_EQ(vireo_disk_create(tpath("g.qcow2"), &o, &err), 0);
	T_EQ(vireo_disk_open(tpath("g.qcow2"), VIREO_DISK_AUTO, 0, &d, &err), 0);
	T_EQ(vireo_disk_pwrite(d, a, sizeof(a), 1000), 0);
	T_EQ(vireo_disk_resize(d, 1000), -EINVAL);	/* not a multiple of 512 */
	T_EQ(vireo_disk_resize(d, 512), -EINVAL);	/* shrink */
	T_STR_CONTAINS(vireo_disk_errmsg(d), "shrinking");
	T_EQ(vireo_disk_resize(d, 96 << 20), 0);
	T_EQ(vireo_disk_pwrite(d, a, sizeof(a), (96 << 20) - sizeof(a)), 0);
	vireo_disk_close(d);
	T_EQ(vireo_disk_open(tpath("g.qcow2"), VIREO_DISK_AUTO, 0, &d, &err), 0);
	T_EQ(vireo_disk_size(d), 96 << 20);
	T_EQ(vireo_disk_pread(d, b, sizeof(b), 1000), 0);
	T_TRUE(!memcmp(a, b, sizeof(a)));
	T_EQ(vireo_disk_pread(d, b, sizeof(b), (96 << 20) - sizeof(b)), 0);
	T_TRUE(!memcmp(a, b, sizeof(a)));
	T_EQ(vireo_disk_check(d, &chk, stderr), 0);
	T_EQ(chk.corruptions, 0);
	T_EQ(chk.leaks, 0);
	vireo_disk_close(d);
	if (have_qemu_img()) {
		T_EQ(qemu_check(tpath("g.qcow2"), out, sizeof(out)), 0);
		T_EQ(run(out, sizeof(out), "qemu-img info '%s' | grep -q 'virtual size: 96 MiB'",
			 tpath("g.qcow2")),
		     0);
	}
}

/* 512-byte clusters: past 8 MiB of file the refcount table (one cluster) must move. */
static void qcow2_reftable_growth(void)
{
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2, .size = 24 << 20,
					    .cluster_size = 512 };
	g_autoptr(GError) err = NULL;
	struct vireo_disk_check chk;
	struct vireo_disk *d;
	uint8_t *data = malloc(20 << 20);
	uint32_t clusters;
	uint64_t seed = 5;
	char out[2048];

	T_TRUE(data);
	rng_fill(&seed, data, 20 << 20);
	T_EQ(vireo_disk_create(tpath("rt.qcow2"), &o, &err), 0);
	T_EQ(vireo_disk_open(tpath("rt.qcow2"), VIREO_DISK_AUTO, 0, &d, &err), 0);
	for (uint64_t off = 0; off < (20 << 20); off += 1 << 20)	/* 1 MiB requests */
		T_EQ(vireo_disk_pwrite(d, data + off, 1 << 20, off), 0);
	vireo_disk_close(d);
	T_EQ(vireo_disk_open(tpath("rt.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err), 0);
	T_TRUE(compare_disk(d, data, 20 << 20) < 0);
	T_EQ(vireo_disk_check(d, &chk, stderr), 0);
	T_EQ(chk.corruptions + chk.leaks, 0);
	vireo_disk_close(d);
	free(data);
	{
		size_t len;
		uint8_t *f = read_file(tpath("rt.qcow2"), &len);

		T_TRUE(f);
		memcpy(&clusters, f + 56, 4);
		free(f);
	}
	T_TRUE(be32toh(clusters) > 1);
	if (have_qemu_img())
		T_EQ(qemu_check(tpath("rt.qcow2"), out, sizeof(out)), 0);
}

static void raw_resize_and_discard(void)
{
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_RAW, .size = 1 << 20 };
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	uint8_t a[8192], z[8192] = { 0 };

	memset(a, 0x5a, sizeof(a));
	T_EQ(vireo_disk_create(tpath("r.raw"), &o, &err), 0);
	T_EQ(vireo_disk_open(tpath("r.raw"), VIREO_DISK_RAW, 0, &d, &err), 0);
	T_EQ(vireo_disk_pwrite(d, a, sizeof(a), 4096), 0);
	T_EQ(vireo_disk_discard(d, 4096, 4096), 0);
	T_EQ(vireo_disk_pread(d, a, sizeof(a), 4096), 0);
	T_TRUE(!memcmp(a, z, 4096));
	T_EQ(a[4096], 0x5a);
	T_EQ(vireo_disk_resize(d, 2 << 20), 0);
	T_EQ(vireo_disk_size(d), 2 << 20);
	vireo_disk_close(d);
}

/*
 * Scatter-gather I/O (virtio-blk's requests), raw and qcow2: uneven and
 * empty buffers land where a linear write would put them and read back
 * the same through preadv; a list reaching past the size is refused whole
 * and writes nothing; a read-only handle refuses pwritev.
 */
static void scatter_gather(enum vireo_disk_format fmt, const char *name)
{
	struct vireo_disk_create_opts o = { .format = fmt, .size = 1 << 20 };
	static uint8_t data[8192], back[8192], lin[8192];
	const size_t cuts[] = { 1, 511, 0, 4096, 3000, 0, 8192 - 1 - 511 - 4096 - 3000 };
	struct iovec iov[sizeof(cuts) / sizeof(cuts[0])], bad[2];
	unsigned int n = sizeof(cuts) / sizeof(cuts[0]);
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	uint64_t seed = 7;
	size_t at = 0;

	rng_fill(&seed, data, sizeof(data));
	for (unsigned int i = 0; i < n; i++) {
		iov[i].iov_base = data + at;
		iov[i].iov_len = cuts[i];
		at += cuts[i];
	}
	T_EQ(at, sizeof(data));
	T_EQ(vireo_disk_create(tpath(name), &o, &err), 0);
	T_EQ(vireo_disk_open(tpath(name), fmt, 0, &d, &err), 0);
	T_EQ(vireo_disk_pwritev(d, iov, n, 65536 - 700), 0);
	T_EQ(vireo_disk_pread(d, lin, sizeof(lin), 65536 - 700), 0);
	T_TRUE(!memcmp(lin, data, sizeof(data)));
	/* The same list, read into other buffers of the same shapes. */
	at = 0;
	for (unsigned int i = 0; i < n; i++) {
		iov[i].iov_base = back + at;
		at += cuts[i];
	}
	memset(back, 0xcc, sizeof(back));
	T_EQ(vireo_disk_preadv(d, iov, n, 65536 - 700), 0);
	T_TRUE(!memcmp(back, data, sizeof(data)));
	/* Past the end: refused whole, the part inside not written. */
	bad[0] = (struct iovec){ .iov_base = data, .iov_len = 4096 };
	bad[1] = (struct iovec){ .iov_base = data, .iov_len = 4096 };
	T_EQ(vireo_disk_pwritev(d, bad, 2, (1 << 20) - 4096), -EINVAL);
	T_EQ(vireo_disk_preadv(d, bad, 2, (1 << 20) - 4096), -EINVAL);
	T_EQ(vireo_disk_pread(d, lin, 4096, (1 << 20) - 4096), 0);
	for (unsigned int i = 0; i < 4096; i++)
		T_EQ(lin[i], 0);
	vireo_disk_close(d);
	T_EQ(vireo_disk_open(tpath(name), fmt, VIREO_DISK_RDONLY, &d, &err), 0);
	T_EQ(vireo_disk_pwritev(d, bad, 1, 0), -EROFS);
	T_EQ(vireo_disk_preadv(d, iov, n, 65536 - 700), 0);
	T_TRUE(!memcmp(back, data, sizeof(data)));
	vireo_disk_close(d);
}

static void raw_scatter_gather(void)
{
	scatter_gather(VIREO_DISK_RAW, "sg.raw");
}

static void qcow2_scatter_gather(void)
{
	scatter_gather(VIREO_DISK_QCOW2, "sg.qcow2");
}

/* A relative backing name is relative to the overlay's directory, not the cwd. */
static void backing_relative_to_image_dir(void)
{
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2 };
	g_autoptr(GError) err = NULL;
	struct vireo_disk_info info;
	struct vireo_disk *d;
	uint8_t a[4096], b[4096];
	char dir[512];

	memset(a, 0x33, sizeof(a));
	T_EQ(write_file(tpath("base.raw"), a, sizeof(a)), 0);
	snprintf(dir, sizeof(dir), "%s", tpath("sub"));
	T_EQ(mkdir(dir, 0755), 0);
	o.backing_file = "../base.raw";
	T_EQ(vireo_disk_create(tpath("sub/top.qcow2"), &o, &err), 0);
	T_EQ(vireo_disk_open(tpath("sub/top.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err), 0);
	T_EQ(vireo_disk_size(d), 4096);
	T_EQ(vireo_disk_pread(d, b, sizeof(b), 0), 0);
	T_TRUE(!memcmp(a, b, sizeof(a)));
	vireo_disk_get_info(d, &info);
	T_TRUE(!strcmp(info.backing_file, "../base.raw"));
	T_TRUE(!strcmp(info.backing_format, "raw"));
	vireo_disk_close(d);
	if (have_qemu_img())
		T_EQ(run(NULL, 0, "cd / && qemu-img compare '%s' '%s'", tpath("sub/top.qcow2"),
			 tpath("base.raw")),
		     0);
}

/* Partial writes over a backing file copy the rest of the cluster from it. */
static void backing_cow_partial_cluster(void)
{
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2, .backing_file = "b.raw",
					    .cluster_size = 65536 };
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	static uint8_t base[1 << 20], got[1 << 20];
	uint64_t seed = 99;

	rng_fill(&seed, base, sizeof(base));
	T_EQ(write_file(tpath("b.raw"), base, sizeof(base)), 0);
	T_EQ(vireo_disk_create(tpath("c.qcow2"), &o, &err), 0);
	T_EQ(vireo_disk_open(tpath("c.qcow2"), VIREO_DISK_AUTO, 0, &d, &err), 0);
	memset(base + 70000, 0xee, 10);	/* inside the second cluster */
	T_EQ(vireo_disk_pwrite(d, base + 70000, 10, 70000), 0);
	memset(base + 65530, 0xdd, 12);	/* across the first/second boundary */
	T_EQ(vireo_disk_pwrite(d, base + 65530, 12, 65530), 0);
	T_EQ(vireo_disk_pread(d, got, sizeof(got), 0), 0);
	T_TRUE(!memcmp(got, base, sizeof(got)));
	vireo_disk_close(d);
	/* The base file is untouched. */
	T_EQ(vireo_disk_open(tpath("b.raw"), VIREO_DISK_RAW, VIREO_DISK_RDONLY, &d, &err), 0);
	T_EQ(vireo_disk_pread(d, got, 16, 70000), 0);
	T_TRUE(got[0] != 0xee || got[1] != 0xee);
	vireo_disk_close(d);
}

static void open_rules(void)
{
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2, .size = 1 << 20 };
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d, *d2;
	uint8_t b[512] = { 0 };

	T_EQ(vireo_disk_create(tpath("x.qcow2"), &o, &err), 0);
	T_EQ(vireo_disk_create(tpath("x.qcow2"), &o, &err), -EEXIST);
	T_STR_CONTAINS(ERRMSG(err), "x.qcow2");
	o.overwrite = true;
	T_EQ(vireo_disk_create(tpath("x.qcow2"), &o, &err), 0);
	T_EQ(vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO, 0, &d, &err), 0);
	/* A second writer (or reader) is refused while it is open read-write. */
	T_TRUE(vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d2, &err) < 0);
	T_STR_CONTAINS(ERRMSG(err), "in use");
	T_EQ(vireo_disk_pwrite(d, b, 512, (1 << 20) - 256), -EINVAL);
	T_STR_CONTAINS(vireo_disk_errmsg(d), "beyond the virtual size");
	vireo_disk_close(d);
	T_EQ(vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err), 0);
	T_EQ(vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d2, &err), 0);
	T_EQ(vireo_disk_pwrite(d, b, 512, 0), -EROFS);
	vireo_disk_close(d2);
	vireo_disk_close(d);
	/* An image that is its own backing file. */
	o.size = 0;
	o.backing_file = "x.qcow2";
	T_EQ(vireo_disk_create(tpath("loop.qcow2"), &o, &err), 0);
	{
		size_t len;
		uint8_t *f = read_file(tpath("loop.qcow2"), &len);
		uint8_t *p = f ? memmem(f, 65536, "x.qcow2", 7) : NULL;

		T_TRUE(p);
		memcpy(p, "l.qcow2", 7);
		T_EQ(write_file(tpath("loop.qcow2"), f, len), 0);
		free(f);
		T_EQ(copy_file(tpath("loop.qcow2"), tpath("l.qcow2")), 0);
	}
	T_EQ(vireo_disk_open(tpath("l.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err), -ELOOP);
	T_STR_CONTAINS(ERRMSG(err), "backing file loop");
}

struct thr {
	struct vireo_disk *d;
	int id;
	int fails;
};

static void *writer_thread(void *p)
{
	struct thr *t = p;
	uint8_t buf[5000], back[5000];

	for (int i = 0; i < 200; i++) {
		uint64_t off = ((uint64_t)t->id << 22) + (uint64_t)i * 7919;

		memset(buf, t->id * 16 + (i & 15), sizeof(buf));
		if (vireo_disk_pwrite(t->d, buf, sizeof(buf), off) ||
		    vireo_disk_pread(t->d, back, sizeof(back), off) || memcmp(buf, back, sizeof(buf)))
			t->fails++;
	}
	return NULL;
}

/* The handle's mutex makes concurrent callers safe (virtio queues on several threads). */
static void qcow2_threads(void)
{
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2, .size = 16 << 20,
					    .cluster_size = 4096 };
	g_autoptr(GError) err = NULL;
	struct vireo_disk_check chk;
	struct vireo_disk *d;
	pthread_t th[4];
	struct thr t[4];

	T_EQ(vireo_disk_create(tpath("t.qcow2"), &o, &err), 0);
	T_EQ(vireo_disk_open(tpath("t.qcow2"), VIREO_DISK_AUTO, 0, &d, &err), 0);
	for (int i = 0; i < 4; i++) {
		t[i] = (struct thr){ d, i, 0 };
		pthread_create(&th[i], NULL, writer_thread, &t[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 4; i++)
		T_EQ(t[i].fails, 0);
	T_EQ(vireo_disk_check(d, &chk, stderr), 0);
	T_EQ(chk.corruptions + chk.leaks, 0);
	vireo_disk_close(d);
}

struct prog {
	uint64_t last, calls, total;
	uint64_t cancel_at;
};

static int progress_cb(void *opaque, uint64_t done, uint64_t total)
{
	struct prog *p = opaque;

	if (done < p->last)
		return -1;
	p->last = done;
	p->total = total;
	p->calls++;
	return p->cancel_at && done >= p->cancel_at;
}

static void convert_progress_and_cancel(void)
{
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2, .size = 8 << 20 };
	struct vireo_disk_convert_opts c = { .dst_format = VIREO_DISK_RAW };
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	struct prog p = { 0 };
	uint8_t buf[4096];
	size_t len;
	uint8_t *raw;

	memset(buf, 0x77, sizeof(buf));
	T_EQ(vireo_disk_create(tpath("s.qcow2"), &o, &err), 0);
	T_EQ(vireo_disk_open(tpath("s.qcow2"), VIREO_DISK_AUTO, 0, &d, &err), 0);
	T_EQ(vireo_disk_pwrite(d, buf, sizeof(buf), 5 << 20), 0);
	vireo_disk_close(d);
	c.progress = progress_cb;
	c.opaque = &p;
	T_EQ(vireo_disk_convert(tpath("s.qcow2"), tpath("s.raw"), &c, &err), 0);
	T_EQ(p.last, 8 << 20);
	T_EQ(p.total, 8 << 20);
	T_TRUE(p.calls >= 8);
	raw = read_file(tpath("s.raw"), &len);
	T_TRUE(raw && len == (8 << 20));
	T_TRUE(!memcmp(raw + (5 << 20), buf, sizeof(buf)) && raw[0] == 0);
	free(raw);
	/* raw -> qcow2 -> compare */
	c.dst_format = VIREO_DISK_QCOW2;
	c.src_format = VIREO_DISK_RAW;
	p = (struct prog){ 0 };
	T_EQ(vireo_disk_convert(tpath("s.raw"), tpath("s2.qcow2"), &c, &err), 0);
	T_EQ(vireo_disk_open(tpath("s2.qcow2"), VIREO_DISK_QCOW2, VIREO_DISK_RDONLY, &d, &err), 0);
	memset(buf, 0, sizeof(buf));
	T_EQ(vireo_disk_pread(d, buf, sizeof(buf), 5 << 20), 0);
	T_EQ(buf[4095], 0x77);
	vireo_disk_close(d);
	if (have_qemu_img())
		T_EQ(run(NULL, 0, "qemu-img compare '%s' '%s'", tpath("s2.qcow2"), tpath("s.qcow2")), 0);
	/* Cancelled: error, and no half-written output left behind. */
	p = (struct prog){ .cancel_at = 3 << 20 };
	c.src_format = VIREO_DISK_AUTO;
	T_EQ(vireo_disk_convert(tpath("s.qcow2"), tpath("s3.qcow2"), &c, &err), -ECANCELED);
	T_TRUE(access(tpath("s3.qcow2"), F_OK) != 0);
}

/* A source in memory that can fail at an offset: what disk-export hands in. */
struct mem_src {
	const uint8_t *data;
	uint64_t fail_at;	/* 0: never */
	unsigned int reads;
};

static int mem_read(void *opaque, void *buf, size_t len, uint64_t off, GError **err)
{
	struct mem_src *m = opaque;

	(void)err;	/* no message: convert_from names the source */
	m->reads++;
	if (m->fail_at && off + len > m->fail_at)
		return -EIO;
	memcpy(buf, m->data + off, len);
	return 0;
}

static void convert_from_source(void)
{
	const uint64_t size = 6 << 20;
	struct vireo_disk_convert_opts c = { .dst_format = VIREO_DISK_QCOW2 };
	struct mem_src m = { 0 };
	struct vireo_disk_source src = { .read = mem_read, .opaque = &m, .size = size,
					 .name = "disk0" };
	struct vireo_disk_info info;
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	struct prog p = { 0 };
	uint8_t *data = calloc(1, size);
	uint64_t seed = 7;

	T_TRUE(data != NULL);
	/* 1 MiB of data at 2 MiB, the rest zeros (holes in the copy). */
	rng_fill(&seed, data + (2 << 20), 1 << 20);
	m.data = data;
	c.progress = progress_cb;
	c.opaque = &p;
	T_EQ(vireo_disk_convert_from(&src, tpath("e.qcow2"), &c, &err), 0);
	T_EQ(p.last, size);
	T_EQ(p.total, size);
	T_EQ(vireo_disk_open(tpath("e.qcow2"), VIREO_DISK_QCOW2, VIREO_DISK_RDONLY, &d, &err), 0);
	T_EQ(vireo_disk_size(d), size);
	T_EQ(compare_disk(d, data, size), -1);
	vireo_disk_get_info(d, &info);
	vireo_disk_close(d);
	/* Sparse: the zeros took no clusters (1 MiB of data, plus metadata). */
	T_TRUE(info.file_size < (2 << 20));
	/* The same to raw. */
	c.dst_format = VIREO_DISK_RAW;
	p = (struct prog){ 0 };
	T_EQ(vireo_disk_convert_from(&src, tpath("e.raw"), &c, &err), 0);
	{
		size_t len;
		uint8_t *raw = read_file(tpath("e.raw"), &len);

		T_TRUE(raw && len == size && !memcmp(raw, data, size));
		free(raw);
	}
	/* An existing output is refused and left alone. */
	T_EQ(vireo_disk_convert_from(&src, tpath("e.raw"), &c, &err), -EEXIST);
	T_TRUE(access(tpath("e.raw"), F_OK) == 0);
	/* A read failure mid-copy: the error names the source, no output is left. */
	m.fail_at = 4 << 20;
	p = (struct prog){ 0 };
	T_EQ(vireo_disk_convert_from(&src, tpath("f.qcow2"), &c, &err), -EIO);
	T_STR_CONTAINS(ERRMSG(err), "disk0");
	T_TRUE(p.last >= (3 << 20) && p.last < (4 << 20) + 1);
	T_TRUE(access(tpath("f.qcow2"), F_OK) != 0);
	free(data);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(qcow2_64k_random),
	VIREO_TEST(qcow2_512_random),
	VIREO_TEST(qcow2_4k_raw_backing_random),
	VIREO_TEST(qcow2_64k_qcow2_backing_random),
	VIREO_TEST(qcow2_2m_random),
	VIREO_TEST(raw_random),
	VIREO_TEST(qcow2_resize_grow),
	VIREO_TEST(qcow2_reftable_growth),
	VIREO_TEST(raw_resize_and_discard),
	VIREO_TEST(raw_scatter_gather),
	VIREO_TEST(qcow2_scatter_gather),
	VIREO_TEST(backing_relative_to_image_dir),
	VIREO_TEST(backing_cow_partial_cluster),
	VIREO_TEST(open_rules),
	VIREO_TEST(qcow2_threads),
	VIREO_TEST(convert_progress_and_cancel),
	VIREO_TEST(convert_from_source),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(io, tests);
