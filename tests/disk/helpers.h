/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the disk tests: a fresh temporary directory per test,
 * running commands (qemu-img, qemu-io, vireo disk), a seeded PRNG, and a
 * raw "shadow" to compare an image against.
 */
#ifndef VIREO_DISK_TEST_HELPERS_H
#define VIREO_DISK_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "disk/disk.h"
#include "test.h"


/* "<tmpdir>/<name>", from a ring of buffers (valid for a few calls). */
const char *tpath(const char *name);

bool have_qemu_img(void);
bool have_qemu_io(void);
#define T_NEED_QEMU()                                                                       \
	do {                                                                                \
		if (!have_qemu_img()) {                                                     \
			vireo_test_skip("qemu-img not installed (make deps installs qemu-utils)"); \
			return;                                                             \
		}                                                                           \
	} while (0)

/* Run a shell command; its exit status (-1 if it did not exit).  Output to @out if non-NULL. */
int run(char *out, size_t outlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* qemu-img check's exit status: 0 clean, 3 leaks only, 2 corruptions, 1 failure. */
int qemu_check(const char *path, char *out, size_t outlen);

uint64_t rng_next(uint64_t *s);
void rng_fill(uint64_t *s, void *buf, size_t len);
uint64_t test_seed(void);	/* $VIREO_DISK_SEED or time-based; printed when used */

/* Whole-file helpers. */
int write_file(const char *path, const void *buf, size_t len);
uint8_t *read_file(const char *path, size_t *len);
int patch_file(const char *path, uint64_t off, const void *buf, size_t len);
int copy_file(const char *from, const char *to);

/* Compare the whole guest view of @d with @shadow (size bytes); offset of first difference or -1. */
int64_t compare_disk(struct vireo_disk *d, const uint8_t *shadow, uint64_t size);

/*
 * Another process holding an image open, to test locking against: a child
 * of ours through libvireo-disk, or qemu-io (reading commands from a pipe).
 * hold_* return only once the image is open (0: qemu-io prompts for a
 * command; a hold_exec() program holds lock byte @byte; our child said so)
 * or failed to open (-1, the test failed with the reason);
 * release_holder() ends the process.
 */
struct holder {
	pid_t pid;
	int fd;		/* its stdin: closing it ends the holder */
	int out;	/* its output, or -1 */
	bool term;	/* release with SIGTERM too (it does not stop at EOF) */
};
int hold_vireo(struct holder *h, const char *path, unsigned int flags);
/* Run argv (stdin from a pipe, output discarded) until it holds lock byte @byte of @path. */
int hold_exec(struct holder *h, const char *path, int byte, char *const argv[]);
int hold_qemu_io(struct holder *h, const char *path, const char *fmt, bool readonly);
void release_holder(struct holder *h);
/* Is byte @byte of @path locked by an open file description other than ours? */
bool lock_byte_held(const char *path, int byte);

/* FNV-1a of the whole file; 0 if it cannot be read (missing). */
uint64_t file_hash(const char *path);
/* Names in the test directory other than "." and "..", space separated, sorted. */
void dir_names(char *out, size_t len);

#endif
