// SPDX-License-Identifier: GPL-2.0
/*
 * The machine lock (see lock.h for the contract).  OFD locks rather than
 * classic POSIX record locks because POSIX locks belong to the process and
 * are dropped when *any* fd of the file is closed by it (e.g. a library
 * reading the file), and rather than flock() because OFD locks are also
 * visible through F_OFD_GETLK, which lets `vireo list` ask without taking.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lock.h"

static void whole_file(struct flock *fl, short type)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = 0;
	fl->l_len = 0;	/* to the end, however long */
	fl->l_pid = 0;	/* must be 0 for OFD locks */
}

int vireo_machine_lock(const char *path, bool write_pid, int *fd)
{
	struct flock fl;
	int f, ret;

	*fd = -1;
	f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (f < 0)
		return -errno;
	whole_file(&fl, F_WRLCK);
	if (fcntl(f, F_OFD_SETLK, &fl) < 0) {
		ret = (errno == EAGAIN || errno == EACCES) ? -EBUSY : -errno;
		close(f);
		return ret;
	}
	if (write_pid) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

		/* Informational only: a failure here does not lose the lock. */
		if (ftruncate(f, 0) == 0 && pwrite(f, buf, n, 0) != n)
			(void)ftruncate(f, 0);
	}
	*fd = f;
	return 0;
}

void vireo_machine_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* the kernel drops the OFD lock with the description */
}

int vireo_machine_lock_probe(const char *path, bool *held, pid_t *pid)
{
	struct flock fl;
	char buf[32];
	ssize_t n;
	int f, ret = 0;

	*held = false;
	if (pid)
		*pid = 0;
	/* Read-only is enough for F_OFD_GETLK with a write lock query. */
	f = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (f < 0)
		return errno == ENOENT ? 0 : -errno;
	whole_file(&fl, F_WRLCK);
	if (fcntl(f, F_OFD_GETLK, &fl) < 0) {
		ret = -errno;
		goto out;
	}
	*held = fl.l_type != F_UNLCK;
	if (*held && pid) {
		n = pread(f, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			char *end;
			long v;

			buf[n] = 0;
			v = strtol(buf, &end, 10);
			if (end != buf && (*end == '\n' || !*end) && v > 0)
				*pid = (pid_t)v;
		}
	}
out:
	close(f);
	return ret;
}
