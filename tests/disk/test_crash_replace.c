// SPDX-License-Identifier: GPL-2.0
/*
 * Crash consistency of create, convert and resize: a child process runs
 * one of them and is SIGKILLed at a random moment (seeded: the seed is
 * printed, VIREO_DISK_SEED reproduces the choices), 240 times.  After
 * every kill:
 *   - a target that existed (create/convert --overwrite) is the old file
 *     byte for byte, or the complete new image;
 *   - a new name is absent, or the complete new image;
 *   - a resized image (in place) has the old size or the new one, and its
 *     data;
 *   - every image that exists passes `qemu-img check` (when installed) and
 *     our own check: no corruption, and no leaks either except in the
 *     resized image (see image_ok());
 *   - the only other files are the killed process's temporary files,
 *     recognisable by name (".<target>.vireo-tmp-XXXXXX"); a child that
 *     finished leaves none.  Half the rounds run with O_TMPFILE (a kill
 *     then leaves no file at all, bar the instant of the final rename),
 *     half with named temporary files ($VIREO_DISK_NO_TMPFILE), as on
 *     filesystems without O_TMPFILE.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define SRC_SIZE	(2u << 20)
#define OLD_SIZE	(1u << 20)
#define ROUNDS		48	/* per operation: 5 * 48 = 240 kills */

enum op { OP_CREATE_NEW, OP_CREATE_OVER, OP_CONVERT_NEW, OP_CONVERT_OVER, OP_RESIZE, OP_N };

static const char *const op_names[OP_N] = {
	"create (new name)", "create --overwrite", "convert (new name)", "convert --overwrite",
	"resize",
};

static char out[8192];
static uint8_t *src_data;	/* the convert source's content */
static uint8_t *old_data;	/* the file create/convert --overwrite replace */
static uint64_t old_hash;

/* The child: one operation, then exit 0 (or 1 with the message). */
static void child(enum op op, enum vireo_disk_format fmt, uint64_t resize_to, bool named)
{
	struct vireo_disk_create_opts c = { .format = fmt, .size = 3 << 20, .cluster_size = 4096 };
	struct vireo_disk_convert_opts v = { .dst_format = fmt, .cluster_size = 4096 };
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	int ret = 0;

	if (named)	/* a named temporary file, as on filesystems without O_TMPFILE */
		setenv("VIREO_DISK_NO_TMPFILE", "1", 1);
	switch (op) {
	case OP_CREATE_NEW:
		ret = vireo_disk_create(tpath("new.img"), &c, &err);
		break;
	case OP_CREATE_OVER:
		c.overwrite = true;
		ret = vireo_disk_create(tpath("old.img"), &c, &err);
		break;
	case OP_CONVERT_NEW:
		ret = vireo_disk_convert(tpath("src.raw"), tpath("new.img"), &v, &err);
		break;
	case OP_CONVERT_OVER:
		v.overwrite = true;
		ret = vireo_disk_convert(tpath("src.raw"), tpath("old.img"), &v, &err);
		break;
	case OP_RESIZE:
		ret = vireo_disk_open(tpath("grow.qcow2"), VIREO_DISK_QCOW2, 0, &d, &err);
		if (!ret) {
			ret = vireo_disk_resize(d, resize_to);
			if (ret)
				vireo_error_set(&err, ret, "%s", vireo_disk_errmsg(d));
			vireo_disk_close(d);
		}
		break;
	default:
		break;
	}
	if (ret)
		fprintf(stderr, "    crash child (%s): %s\n", op_names[op], ERRMSG(err));
	_exit(ret ? 1 : 0);
}

/* Run one op in a child, killing it after @delay_us (0: let it finish). */
static int run_child(enum op op, enum vireo_disk_format fmt, uint64_t resize_to, bool named,
		     long delay_us, bool *killed)
{
	struct timespec ts = { delay_us / 1000000, (delay_us % 1000000) * 1000 };
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0)
		child(op, fmt, resize_to, named);
	if (delay_us) {
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
	}
	waitpid(pid, &st, 0);
	*killed = WIFSIGNALED(st);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 0;
}

/*
 * Image @name (existing) is a complete, clean image: qemu-img check, ours,
 * its size.  @leaks: leaked clusters are allowed (an in-place resize that
 * was killed after allocating a new L1 or refcount table but before the
 * header pointed to it: the crash ordering of qcow2_io.c trades those for
 * never having a refcount below its references, as QEMU does).
 */
