// SPDX-License-Identifier: GPL-2.0
/*
 * Crash consistency: a child process writes (and discards, and grows the
 * image) at random and is SIGKILLed at a random moment, many times over
 * on the same image.  After every kill `qemu-img check` (when installed)
 * and our own check must find no corruption (leaks are allowed), the image
 * must reopen read-write, and every write the child reported complete must
 * read back (the page cache outlives a killed process); only the bytes of
 * the one request in flight may hold either content.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

enum { REC_BEGIN = 1, REC_DONE, REC_DISCARD_BEGIN, REC_DISCARD_DONE, REC_RESIZE };

struct rec {
	uint32_t type;
	uint32_t len;
	uint64_t off;
	uint64_t seed;
};

struct crash_cfg {
	uint32_t cluster;
	uint64_t size;		/* initial virtual size */
	uint64_t max_size;	/* the child grows it up to this */
	int iterations;
	bool backing;
	uint64_t prefill;	/* bytes written before the first kill */
};

static void gen(uint64_t seed, uint8_t *buf, size_t len)
{
	uint64_t s = seed | 1;

	rng_fill(&s, buf, len);
}

static void put(int fd, const struct rec *r)
{
	if (write(fd, r, sizeof(*r)) != sizeof(*r))
		_exit(3);
}

static void child(const char *img, const struct crash_cfg *c, uint64_t seed, int fd)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	uint8_t *buf = malloc(4 * c->cluster + 8192);

	if (!buf || vireo_disk_open(img, VIREO_DISK_AUTO, 0, &d, &err)) {
		fprintf(stderr, "crash child: %s\n", ERRMSG(err));
		_exit(2);
	}
	for (;;) {
		uint64_t size = vireo_disk_size(d);
		uint64_t r = rng_next(&seed) % 100;
		struct rec rc = { 0 };

		rc.len = 1 + rng_next(&seed) % (4 * c->cluster + 8192);
		if (rc.len > size)
			rc.len = size;
		rc.off = rng_next(&seed) % (size - rc.len + 1);
		rc.seed = rng_next(&seed);
		if (r < 3 && size < c->max_size) {
			rc.type = REC_RESIZE;
			rc.off = size + c->cluster * 8;
			put(fd, &rc);
			if (vireo_disk_resize(d, rc.off))
				_exit(4);
			continue;
		}
		if (r < 10) {
			rc.type = REC_DISCARD_BEGIN;
			put(fd, &rc);
			if (vireo_disk_discard(d, rc.off, rc.len))
				_exit(5);
			rc.type = REC_DISCARD_DONE;
			put(fd, &rc);
			continue;
		}
		rc.type = REC_BEGIN;
		gen(rc.seed, buf, rc.len);
		put(fd, &rc);
		if (vireo_disk_pwrite(d, buf, rc.len, rc.off)) {
			fprintf(stderr, "crash child: %s\n", vireo_disk_errmsg(d));
			_exit(6);
		}
		rc.type = REC_DONE;
		put(fd, &rc);
	}
}

/* Apply the child's log to the shadow; @unknown marks bytes of requests in flight. */
static void apply(const struct rec *r, uint8_t *shadow, uint8_t *unknown, uint64_t *size)
{
	switch (r->type) {
	case REC_BEGIN:
	case REC_DISCARD_BEGIN:
		memset(unknown + r->off, 1, r->len);
		break;
	case REC_DONE:
		gen(r->seed, shadow + r->off, r->len);
		memset(unknown + r->off, 0, r->len);
		break;
	case REC_DISCARD_DONE:
		memset(shadow + r->off, 0, r->len);
		memset(unknown + r->off, 0, r->len);
		break;
	case REC_RESIZE:
		*size = r->off;	/* the new size or the old: the tail reads zeros either way */
		break;
	}
}

