// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for qcow2 parsing: the input is an image file.  Open it
 * read-only (no backing file, NO_CHAIN: a fuzzed name must not reach the
 * filesystem), take its info, run the consistency check, read ranges
 * chosen from the input; then open it read-write and write, discard and
 * read back, since a guest may write to a corrupt image too.  Everything
 * must fail cleanly.
 *   make fuzz-qcow2   (20 s; DISK_FUZZ_SECONDS=N for longer)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "disk/disk.h"

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint8_t buf[1 << 18];

static void exercise(struct vireo_disk *d, uint64_t seed, bool write)
{
	uint64_t size = vireo_disk_size(d);

	if (!size)
		return;
	for (int i = 0; i < 8; i++) {
		uint64_t len = 1 + mix(&seed) % sizeof(buf);
		uint64_t off;

		if (len > size)
			len = size;
		off = i == 0 ? 0 : mix(&seed) % (size - len + 1);
		if (write && i % 3 == 1) {
			memset(buf, i, len);
			vireo_disk_pwrite(d, buf, len, off);
		} else if (write && i % 3 == 2) {
			vireo_disk_discard(d, off, len);
		} else {
			vireo_disk_pread(d, buf, len, off);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned int common = VIREO_DISK_NO_BACKING | VIREO_DISK_NO_CHAIN | VIREO_DISK_NO_LOCK;
	g_autoptr(GError) err = NULL;
	struct vireo_disk_check chk;
	struct vireo_disk *d;
	uint64_t seed = size;
	char path[64];
	int fd;

	for (size_t i = 0; i < size && i < 256; i++)
		seed = seed * 31 + data[i];
	fd = memfd_create("fuzz.qcow2", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (vireo_disk_open(path, VIREO_DISK_QCOW2, VIREO_DISK_RDONLY | common, &d, &err) == 0) {
		struct vireo_disk_info info;

		vireo_disk_get_info(d, &info);
		vireo_disk_check(d, &chk, NULL);
		exercise(d, seed, false);
		vireo_disk_close(d);
	}
	if (vireo_disk_open(path, VIREO_DISK_QCOW2, VIREO_DISK_UNSAFE_NOSYNC | common, &d, &err) == 0) {
		exercise(d, seed ^ 0x5555, true);
		vireo_disk_close(d);
	}
out:
	close(fd);
	return 0;
}