static bool image_ok(const char *name, enum vireo_disk_format fmt, uint64_t size,
		     const uint8_t *content, bool leaks, struct vireo_disk **keep)
{
	struct vireo_disk_check chk;
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	uint8_t *buf;
	bool ok = true;

	if (fmt == VIREO_DISK_QCOW2 && have_qemu_img()) {
		int qs = qemu_check(tpath(name), out, sizeof(out));

		if (qs != 0 && !(leaks && qs == 3)) {
			vireo_test_fail(__FILE__, __LINE__, "%s: qemu-img check exit %d: %.1500s",
					name, qs, out);
			return false;
		}
	}
	if (vireo_disk_open(tpath(name), fmt, VIREO_DISK_RDONLY, &d, &err)) {
		vireo_test_fail(__FILE__, __LINE__, "reopen: %s", ERRMSG(err));
		return false;
	}
	if (vireo_disk_check(d, &chk, NULL) || chk.corruptions || (chk.leaks && !leaks)) {
		vireo_test_fail(__FILE__, __LINE__, "%s: our check: %llu corruptions, %llu leaks", name,
				(unsigned long long)chk.corruptions, (unsigned long long)chk.leaks);
		ok = false;
	} else if (size && vireo_disk_size(d) != size) {
		vireo_test_fail(__FILE__, __LINE__, "%s: size %llu, want %llu", name,
				(unsigned long long)vireo_disk_size(d), (unsigned long long)size);
		ok = false;
	} else if (content) {
		buf = malloc(SRC_SIZE);
		if (!buf || vireo_disk_pread(d, buf, SRC_SIZE, 0) || memcmp(buf, content, SRC_SIZE)) {
			vireo_test_fail(__FILE__, __LINE__, "%s: not the source's content", name);
			ok = false;
		}
		free(buf);
	}
	if (ok && keep)
		*keep = d;
	else
		vireo_disk_close(d);
	return ok;
}

/*
 * The directory holds @expected names (and "new.img" if @new_may_exist)
 * plus only temporary files of old.img/new.img, which must be absent when
 * the child finished (@killed false).  Removes the temporary files.
 */
static bool dir_clean(bool killed, int *stale)
{
	static const char *const fixed[] = { "src.raw", "old.img", "grow.qcow2", "new.img" };
	char names[8192], *save = NULL, *n;
	bool ok = true;

	dir_names(names, sizeof(names));
	for (n = strtok_r(names, " ", &save); n; n = strtok_r(NULL, " ", &save)) {
		bool known = false;

		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
			known |= !strcmp(n, fixed[i]);
		if (known)
			continue;
		if ((!strncmp(n, ".old.img.vireo-tmp-", 19) || !strncmp(n, ".new.img.vireo-tmp-", 19)) &&
		    strlen(n) == 25 && killed) {
			unlink(tpath(n));	/* harmless; what an admin may delete */
			(*stale)++;
			continue;
		}
		vireo_test_fail(__FILE__, __LINE__, "unexpected file \"%s\" (child %s)", n,
				killed ? "killed" : "finished");
		ok = false;
	}
	return ok;
}

static void reset_files(void)
{
	struct vireo_disk_create_opts g = { .format = VIREO_DISK_QCOW2, .size = OLD_SIZE,
					    .cluster_size = 512, .overwrite = true };
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;

	unlink(tpath("new.img"));
	if (file_hash(tpath("old.img")) != old_hash)
		T_EQ(write_file(tpath("old.img"), old_data, OLD_SIZE), 0);
	if (vireo_disk_create(tpath("grow.qcow2"), &g, &err) ||
	    vireo_disk_open(tpath("grow.qcow2"), VIREO_DISK_QCOW2, 0, &d, &err)) {
		vireo_test_fail(__FILE__, __LINE__, "%s", ERRMSG(err));
		return;
	}
	T_EQ(vireo_disk_pwrite(d, src_data, OLD_SIZE, 0), 0);
	T_EQ(vireo_disk_close(d), 0);
}

