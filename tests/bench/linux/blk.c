// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-bench-blk: sequential write then read of a file or block device,
 * the same program in L2 (on /dev/vda) and in L1 (on the image file).
 *
 *   vireo-bench-blk FILE MIB [BLOCK_KIB]
 *
 * Writes MIB MiB in BLOCK_KIB blocks (default 1024) from offset 0, then
 * fdatasync()s, then reads them back and checks every block's stamp (its
 * index and a pattern: a block device that returns the wrong data fails
 * here, not silently).  O_DIRECT when the file allows it (a block device
 * does; tmpfs in Linux 6.1 does not: EINVAL, so buffered there, which for
 * tmpfs is the same memory either way).
 *
 * Output, one line per event, each written with one write(2) so that a
 * reader timing the lines (vireo-bench-spawn in L1) sees them as they
 * happen:
 *   BLK write begin mib=M bs_kib=K direct=0|1
 *   BLK write end bytes=N ns=T mbps=X
 *   BLK read begin ...
 *   BLK read end bytes=N ns=T mbps=X
 *   BLK error <what>
 * MB/s here are MiB/s by this program's own clock; exit status 0 or 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(1, line, (size_t)n) < 0)
		return;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void stamp(uint64_t *b, size_t words, uint64_t index)
{
	size_t i;

	for (i = 0; i < words; i++)
		b[i] = index * 0x9e3779b97f4a7c15ull ^ i;
}

/* Opens with O_DIRECT if the file takes it; *direct says which it got. */
static int open_file(const char *path, int flags, int *direct)
{
	int fd = open(path, flags | O_DIRECT);

	*direct = 1;
	if (fd < 0 && errno == EINVAL) {
		fd = open(path, flags);
		*direct = 0;
	}
	if (fd < 0)
		say("BLK error open %s: %s", path, strerror(errno));
	return fd;
}

static void report(const char *phase, uint64_t bytes, uint64_t ns)
{
	say("BLK %s end bytes=%" PRIu64 " ns=%" PRIu64 " mbps=%.1f", phase, bytes, ns,
	    ns ? (double)bytes / (1 << 20) / ((double)ns / 1e9) : 0.0);
}

int main(int argc, char **argv)
{
	uint64_t mib, bs_kib = 1024, bs, nblocks, i, t;
	int fd, direct, rc = 1;
	uint64_t *buf;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: vireo-bench-blk FILE MIB [BLOCK_KIB]\n");
		return 2;
	}
	mib = strtoull(argv[2], NULL, 0);
	if (argc == 4)
		bs_kib = strtoull(argv[3], NULL, 0);
	if (!mib || !bs_kib || bs_kib > 65536 || (mib * 1024) % bs_kib) {
		fprintf(stderr, "vireo-bench-blk: MIB must be a multiple of BLOCK_KIB\n");
		return 2;
	}
	bs = bs_kib << 10;
	nblocks = (mib << 20) / bs;
	if (posix_memalign((void **)&buf, 4096, bs)) {
		say("BLK error out of memory for a %" PRIu64 " KiB buffer", bs_kib);
		return 1;
	}

	fd = open_file(argv[1], O_WRONLY, &direct);
	if (fd < 0)
		goto out;
	say("BLK write begin mib=%" PRIu64 " bs_kib=%" PRIu64 " direct=%d", mib, bs_kib, direct);
	t = now_ns();
	for (i = 0; i < nblocks; i++) {
		stamp(buf, bs / 8, i);
		if (pwrite(fd, buf, bs, (off_t)(i * bs)) != (ssize_t)bs) {
			say("BLK error write block %" PRIu64 ": %s", i, strerror(errno));
			goto out_close;
		}
	}
	if (fdatasync(fd) && errno != EINVAL) {
		say("BLK error fdatasync: %s", strerror(errno));
		goto out_close;
	}
	report("write", nblocks * bs, now_ns() - t);
	close(fd);

	fd = open_file(argv[1], O_RDONLY, &direct);
	if (fd < 0)
		goto out;
	say("BLK read begin mib=%" PRIu64 " bs_kib=%" PRIu64 " direct=%d", mib, bs_kib, direct);
	t = now_ns();
	for (i = 0; i < nblocks; i++) {
		if (pread(fd, buf, bs, (off_t)(i * bs)) != (ssize_t)bs) {
			say("BLK error read block %" PRIu64 ": %s", i, strerror(errno));
			goto out_close;
		}
		/* Two words per block: enough to catch a wrong or stale block. */
		if (buf[0] != (i * 0x9e3779b97f4a7c15ull) ||
		    buf[bs / 8 - 1] != (i * 0x9e3779b97f4a7c15ull ^ (bs / 8 - 1))) {
			say("BLK error read block %" PRIu64 ": wrong data", i);
			goto out_close;
		}
	}
	report("read", nblocks * bs, now_ns() - t);
	rc = 0;
out_close:
	close(fd);
out:
	free(buf);
	return rc;
}