static void crash_loop(const struct crash_cfg *c)
{
	uint64_t seed = test_seed(), size = c->size, osize;
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2, .size = c->size,
					    .cluster_size = c->cluster };
	g_autoptr(GError) err = NULL;
	struct vireo_disk_check chk;
	const char *img = tpath("crash.qcow2");
	uint8_t *shadow = calloc(1, c->max_size + (64 << 10));
	uint8_t *unknown = calloc(1, c->max_size + (64 << 10));
	uint8_t *buf = malloc(1 << 20);
	int kills_mid_write = 0;
	char out[8192];

	T_TRUE(shadow && unknown && buf);
	if (c->backing) {
		gen(77, shadow, c->size / 2);
		T_EQ(write_file(tpath("base.raw"), shadow, c->size / 2), 0);
		o.backing_file = "base.raw";
	}
	T_EQ(vireo_disk_create(img, &o, &err), 0);
	if (c->prefill) {	/* bring the file near a refcount-table boundary */
		struct vireo_disk *d;

		gen(78, shadow, c->prefill);
		T_EQ(vireo_disk_open(img, VIREO_DISK_AUTO, VIREO_DISK_UNSAFE_NOSYNC, &d, &err), 0);
		T_EQ(vireo_disk_pwrite(d, shadow, c->prefill, 0), 0);
		T_EQ(vireo_disk_close(d), 0);
	}
	for (int it = 0; it < c->iterations; it++) {
		int p[2];
		pid_t pid;
		uint64_t cseed = rng_next(&seed);
		struct timespec t0, now;
		long wait_ms = 1 + rng_next(&seed) % 40;
		struct vireo_disk *d;
		int st;

		T_EQ(pipe(p), 0);
		pid = fork();
		T_TRUE(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			child(img, c, cseed, p[1]);
		}
		close(p[1]);
		/* Drain the log while the child runs, then kill it. */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			struct pollfd pf = { p[0], POLLIN, 0 };
			struct rec r;

			clock_gettime(CLOCK_MONOTONIC, &now);
			long el = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;

			if (el >= wait_ms)
				break;
			if (poll(&pf, 1, wait_ms - el) > 0) {
				ssize_t n = read(p[0], &r, sizeof(r));

				if (n == sizeof(r))
					apply(&r, shadow, unknown, &size);
				else if (n <= 0)
					break;
			}
		}
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		for (;;) {
			struct rec r;

			if (read(p[0], &r, sizeof(r)) != sizeof(r))
				break;
			apply(&r, shadow, unknown, &size);
		}
		close(p[0]);
		if (!WIFSIGNALED(st)) {
			vireo_test_fail(__FILE__, __LINE__, "iteration %d: the writer exited (%d)", it,
					WEXITSTATUS(st));
			goto out;
		}
		if (have_qemu_img()) {
			int qs = qemu_check(img, out, sizeof(out));

			if (qs != 0 && qs != 3) {
				vireo_test_fail(__FILE__, __LINE__,
						"iteration %d: qemu-img check exit %d: %.1500s", it, qs,
						out);
				goto out;
			}
		}
		if (vireo_disk_open(img, VIREO_DISK_AUTO, 0, &d, &err)) {
			vireo_test_fail(__FILE__, __LINE__, "iteration %d: reopen: %s", it, ERRMSG(err));
			goto out;
		}
		if (vireo_disk_check(d, &chk, NULL) || chk.corruptions) {
			vireo_test_fail(__FILE__, __LINE__, "iteration %d: our check: %llu corruptions",
					it, (unsigned long long)chk.corruptions);
			vireo_disk_close(d);
			goto out;
		}
		osize = vireo_disk_size(d);
		if (osize != size && osize + c->cluster * 8 != size) {
			vireo_test_fail(__FILE__, __LINE__, "iteration %d: size %llu, expected %llu",
					it, (unsigned long long)osize, (unsigned long long)size);
			vireo_disk_close(d);
			goto out;
		}
		size = osize;
		for (uint64_t off = 0; off < size; off += 1 << 20) {
			size_t n = size - off < (1u << 20) ? size - off : 1u << 20;

			if (vireo_disk_pread(d, buf, n, off)) {
				vireo_test_fail(__FILE__, __LINE__, "iteration %d: read: %s", it,
						vireo_disk_errmsg(d));
				vireo_disk_close(d);
				goto out;
			}
			for (size_t i = 0; i < n; i++) {
				if (unknown[off + i]) {
					shadow[off + i] = buf[i];	/* whichever landed */
					unknown[off + i] = 0;
					kills_mid_write++;
				} else if (buf[i] != shadow[off + i]) {
					vireo_test_fail(__FILE__, __LINE__,
							"iteration %d: byte 0x%llx is 0x%02x, a completed write left 0x%02x",
							it, (unsigned long long)(off + i), buf[i],
							shadow[off + i]);
					vireo_disk_close(d);
					goto out;
				}
			}
		}
		memset(unknown, 0, c->max_size + (64 << 10));
		vireo_disk_close(d);
	}
	fprintf(stderr, "  (%d kills; %d bytes were in flight)\n", c->iterations, kills_mid_write);
	/* Leaks only: qemu-img check -r leaks must clean them, leaving a clean image. */
	if (have_qemu_img()) {
		T_TRUE(run(out, sizeof(out), "qemu-img check -r leaks '%s'", img) != 2);
		T_EQ(qemu_check(img, out, sizeof(out)), 0);
	}
out:
	free(shadow);
	free(unknown);
	free(buf);
}

/* 512-byte clusters: new refcount blocks, refcount-table moves and L1 moves under fire. */
static void crash_512_grow(void)
{
	const struct crash_cfg c = { 512, 8 << 20, 12 << 20, 60, false, 7680 << 10 };

	crash_loop(&c);
}

static void crash_64k(void)
{
	const struct crash_cfg c = { 65536, 32 << 20, 40 << 20, 40, false, 0 };

	crash_loop(&c);
}

static void crash_4k_backing(void)
{
	const struct crash_cfg c = { 4096, 8 << 20, 10 << 20, 40, true, 0 };

	crash_loop(&c);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(crash_512_grow),
	VIREO_TEST(crash_64k),
	VIREO_TEST(crash_4k_backing),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(crash, tests);