static void crash_create_convert_resize(void)
{
	uint64_t seed = test_seed(), grow_size = OLD_SIZE;
	long dur_us[OP_N][2] = { { 0 } };
	int kills = 0, finished = 0, stale = 0, old_kept = 0, replaced = 0, named_kills = 0;
	struct timespec t0, t1;
	bool killed;

	src_data = calloc(1, SRC_SIZE);
	old_data = malloc(OLD_SIZE);
	T_TRUE(src_data && old_data);
	rng_fill(&seed, src_data, SRC_SIZE / 2);	/* the second half stays zeros: sparse */
	rng_fill(&seed, old_data, OLD_SIZE);
	T_EQ(write_file(tpath("src.raw"), src_data, SRC_SIZE), 0);
	T_EQ(write_file(tpath("old.img"), old_data, OLD_SIZE), 0);
	old_hash = file_hash(tpath("old.img"));
	T_CALL(reset_files());
	/* How long each operation takes here: kills land anywhere in [0, 1.25 x that]. */
	for (int op = 0; op < OP_N; op++) {
		for (int f = 0; f < 2; f++) {
			clock_gettime(CLOCK_MONOTONIC, &t0);
			T_EQ(run_child(op, f ? VIREO_DISK_QCOW2 : VIREO_DISK_RAW, 64 << 20, f, 0,
				       &killed),
			     0);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			dur_us[op][f] = (t1.tv_sec - t0.tv_sec) * 1000000 +
					(t1.tv_nsec - t0.tv_nsec) / 1000 + 1;
			T_CALL(reset_files());
		}
	}
	for (int it = 0; it < ROUNDS * OP_N; it++) {
		enum op op = it % OP_N;
		enum vireo_disk_format fmt = rng_next(&seed) % 2 ? VIREO_DISK_QCOW2 : VIREO_DISK_RAW;
		long delay = 1 + (long)(rng_next(&seed) % (uint64_t)(dur_us[op][fmt == VIREO_DISK_QCOW2] * 5 / 4));
		uint64_t to = grow_size + (1 + rng_next(&seed) % 64) * (512 << 10);
		bool named = (it / OP_N) % 2;	/* half with O_TMPFILE, half without */
		int st;

		if (op == OP_RESIZE)
			fmt = VIREO_DISK_QCOW2;
		st = run_child(op, fmt, to, named, delay, &killed);
		if (!killed && st) {
			vireo_test_fail(__FILE__, __LINE__, "iteration %d (%s): the child failed", it,
					op_names[op]);
			return;
		}
		kills += killed;
		named_kills += killed && named;
		finished += !killed;
		if (!dir_clean(killed, &stale))
			return;
		switch (op) {
		case OP_CREATE_NEW:
		case OP_CONVERT_NEW:
			if (access(tpath("new.img"), F_OK) == 0 &&
			    !image_ok("new.img", fmt, op == OP_CREATE_NEW ? 3 << 20 : SRC_SIZE,
				      op == OP_CONVERT_NEW ? src_data : NULL, false, NULL)) {
				fprintf(stderr, "  iteration %d: %s\n", it, op_names[op]);
				return;
			}
			if (!killed && access(tpath("new.img"), F_OK)) {
				vireo_test_fail(__FILE__, __LINE__, "iteration %d: finished, no new.img",
						it);
				return;
			}
			break;
		case OP_CREATE_OVER:
		case OP_CONVERT_OVER:
			if (file_hash(tpath("old.img")) == old_hash) {
				old_kept++;
				if (!killed) {
					vireo_test_fail(__FILE__, __LINE__,
							"iteration %d: finished, old.img not replaced", it);
					return;
				}
			} else if (!image_ok("old.img", fmt, op == OP_CREATE_OVER ? 3 << 20 : SRC_SIZE,
					     op == OP_CONVERT_OVER ? src_data : NULL, false, NULL)) {
				fprintf(stderr, "  iteration %d: %s: neither old nor new\n", it,
					op_names[op]);
				return;
			} else {
				replaced++;
			}
			break;
		case OP_RESIZE: {
			struct vireo_disk *d = NULL;
			uint8_t *buf = malloc(OLD_SIZE);
			uint64_t now;

			if (!image_ok("grow.qcow2", VIREO_DISK_QCOW2, 0, NULL, true, &d)) {
				free(buf);
				fprintf(stderr, "  iteration %d: resize %llu -> %llu\n", it,
					(unsigned long long)grow_size, (unsigned long long)to);
				return;
			}
			now = vireo_disk_size(d);
			if ((now != grow_size && now != to) || (!killed && now != to) || !buf ||
			    vireo_disk_pread(d, buf, OLD_SIZE, 0) || memcmp(buf, src_data, OLD_SIZE)) {
				vireo_test_fail(__FILE__, __LINE__,
						"iteration %d: resize %llu -> %llu left size %llu or lost data",
						it, (unsigned long long)grow_size,
						(unsigned long long)to, (unsigned long long)now);
				vireo_disk_close(d);
				free(buf);
				return;
			}
			vireo_disk_close(d);
			free(buf);
			grow_size = now;
			if (grow_size > (48u << 20)) {
				T_CALL(reset_files());
				grow_size = OLD_SIZE;
			}
			break;
		}
		default:
			break;
		}
		unlink(tpath("new.img"));
		if (file_hash(tpath("old.img")) != old_hash)
			T_EQ(write_file(tpath("old.img"), old_data, OLD_SIZE), 0);
	}
	fprintf(stderr,
		"  (%d killed, %d of them with named temporary files; %d finished first; --overwrite targets: %d old, %d new; %d stale temporary files)\n",
		kills, named_kills, finished, old_kept, replaced, stale);
	free(src_data);
	free(old_data);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(crash_create_convert_resize),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(crash_replace, tests);
