// SPDX-License-Identifier: GPL-2.0
/*
 * Image locking that QEMU sees and honours, and that honours QEMU.
 *
 * QEMU (block/file-posix.c, raw_apply_lock_bytes() and
 * raw_check_lock_bytes(), RAW_LOCK_PERM_BASE 100 and RAW_LOCK_SHARED_BASE
 * 200) describes who uses an image with shared (F_RDLCK) open-file-
 * description byte-range locks (F_OFD_SETLK), one byte per block
 * permission bit n (include/block/block-common.h as of QEMU 7.2:
 * CONSISTENT_READ 0, WRITE 1, WRITE_UNCHANGED 2, RESIZE 3):
 *
 *   byte 100 + n   held by a user that has permission n;
 *   byte 200 + n   held by a user that does not let others have it.
 *
 * A user first takes its bytes, then tests (F_OFD_GETLK with an F_WRLCK
 * probe, which reports any other description's lock) that nobody holds
 * 200 + n for a permission n it has, nor 100 + n for a permission n it
 * refuses to share.  Taking before testing means two racing openers
 * cannot both miss each other: at least the second sees the first.
 *
 * Vireo's two modes are what QEMU's qcow2 and backing-file nodes take
 * (observed with qemu-io 7.2 in /proc/locks):
 *   write: has CONSISTENT_READ, WRITE, RESIZE; shares CONSISTENT_READ and
 *          WRITE_UNCHANGED only (bytes 100, 101, 103, 201, 203) — a guest
 *          disk, resize, an image being written, a file about to be
 *          replaced;
 *   read:  has CONSISTENT_READ; does not share WRITE or RESIZE (bytes
 *          100, 201, 203) — a backing file (bdrv_default_perms_for_cow), a
 *          convert source.  Readers are compatible with each other, so one
 *          backing file serves many linked clones.
 * OFD locks belong to the open file description: they survive other fds
 * of the same file being closed (unlike POSIX locks) and two descriptions
 * in one process conflict like two processes (like flock, which QEMU does
 * not see).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "disk_priv.h"

#define LOCK_PERM_BASE		100	/* file-posix.c RAW_LOCK_PERM_BASE */
#define LOCK_SHARED_BASE	200	/* file-posix.c RAW_LOCK_SHARED_BASE */

enum {
	PERM_CONSISTENT_READ = 1u << 0,
	PERM_WRITE = 1u << 1,
	PERM_WRITE_UNCHANGED = 1u << 2,
	PERM_RESIZE = 1u << 3,
	PERM_ALL = 0xf,
};
#define PERM_BITS 4

static const char *const perm_names[PERM_BITS] = {
	"consistent read", "write", "write unchanged", "resize",
};

static int lock_byte(int fd, short type, int cmd, int byte, struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = byte;
	fl->l_len = 1;
	return fcntl(fd, cmd, fl) < 0 ? -errno : 0;
}

/*
 * Whether another description holds the byte base + n of a bit n in
 * @bits: 0, or -EBUSY (or the fcntl error) with a message naming the
 * permission and the byte.
 */
static int nobody_holds(int fd, unsigned int bits, int base, const char *holder,
			const char *path, GError **error)
{
	struct flock fl;
	int n, ret;

	for (n = 0; n < PERM_BITS; n++) {
		if (!(bits & (1u << n)))
			continue;
		ret = lock_byte(fd, F_WRLCK, F_OFD_GETLK, base + n, &fl);
		if (ret || fl.l_type != F_UNLCK)
			return vireo_error_set(error, ret ? ret : EBUSY,
					       "%s: in use by another process (QEMU or Vireo): %s \"%s\"%s (lock byte %d)",
					       path, holder, perm_names[n],
					       base == LOCK_PERM_BASE ? " permission" : "",
					       base + n);
	}
	return 0;
}

void vireo_disk_unlock_fd(int fd)
{
	struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = LOCK_PERM_BASE,
			    .l_len = LOCK_SHARED_BASE + PERM_BITS - LOCK_PERM_BASE };

	fcntl(fd, F_OFD_SETLK, &fl);
}

int vireo_disk_lock_fd(int fd, bool write, const char *path, GError **error)
{
	unsigned int perm = PERM_CONSISTENT_READ | (write ? PERM_WRITE | PERM_RESIZE : 0);
	unsigned int shared = PERM_CONSISTENT_READ | PERM_WRITE_UNCHANGED;
	struct flock fl;
	int ret = 0, n;

	for (n = 0; n < PERM_BITS && !ret; n++) {
		if (perm & (1u << n))
			ret = lock_byte(fd, F_RDLCK, F_OFD_SETLK, LOCK_PERM_BASE + n, &fl);
		if (!ret && !(shared & (1u << n)))
			ret = lock_byte(fd, F_RDLCK, F_OFD_SETLK, LOCK_SHARED_BASE + n, &fl);
	}
	if (ret) {
		/* Nobody takes write locks on these bytes; EINVAL: no OFD locks here. */
		vireo_error_set(error, ret, "%s: cannot lock the image (byte %d): %s", path,
				LOCK_PERM_BASE + n - 1, strerror(-ret));
		goto fail;
	}
	ret = nobody_holds(fd, perm, LOCK_SHARED_BASE, "it does not allow others", path, error);
	if (!ret)
		ret = nobody_holds(fd, PERM_ALL & ~shared, LOCK_PERM_BASE, "it has", path, error);
	if (ret)
		goto fail;
	return 0;
fail:
	vireo_disk_unlock_fd(fd);
	return ret;
}
